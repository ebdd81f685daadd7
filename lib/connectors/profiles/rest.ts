// Generic JSON REST (ERP, WMS and QMS SaaS): one "METHOD /path/{field}" template per
// operation (defaults below, each overridable), JSON bodies, the posting key sent as
// Idempotency-Key (a retry is replayed by the server, never booked twice), RFC 9457
// problem details turned into readable errors.
import { createHash } from 'crypto';
import { ConnectorError, isConnectorError } from '../errors';
import type { Method } from '../http';
import type { OpInput, OpResult } from '../types';
import { availability, need, OpImpl, opt, OrderInfo, ProfileFactory, StockRow } from './profile';

export const REST_PATHS: Record<string, string> = {
  confirmProduction: 'POST /api/v1/confirmations',
  postGoodsIssue: 'POST /api/v1/goods-movements',
  postGoodsReceipt: 'POST /api/v1/goods-movements',
  placeQualityHold: 'POST /api/v1/goods-movements',
  releaseQualityHold: 'POST /api/v1/goods-movements',
  createProductionOrder: 'POST /api/v1/production-orders',
  releaseProductionOrder: 'POST /api/v1/production-orders/{orderId}/release',
  getProductionOrder: 'GET /api/v1/production-orders/{orderId}',
  getRouting: 'GET /api/v1/production-orders/{orderId}/routing',
  getItem: 'GET /api/v1/items/{material}',
  checkAvailability: 'GET /api/v1/stock',
  requestPurchase: 'POST /api/v1/purchase-requisitions',
  createPutawayTask: 'POST /api/v1/putaway-tasks',
  createTransferTask: 'POST /api/v1/transfer-tasks',
  confirmTask: 'POST /api/v1/tasks/{taskId}/confirm',
  blockShipment: 'POST /api/v1/shipment-blocks',
  releaseShipmentBlock: 'POST /api/v1/shipment-blocks/release',
  createNonconformance: 'POST /api/v1/nonconformances',
  recordInspectionResult: 'POST /api/v1/inspection-results',
  updateTraceability: 'POST /api/v1/traceability/links',
};

/** Which operations the rest profile offers for a role. */
export const REST_OPS_BY_ROLE: Record<string, string[]> = {
  erp: ['confirmProduction', 'postGoodsIssue', 'postGoodsReceipt', 'placeQualityHold', 'releaseQualityHold', 'createProductionOrder',
    'releaseProductionOrder', 'getProductionOrder', 'getRouting', 'getItem', 'checkAvailability', 'requestPurchase'],
  wms: ['createPutawayTask', 'createTransferTask', 'confirmTask', 'blockShipment', 'releaseShipmentBlock'],
  qms: ['createNonconformance', 'recordInspectionResult', 'updateTraceability'],
};

function fill(template: string, input: OpInput, op: string): { method: Method; path: string } {
  const m = /^\s*(GET|POST|PUT|PATCH|DELETE)\s+(\S+)\s*$/i.exec(template);
  if (!m) throw new Error(`${op}: path template must read "METHOD /path/{field}" (got "${template}")`);
  const path = m[2].replace(/\{([A-Za-z0-9_]+)\}/g, (_x, f: string) => encodeURIComponent(need(input, f, op)));
  return { method: m[1].toUpperCase() as Method, path };
}

const idemKey = (key: string) => (key.length <= 255 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`);
/** RFC 3339 or a date to YYYY-MM-DD */
const day = (t: unknown) => (t ? new Date(String(t)).toISOString().slice(0, 10) : undefined);
const q = (x: any) => (x ? { quantity: Number(x.value), unit: x.unit } : {});
const clean = (o: Record<string, unknown>) => {
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === null || o[k] === '') delete o[k];
  return o;
};

export const rest: ProfileFactory = (http, cfg) => {
  const paths = { ...REST_PATHS, ...(cfg.paths || {}) };

  async function call(op: string, input: OpInput, body?: unknown, key?: string, params?: Record<string, string | undefined>): Promise<{ data: any; replayed: boolean }> {
    const { method, path } = fill(paths[op], input, op);
    const headers: Record<string, string> = {};
    if (key && method !== 'GET') headers['Idempotency-Key'] = idemKey(key);
    try {
      const res = await http.request({ method, path, body, headers, op, params });
      return { data: res.data ?? {}, replayed: String(res.headers['idempotent-replayed'] || '') === 'true' };
    } catch (err) {
      // 409 on a keyed request: the first attempt is still being handled; try again later
      if (isConnectorError(err) && err.status === 409 && key && /idempot|in progress|in flight|being processed/i.test(err.message)) {
        err.retryable = true;
        err.outcomeUnknown = true;
      }
      throw err;
    }
  }

  const posted = (r: { data: any; replayed: boolean }, field: string, refName: string): OpResult => {
    const doc = r.data[field] !== undefined ? String(r.data[field]) : '';
    if (!doc) throw new ConnectorError(`reply lacks "${field}"`, { kind: 'validation', retryable: false, outcomeUnknown: true });
    return { document: doc, references: { [refName]: doc }, data: r.data, replayed: r.replayed || undefined };
  };

  const moveItem = (i: OpInput, op: string, movementType: string, extra: Record<string, unknown> = {}) => clean({
    material: need(i, 'material', op), plant: need(i, 'plant', op), storageLocation: need(i, 'storageLocation', op), batch: i.lot,
    movementType, ...q(i.quantity), orderId: i.orderId, ...extra,
  });

  async function stock(i: OpInput): Promise<StockRow[]> {
    const r = await call('checkAvailability', i, undefined, undefined, { material: String(i.material), plant: opt(i.plant), storageLocation: opt(i.storageLocation), batch: opt(i.lot) });
    return (Array.isArray(r.data.rows) ? r.data.rows : []).map((x: any) => ({
      storageLocation: x.storageLocation, lot: opt(x.batch), stockType: x.stockType, quantity: Number(x.quantity), unit: x.unit,
    }));
  }

  async function movement(op: string, i: OpInput, k: { key: string; ref: string }, mt: string, from?: StockRow['stockType']): Promise<OpResult> {
    let items: Record<string, unknown>[];
    if (from && !i.quantity) {
      const rows = Array.isArray(i.stockRows) && i.stockRows.length
        ? i.stockRows.map((r: any) => ({ storageLocation: r.storageLocation, lot: i.lot, stockType: from, quantity: r.quantity.value, unit: r.quantity.unit }))
        : (await stock(i)).filter((r) => r.stockType === from && r.quantity > 0 && (!i.lot || r.lot === i.lot));
      if (!rows.length) throw new Error(`${op}: lot ${i.lot} of ${i.material} has no ${from} stock`);
      items = rows.map((r) => moveItem({ ...i, storageLocation: r.storageLocation, quantity: { value: r.quantity, unit: r.unit } }, op, mt));
    } else items = [moveItem(i, op, mt)];
    const body = clean({ postingDate: day(i.postingDate), headerText: k.ref, items });
    const r = await call(op, i, body, k.key);
    if (r.data.year && r.data.materialDocument) r.data.document = `${r.data.materialDocument}/${r.data.year}`;
    return posted(r, r.data.document ? 'document' : 'materialDocument', 'erpMaterialDocument');
  }

  const order = (d: any): OrderInfo => ({
    orderId: String(d.orderId), orderType: opt(d.type), material: d.material, plant: opt(d.plant),
    scheduledStart: d.plannedStart ? new Date(d.plannedStart).toISOString() : undefined, scheduledEnd: d.plannedEnd ? new Date(d.plannedEnd).toISOString() : undefined,
    quantity: { value: Number(d.quantity), unit: d.unit }, confirmedYield: d.confirmedYield !== undefined ? Number(d.confirmedYield) : undefined,
    status: d.status, released: ['REL', 'PCNF', 'CNF'].includes(d.status), description: opt(d.text),
    operations: Array.isArray(d.operations) ? d.operations.map((o: any) => clean({
      operationId: String(o.operation ?? o.operationId), workCenter: o.workCenter, costCenter: o.costCenter, description: o.text,
      plannedQuantity: o.plannedQuantity, confirmedYield: o.confirmedYield,
    })) : undefined,
    components: Array.isArray(d.components) ? d.components.map((c: any) => clean({
      material: c.material, quantity: { value: Number(c.quantity), unit: c.unit }, storageLocation: c.storageLocation, lot: c.batch,
    })) : undefined,
  } as OrderInfo);

  const ops: Record<string, OpImpl> = {
    confirmProduction: {
      async run(i, k) {
        const body = clean({
          orderId: String(i.orderId), operation: String(i.operationId), yield: i.yield.value, scrap: i.scrap?.value, rework: i.rework?.value,
          unit: i.yield.unit, final: !!i.finalConfirmation, postingDate: day(i.postingDate),
          goodsMovements: Array.isArray(i.goodsMovements) && i.goodsMovements.length ? i.goodsMovements.map((m: any) => clean({
            material: m.material, plant: m.plant || i.plant, storageLocation: m.storageLocation || i.storageLocation, batch: m.lot,
            movementType: m.movementType, ...q(m.quantity),
          })) : undefined,
        });
        const r = await call('confirmProduction', i, body, k.key);
        const res = posted(r, 'confirmationId', 'erpConfirmation');
        if (r.data.materialDocument) res.references.erpMaterialDocument = String(r.data.materialDocument);
        return res;
      },
    },
    postGoodsIssue: { run: (i, k) => movement('postGoodsIssue', i, k, '261') },
    postGoodsReceipt: { run: (i, k) => movement('postGoodsReceipt', i, k, '101') },
    placeQualityHold: { run: (i, k) => movement('placeQualityHold', i, k, '344', 'unrestricted') },
    releaseQualityHold: { run: (i, k) => movement('releaseQualityHold', i, k, '343', 'blocked') },
    createProductionOrder: {
      async run(i, k) {
        const body = clean({ material: i.material, plant: i.plant, ...q(i.quantity), type: i.orderType, text: i.text || k.ref });
        return posted(await call('createProductionOrder', i, body, k.key), 'orderId', 'erpOrder');
      },
    },
    releaseProductionOrder: {
      async run(i, k) {
        const r = await call('releaseProductionOrder', i, {}, k.key);
        const full = await call('getProductionOrder', i);
        return { document: String(i.orderId), references: { erpOrder: String(i.orderId) }, data: { ...order(full.data), message: r.data.status }, replayed: r.replayed || undefined };
      },
    },
    getProductionOrder: {
      async run(i) {
        const r = await call('getProductionOrder', i);
        return { document: String(i.orderId), references: { erpOrder: String(i.orderId) }, data: order(r.data) };
      },
    },
    getRouting: {
      async run(i) {
        const r = await call('getRouting', i);
        const o = order({ ...r.data, quantity: 0 });
        return { document: String(i.orderId), references: { erpOrder: String(i.orderId) }, data: { orderId: String(i.orderId), operations: o.operations || [] } };
      },
    },
    getItem: {
      async run(i) {
        const d = (await call('getItem', i)).data;
        return { document: String(i.material), references: { erpMaterial: String(i.material) },
          data: clean({ material: d.material, description: d.description, baseUnit: d.baseUnit, type: d.type, batchManaged: d.batchManaged }) };
      },
    },
    checkAvailability: {
      async run(i) {
        return { document: String(i.material), references: {}, data: availability(String(i.material), opt(i.plant), await stock(i)) };
      },
    },
    requestPurchase: {
      async run(i, k) {
        const item = clean({ material: i.material, plant: need(i, 'plant', 'requestPurchase'), ...q(i.quantity), deliveryDate: day(i.neededBy), text: i.text });
        return posted(await call('requestPurchase', i, { items: [item], description: k.ref }, k.key), 'requisitionId', 'erpPurchaseRequisition');
      },
    },
    createPutawayTask: {
      async run(i, k) {
        const body = clean({ material: i.material, lot: i.lot, quantity: i.quantity, sourceLocation: i.stagingArea, destinationBin: i.destinationBin, orderId: i.orderId, handlingUnit: i.handlingUnit });
        return posted(await call('createPutawayTask', i, body, k.key), 'taskId', 'wmsTask');
      },
    },
    createTransferTask: {
      async run(i, k) {
        const body = clean({ material: i.material, lot: i.lot, quantity: i.quantity, from: i.from, to: i.to, reason: i.reason?.code ?? i.reason });
        return posted(await call('createTransferTask', i, body, k.key), 'taskId', 'wmsTask');
      },
    },
    confirmTask: {
      async run(i, k) {
        const body = clean({ quantity: i.quantity ? Number(i.quantity.value) : undefined, bin: i.bin, confirmedBy: i.confirmedBy || i.operator });
        return posted(await call('confirmTask', i, body, k.key), 'taskId', 'wmsTask');
      },
    },
    blockShipment: {
      async run(i, k) {
        const reason = i.reason?.text || i.reason?.code || i.reason || (i.defect ? `nonconformance ${i.ncId || ''}`.trim() : 'quality hold');
        const body = clean({ lot: i.lot, material: i.material, reason: String(reason), holdId: i.holdId || i.ncId });
        return posted(await call('blockShipment', i, body, k.key), 'blockId', 'wmsShipmentBlock');
      },
    },
    releaseShipmentBlock: {
      async run(i, k) {
        const r = await call('releaseShipmentBlock', i, clean({ lot: i.lot, holdId: i.holdId, reason: i.deviationId ? `deviation ${i.deviationId}` : undefined }), k.key);
        const ids = Array.isArray(r.data.released) ? r.data.released.join(',') : '';
        return { document: ids || String(i.lot), references: { wmsShipmentBlock: ids }, data: r.data, replayed: r.replayed || undefined };
      },
    },
    createNonconformance: {
      async run(i, k) {
        const body = clean({
          material: i.material, lot: i.lot, defect: i.defect?.code ?? i.defect, severity: i.severity, quantity: i.quantity,
          description: i.note || i.defect?.text || i.description, orderId: i.orderId, serial: i.serial, detectedAt: i.detectedAt,
          detectedBy: i.detectedBy, plant: i.plant,
        });
        return posted(await call('createNonconformance', i, body, k.key), 'ncId', 'qmsNonconformance');
      },
    },
    recordInspectionResult: {
      async run(i, k) {
        const body = clean({
          inspectionLot: i.inspectionLot, material: i.material, lot: i.lot, characteristic: i.characteristic, measured: i.measured,
          lowerLimit: i.lowerLimit, upperLimit: i.upperLimit, unit: i.unit, inspectedAt: i.inspectedAt,
        });
        return posted(await call('recordInspectionResult', i, body, k.key), 'resultId', 'qmsInspectionResult');
      },
    },
    updateTraceability: {
      async run(i, k) {
        const body = clean({ lot: i.lot, material: i.material, orderId: i.orderId, components: i.components });
        const r = await call('updateTraceability', i, body, k.key);
        return { document: String(r.data.lot ?? i.lot), references: { qmsGenealogy: String(r.data.lot ?? i.lot) }, data: r.data, replayed: r.replayed || undefined };
      },
    },
  };
  const offered = REST_OPS_BY_ROLE[cfg.role] || [];
  // every posting carries its key as Idempotency-Key: the server replays a repeat
  for (const o of Object.values(ops)) o.safeRetry = true;
  return { name: 'rest', ops: Object.fromEntries(Object.entries(ops).filter(([n]) => offered.includes(n))) };
};

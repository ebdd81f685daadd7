// SAP S/4HANA OData v2 surface: the production order confirmation, production order,
// material document, material stock, purchase requisition and product services over
// the shared ERP state model.
import type { SimServer } from '../http/server';
import type { Ctx, Reply, SimRequest } from '../http/types';
import { HttpError } from '../http/types';
import { CLIENT, parseEntity, SapSessions, sapError, SapConfig, Schema } from './sap-common';
import * as E from './sap-entities';
import { ErpError, ErpState, MovementItem, StockType } from './state';
import { runBatch } from './sap-batch';
import { dispatch, Row, safe, Service, subRequest } from './sap-dispatch';

const STOCK_TYPES: Record<string, StockType> = { '': 'unrestricted', '01': 'unrestricted', '02': 'quality', '07': 'blocked' };
const CODE_FOR: Record<string, string[]> = { '101': ['01', '02'], '102': ['02', '06'], '261': ['03'], '262': ['03', '06'], '311': ['04'], '321': ['04'], '322': ['04'], '343': ['04'], '344': ['04'] };

export function mountSap(server: SimServer, state: ErpState, cfg: SapConfig): SapSessions {
  const sessions = new SapSessions(cfg);
  server.onReset(() => sessions.clear());
  server.surface('/sap/', 'sap-odata', (status, code, message, _r, details) =>
    sapError(status, code && code.includes('/') ? code : status === 404 ? '/IWBEP/CM_MGW_RT/021' : status === 503 ? '/IWFND/CM_BEC/026' : `SY/${status}`, message,
      Array.isArray(details) ? details : []));

  const movementsOf = (items: Row[], defaults: { order?: string } = {}): MovementItem[] => items.map((i) => ({
    material: String(i.Material || ''), plant: String(i.Plant || ''), storageLocation: String(i.StorageLocation || ''), batch: String(i.Batch || ''),
    movementType: String(i.GoodsMovementType || ''), qty: Number(i.QuantityInEntryUnit ?? 0), unit: String(i.EntryUnit || ''),
    order: (i.ManufacturingOrder || i.OrderID || defaults.order) as string | undefined, costCenter: i.CostCenter as string | undefined,
    toStorageLocation: i.IssuingOrReceivingStorageLoc as string | undefined, stockType: STOCK_TYPES[String(i.InventoryStockType || '')] || 'unrestricted',
    reasonCode: i.GoodsMovementReasonCode as string | undefined, reservation: i.Reservation as string | undefined, reservationItem: i.ReservationItem as string | undefined,
  }));

  const services: Record<string, Service> = {
    API_PROD_ORDER_CONFIRMATION_2_SRV: {
      sets: {
        ProdnOrdConf2: {
          keys: ['ConfirmationGroup', 'ConfirmationCount'], schema: E.CONF,
          list: (base) => state.confirmations.map((c) => E.confRow(base, c)),
          navs: { to_ProdnOrdConfMatlDocItm: (base, row) => E.confItems(base, state.confirmations.find((c) => c.group === row.ConfirmationGroup && c.count === row.ConfirmationCount)!, state) },
          create: (body, _r, ctx, base) => {
            const b = parseEntity(body, E.CONF, 'ProdnOrdConf2');
            if (!b.OrderID) throw new HttpError(400, 'Enter an order number', 'RU/004', [{ message: 'Enter an order number', target: 'OrderID' }]);
            if (!b.OrderOperation) throw new HttpError(400, 'Enter an operation', 'RU/005', [{ message: 'Enter an operation', target: 'OrderOperation' }]);
            const items = (b.to_ProdnOrdConfMatlDocItm as Row[] | undefined) || [];
            const c = state.confirm({
              order: String(b.OrderID), operation: String(b.OrderOperation), sequence: b.Sequence as string, yield: Number(b.ConfirmationYieldQuantity ?? 0),
              scrap: Number(b.ConfirmationScrapQuantity ?? 0), rework: Number(b.ConfirmationReworkQuantity ?? 0), unit: b.ConfirmationUnit as string,
              final: b.IsFinalConfirmation === true, postingDate: b.PostingDate as number, externalId: b.ExternalSystemConfirmation as string,
              text: b.ConfirmationText as string, personnel: b.Personnel as string, varianceReason: b.VarianceReasonCode as string,
              movements: b.APIConfHasNoGoodsMovements === true ? [] : movementsOf(items, { order: String(b.OrderID) }),
            });
            ctx.book('confirmation', c.externalId || null, `${c.group}/${c.count}`);
            return { ...E.confRow(base, c), to_ProdnOrdConfMatlDocItm: { results: E.confItems(base, c, state) } };
          },
        },
        ProdnOrdConfMatlDocItm: {
          keys: ['ConfirmationGroup', 'ConfirmationCount', 'MaterialDocument', 'MaterialDocumentItem', 'MaterialDocumentYear'], schema: E.CONF_ITEM,
          list: (base) => state.confirmations.flatMap((c) => E.confItems(base, c, state)),
        },
      },
      functions: {
        CancelProdnOrdConf: (p, ctx, base) => {
          const rev = state.cancelConfirmation(p.ConfirmationGroup || '', p.ConfirmationCount || '');
          ctx.book('confirmation-cancel', `${p.ConfirmationGroup}/${p.ConfirmationCount}`, `${rev.group}/${rev.count}`);
          return E.confRow(base, rev);
        },
      },
    },
    API_PRODUCTION_ORDER_2_SRV: {
      sets: {
        A_ProductionOrder_2: {
          keys: ['ManufacturingOrder'], schema: E.PROD_ORDER,
          list: (base) => [...state.orders.values()].map((o) => E.orderRow(base, o)),
          navs: {
            to_ProductionOrderOperation: (base, row) => E.operationRows(base, state.order(String(row.ManufacturingOrder))),
            to_ProductionOrderComponent: (base, row) => E.componentRows(base, state.order(String(row.ManufacturingOrder))),
          },
          create: (body, _r, ctx, base) => {
            const b = parseEntity(body, E.PROD_ORDER, 'A_ProductionOrder_2');
            for (const f of ['Material', 'ProductionPlant', 'TotalQuantity']) {
              if (b[f] === undefined || b[f] === '') throw new HttpError(400, `Enter a value for ${f}`, 'CO/001', [{ message: `Enter a value for ${f}`, target: f }]);
            }
            const o = state.createOrder({
              material: String(b.Material), plant: String(b.ProductionPlant), qty: Number(b.TotalQuantity), unit: b.ProductionUnit as string,
              type: b.ManufacturingOrderType as string, text: b.ManufacturingOrderText as string, start: b.MfgOrderPlannedStartDate as number, end: b.MfgOrderPlannedEndDate as number,
            });
            ctx.book('production-order', o.text || null, o.order);
            return E.orderRow(base, o);
          },
        },
        // A_ProductionOrder_2 gets update below (PATCH/MERGE with If-Match)
        A_ProductionOrderOperation_2: { keys: ['ManufacturingOrder', 'ManufacturingOrderSequence', 'ManufacturingOrderOperation'], list: (base) => [...state.orders.values()].flatMap((o) => E.operationRows(base, o)) },
        A_ProductionOrderComponent_2: { keys: ['Reservation', 'ReservationItem'], list: (base) => [...state.orders.values()].flatMap((o) => E.componentRows(base, o)) },
      },
      functions: {
        ReleaseOrder: (p, ctx) => {
          const id = p.ManufacturingOrder || '';
          const changed = state.releaseOrder(id);
          if (changed) ctx.book('order-release', id, id);
          return { ReleaseOrder: {
            SystemMessageType: changed ? 'S' : 'W', SystemMessageIdentification: 'CO', SystemMessageNumber: changed ? '093' : '094',
            SystemMessageLongText: changed ? `Order ${id} released` : `Order ${id} is already released; no change`,
          } };
        },
      },
    },
    API_MATERIAL_DOCUMENT_SRV: {
      sets: {
        A_MaterialDocumentHeader: {
          keys: ['MaterialDocumentYear', 'MaterialDocument'], schema: E.MATDOC,
          list: (base) => state.documents.map((d) => E.matDocRow(base, d)),
          navs: { to_MaterialDocumentItem: (base, row) => E.matDocItemRows(base, state.documents.find((d) => d.number === row.MaterialDocument)!) },
          create: (body, _r, ctx, base) => {
            const b = parseEntity(body, E.MATDOC, 'A_MaterialDocumentHeader');
            const code = String(b.GoodsMovementCode || '');
            if (!/^0[1-6]$/.test(code)) throw new HttpError(400, `Goods movement code "${code}" is not defined (01 to 06)`, 'M7/446', [{ message: 'Enter a valid goods movement code', target: 'GoodsMovementCode' }]);
            const items = movementsOf((b.to_MaterialDocumentItem as Row[] | undefined) || []);
            for (const i of items) {
              const ok = CODE_FOR[i.movementType];
              if (ok && !ok.includes(code) && code !== '06') throw new ErpError('validation', 'M7/301', `Movement type ${i.movementType} is not allowed with goods movement code ${code}`, 'GoodsMovementType');
            }
            const d = state.postMovements(items, { code, postingDate: b.PostingDate as number, headerText: b.MaterialDocumentHeaderText as string, reference: b.ReferenceDocument as string });
            ctx.book('material-document', d.headerText || d.reference || null, `${d.year}/${d.number}`);
            return { ...E.matDocRow(base, d), to_MaterialDocumentItem: { results: E.matDocItemRows(base, d) } };
          },
        },
        A_MaterialDocumentItem: { keys: ['MaterialDocumentYear', 'MaterialDocument', 'MaterialDocumentItem'], schema: E.MATDOC_ITEM, list: (base) => state.documents.flatMap((d) => E.matDocItemRows(base, d)) },
      },
    },
    API_MATERIAL_STOCK_SRV: {
      sets: { A_MatlStkInAcctMod: { keys: ['Material', 'Plant', 'StorageLocation', 'Batch', 'InventoryStockType'], list: (base) => state.stockRows().map((s) => E.stockRow(base, s)) } },
    },
    API_PURCHASEREQ_PROCESS_SRV: {
      sets: {
        A_PurchaseRequisitionHeader: {
          keys: ['PurchaseRequisition'], schema: E.PR,
          list: (base) => state.requisitions.map((r) => E.prRow(base, r)),
          navs: { to_PurchaseReqnItem: (base, row) => E.prItemRows(base, state.requisitions.find((r) => r.number === row.PurchaseRequisition)!) },
          create: (body, _r, ctx, base) => {
            const b = parseEntity(body, E.PR, 'A_PurchaseRequisitionHeader');
            const items = ((b.to_PurchaseReqnItem as Row[] | undefined) || []).map((i) => ({
              material: String(i.Material || ''), plant: String(i.Plant || ''), qty: Number(i.RequestedQuantity ?? 0), unit: String(i.BaseUnit || ''),
              text: String(i.PurchaseRequisitionItemText || ''), deliveryDate: Number(i.DeliveryDate ?? Date.now() + 7 * 86400000),
              purchasingGroup: String(i.PurchasingGroup || '001'), storageLocation: String(i.StorageLocation || ''),
            }));
            const pr = state.createRequisition({ type: b.PurchaseRequisitionType as string, description: b.PurReqnDescription as string, items });
            ctx.book('purchase-requisition', pr.description || null, pr.number);
            return { ...E.prRow(base, pr), to_PurchaseReqnItem: { results: E.prItemRows(base, pr) } };
          },
        },
        A_PurchaseRequisitionItem: { keys: ['PurchaseRequisition', 'PurchaseRequisitionItem'], schema: E.PR_ITEM, list: (base) => state.requisitions.flatMap((r) => E.prItemRows(base, r)) },
      },
    },
    API_PRODUCT_SRV: {
      sets: {
        A_Product: {
          keys: ['Product'],
          list: (base) => [...state.materials.values()].map((m) => ({
            __metadata: { id: `${base}A_Product('${m.material}')`, uri: `${base}A_Product('${m.material}')`, type: 'API_PRODUCT_SRV.A_ProductType' },
            Product: m.material, ProductType: m.type, BaseUnit: m.baseUnit, ProductGroup: m.group, IsBatchManagementRequired: m.batchManaged,
            to_Description: { __deferred: { uri: `${base}A_Product('${m.material}')/to_Description` } },
          })),
          navs: { to_Description: (_b, row) => [{ Product: row.Product, Language: 'EN', ProductDescription: state.material(String(row.Product)).description }] },
        },
      },
    },
  };

  services.API_PRODUCTION_ORDER_2_SRV.sets.A_ProductionOrder_2.update = (row, body, ctx) => {
    const b = parseEntity(body, E.ORDER_CHANGE, 'A_ProductionOrder_2');
    const o = state.order(String(row.ManufacturingOrder));
    if (b.TotalQuantity !== undefined) {
      if (o.status !== 'CRTD' && o.status !== 'REL') throw new ErpError('business', 'CO/057', `Order ${o.order} is confirmed; the quantity cannot be changed`, 'TotalQuantity');
      if (!(Number(b.TotalQuantity) > 0)) throw new ErpError('validation', 'CO/254', 'Enter a total quantity greater than zero', 'TotalQuantity');
      o.totalQty = Number(b.TotalQuantity);
      for (const op of o.operations) op.plannedQty = o.totalQty;
    }
    if (b.MfgOrderPlannedStartDate !== undefined) o.start = Number(b.MfgOrderPlannedStartDate);
    if (b.MfgOrderPlannedEndDate !== undefined) o.end = Number(b.MfgOrderPlannedEndDate);
    if (b.ManufacturingOrderText !== undefined) o.text = String(b.ManufacturingOrderText);
    ctx.book('order-change', o.order, E.orderEtag(o));
  };

  const handler = (r: SimRequest, ctx: Ctx): Reply => {
    const denied = sessions.authenticate(r);
    if (denied) return denied;
    const client = (r.headers['sap-client'] as string | undefined) ?? r.query.get('sap-client') ?? CLIENT;
    if (client !== CLIENT) throw new HttpError(400, `Client ${client} is not available in this system`, '/IWFND/CM_CONSUMER/101');
    const extra: Record<string, string | string[]> = { 'sap-server': 'true', 'dataserviceversion': '2.0' };
    const reading = r.method === 'GET' || r.method === 'HEAD';
    if (reading && String(r.headers['x-csrf-token'] || '').toLowerCase() === 'fetch') Object.assign(extra, sessions.fetch(r));
    if (!reading) {
      const bad = sessions.checkCsrf(r);
      if (bad) return bad;
    }
    const svcName = r.params.service;
    const svc = services[svcName];
    if (!svc) throw new HttpError(404, `No service found for namespace '/SAP/', name '${svcName}', version '0001'`, '/IWFND/MED/170');
    const base = `http://${r.headers.host || '127.0.0.1'}/sap/opu/odata/sap/${svcName}/`;
    let reply: Reply;
    if (r.params.rest === '$batch') {
      if (r.method !== 'POST') throw new HttpError(405, '$batch must be called with POST', '/IWBEP/CM_MGW_RT/004');
      reply = runBatch(r.raw.toString('utf8'), String(r.headers['content-type'] || ''), `/sap/opu/odata/sap/${svcName}/`, (s) => {
        const pending: Array<[string, string | null | undefined, string]> = [];
        const sub = subRequest(r, s);
        const res = safe(() => dispatch(svc, sub, { book: (...a) => pending.push(a) }, base));
        batchBooked.push(...pending);
        return res;
      }, (fn) => {
        const snap = state.snapshot();
        const mark = batchBooked.length;
        if (!fn()) { state.restore(snap); batchBooked.length = mark; }
      });
      for (const b of batchBooked.splice(0)) ctx.book(...b);
    } else {
      reply = safe(() => dispatch(svc, r, ctx, base));
    }
    reply.headers = { ...extra, ...(reply.headers || {}) };
    return reply;
  };
  const batchBooked: Array<[string, string | null | undefined, string]> = [];
  server.route('*', /^\/sap\/opu\/odata\/sap\/(?<service>[A-Za-z0-9_]+)(?:;[^/]*)?\/?(?<rest>.*)$/, handler);
  return sessions;
}


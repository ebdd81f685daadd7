// Generic REST surface of the ERP simulator (/api/v1): JSON bodies, Idempotency-Key on
// every POST, RFC 9457 problem details.
import type { SimServer } from '../http/server';
import type { Ctx, Reply, SimRequest } from '../http/types';
import { HttpError } from '../http/types';
import { Fields, objectBody } from '../http/json';
import { ErpError, ErpState, MovementItem, Order, STOCK_TYPES, StockType } from './state';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const parseDay = (v: string | undefined) => (v ? Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v) : undefined);

function orderJson(o: Order) {
  return {
    orderId: o.order, type: o.type, material: o.material, plant: o.plant, quantity: o.totalQty, unit: o.unit, status: o.status, text: o.text,
    confirmedYield: o.confirmedYield, confirmedScrap: o.confirmedScrap, deliveredQuantity: o.deliveredQty, plannedStart: day(o.start), plannedEnd: day(o.end),
    operations: o.operations.map((op) => ({ operation: op.operation, workCenter: op.workCenter, costCenter: op.costCenter, text: op.text, plannedQuantity: op.plannedQty, confirmedYield: op.confirmedYield })),
    components: o.components.map((c) => ({ material: c.material, quantity: c.requiredQty, unit: c.unit, storageLocation: c.storageLocation, batch: c.batch, reservation: c.reservation })),
  };
}

/** ErpError -> HttpError with REST status codes (business rule: 422). */
function wrap(fn: (r: SimRequest, ctx: Ctx) => Reply): (r: SimRequest, ctx: Ctx) => Reply {
  return (r, ctx) => {
    try {
      return fn(r, ctx);
    } catch (e) {
      if (e instanceof ErpError) throw new HttpError(e.kind === 'not-found' ? 404 : e.kind === 'validation' ? 400 : e.kind === 'duplicate' ? 409 : 422, e.message, e.code, e.target ? [{ field: e.target, message: e.message }] : undefined);
      throw e;
    }
  };
}

function movements(list: unknown, prefix: string, needType = true): MovementItem[] {
  if (!Array.isArray(list) || !list.length) throw new HttpError(400, `${prefix} must be a non-empty array`, 'VALIDATION', [{ field: prefix, message: 'must be a non-empty array' }]);
  return list.map((x, i) => {
    const f = new Fields((x && typeof x === 'object' ? x : {}) as Record<string, unknown>, `${prefix}[${i}].`);
    f.unknown(['material', 'plant', 'storageLocation', 'batch', 'movementType', 'quantity', 'unit', 'orderId', 'costCenter', 'toStorageLocation', 'stockType', 'reasonCode']);
    const st = f.str('stockType', false) as StockType | undefined;
    if (st && !STOCK_TYPES.includes(st)) f.errors.push({ field: `${prefix}[${i}].stockType`, message: `must be one of ${STOCK_TYPES.join(', ')}` });
    const m: MovementItem = {
      material: f.str('material')!, plant: f.str('plant')!, storageLocation: f.str('storageLocation')!, batch: f.str('batch', false) || '',
      movementType: f.str('movementType', needType)!, qty: f.num('quantity')!, unit: f.str('unit', false, 6) || '', order: f.str('orderId', false),
      costCenter: f.str('costCenter', false), toStorageLocation: f.str('toStorageLocation', false), stockType: st, reasonCode: f.str('reasonCode', false),
    };
    f.check();
    return m;
  });
}

export function mountErpRest(server: SimServer, state: ErpState): void {
  const P = '/api/v1';
  const idem = { idempotent: true };
  const key = (r: SimRequest) => r.params.__idempotencyKey || null;

  server.route('POST', `${P}/confirmations`, wrap((r, ctx) => {
    const b = objectBody(r);
    const f = new Fields(b);
    f.unknown(['orderId', 'operation', 'yield', 'scrap', 'rework', 'unit', 'final', 'postingDate', 'text', 'personnel', 'goodsMovements', 'externalId']);
    const c = { order: f.str('orderId')!, operation: f.str('operation', true, 4)!, yield: f.num('yield')!, scrap: f.num('scrap', false) ?? 0, rework: f.num('rework', false) ?? 0, unit: f.str('unit', false, 6), final: f.bool('final') ?? false, text: f.str('text', false, 40), personnel: f.str('personnel', false) };
    const postingDate = parseDay(f.str('postingDate', false));
    f.check();
    const mv = b.goodsMovements !== undefined ? movements(b.goodsMovements, 'goodsMovements') : [];
    for (const m of mv) if (!['101', '261'].includes(m.movementType)) throw new HttpError(400, `goodsMovements: movement type ${m.movementType} is not allowed in a confirmation (101 or 261)`, 'VALIDATION');
    const conf = state.confirm({ ...c, postingDate, movements: mv, externalId: key(r) || undefined });
    ctx.book('confirmation', key(r), `${conf.group}/${conf.count}`);
    return { status: 201, body: { confirmationId: `${conf.group}/${conf.count}`, confirmationGroup: conf.group, confirmationCount: conf.count, orderId: conf.order, operation: conf.operation, yield: conf.yield, scrap: conf.scrap, unit: conf.unit, final: conf.final, materialDocument: conf.materialDocument || undefined, materialDocumentYear: conf.materialDocumentYear || undefined } };
  }), idem);

  server.route('POST', `${P}/goods-movements`, wrap((r, ctx) => {
    const b = objectBody(r);
    const f = new Fields(b);
    f.unknown(['movementCode', 'postingDate', 'headerText', 'reference', 'items']);
    const code = f.str('movementCode', false, 2);
    const headerText = f.str('headerText', false, 25);
    const reference = f.str('reference', false, 16);
    const postingDate = parseDay(f.str('postingDate', false));
    f.check();
    const items = movements(b.items, 'items');
    const inferred = code || (items.every((i) => i.movementType === '101') ? '02' : items.every((i) => ['261', '201'].includes(i.movementType)) ? '03' : '04');
    const d = state.postMovements(items, { code: inferred, postingDate, headerText, reference });
    ctx.book('material-document', key(r), `${d.year}/${d.number}`);
    return { status: 201, body: { materialDocument: d.number, year: d.year, movementCode: d.code, postingDate: day(d.postingDate), items: d.items.map((i) => ({ item: i.item, material: i.material, plant: i.plant, storageLocation: i.storageLocation, batch: i.batch, movementType: i.movementType, quantity: i.qty, unit: i.unit || state.materials.get(i.material)?.baseUnit })) } };
  }), idem);

  server.route('POST', `${P}/production-orders`, wrap((r, ctx) => {
    const f = new Fields(objectBody(r));
    f.unknown(['material', 'plant', 'quantity', 'unit', 'type', 'text', 'plannedStart', 'plannedEnd']);
    const o = { material: f.str('material')!, plant: f.str('plant')!, qty: f.num('quantity')!, unit: f.str('unit', false, 6), type: f.str('type', false, 4), text: f.str('text', false, 40), start: parseDay(f.str('plannedStart', false)), end: parseDay(f.str('plannedEnd', false)) };
    f.check();
    const order = state.createOrder(o);
    ctx.book('production-order', key(r), order.order);
    return { status: 201, headers: { Location: `${P}/production-orders/${order.order}` }, body: orderJson(order) };
  }), idem);

  server.route('POST', `${P}/production-orders/:id/release`, wrap((r, ctx) => {
    const changed = state.releaseOrder(r.params.id);
    const o = state.order(r.params.id);
    if (changed) ctx.book('order-release', key(r), o.order);
    return { status: 200, body: { ...orderJson(o), released: changed } };
  }), idem);

  server.route('GET', `${P}/production-orders/:id`, wrap((r) => ({ status: 200, body: orderJson(state.order(r.params.id)) })));
  server.route('GET', `${P}/production-orders/:id/routing`, wrap((r) => {
    const o = orderJson(state.order(r.params.id));
    return { status: 200, body: { orderId: o.orderId, material: o.material, operations: o.operations } };
  }));
  server.route('GET', `${P}/items/:material`, wrap((r) => {
    const m = state.material(r.params.material);
    return { status: 200, body: { material: m.material, description: m.description, baseUnit: m.baseUnit, type: m.type, group: m.group, batchManaged: m.batchManaged } };
  }));
  server.route('GET', `${P}/stock`, wrap((r) => {
    const material = r.query.get('material');
    if (!material) throw new HttpError(400, 'Query parameter material is required', 'VALIDATION', [{ field: 'material', message: 'is required' }]);
    const m = state.material(material);
    const plant = r.query.get('plant') || '1710';
    const sloc = r.query.get('storageLocation');
    const batch = r.query.get('batch');
    const rows = state.stockRows((s) => s.material === m.material && s.plant === plant && (!sloc || s.storageLocation === sloc) && (batch === null || s.batch === batch));
    const totals = { unrestricted: 0, quality: 0, blocked: 0 };
    for (const s of rows) totals[s.stockType] = Math.round((totals[s.stockType] + s.qty) * 1000) / 1000;
    return { status: 200, body: { material: m.material, plant, unit: m.baseUnit, totals, rows: rows.map((s) => ({ storageLocation: s.storageLocation, batch: s.batch, stockType: s.stockType, quantity: s.qty, unit: s.unit })) } };
  }));
  server.route('POST', `${P}/purchase-requisitions`, wrap((r, ctx) => {
    const b = objectBody(r);
    const f = new Fields(b);
    f.unknown(['items', 'description', 'type']);
    const description = f.str('description', false, 40);
    f.check();
    if (!Array.isArray(b.items) || !b.items.length) throw new HttpError(400, 'items must be a non-empty array', 'VALIDATION', [{ field: 'items', message: 'must be a non-empty array' }]);
    const items = b.items.map((x: unknown, i: number) => {
      const g = new Fields((x && typeof x === 'object' ? x : {}) as Record<string, unknown>, `items[${i}].`);
      g.unknown(['material', 'plant', 'quantity', 'unit', 'deliveryDate', 'text', 'purchasingGroup', 'storageLocation']);
      const it = { material: g.str('material')!, plant: g.str('plant')!, qty: g.num('quantity')!, unit: g.str('unit', false, 6) || '', text: g.str('text', false, 40) || '', deliveryDate: parseDay(g.str('deliveryDate', false)) ?? Date.now() + 7 * 86400000, purchasingGroup: g.str('purchasingGroup', false, 3) || '001', storageLocation: g.str('storageLocation', false, 4) || '' };
      g.check();
      return it;
    });
    const pr = state.createRequisition({ description, items });
    ctx.book('purchase-requisition', key(r), pr.number);
    return { status: 201, body: { requisitionId: pr.number, description: pr.description, items: pr.items.map((i) => ({ item: i.item, material: i.material, plant: i.plant, quantity: i.qty, unit: i.unit, deliveryDate: day(i.deliveryDate) })) } };
  }), idem);
}

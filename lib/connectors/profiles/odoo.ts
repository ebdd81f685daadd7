// Odoo (JSON-RPC): manufacturing orders (mrp.production; marking one done books its
// finished goods and consumes its components, so Odoo has no separate 101/261 postings),
// stock pickings for quality holds (stock moved to and from the blocked location),
// stock.quant for availability, product.product for the item master.
// Exactly-once: Odoo has no idempotency key; the posting key goes into the picking's
// `origin` (searched before any create), and an order is marked done only once.
import { ConnectorError } from '../errors';
import type { OpInput, OpResult } from '../types';
import { availability, ItemInfo, KeyInfo, need, OpImpl, OrderInfo, ProfileFactory, StockRow } from './profile';
import { m2o, m2oName, OdooRpc } from './odoo-rpc';

// Location ids of a standard Odoo database; each can be overridden in the endpoint's locations.
const DEFAULT_LOCATIONS: Record<string, string> = { stock: '8', quality: '10', blocked: '11', production: '15' };
const STATUS: Record<string, string> = { draft: 'CRTD', confirmed: 'REL', progress: 'PCNF', to_close: 'PCNF', done: 'CNF', cancel: 'CLSD' };

const notFound = (what: string, op: string) => new ConnectorError(`${what} not found in Odoo`, { kind: 'not-found', retryable: false, operation: op });

export const odoo: ProfileFactory = (http, cfg) => {
  const rpc = new OdooRpc(http, cfg);
  const locs = { ...DEFAULT_LOCATIONS, ...(cfg.locations || {}) };
  const loc = (code: unknown): number | undefined => {
    if (code === undefined || code === null || code === '') return undefined;
    const v = locs[String(code)] ?? String(code);
    return /^\d+$/.test(v) ? Number(v) : undefined;
  };

  async function product(material: string, op: string): Promise<any> {
    const rows = await rpc.searchRead('product.product', [['default_code', '=', material]], ['id', 'default_code', 'name', 'uom_id', 'tracking'], op, 1);
    if (!rows.length) throw notFound(`product "${material}"`, op);
    return rows[0];
  }

  async function lotId(name: string, productId: number, op: string, create: boolean): Promise<number> {
    const ids: number[] = await rpc.kw('stock.lot', 'search', [[['name', '=', name], ['product_id', '=', productId]]], { limit: 1 }, op);
    if (ids.length) return ids[0];
    if (!create) throw notFound(`lot "${name}"`, op);
    return rpc.kw('stock.lot', 'create', [{ name, product_id: productId }], {}, op);
  }

  async function production(orderId: string, op: string): Promise<any> {
    const rows = await rpc.searchRead('mrp.production', ['|', ['name', '=', orderId], ['origin', '=', orderId]],
      ['id', 'name', 'origin', 'product_id', 'product_qty', 'product_uom_id', 'qty_producing', 'qty_produced', 'state', 'location_src_id', 'location_dest_id', 'move_raw_ids', 'date_start'], op, 1);
    if (!rows.length) throw notFound(`manufacturing order "${orderId}"`, op);
    return rows[0];
  }

  const pickingResult = (p: any): OpResult => ({ document: p.name, references: { erpPicking: p.name } });

  async function findPicking(k: KeyInfo, op: string): Promise<any | undefined> {
    const rows = await rpc.searchRead('stock.picking', [['origin', '=', k.key]], ['id', 'name', 'state'], `${op} lookup`, 1);
    return rows[0];
  }

  /** One picking per posting, origin = posting key; a picking left unvalidated by a lost reply is validated. */
  async function move(op: string, i: OpInput, k: KeyInfo, from: number, to: number, qty: { value: number; unit: string }, createLot: boolean): Promise<OpResult> {
    let p = await findPicking(k, op);
    if (p && p.state === 'done') return { ...pickingResult(p), replayed: true };
    if (!p) {
      const prod = await product(need(i, 'material', op), op);
      const lot = i.lot ? await lotId(String(i.lot), prod.id, op, createLot) : false;
      const id = await rpc.kw('stock.picking', 'create', [{
        picking_type_id: 5, location_id: from, location_dest_id: to, origin: k.key,
        move_ids: [[0, 0, { name: `${op} ${i.material}`, product_id: prod.id, product_uom_qty: qty.value, quantity: qty.value, location_id: from, location_dest_id: to, lot_id: lot }]],
      }], {}, op);
      await rpc.kw('stock.picking', 'action_confirm', [[id]], {}, op);
      p = { id };
    }
    await rpc.kw('stock.picking', 'button_validate', [[p.id]], {}, op);
    const [done] = await rpc.kw('stock.picking', 'read', [[p.id]], { fields: ['name', 'state'] }, op);
    return pickingResult(done);
  }

  async function quants(material: string, op: string, lot?: string): Promise<{ rows: StockRow[]; raw: any[] }> {
    const prod = await product(material, op);
    const domain: unknown[] = [['product_id', '=', prod.id]];
    if (lot) domain.push(['lot_id', '=', await lotId(lot, prod.id, op, false)]);
    const raw = (await rpc.searchRead('stock.quant', domain, ['product_id', 'location_id', 'lot_id', 'quantity', 'reserved_quantity'], op))
      .filter((q) => Number(q.quantity) > 0 && ![Number(locs.production)].includes(m2o(q.location_id)!));
    const type = (l: number | undefined): StockRow['stockType'] => (l === Number(locs.blocked) ? 'blocked' : l === Number(locs.quality) ? 'quality' : 'unrestricted');
    const unit = m2oName(prod.uom_id) || 'Units';
    const rows = raw.map((q) => ({ storageLocation: m2oName(q.location_id) || String(m2o(q.location_id)), lot: m2oName(q.lot_id), stockType: type(m2o(q.location_id)), quantity: Number(q.quantity), unit }));
    return { rows, raw };
  }

  /** 344 / 343 as internal moves to and from the blocked location. */
  async function hold(op: string, i: OpInput, k: KeyInfo, block: boolean): Promise<OpResult> {
    const existing = await findPicking(k, op);
    if (existing) return move(op, i, k, 0, 0, { value: 0, unit: '' }, false);
    const blocked = Number(locs.blocked);
    const explicit = loc(i.storageLocation) ?? Number(locs.stock);
    let qty = i.quantity;
    let from = block ? explicit : blocked;
    if (!qty || block) {
      const { raw } = await quants(need(i, 'material', op), op, need(i, 'lot', op));
      const pool = raw.filter((q) => (block ? m2o(q.location_id) !== blocked && m2o(q.location_id) !== Number(locs.quality) : m2o(q.location_id) === blocked));
      if (!pool.length) throw new ConnectorError(`lot ${i.lot} of ${i.material} has no ${block ? 'unrestricted' : 'blocked'} stock in Odoo`, { kind: 'validation', retryable: false, operation: op });
      if (block) from = m2o(pool[0].location_id)!;
      qty ??= { value: pool.filter((q) => m2o(q.location_id) === from).reduce((s, q) => s + Number(q.quantity), 0), unit: '' };
    }
    return move(op, i, k, from, block ? blocked : explicit, qty, false);
  }

  async function order(orderId: string, op: string): Promise<OrderInfo> {
    const mo = await production(orderId, op);
    const prod = await rpc.kw('product.product', 'read', [[m2o(mo.product_id)]], { fields: ['default_code'] }, op);
    const comps = mo.move_raw_ids && mo.move_raw_ids.length
      ? await rpc.kw('stock.move', 'read', [mo.move_raw_ids], { fields: ['product_id', 'product_uom_qty', 'location_id'] }, op) : [];
    const codes = comps.length ? await rpc.kw('product.product', 'read', [comps.map((c: any) => m2o(c.product_id))], { fields: ['default_code', 'uom_id'] }, op) : [];
    const byId = new Map<number, any>(codes.map((c: any) => [c.id, c]));
    return {
      orderId: mo.origin || mo.name, material: prod[0]?.default_code, quantity: { value: Number(mo.product_qty), unit: m2oName(mo.product_uom_id) || '' },
      confirmedYield: Number(mo.qty_produced || 0), status: STATUS[mo.state] || mo.state, released: ['confirmed', 'progress', 'to_close', 'done'].includes(mo.state),
      description: mo.name, scheduledStart: mo.date_start ? new Date(`${String(mo.date_start).replace(' ', 'T')}Z`).toISOString() : undefined,
      components: comps.map((c: any) => ({
        material: byId.get(m2o(c.product_id)!)?.default_code, quantity: { value: Number(c.product_uom_qty), unit: m2oName(byId.get(m2o(c.product_id)!)?.uom_id) || '' },
        storageLocation: m2oName(c.location_id),
      })),
    };
  }

  const ops: Record<string, OpImpl> = {
    confirmProduction: {
      async run(i) {
        const op = 'confirmProduction';
        const mo = await production(String(i.orderId), op);
        if (mo.state === 'done') throw new ConnectorError(`manufacturing order ${mo.name} is already done`, { kind: 'conflict', retryable: false, operation: op });
        const vals: Record<string, unknown> = { qty_producing: Number(i.yield.value) };
        if (i.lot) vals.lot_producing_id = await lotId(String(i.lot), m2o(mo.product_id)!, op, true);
        await rpc.kw('mrp.production', 'write', [[mo.id], vals], {}, op);
        const final = !!i.finalConfirmation || Number(i.yield.value) >= Number(mo.product_qty);
        if (!final) return { document: mo.name, references: { erpOrder: mo.name }, data: { state: mo.state, qtyProducing: vals.qty_producing } };
        const r = await rpc.kw('mrp.production', 'button_mark_done', [[mo.id]], { context: { skip_backorder: true } }, op);
        if (r && typeof r === 'object' && r.type === 'ir.actions.act_window') {
          throw new ConnectorError(`Odoo asks for a decision (${r.res_model}) instead of closing ${mo.name}`, { kind: 'validation', retryable: false, operation: op });
        }
        return { document: mo.name, references: { erpOrder: mo.name }, data: { state: 'done' } };
      },
      async lookup(i) {
        const mo = await production(String(i.orderId), 'confirmProduction lookup');
        return mo.state === 'done' ? { document: mo.name, references: { erpOrder: mo.name } } : undefined;
      },
    },
    placeQualityHold: {
      run: (i, k) => hold('placeQualityHold', i, k, true),
      lookup: async (_i, k) => { const p = await findPicking(k, 'placeQualityHold'); return p && p.state === 'done' ? pickingResult(p) : undefined; },
    },
    releaseQualityHold: {
      run: (i, k) => hold('releaseQualityHold', i, k, false),
      lookup: async (_i, k) => { const p = await findPicking(k, 'releaseQualityHold'); return p && p.state === 'done' ? pickingResult(p) : undefined; },
    },
    createProductionOrder: {
      async run(i, k) {
        const op = 'createProductionOrder';
        const prod = await product(need(i, 'material', op), op);
        const id = await rpc.kw('mrp.production', 'create', [{ product_id: prod.id, product_qty: Number(i.quantity.value), origin: k.key }], {}, op);
        const [mo] = await rpc.kw('mrp.production', 'read', [[id]], { fields: ['name'] }, op);
        return { document: mo.name, references: { erpOrder: mo.name } };
      },
      async lookup(_i, k) {
        const rows = await rpc.searchRead('mrp.production', [['origin', '=', k.key]], ['name'], 'createProductionOrder lookup', 1);
        return rows[0] ? { document: rows[0].name, references: { erpOrder: rows[0].name } } : undefined;
      },
    },
    releaseProductionOrder: {
      async run(i) {
        const op = 'releaseProductionOrder';
        const mo = await production(String(i.orderId), op);
        if (mo.state === 'draft') await rpc.kw('mrp.production', 'action_confirm', [[mo.id]], {}, op);
        const info = await order(String(i.orderId), op);
        return { document: mo.name, references: { erpOrder: mo.name }, data: info };
      },
    },
    getProductionOrder: {
      async run(i) {
        const info = await order(String(i.orderId), 'getProductionOrder');
        return { document: info.description || info.orderId, references: { erpOrder: info.description || info.orderId }, data: info };
      },
    },
    getItem: {
      async run(i) {
        const p = await product(String(i.material), 'getItem');
        const info: ItemInfo = { material: p.default_code, description: p.name, baseUnit: m2oName(p.uom_id), batchManaged: p.tracking === 'lot' };
        return { document: info.material, references: { erpMaterial: info.material }, data: info };
      },
    },
    checkAvailability: {
      async run(i) {
        const { rows } = await quants(String(i.material), 'checkAvailability', i.lot ? String(i.lot) : undefined);
        return { document: String(i.material), references: {}, data: availability(String(i.material), i.plant, rows) };
      },
    },
  };
  return { name: 'odoo', ops: cfg.role === 'erp' ? ops : {}, rpc } as ReturnType<ProfileFactory>;
};

// Odoo records over the shared ERP state: products, locations, lots and quants are views
// of the material master and stock; productions, pickings and moves are Odoo's own.
import type { ErpState, StockType } from './state';

export type Rec = Record<string, unknown> & { id: number };
export type FieldType = 'char' | 'int' | 'float' | 'bool' | 'sel' | 'datetime' | `m2o:${string}` | `o2m:${string}`;

export const LOCATIONS: Array<{ id: number; name: string; complete_name: string; usage: string; sloc?: string; type?: StockType }> = [
  { id: 4, name: 'Vendors', complete_name: 'Partners/Vendors', usage: 'supplier' },
  { id: 5, name: 'Customers', complete_name: 'Partners/Customers', usage: 'customer' },
  { id: 8, name: 'Stock', complete_name: 'WH/Stock', usage: 'internal', sloc: '171A', type: 'unrestricted' },
  { id: 9, name: 'Components', complete_name: 'WH/Stock/Components', usage: 'internal', sloc: '171B', type: 'unrestricted' },
  { id: 10, name: 'Quality', complete_name: 'WH/Quality', usage: 'internal', sloc: '171A', type: 'quality' },
  { id: 11, name: 'Blocked', complete_name: 'WH/Blocked', usage: 'internal', sloc: '171A', type: 'blocked' },
  { id: 15, name: 'Production', complete_name: 'Virtual Locations/Production', usage: 'production' },
];

export const FIELDS: Record<string, Record<string, FieldType>> = {
  'product.product': { id: 'int', default_code: 'char', name: 'char', display_name: 'char', uom_id: 'm2o:uom.uom', tracking: 'sel', type: 'sel', active: 'bool' },
  'uom.uom': { id: 'int', name: 'char', display_name: 'char' },
  'stock.location': { id: 'int', name: 'char', complete_name: 'char', display_name: 'char', usage: 'sel' },
  'stock.lot': { id: 'int', name: 'char', display_name: 'char', product_id: 'm2o:product.product', product_qty: 'float' },
  'stock.quant': { id: 'int', product_id: 'm2o:product.product', location_id: 'm2o:stock.location', lot_id: 'm2o:stock.lot', quantity: 'float', reserved_quantity: 'float', available_quantity: 'float', product_uom_id: 'm2o:uom.uom', display_name: 'char' },
  'mrp.production': {
    id: 'int', name: 'char', display_name: 'char', product_id: 'm2o:product.product', product_qty: 'float', product_uom_id: 'm2o:uom.uom', qty_producing: 'float',
    qty_produced: 'float', state: 'sel', origin: 'char', lot_producing_id: 'm2o:stock.lot', location_src_id: 'm2o:stock.location', location_dest_id: 'm2o:stock.location',
    move_raw_ids: 'o2m:stock.move', move_finished_ids: 'o2m:stock.move', date_start: 'datetime', date_finished: 'datetime', x_idempotency_key: 'char',
  },
  'stock.picking': {
    id: 'int', name: 'char', display_name: 'char', picking_type_id: 'm2o:stock.picking.type', location_id: 'm2o:stock.location', location_dest_id: 'm2o:stock.location',
    origin: 'char', state: 'sel', move_ids: 'o2m:stock.move', date_done: 'datetime', scheduled_date: 'datetime', x_idempotency_key: 'char',
  },
  'stock.picking.type': { id: 'int', name: 'char', display_name: 'char', code: 'sel' },
  'stock.move': {
    id: 'int', name: 'char', display_name: 'char', product_id: 'm2o:product.product', product_uom_qty: 'float', quantity: 'float', product_uom: 'm2o:uom.uom',
    location_id: 'm2o:stock.location', location_dest_id: 'm2o:stock.location', lot_id: 'm2o:stock.lot', state: 'sel', origin: 'char', reference: 'char',
    production_id: 'm2o:mrp.production', raw_material_production_id: 'm2o:mrp.production', picking_id: 'm2o:stock.picking',
  },
};

export const PICKING_TYPES = [
  { id: 1, name: 'Receipts', display_name: 'WH: Receipts', code: 'incoming', seq: 'WH/IN/' },
  { id: 2, name: 'Delivery Orders', display_name: 'WH: Delivery Orders', code: 'outgoing', seq: 'WH/OUT/' },
  { id: 5, name: 'Internal Transfers', display_name: 'WH: Internal Transfers', code: 'internal', seq: 'WH/INT/' },
];

/** Ids that stay stable for the life of the simulator (products, lots, quants). */
export class Ids {
  private readonly map = new Map<string, number>();
  private next = 1;
  constructor(seed: string[] = []) {
    for (const s of seed) this.of(s);
  }
  of(key: string): number {
    let id = this.map.get(key);
    if (id === undefined) { id = this.next++; this.map.set(key, id); }
    return id;
  }
  keyOf(id: number): string | undefined {
    for (const [k, v] of this.map) if (v === id) return k;
    return undefined;
  }
}

export class OdooData {
  products: Ids;
  lots: Ids;
  quants = new Ids();
  productions: Rec[] = [];
  pickings: Rec[] = [];
  moves: Rec[] = [];
  seq = { mo: 1, pick: 1, move: 1 };

  constructor(private readonly state: ErpState) {
    this.products = new Ids([...state.materials.keys()]);
    this.lots = new Ids();
    this.reset();
  }

  reset(): void {
    this.productions = [];
    this.pickings = [];
    this.moves = [];
    this.seq = { mo: 1, pick: 1, move: 1 };
    this.lots = new Ids(this.state.stockRows().filter((r) => r.batch).map((r) => `${r.material}|${r.batch}`));
    const o = this.state.order('1000123');
    const mo = this.newProduction({ product_id: this.products.of(o.material), product_qty: o.totalQty, origin: o.order, state: 'confirmed' }, o.order);
    this.productions.push(mo);
  }

  newProduction(vals: Record<string, unknown>, sapOrder: string): Rec {
    const id = this.seq.mo++;
    const mo: Rec = {
      id, name: `WH/MO/${String(id).padStart(5, '0')}`, product_qty: 1, qty_producing: 0, qty_produced: 0, state: 'draft', origin: '', lot_producing_id: false,
      location_src_id: 9, location_dest_id: 8, move_raw_ids: [], move_finished_ids: [], date_start: odooDate(Date.now()), date_finished: false, x_idempotency_key: '',
      ...vals, _sap: sapOrder,
    };
    mo.product_uom_id = this.uomOf(mo.product_id as number);
    const o = this.state.order(sapOrder);
    mo.move_raw_ids = o.components.map((c) => this.addMove({
      name: mo.name, product_id: this.products.of(c.material), product_uom_qty: c.requiredQty, quantity: 0, location_id: 9, location_dest_id: 15,
      lot_id: c.batch ? this.lots.of(`${c.material}|${c.batch}`) : false, state: mo.state === 'draft' ? 'draft' : 'confirmed', origin: mo.origin, reference: mo.name,
      raw_material_production_id: id, production_id: false, picking_id: false,
    }));
    mo.move_finished_ids = [this.addMove({
      name: mo.name, product_id: mo.product_id, product_uom_qty: mo.product_qty, quantity: 0, location_id: 15, location_dest_id: 8, lot_id: false,
      state: mo.state === 'draft' ? 'draft' : 'confirmed', origin: mo.origin, reference: mo.name, production_id: id, raw_material_production_id: false, picking_id: false,
    })];
    return mo;
  }

  addMove(vals: Record<string, unknown>): number {
    const id = this.seq.move++;
    this.moves.push({ id, product_uom: this.uomOf(vals.product_id as number), ...vals } as Rec);
    return id;
  }

  uomOf(productId: number): number {
    const m = this.state.materials.get(this.products.keyOf(productId) || '');
    return m?.baseUnit === 'KG' ? 12 : 1;
  }

  /** All records of a model, computed fresh for the views over the state model. */
  records(model: string): Rec[] {
    const s = this.state;
    switch (model) {
      case 'product.product':
        return [...s.materials.values()].map((m) => ({
          id: this.products.of(m.material), default_code: m.material, name: m.description, display_name: `[${m.material}] ${m.description}`,
          uom_id: m.baseUnit === 'KG' ? 12 : 1, tracking: m.batchManaged ? 'lot' : 'none', type: 'product', active: true,
        }));
      case 'uom.uom': return [{ id: 1, name: 'Units', display_name: 'Units' }, { id: 12, name: 'kg', display_name: 'kg' }];
      case 'stock.location': return LOCATIONS.map((l) => ({ id: l.id, name: l.name, complete_name: l.complete_name, display_name: l.complete_name, usage: l.usage }));
      case 'stock.picking.type': return PICKING_TYPES.map((t) => ({ id: t.id, name: t.name, display_name: t.display_name, code: t.code }));
      case 'stock.lot': {
        const seen = new Set<string>();
        const out: Rec[] = [];
        for (const r of s.stockRows()) if (r.batch) seen.add(`${r.material}|${r.batch}`);
        for (let id = 1; ; id++) {
          const key = this.lots.keyOf(id);
          if (!key) break;
          const [material, batch] = key.split('|');
          const qty = s.stockRows((r) => r.material === material && r.batch === batch).reduce((a, r) => a + r.qty, 0);
          out.push({ id, name: batch, display_name: batch, product_id: this.products.of(material), product_qty: qty });
        }
        return out;
      }
      case 'stock.quant': {
        const out: Rec[] = [];
        for (const r of s.stockRows()) {
          const loc = LOCATIONS.find((l) => l.sloc === r.storageLocation && l.type === r.stockType);
          if (!loc) continue;
          const lot = r.batch ? this.lots.of(`${r.material}|${r.batch}`) : false;
          out.push({
            id: this.quants.of(`${r.material}|${loc.id}|${r.batch}`), product_id: this.products.of(r.material), location_id: loc.id, lot_id: lot,
            quantity: r.qty, reserved_quantity: 0, available_quantity: r.qty, product_uom_id: this.uomOf(this.products.of(r.material)),
            display_name: `${loc.complete_name} ${r.batch}`.trim(),
          });
        }
        return out;
      }
      case 'mrp.production': return this.productions;
      case 'stock.picking': return this.pickings;
      case 'stock.move': return this.moves;
    }
    return [];
  }
}

export function odooDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

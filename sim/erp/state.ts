// The ERP state model behind every surface: material master, production orders with
// routing and components, stock per material/plant/storage location/batch/stock type,
// confirmations, material documents and purchase requisitions. A posting is all or
// nothing: it is checked completely before any balance moves.
import { seedOrders, seedStock, MATERIALS, PLANT, STORAGE_LOCATIONS, bomOf } from './seed';

export type StockType = 'unrestricted' | 'quality' | 'blocked';
export const STOCK_TYPES: StockType[] = ['unrestricted', 'quality', 'blocked'];

export interface Material { material: string; description: string; baseUnit: string; type: string; batchManaged: boolean; group: string }
export interface Operation { operation: string; sequence: string; workCenter: string; costCenter: string; text: string; plannedQty: number; confirmedYield: number; confirmedScrap: number; confirmationGroup: string; counter: number }
export interface Component { material: string; requiredQty: number; unit: string; storageLocation: string; batch: string; reservation: string; reservationItem: string }
export type OrderStatus = 'CRTD' | 'REL' | 'PCNF' | 'CNF' | 'TECO';
export interface Order {
  order: string; type: string; material: string; plant: string; totalQty: number; unit: string;
  confirmedYield: number; confirmedScrap: number; deliveredQty: number; status: OrderStatus; text: string;
  start: number; end: number; operations: Operation[]; components: Component[];
}
export interface MovementItem {
  material: string; plant: string; storageLocation: string; batch: string; movementType: string; qty: number; unit: string;
  order?: string; costCenter?: string; toStorageLocation?: string; stockType?: StockType; reasonCode?: string; reservation?: string; reservationItem?: string;
}
export interface MaterialDocument { year: string; number: string; code: string; postingDate: number; documentDate: number; headerText: string; reference: string; items: Array<MovementItem & { item: string }>; createdAt: number }
export interface Confirmation {
  group: string; count: string; order: string; operation: string; sequence: string; plant: string; workCenter: string; material: string;
  yield: number; scrap: number; rework: number; unit: string; final: boolean; postingDate: number; externalId: string; text: string;
  personnel: string; varianceReason: string; materialDocument: string; materialDocumentYear: string; cancelled: boolean; isReversal: boolean; createdAt: number;
}
export interface RequisitionItem { item: string; material: string; plant: string; qty: number; unit: string; text: string; deliveryDate: number; purchasingGroup: string; storageLocation: string }
export interface Requisition { number: string; type: string; description: string; items: RequisitionItem[]; createdAt: number }
export interface StockRow { material: string; plant: string; storageLocation: string; batch: string; stockType: StockType; qty: number; unit: string }

/** A business rule said no. kind drives the HTTP status each surface answers with. */
export class ErpError extends Error {
  constructor(readonly kind: 'not-found' | 'business' | 'validation' | 'duplicate', readonly code: string, message: string, readonly target = '') {
    super(message);
  }
}

const fmt = (n: number) => (Math.round(n * 1000) / 1000).toString();

export class ErpState {
  materials = new Map<string, Material>();
  orders = new Map<string, Order>();
  stock = new Map<string, number>();
  confirmations: Confirmation[] = [];
  documents: MaterialDocument[] = [];
  requisitions: Requisition[] = [];
  private next = { order: 1000200, doc: 4900000001, req: 10000001, group: 300, reservation: 5000 };

  constructor() {
    this.reset();
  }

  reset(): void {
    this.materials = new Map(MATERIALS.map((m) => [m.material, { ...m }]));
    this.orders = new Map(seedOrders().map((o) => [o.order, o]));
    this.stock = new Map();
    for (const r of seedStock()) this.stock.set(stockKey(r.material, r.plant, r.storageLocation, r.batch, r.stockType), r.qty);
    this.confirmations = [];
    this.documents = [];
    this.requisitions = [];
    this.next = { order: 1000200, doc: 4900000001, req: 10000001, group: 300, reservation: 5000 };
  }

  /** A deep copy of everything a posting can change (for all-or-nothing change sets). */
  snapshot(): unknown {
    return structuredClone({ materials: this.materials, orders: this.orders, stock: this.stock, confirmations: this.confirmations, documents: this.documents, requisitions: this.requisitions, next: this.next });
  }

  restore(snap: unknown): void {
    Object.assign(this, structuredClone(snap));
  }

  material(id: string): Material {
    const m = this.materials.get(id);
    if (!m) throw new ErpError('not-found', 'M3/305', `Material ${id} does not exist`, 'Material');
    return m;
  }

  order(id: string): Order {
    const o = this.orders.get(String(id).replace(/^0+/, ''));
    if (!o) throw new ErpError('not-found', 'C6/004', `Order ${id} does not exist`, 'OrderID');
    return o;
  }

  stockRows(filter: (r: StockRow) => boolean = () => true): StockRow[] {
    const out: StockRow[] = [];
    for (const [k, qty] of this.stock) {
      if (qty === 0) continue;
      const [material, plant, storageLocation, batch, stockType] = k.split('|');
      const row = { material, plant, storageLocation, batch, stockType: stockType as StockType, qty, unit: this.materials.get(material)?.baseUnit || '' };
      if (filter(row)) out.push(row);
    }
    return out.sort((a, b) => (a.material + a.storageLocation + a.batch + a.stockType).localeCompare(b.material + b.storageLocation + b.batch + b.stockType));
  }

  /** Books one material document; throws ErpError (and books nothing) on any problem. */
  postMovements(items: MovementItem[], meta: { code: string; postingDate?: number; headerText?: string; reference?: string }): MaterialDocument {
    if (!items.length) throw new ErpError('validation', 'M7/001', 'A material document needs at least one item');
    const deltas = new Map<string, number>();
    const add = (m: MovementItem, sloc: string, t: StockType, d: number) => {
      const k = stockKey(m.material, m.plant, sloc, m.batch, t);
      deltas.set(k, (deltas.get(k) || 0) + d);
    };
    for (const m of items) {
      const mat = this.material(m.material);
      if (m.plant !== PLANT) throw new ErpError('not-found', 'M7/062', `Plant ${m.plant} does not exist`, 'Plant');
      if (!STORAGE_LOCATIONS.includes(m.storageLocation)) throw new ErpError('not-found', 'M7/053', `Storage location ${m.plant} ${m.storageLocation} does not exist`, 'StorageLocation');
      if (!(m.qty > 0)) throw new ErpError('validation', 'M7/098', `Enter a quantity greater than zero for ${m.material}`, 'QuantityInEntryUnit');
      if (m.unit && m.unit !== mat.baseUnit) throw new ErpError('validation', 'M7/035', `Unit ${m.unit} is not defined for material ${m.material} (base unit ${mat.baseUnit})`, 'EntryUnit');
      if (mat.batchManaged && !m.batch) throw new ErpError('validation', 'M7/018', `Enter a batch for material ${m.material}`, 'Batch');
      if (!mat.batchManaged) m.batch = '';
      const needsOrder = ['101', '102', '261', '262'].includes(m.movementType);
      if (needsOrder) {
        if (!m.order) throw new ErpError('validation', 'M7/093', `Movement type ${m.movementType} needs an order`, 'ManufacturingOrder');
        this.order(m.order);
      }
      const q = m.qty;
      switch (m.movementType) {
        case '101': add(m, m.storageLocation, m.stockType || 'unrestricted', q); break;
        case '102': add(m, m.storageLocation, m.stockType || 'unrestricted', -q); break;
        case '261': add(m, m.storageLocation, 'unrestricted', -q); break;
        case '262': add(m, m.storageLocation, 'unrestricted', q); break;
        case '344': add(m, m.storageLocation, 'unrestricted', -q); add(m, m.storageLocation, 'blocked', q); break;
        case '343': add(m, m.storageLocation, 'blocked', -q); add(m, m.storageLocation, 'unrestricted', q); break;
        case '321': add(m, m.storageLocation, 'quality', -q); add(m, m.storageLocation, 'unrestricted', q); break;
        case '322': add(m, m.storageLocation, 'unrestricted', -q); add(m, m.storageLocation, 'quality', q); break;
        case '501': add(m, m.storageLocation, m.stockType || 'unrestricted', q); break;
        case '201': case '601': add(m, m.storageLocation, 'unrestricted', -q); break;
        case '311':
          if (!m.toStorageLocation || !STORAGE_LOCATIONS.includes(m.toStorageLocation)) throw new ErpError('validation', 'M7/053', 'Movement type 311 needs a valid receiving storage location', 'IssuingOrReceivingStorageLoc');
          if (m.toStorageLocation === m.storageLocation) throw new ErpError('validation', 'M7/236', 'Issuing and receiving storage locations are the same', 'IssuingOrReceivingStorageLoc');
          add(m, m.storageLocation, 'unrestricted', -q); add({ ...m }, m.toStorageLocation, 'unrestricted', q); break;
        default: throw new ErpError('validation', 'M7/001', `Movement type ${m.movementType} is not supported`, 'GoodsMovementType');
      }
    }
    for (const [k, d] of deltas) {
      const have = this.stock.get(k) || 0;
      if (have + d < -1e-9) {
        const [material, plant, sloc, batch, type] = k.split('|');
        const label = type === 'unrestricted' ? 'Unrestricted-use' : type === 'blocked' ? 'Blocked stock' : 'Stock in quality insp.';
        const unit = this.materials.get(material)?.baseUnit || '';
        throw new ErpError('business', 'M7/021', `Deficit of SL ${label} ${fmt(-(have + d))} ${unit} : ${material} ${plant} ${sloc}${batch ? ' ' + batch : ''}`, 'QuantityInEntryUnit');
      }
    }
    for (const [k, d] of deltas) this.stock.set(k, Math.round(((this.stock.get(k) || 0) + d) * 1000) / 1000);
    for (const m of items) {
      if (m.order && (m.movementType === '101' || m.movementType === '102')) this.order(m.order).deliveredQty += m.movementType === '101' ? m.qty : -m.qty;
    }
    const now = Date.now();
    const doc: MaterialDocument = {
      year: String(new Date(meta.postingDate ?? now).getUTCFullYear()), number: String(this.next.doc++), code: meta.code,
      postingDate: meta.postingDate ?? now, documentDate: now, headerText: meta.headerText || '', reference: meta.reference || '',
      items: items.map((m, i) => ({ ...m, item: String(i + 1).padStart(4, '0') })), createdAt: now,
    };
    this.documents.push(doc);
    return doc;
  }

  confirm(c: {
    order: string; operation: string; sequence?: string; yield: number; scrap: number; rework: number; unit?: string; final: boolean;
    postingDate?: number; externalId?: string; text?: string; personnel?: string; varianceReason?: string; movements: MovementItem[];
  }): Confirmation {
    const o = this.order(c.order);
    if (o.status === 'CRTD') throw new ErpError('business', 'RU/115', `Order ${o.order} is not released`, 'OrderID');
    if (o.status === 'TECO' || o.status === 'CNF') throw new ErpError('business', 'RU/117', `Order ${o.order} is already finally confirmed`, 'OrderID');
    const op = o.operations.find((x) => x.operation === c.operation.padStart(4, '0'));
    if (!op) throw new ErpError('not-found', 'RU/101', `Operation ${c.operation} does not exist in order ${o.order}`, 'OrderOperation');
    if (c.unit && c.unit !== o.unit) throw new ErpError('validation', 'RU/226', `Unit ${c.unit} differs from the order unit ${o.unit}`, 'ConfirmationUnit');
    if (c.externalId) {
      const prior = this.confirmations.find((x) => x.externalId === c.externalId);
      if (prior) {
        throw new ErpError('duplicate', 'RU/505', `Confirmation with external ID ${c.externalId} already exists (${prior.group}/${prior.count})`,
          `ProdnOrdConf2(ConfirmationGroup='${prior.group}',ConfirmationCount='${prior.count}')`);
      }
    }
    for (const m of c.movements) if (!m.order) m.order = o.order;
    const doc = c.movements.length ? this.postMovements(c.movements, { code: '02', postingDate: c.postingDate }) : undefined;
    op.confirmedYield += c.yield;
    op.confirmedScrap += c.scrap;
    op.counter += 1;
    const last = o.operations[o.operations.length - 1];
    o.confirmedYield = last.confirmedYield;
    o.confirmedScrap = last.confirmedScrap;
    o.status = (c.final && op === last) || o.confirmedYield >= o.totalQty ? 'CNF' : 'PCNF';
    const conf: Confirmation = {
      group: op.confirmationGroup, count: String(op.counter), order: o.order, operation: op.operation, sequence: c.sequence || '0', plant: o.plant,
      workCenter: op.workCenter, material: o.material, yield: c.yield, scrap: c.scrap, rework: c.rework, unit: o.unit, final: c.final,
      postingDate: c.postingDate ?? Date.now(), externalId: c.externalId || '', text: c.text || '', personnel: c.personnel || '',
      varianceReason: c.varianceReason || '', materialDocument: doc?.number || '', materialDocumentYear: doc?.year || '', cancelled: false,
      isReversal: false, createdAt: Date.now(),
    };
    this.confirmations.push(conf);
    return conf;
  }

  /** Reverses a confirmation and its goods movements (102/262). */
  cancelConfirmation(group: string, count: string): Confirmation {
    const conf = this.confirmations.find((x) => x.group === group && x.count === count && !x.isReversal);
    if (!conf) throw new ErpError('not-found', 'RU/020', `Confirmation ${group}/${count} does not exist`);
    if (conf.cancelled) throw new ErpError('business', 'RU/346', `Confirmation ${group}/${count} is already cancelled`);
    const o = this.order(conf.order);
    const doc = this.documents.find((d) => d.number === conf.materialDocument);
    const reversal = doc ? this.postMovements(doc.items.map((i) => ({ ...i, movementType: i.movementType === '101' ? '102' : i.movementType === '261' ? '262' : i.movementType })), { code: '06' }) : undefined;
    const op = o.operations.find((x) => x.operation === conf.operation)!;
    op.confirmedYield -= conf.yield;
    op.confirmedScrap -= conf.scrap;
    op.counter += 1;
    const last = o.operations[o.operations.length - 1];
    o.confirmedYield = last.confirmedYield;
    o.status = o.confirmedYield > 0 || o.operations.some((x) => x.confirmedYield > 0) ? 'PCNF' : 'REL';
    conf.cancelled = true;
    const rev: Confirmation = { ...conf, count: String(op.counter), isReversal: true, cancelled: false, materialDocument: reversal?.number || '', materialDocumentYear: reversal?.year || '', createdAt: Date.now() };
    this.confirmations.push(rev);
    return rev;
  }

  createOrder(o: { material: string; plant: string; qty: number; unit?: string; type?: string; text?: string; start?: number; end?: number }): Order {
    const mat = this.material(o.material);
    if (o.plant !== PLANT) throw new ErpError('not-found', 'CO/003', `Plant ${o.plant} does not exist`, 'ProductionPlant');
    if (!(o.qty > 0)) throw new ErpError('validation', 'CO/254', 'Enter a total quantity greater than zero', 'TotalQuantity');
    if (o.unit && o.unit !== mat.baseUnit) throw new ErpError('validation', 'CO/030', `Unit ${o.unit} is not defined for material ${o.material}`, 'ProductionUnit');
    const id = String(this.next.order++);
    const start = o.start ?? Date.now();
    const g = () => String(this.next.group++).padStart(10, '0');
    const order: Order = {
      order: id, type: o.type || 'YP01', material: mat.material, plant: o.plant, totalQty: o.qty, unit: mat.baseUnit,
      confirmedYield: 0, confirmedScrap: 0, deliveredQty: 0, status: 'CRTD', text: o.text || '', start, end: o.end ?? start + 86400000,
      operations: [
        { operation: '0010', sequence: '0', workCenter: 'ASSY01', costCenter: 'CC4711', text: 'Assembly', plannedQty: o.qty, confirmedYield: 0, confirmedScrap: 0, confirmationGroup: g(), counter: 0 },
        { operation: '0020', sequence: '0', workCenter: 'TEST01', costCenter: 'CC4712', text: 'Final test', plannedQty: o.qty, confirmedYield: 0, confirmedScrap: 0, confirmationGroup: g(), counter: 0 },
      ],
      components: bomOf(mat.material).map((b, i) => ({
        material: b.material, requiredQty: Math.round(b.perUnit * o.qty * 1000) / 1000, unit: b.unit, storageLocation: b.storageLocation,
        batch: b.batch, reservation: String(this.next.reservation), reservationItem: String(i + 1).padStart(4, '0'),
      })),
    };
    this.next.reservation++;
    this.orders.set(id, order);
    return order;
  }

  /** Releases an order; false when it was already released. */
  releaseOrder(id: string): boolean {
    const o = this.order(id);
    if (o.status !== 'CRTD') return false;
    o.status = 'REL';
    return true;
  }

  createRequisition(r: { type?: string; description?: string; items: Array<Omit<RequisitionItem, 'item'>> }): Requisition {
    if (!r.items.length) throw new ErpError('validation', 'ME/083', 'A purchase requisition needs at least one item', 'to_PurchaseReqnItem');
    for (const i of r.items) {
      if (i.material) this.material(i.material);
      if (i.plant !== PLANT) throw new ErpError('not-found', 'ME/039', `Plant ${i.plant} does not exist`, 'Plant');
      if (!(i.qty > 0)) throw new ErpError('validation', 'ME/082', 'Enter a quantity greater than zero', 'RequestedQuantity');
    }
    const req: Requisition = {
      number: String(this.next.req++), type: r.type || 'NB', description: r.description || '', createdAt: Date.now(),
      items: r.items.map((i, n) => ({ ...i, item: String((n + 1) * 10).padStart(5, '0') })),
    };
    this.requisitions.push(req);
    return req;
  }

  dump(): unknown {
    return {
      materials: [...this.materials.values()], orders: [...this.orders.values()], stock: this.stockRows(),
      confirmations: this.confirmations, materialDocuments: this.documents, purchaseRequisitions: this.requisitions,
    };
  }
}

export function stockKey(material: string, plant: string, sloc: string, batch: string, type: StockType): string {
  return `${material}|${plant}|${sloc}|${batch || ''}|${type}`;
}

// The business operations of the connector nodes: which role offers them, whether they
// post (outboxed, exactly-once) or query (direct), which canonical events they take,
// which fields identify a posting, and which follow-up event a success produces.
import type { OpInput, OpResult, Role } from './types';

export interface OperationDef {
  name: string;
  role: Role;
  kind: 'posting' | 'query';
  label: string;
  /** canonical event types (domain.object.action, any version) the operation accepts */
  events: string[];
  required: string[];
  /** fields forming the business key; absent or incomplete: the event id is the key */
  identity?: string[];
  /** catalog type of the event a success produces */
  followUp?: (input: OpInput) => string | undefined;
  followUpData?: (input: OpInput, r: OpResult) => Record<string, unknown>;
  /** fills canonical fields from their aliases in other event types */
  normalize?: (input: OpInput) => void;
}

const pick = (o: OpInput, keys: string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined && o[k] !== null && o[k] !== '') out[k] = o[k];
  return out;
};
const refs = (i: OpInput, r: OpResult) => ({ ...(i.references || {}), ...r.references });
const now = () => new Date().toISOString();

const ops: OperationDef[] = [
  {
    name: 'confirmProduction', role: 'erp', kind: 'posting', label: 'Confirm production (yield, scrap, goods movements)',
    events: ['production.operation.completed', 'production.quantity.confirmed'],
    required: ['orderId', 'operationId', 'yield'], identity: ['orderId', 'operationId', 'confirmationCounter'],
    normalize: (i) => { i.yield ??= i.quantity; i.completedAt ??= i.confirmedAt; },
    followUp: (i) => (i.confirmationCounter !== undefined ? 'mfg.production.quantity.confirmed.v2' : 'mfg.production.quantity.confirmed.v1'),
    followUpData: (i, r) => {
      const d = pick(i, ['orderId', 'operationId', 'workCenter', 'material', 'plant', 'yield', 'scrap', 'confirmationCounter', 'finalConfirmation']);
      if (i.confirmationCounter !== undefined) { if (i.rework) d.rework = i.rework; } else { d.quantity = i.yield; delete d.yield; }
      return { ...d, confirmedAt: i.completedAt || now(), references: refs(i, r) };
    },
  },
  {
    name: 'postGoodsIssue', role: 'erp', kind: 'posting', label: 'Post goods issue to order (261)',
    events: ['material.component.consumed', 'material.lot.issued'],
    required: ['orderId', 'material', 'quantity'],
    followUp: () => 'mfg.material.component.consumed.v1',
    followUpData: (i, r) => ({
      ...pick(i, ['orderId', 'operationId', 'material', 'plant', 'storageLocation', 'lot', 'quantity', 'reservation', 'reservationItem']),
      consumedAt: i.consumedAt || i.issuedAt || now(), references: refs(i, r),
    }),
  },
  {
    name: 'postGoodsReceipt', role: 'erp', kind: 'posting', label: 'Post goods receipt from order (101)',
    events: ['material.finished-goods.received', 'production.quantity.confirmed'],
    required: ['orderId', 'material', 'quantity'],
    normalize: (i) => { i.quantity ??= i.yield; },
    followUp: () => 'mfg.material.finished-goods.received.v1',
    followUpData: (i, r) => ({
      ...pick(i, ['orderId', 'material', 'plant', 'storageLocation', 'lot', 'quantity', 'handlingUnit', 'stagingArea']),
      receivedAt: i.receivedAt || now(), references: refs(i, r),
    }),
  },
  {
    name: 'placeQualityHold', role: 'erp', kind: 'posting', label: 'Place quality hold: unrestricted to blocked (344)',
    events: ['quality.hold.placed', 'quality.nonconformance.detected'],
    required: ['material', 'lot'], identity: ['holdId'],
    followUp: () => 'mfg.quality.hold.placed.v1',
    followUpData: (i, r) => ({
      ...pick(i, ['holdId', 'material', 'lot', 'plant', 'storageLocation', 'quantity', 'reason', 'ncId']),
      placedAt: i.placedAt || now(), references: refs(i, r),
    }),
  },
  {
    name: 'releaseQualityHold', role: 'erp', kind: 'posting', label: 'Release quality hold: blocked to unrestricted (343)',
    events: ['quality.hold.released', 'quality.deviation.approved'],
    required: ['material', 'lot'], identity: ['holdId'],
    followUp: () => 'mfg.quality.hold.released.v1',
    followUpData: (i, r) => ({
      ...pick(i, ['holdId', 'material', 'lot', 'plant', 'storageLocation', 'quantity', 'deviationId']),
      releasedAt: i.releasedAt || now(), references: refs(i, r),
    }),
  },
  {
    name: 'createProductionOrder', role: 'erp', kind: 'posting', label: 'Create production order',
    events: [], required: ['material', 'plant', 'quantity'],
  },
  {
    name: 'releaseProductionOrder', role: 'erp', kind: 'posting', label: 'Release production order',
    events: [], required: ['orderId'], identity: ['orderId'],
    followUp: () => 'mfg.production.order.released.v1',
    followUpData: (i, r) => {
      const o = (r.data || {}) as Record<string, unknown>;
      return { ...pick({ ...o, ...i }, ['orderId', 'orderType', 'material', 'plant', 'quantity', 'scheduledStart', 'scheduledEnd']), releasedAt: now(), references: refs(i, r) };
    },
  },
  { name: 'getProductionOrder', role: 'erp', kind: 'query', label: 'Get production order', events: [], required: ['orderId'] },
  { name: 'getItem', role: 'erp', kind: 'query', label: 'Get item (material master)', events: [], required: ['material'] },
  { name: 'getRouting', role: 'erp', kind: 'query', label: 'Get routing (operations, work centers, cost centers)', events: [], required: ['orderId'] },
  {
    name: 'checkAvailability', role: 'erp', kind: 'query', label: 'Check availability (stock by type)',
    events: ['material.replenishment.requested'], required: ['material'],
  },
  {
    name: 'requestPurchase', role: 'erp', kind: 'posting', label: 'Request purchase (spare parts, replenishment)',
    events: ['maintenance.spare-parts.demanded', 'material.replenishment.requested'], required: ['material', 'quantity'],
  },
  // ---- WMS ----
  {
    name: 'createPutawayTask', role: 'wms', kind: 'posting', label: 'Create putaway task (finished goods staging)',
    events: ['material.finished-goods.received'], required: ['material', 'quantity'], identity: ['handlingUnit'],
  },
  {
    name: 'createTransferTask', role: 'wms', kind: 'posting', label: 'Create transfer task',
    events: ['material.warehouse-transfer.triggered', 'material.replenishment.requested'], required: ['material', 'quantity', 'to'],
    normalize: (i) => { i.to ??= i.destination; },
  },
  {
    name: 'blockShipment', role: 'wms', kind: 'posting', label: 'Block shipment of a lot',
    events: ['quality.hold.placed', 'quality.nonconformance.detected'], required: ['lot'], identity: ['lot', 'holdId'],
  },
  {
    name: 'releaseShipmentBlock', role: 'wms', kind: 'posting', label: 'Release shipment block of a lot',
    events: ['quality.hold.released', 'quality.deviation.approved'], required: ['lot'], identity: ['lot', 'holdId'],
  },
  { name: 'confirmTask', role: 'wms', kind: 'posting', label: 'Confirm warehouse task', events: [], required: ['taskId'], identity: ['taskId'] },
  // ---- QMS ----
  {
    name: 'createNonconformance', role: 'qms', kind: 'posting', label: 'Create nonconformance',
    events: ['quality.nonconformance.detected', 'quality.inspection.failed'], required: ['material'], identity: ['ncId'],
  },
  {
    name: 'recordInspectionResult', role: 'qms', kind: 'posting', label: 'Record inspection result',
    events: ['quality.inspection.failed'], required: ['inspectionLot', 'characteristic'], identity: ['inspectionLot', 'characteristic', 'inspectedAt'],
  },
  {
    name: 'updateTraceability', role: 'qms', kind: 'posting', label: 'Update traceability (lot genealogy)',
    events: ['quality.traceability.updated'], required: ['lot', 'material', 'components'],
  },
];

const byName = new Map(ops.map((o) => [o.name, o]));

export const operations = {
  all: (): readonly OperationDef[] => ops,
  get: (name: string): OperationDef | undefined => byName.get(name),
  ofRole: (role: Role): OperationDef[] => ops.filter((o) => o.role === role),
};

/** The canonical input of an operation, checked for its required fields. */
export function prepareInput(def: OperationDef, data: Record<string, unknown>): OpInput {
  const input: OpInput = JSON.parse(JSON.stringify(data ?? {}));
  def.normalize?.(input);
  const missing = def.required.filter((f) => input[f] === undefined || input[f] === null || input[f] === '');
  if (missing.length) throw new Error(`${def.name}: missing ${missing.map((m) => `"${m}"`).join(', ')} in the event data or msg.payload`);
  for (const q of ['yield', 'scrap', 'rework', 'quantity']) {
    const v = input[q];
    if (v === undefined) continue;
    if (typeof v !== 'object' || v === null || !Number.isFinite(Number(v.value)) || Number(v.value) < 0 || !v.unit) {
      throw new Error(`${def.name}: "${q}" must be {value: number >= 0, unit}`);
    }
    v.value = Number(v.value);
  }
  return input;
}

// The canonical event catalog: 22 business event types in four domains.
// Each entry describes the `data` of a CloudEvent; lib/events/catalog.ts turns them into
// JSON Schemas (draft 2020-12). Schemas evolve by adding optional fields within a
// version; anything else is a new version kept beside the old one.
import { bool, common as c, id, int, listOf, num, object, oneOf, quantity, reason, Schema, text, time } from './fields';

export type Domain = 'production' | 'material' | 'quality' | 'maintenance';

export interface EventDefinition {
  domain: Domain;
  /** object.action, e.g. quantity.confirmed */
  name: string;
  version: number;
  title: string;
  description: string;
  owner: string;
  /** the ISA-95 / B2MML counterpart */
  isa95: string;
  /** CloudEvents subject template; {field} is replaced from data */
  subject: string;
  /** data field whose value becomes the partitionkey (keeps per-object order) */
  partitionKey: string;
  /** data field holding the source timestamp, if any */
  timeField?: string;
  required: string[];
  properties: Record<string, Schema>;
}

const movement = object(['material', 'quantity', 'movementType'], {
  material: c.material,
  plant: c.plant,
  storageLocation: c.storageLocation,
  lot: c.lot,
  movementType: oneOf('Goods movement type: 101 receipt for order, 261 issue for order', ['101', '102', '261', '262']),
  quantity: quantity('Quantity moved'),
  reservation: id('Reservation number', 16),
  reservationItem: id('Reservation item', 8),
});

export const definitions: EventDefinition[] = [
  // ---- production ----
  {
    domain: 'production', name: 'order.released', version: 1,
    title: 'Production order released',
    description: 'ERP released a production order to the shop floor; MES may start it.',
    owner: 'production-planning',
    isa95: 'B2MML OperationsSchedule / OperationsRequest (ISA-95 Part 4 production schedule)',
    subject: 'workorder/{orderId}', partitionKey: 'orderId', timeField: 'releasedAt',
    required: ['orderId', 'material', 'quantity'],
    properties: {
      orderId: c.orderId, orderType: id('Order type, e.g. PP01', 8), material: c.material, plant: c.plant,
      quantity: quantity('Planned total quantity'),
      scheduledStart: time('Scheduled start'), scheduledEnd: time('Scheduled end'),
      releasedAt: time('When the order was released'),
      operations: listOf('Routing operations', object(['operationId'], {
        operationId: c.operationId, workCenter: c.workCenter, description: text('Operation text', 40),
      })),
      references: c.references,
    },
  },
  {
    domain: 'production', name: 'operation.started', version: 1,
    title: 'Operation started',
    description: 'Work on an operation of a production order started at a work center.',
    owner: 'mes',
    isa95: 'B2MML OperationsPerformance / SegmentResponse (actual start)',
    subject: 'workorder/{orderId}/op/{operationId}', partitionKey: 'orderId', timeField: 'startedAt',
    required: ['orderId', 'operationId', 'workCenter', 'startedAt'],
    properties: {
      orderId: c.orderId, operationId: c.operationId, workCenter: c.workCenter, material: c.material,
      startedAt: time('Actual start'), operator: c.operator, shift: c.shift, setup: bool('Setup (changeover) phase'),
    },
  },
  {
    domain: 'production', name: 'operation.completed', version: 1,
    title: 'Operation completed',
    description: 'An operation finished with its yield, scrap and rework; the trigger of the ERP production confirmation.',
    owner: 'mes',
    isa95: 'B2MML OperationsPerformance / SegmentResponse with ProductionData',
    subject: 'workorder/{orderId}/op/{operationId}', partitionKey: 'orderId', timeField: 'completedAt',
    required: ['orderId', 'operationId', 'workCenter', 'yield', 'completedAt'],
    properties: {
      orderId: c.orderId, operationId: c.operationId, workCenter: c.workCenter, material: c.material, plant: c.plant,
      yield: quantity('Good quantity'), scrap: quantity('Scrap quantity'), rework: quantity('Rework quantity'),
      finalConfirmation: bool('Operation is finished (final confirmation)'),
      confirmationCounter: int('Counter of confirmations for this operation, part of the business key', 1),
      startedAt: time('Actual start'), completedAt: time('Actual end'),
      lot: c.lot, storageLocation: c.storageLocation, operator: c.operator, varianceReason: reason('Variance reason'),
      goodsMovements: listOf('Goods movements posted with the confirmation', movement),
    },
  },
  {
    domain: 'production', name: 'quantity.confirmed', version: 1,
    title: 'Quantity confirmed',
    description: 'A yield quantity of an operation is confirmed (by MES, or by ERP after posting).',
    owner: 'production-control',
    isa95: 'B2MML ProductionPerformance / ProductionResponse (ProductionData quantity)',
    subject: 'workorder/{orderId}/op/{operationId}', partitionKey: 'orderId', timeField: 'confirmedAt',
    required: ['orderId', 'operationId', 'quantity'],
    properties: {
      orderId: c.orderId, operationId: c.operationId, workCenter: c.workCenter, material: c.material, plant: c.plant,
      quantity: quantity('Confirmed good quantity'), scrap: quantity('Scrap quantity in the same confirmation'),
      confirmationCounter: int('Counter of confirmations for this operation', 1),
      finalConfirmation: bool('Final confirmation'), confirmedAt: time('When the quantity was counted'),
      periodStart: time('Start of the counting period'), periodEnd: time('End of the counting period'),
      references: c.references,
    },
  },
  {
    domain: 'production', name: 'quantity.confirmed', version: 2,
    title: 'Quantity confirmed (v2: yield, scrap and rework split)',
    description: 'Version 2 carries yield, scrap and rework separately and requires the confirmation counter.',
    owner: 'production-control',
    isa95: 'B2MML ProductionPerformance / ProductionResponse (ProductionData quantity by type)',
    subject: 'workorder/{orderId}/op/{operationId}', partitionKey: 'orderId', timeField: 'confirmedAt',
    required: ['orderId', 'operationId', 'yield', 'confirmationCounter'],
    properties: {
      orderId: c.orderId, operationId: c.operationId, workCenter: c.workCenter, material: c.material, plant: c.plant,
      yield: quantity('Good quantity'), scrap: quantity('Scrap quantity'), rework: quantity('Rework quantity'),
      confirmationCounter: int('Counter of confirmations for this operation', 1),
      finalConfirmation: bool('Final confirmation'), confirmedAt: time('When the quantity was counted'),
      references: c.references,
    },
  },
  {
    domain: 'production', name: 'scrap.posted', version: 1,
    title: 'Scrap posted',
    description: 'Parts were scrapped at an operation, with a reason.',
    owner: 'production-control',
    isa95: 'B2MML ProductionResponse / SegmentResponse (scrap ProductionData)',
    subject: 'workorder/{orderId}/op/{operationId}', partitionKey: 'orderId', timeField: 'postedAt',
    required: ['orderId', 'operationId', 'quantity', 'reason'],
    properties: {
      orderId: c.orderId, operationId: c.operationId, workCenter: c.workCenter, material: c.material,
      quantity: quantity('Scrapped quantity'), reason: reason('Scrap reason'), lot: c.lot,
      postedAt: time('When the scrap was recorded'), references: c.references,
    },
  },
  {
    domain: 'production', name: 'serial.assigned', version: 1,
    title: 'Serial number assigned',
    description: 'A serial number was assigned to a unit made under a production order.',
    owner: 'mes',
    isa95: 'B2MML MaterialLot / MaterialSubLot with serial (ISA-95 material definition)',
    subject: 'serial/{serial}', partitionKey: 'orderId', timeField: 'assignedAt',
    required: ['orderId', 'material', 'serial'],
    properties: {
      orderId: c.orderId, operationId: c.operationId, material: c.material, serial: c.serial, lot: c.lot,
      assignedAt: time('When the serial was assigned'),
    },
  },
  // ---- material ----
  {
    domain: 'material', name: 'component.consumed', version: 1,
    title: 'Component consumed',
    description: 'A component was consumed into a production order (goods issue, movement 261).',
    owner: 'materials-management',
    isa95: 'B2MML MaterialActual (consumed) within SegmentResponse',
    subject: 'workorder/{orderId}/component/{material}', partitionKey: 'orderId', timeField: 'consumedAt',
    required: ['orderId', 'material', 'quantity'],
    properties: {
      orderId: c.orderId, operationId: c.operationId, material: c.material, plant: c.plant,
      storageLocation: c.storageLocation, lot: c.lot, quantity: quantity('Consumed quantity'),
      reservation: id('Reservation number', 16), reservationItem: id('Reservation item', 8),
      consumedAt: time('When it was consumed'), references: c.references,
    },
  },
  {
    domain: 'material', name: 'lot.issued', version: 1,
    title: 'Lot issued to production',
    description: 'A lot (batch) of material was issued from stock to a production order or line.',
    owner: 'materials-management',
    isa95: 'B2MML MaterialLot movement / MaterialActual',
    subject: 'lot/{lot}', partitionKey: 'lot', timeField: 'issuedAt',
    required: ['lot', 'material', 'quantity'],
    properties: {
      lot: c.lot, material: c.material, orderId: c.orderId, plant: c.plant, storageLocation: c.storageLocation,
      quantity: quantity('Issued quantity'), issuedAt: time('When the lot was issued'), references: c.references,
    },
  },
  {
    domain: 'material', name: 'replenishment.requested', version: 1,
    title: 'Replenishment requested',
    description: 'A line-side stock fell below its level; material is requested from the warehouse.',
    owner: 'intralogistics',
    isa95: 'B2MML MaterialRequirement / TransferOrder request (ISA-95 inventory operations)',
    subject: 'material/{material}', partitionKey: 'material', timeField: 'requestedAt',
    required: ['material', 'quantity', 'destination'],
    properties: {
      material: c.material, plant: c.plant, quantity: quantity('Requested quantity'),
      destination: id('Destination supply area or bin'), orderId: c.orderId,
      neededBy: time('Latest delivery time'), requestedAt: time('When the request was raised'),
    },
  },
  {
    domain: 'material', name: 'finished-goods.received', version: 1,
    title: 'Finished goods received',
    description: 'Finished goods of a production order were received into stock (movement 101) and await putaway.',
    owner: 'materials-management',
    isa95: 'B2MML MaterialActual (produced) / ReceiptOfMaterial',
    subject: 'workorder/{orderId}/receipt', partitionKey: 'orderId', timeField: 'receivedAt',
    required: ['orderId', 'material', 'quantity'],
    properties: {
      orderId: c.orderId, material: c.material, plant: c.plant, storageLocation: c.storageLocation, lot: c.lot,
      quantity: quantity('Received quantity'), handlingUnit: id('Handling unit / pallet id'),
      stagingArea: id('Staging area for putaway'), receivedAt: time('When the goods were received'),
      references: c.references,
    },
  },
  {
    domain: 'material', name: 'warehouse-transfer.triggered', version: 1,
    title: 'Warehouse transfer triggered',
    description: 'A stock transfer between storage locations or bins was triggered.',
    owner: 'intralogistics',
    isa95: 'B2MML TransferOrder / MaterialLot movement',
    subject: 'material/{material}/transfer', partitionKey: 'material', timeField: 'triggeredAt',
    required: ['material', 'quantity', 'from', 'to'],
    properties: {
      material: c.material, lot: c.lot, plant: c.plant, quantity: quantity('Quantity to move'),
      from: id('Source storage location or bin'), to: id('Destination storage location or bin'),
      orderId: c.orderId, triggeredAt: time('When the transfer was triggered'),
    },
  },
  // ---- quality ----
  {
    domain: 'quality', name: 'inspection.triggered', version: 1,
    title: 'Inspection triggered',
    description: 'An inspection is due for a lot, an order or a serial (sampling plan, first article, interval).',
    owner: 'quality-management',
    isa95: 'B2MML QualityTestRequest (ISA-95 Part 4 quality operations)',
    subject: 'inspection/{inspectionLot}', partitionKey: 'inspectionLot', timeField: 'triggeredAt',
    required: ['inspectionLot', 'material', 'inspectionType'],
    properties: {
      inspectionLot: id('Inspection lot'), inspectionType: id('Inspection type, e.g. 03 in-process', 8),
      material: c.material, lot: c.lot, orderId: c.orderId, operationId: c.operationId, serial: c.serial,
      sampleSize: quantity('Sample size'), triggeredAt: time('When the inspection became due'),
    },
  },
  {
    domain: 'quality', name: 'nonconformance.detected', version: 1,
    title: 'Nonconformance detected',
    description: 'A defect or nonconformance was found on material, a lot or a serial.',
    owner: 'quality-management',
    isa95: 'B2MML QualityTestResponse (nonconforming) / ISA-95 quality incident',
    subject: 'lot/{lot}', partitionKey: 'lot', timeField: 'detectedAt',
    required: ['ncId', 'material', 'lot', 'defect', 'detectedAt'],
    properties: {
      ncId: id('Nonconformance id in the reporting system'), material: c.material, lot: c.lot, plant: c.plant,
      orderId: c.orderId, serial: c.serial, defect: reason('Defect code'),
      severity: oneOf('Severity', ['minor', 'major', 'critical']), quantity: quantity('Affected quantity'),
      detectedAt: time('When it was detected'), detectedBy: id('Station or person'), note: c.note,
      references: c.references,
    },
  },
  {
    domain: 'quality', name: 'inspection.failed', version: 1,
    title: 'Inspection failed',
    description: 'An inspection result was outside tolerance.',
    owner: 'quality-management',
    isa95: 'B2MML QualityTestResponse with TestResult (rejected)',
    subject: 'inspection/{inspectionLot}', partitionKey: 'inspectionLot', timeField: 'inspectedAt',
    required: ['inspectionLot', 'material', 'characteristic', 'inspectedAt'],
    properties: {
      inspectionLot: id('Inspection lot'), material: c.material, lot: c.lot, serial: c.serial, orderId: c.orderId,
      characteristic: id('Inspection characteristic'), measured: num('Measured value'),
      lowerLimit: num('Lower tolerance'), upperLimit: num('Upper tolerance'), unit: id('Unit of the measured value', 6),
      inspectedAt: time('When it was inspected'),
    },
  },
  {
    domain: 'quality', name: 'deviation.approved', version: 1,
    title: 'Deviation approved',
    description: 'Quality approved the use of nonconforming material (use-as-is, rework); a hold may be released.',
    owner: 'quality-management',
    isa95: 'ISA-95 quality operations: disposition of a nonconformance',
    subject: 'lot/{lot}', partitionKey: 'lot', timeField: 'approvedAt',
    required: ['deviationId', 'lot', 'material', 'disposition', 'approvedBy'],
    properties: {
      deviationId: id('Deviation id'), ncId: id('Nonconformance it answers'), lot: c.lot, material: c.material,
      plant: c.plant, disposition: oneOf('Disposition', ['use-as-is', 'rework', 'return-to-vendor', 'scrap']),
      approvedBy: id('Approver'), approvedAt: time('When it was approved'), validUntil: time('Expiry of the deviation'),
    },
  },
  {
    domain: 'quality', name: 'hold.placed', version: 1,
    title: 'Quality hold placed',
    description: 'A lot was put on quality hold: ERP blocks the stock (344), WMS blocks its shipment.',
    owner: 'quality-management',
    isa95: 'B2MML MaterialLot status change to held (ISA-95 inventory/quality operations)',
    subject: 'lot/{lot}', partitionKey: 'lot', timeField: 'placedAt',
    required: ['holdId', 'material', 'lot', 'reason'],
    properties: {
      holdId: id('Hold id'), material: c.material, lot: c.lot, plant: c.plant, storageLocation: c.storageLocation,
      quantity: quantity('Quantity held (all of the lot when absent)'), reason: reason('Hold reason'),
      ncId: id('Nonconformance that caused the hold'), placedAt: time('When the hold was placed'),
      references: c.references,
    },
  },
  {
    domain: 'quality', name: 'hold.released', version: 1,
    title: 'Quality hold released',
    description: 'A quality hold was lifted: ERP moves the stock back to unrestricted (343), WMS releases the shipment block.',
    owner: 'quality-management',
    isa95: 'B2MML MaterialLot status change to released',
    subject: 'lot/{lot}', partitionKey: 'lot', timeField: 'releasedAt',
    required: ['holdId', 'material', 'lot'],
    properties: {
      holdId: id('Hold id'), material: c.material, lot: c.lot, plant: c.plant, storageLocation: c.storageLocation,
      quantity: quantity('Quantity released'), deviationId: id('Deviation that allowed the release'),
      releasedAt: time('When the hold was released'), references: c.references,
    },
  },
  {
    domain: 'quality', name: 'traceability.updated', version: 1,
    title: 'Traceability (lot genealogy) updated',
    description: 'The genealogy of a produced lot or serial was extended by its consumed component lots.',
    owner: 'quality-management',
    isa95: 'B2MML MaterialLot / MaterialSubLot genealogy (ISA-95 Part 2 material lot relations)',
    subject: 'lot/{lot}', partitionKey: 'lot', timeField: 'recordedAt',
    required: ['lot', 'material', 'components'],
    properties: {
      lot: c.lot, material: c.material, serial: c.serial, orderId: c.orderId,
      components: listOf('Consumed component lots', object(['material', 'lot'], {
        material: c.material, lot: c.lot, quantity: quantity('Quantity consumed'),
      }), 1),
      recordedAt: time('When the genealogy was recorded'),
    },
  },
  // ---- maintenance ----
  {
    domain: 'maintenance', name: 'downtime.classified', version: 1,
    title: 'Downtime classified',
    description: 'A machine stop ended and was classified (planned or unplanned, reason category).',
    owner: 'maintenance',
    isa95: 'B2MML EquipmentActual / ISA-95 Part 3 maintenance operations (downtime record)',
    subject: 'equipment/{equipment}', partitionKey: 'equipment', timeField: 'end',
    required: ['equipment', 'start', 'end', 'durationSec', 'planned', 'reason'],
    properties: {
      equipment: id('Machine or equipment id'), workCenter: c.workCenter, orderId: c.orderId,
      operationId: c.operationId, start: time('Stop start'), end: time('Stop end'),
      durationSec: num('Duration in seconds', 0), planned: bool('Planned stop'),
      reason: reason('Reason (category: breakdown, changeover, material-shortage, quality, no-operator, ...)'),
      alarmCode: id('Machine alarm code', 32),
    },
  },
  {
    domain: 'maintenance', name: 'predictive-alert.raised', version: 1,
    title: 'Predictive maintenance alert raised',
    description: 'A condition signal crossed its threshold (vibration, temperature, ...).',
    owner: 'maintenance',
    isa95: 'ISA-95 Part 3 maintenance request (condition-based)',
    subject: 'equipment/{equipment}', partitionKey: 'equipment', timeField: 'raisedAt',
    required: ['equipment', 'signal', 'value', 'threshold', 'raisedAt'],
    properties: {
      equipment: id('Machine or equipment id'), workCenter: c.workCenter, signal: id('Signal name, e.g. vibration'),
      value: num('Measured value'), threshold: num('Threshold crossed'), unit: id('Unit of the value', 12),
      severity: oneOf('Severity', ['info', 'warning', 'critical']), raisedAt: time('When the threshold was crossed'),
    },
  },
  {
    domain: 'maintenance', name: 'capacity.restored', version: 1,
    title: 'Capacity restored',
    description: 'A machine runs again after a stop; its capacity is available for scheduling.',
    owner: 'maintenance',
    isa95: 'B2MML EquipmentCapability (available)',
    subject: 'equipment/{equipment}', partitionKey: 'equipment', timeField: 'restoredAt',
    required: ['equipment', 'restoredAt'],
    properties: {
      equipment: id('Machine or equipment id'), workCenter: c.workCenter,
      restoredAt: time('When the machine ran again'), downtimeSec: num('Length of the stop in seconds', 0),
    },
  },
  {
    domain: 'maintenance', name: 'spare-parts.demanded', version: 1,
    title: 'Spare parts demanded',
    description: 'Maintenance needs spare parts; ERP gets a purchase requisition or reservation.',
    owner: 'maintenance',
    isa95: 'B2MML MaterialRequirement for maintenance (ISA-95 Part 3)',
    subject: 'equipment/{equipment}/parts', partitionKey: 'equipment', timeField: 'demandedAt',
    required: ['equipment', 'material', 'quantity'],
    properties: {
      equipment: id('Machine or equipment id'), material: c.material, plant: c.plant,
      quantity: quantity('Quantity needed'), neededBy: time('Latest delivery'), alertId: id('Alert that caused it'),
      demandedAt: time('When the demand was raised'),
    },
  },
];

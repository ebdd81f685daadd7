// A realistic sample `data` for every catalog type: used by the editor as an example,
// by tests, by the demo and by benchmarks.
const T = '2026-11-27T08:15:00Z';
const q = (value: number, unit = 'PC') => ({ value, unit });

export const samples: Record<string, Record<string, unknown>> = {
  'mfg.production.order.released.v1': {
    orderId: '1000123', orderType: 'PP01', material: 'FG226', plant: '1710', quantity: q(500),
    scheduledStart: '2026-11-27T06:00:00Z', scheduledEnd: '2026-11-27T14:00:00Z', releasedAt: T,
    operations: [{ operationId: '0010', workCenter: 'ASSY-01', description: 'Assemble housing' }, { operationId: '0020', workCenter: 'TEST-01' }],
  },
  'mfg.production.operation.started.v1': { orderId: '1000123', operationId: '0010', workCenter: 'ASSY-01', material: 'FG226', startedAt: T, operator: 'P4711', shift: 'A' },
  'mfg.production.operation.completed.v1': {
    orderId: '1000123', operationId: '0010', workCenter: 'ASSY-01', material: 'FG226', plant: '1710',
    yield: q(95), scrap: q(5), finalConfirmation: true, confirmationCounter: 1,
    startedAt: '2026-11-27T06:00:00Z', completedAt: T, lot: 'B0001', storageLocation: '171A',
    goodsMovements: [{ material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B0001', movementType: '101', quantity: q(95) }],
  },
  'mfg.production.quantity.confirmed.v1': { orderId: '1000123', operationId: '0010', workCenter: 'ASSY-01', material: 'FG226', quantity: q(50), scrap: q(2), confirmationCounter: 3, confirmedAt: T },
  'mfg.production.quantity.confirmed.v2': { orderId: '1000123', operationId: '0010', workCenter: 'ASSY-01', yield: q(50), scrap: q(2), rework: q(1), confirmationCounter: 3, confirmedAt: T },
  'mfg.production.scrap.posted.v1': { orderId: '1000123', operationId: '0010', workCenter: 'ASSY-01', material: 'FG226', quantity: q(2), reason: { code: 'S03', text: 'Scratched housing', category: 'quality' }, postedAt: T },
  'mfg.production.serial.assigned.v1': { orderId: '1000123', operationId: '0020', material: 'FG226', serial: 'SN-2026-000981', lot: 'B0001', assignedAt: T },
  'mfg.material.component.consumed.v1': { orderId: '1000123', operationId: '0010', material: 'RM-1001', plant: '1710', storageLocation: '171B', lot: 'L-4471', quantity: q(1.25, 'KG'), reservation: '0000123456', reservationItem: '0001', consumedAt: T },
  'mfg.material.lot.issued.v1': { lot: 'L-4471', material: 'RM-1001', orderId: '1000123', plant: '1710', storageLocation: '171B', quantity: q(25, 'KG'), issuedAt: T },
  'mfg.material.replenishment.requested.v1': { material: 'RM-1001', plant: '1710', quantity: q(50, 'KG'), destination: 'PSA-ASSY-01', orderId: '1000123', neededBy: '2026-11-27T10:00:00Z', requestedAt: T },
  'mfg.material.finished-goods.received.v1': { orderId: '1000123', material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B0001', quantity: q(95), handlingUnit: 'HU-00098123', stagingArea: 'STAGE-GR-01', receivedAt: T },
  'mfg.material.warehouse-transfer.triggered.v1': { material: 'FG226', lot: 'B0001', plant: '1710', quantity: q(95), from: '171A', to: '171S', orderId: '1000123', triggeredAt: T },
  'mfg.quality.inspection.triggered.v1': { inspectionLot: '030000000812', inspectionType: '03', material: 'FG226', lot: 'B0001', orderId: '1000123', operationId: '0020', sampleSize: q(5), triggeredAt: T },
  'mfg.quality.nonconformance.detected.v1': { ncId: 'NC-2026-0042', material: 'FG226', lot: 'B0001', plant: '1710', orderId: '1000123', defect: { code: 'D17', text: 'Seal leak', category: 'function' }, severity: 'major', quantity: q(95), detectedAt: T, detectedBy: 'TEST-01' },
  'mfg.quality.inspection.failed.v1': { inspectionLot: '030000000812', material: 'FG226', lot: 'B0001', characteristic: 'LEAK-RATE', measured: 0.42, lowerLimit: 0, upperLimit: 0.2, unit: 'ML/MIN', inspectedAt: T },
  'mfg.quality.deviation.approved.v1': { deviationId: 'DEV-2026-007', ncId: 'NC-2026-0042', lot: 'B0001', material: 'FG226', plant: '1710', disposition: 'use-as-is', approvedBy: 'QM-LEAD-3', approvedAt: T },
  'mfg.quality.hold.placed.v1': { holdId: 'HOLD-2026-0042', material: 'FG226', lot: 'B0001', plant: '1710', storageLocation: '171A', quantity: q(95), reason: { code: 'NC', text: 'Seal leak under investigation' }, ncId: 'NC-2026-0042', placedAt: T },
  'mfg.quality.hold.released.v1': { holdId: 'HOLD-2026-0042', material: 'FG226', lot: 'B0001', plant: '1710', storageLocation: '171A', quantity: q(95), deviationId: 'DEV-2026-007', releasedAt: T },
  'mfg.quality.traceability.updated.v1': { lot: 'B0001', material: 'FG226', orderId: '1000123', components: [{ material: 'RM-1001', lot: 'L-4471', quantity: q(118.75, 'KG') }, { material: 'RM-2002', lot: 'L-5512', quantity: q(95) }], recordedAt: T },
  'mfg.maintenance.downtime.classified.v1': { equipment: 'M1-PRESS', workCenter: 'ASSY-01', orderId: '1000123', operationId: '0010', start: '2026-11-27T07:40:00Z', end: '2026-11-27T07:52:30Z', durationSec: 750, planned: false, reason: { code: '17', text: 'Hydraulic pressure low', category: 'breakdown' }, alarmCode: '17' },
  'mfg.maintenance.predictive-alert.raised.v1': { equipment: 'M2-MILL', workCenter: 'ASSY-02', signal: 'vibration', value: 11.8, threshold: 9, unit: 'mm/s', severity: 'warning', raisedAt: T },
  'mfg.maintenance.capacity.restored.v1': { equipment: 'M1-PRESS', workCenter: 'ASSY-01', restoredAt: '2026-11-27T07:52:30Z', downtimeSec: 750 },
  'mfg.maintenance.spare-parts.demanded.v1': { equipment: 'M2-MILL', material: 'SP-BEARING-6204', plant: '1710', quantity: q(2), neededBy: '2026-11-29T06:00:00Z', demandedAt: T },
};

// Workflows 1 to 5: production confirmation, order release, material consumption,
// finished goods to WMS, quality hold synchronization.
'use strict';
const c = require('./common');

const { at } = c;
/** ids of the nodes other flows link into */
const LINK_PRODUCTION = 'wf1-link-in';

function wf1() {
  const z = 'wf1';
  const completion = {
    orderId: '1000123', operationId: '0010', workCenter: 'ASSY01', yield: { value: 10, unit: 'PC' }, scrap: { value: 0, unit: 'PC' },
    confirmationCounter: 1, lot: 'B0100', storageLocation: '171A', operator: 'op-4711',
  };
  return [
    c.tab(z, '1 Production confirmation MES to ERP', 'operation.completed from the MES becomes an exactly-once SAP confirmation with goods receipt; quantity.confirmed and finished-goods.received follow with the ERP document references.'),
    c.comment(z, 'wf1-note', '1 Production confirmation: MES -> validate -> idempotency -> enrich -> ERP -> events',
      'The MES reports **operation.completed** (press the inject, or production counts arrive from the lines through the link).\n\n' +
      '1. `mfg-event` builds the canonical event, `mfg-validate` checks it against the catalog schema.\n' +
      '2. `mfg-idempotency` guards the business key order/operation/confirmation counter: a resent completion leaves on the duplicate output and is never posted twice.\n' +
      '3. `mfg-enrich` adds the ERP references (material from the order, work center, cost center; cached lookups) and the goods receipt (101) of the yield is added.\n' +
      '4. `mfg-erp` **confirmProduction** posts the confirmation to SAP (API_PROD_ORDER_CONFIRMATION_2_SRV) from a durable outbox, keyed by ExternalSystemConfirmation.\n' +
      '5. On success **quantity.confirmed** and **finished-goods.received** go to the backbone, both carrying the SAP confirmation and material document.\n\n' +
      'Watch: the ERP ledger (`GET ${MFG_ERP_URL}/__sim/ledger`) shows one `confirmation` per completion; pressing the inject twice books once. The ERP endpoint needs its user and password (those of the simulator are in sim/README.md).'),
    c.inject(z, 'wf1-inject', 'MES: 0010 of 1000123 completed, 10 PC', completion, ['wf1-stamp'], at(0, 0)),
    { id: LINK_PRODUCTION, type: 'link in', z, name: 'production counts from the lines', links: [], ...at(0, 2), wires: [['wf1-enrich']] },
    c.fn(z, 'wf1-stamp', 'completion time', 'msg.payload.completedAt = msg.payload.completedAt || new Date().toISOString();\nreturn msg;', [['wf1-event']], at(1, 0)),
    c.event(z, 'wf1-event', 'operation.completed', 'mfg.production.operation.completed.v1', null, ['wf1-validate'], at(2, 0)),
    c.validate(z, 'wf1-validate', ['wf1-guard'], ['wf1-invalid'], at(3, 0)),
    c.debug(z, 'wf1-invalid', 'invalid (validationErrors)', 'validationErrors', at(4, 1)),
    c.idempotency(z, 'wf1-guard', 'once per order/op/counter',
      'payload.data.orderId & "/" & payload.data.operationId & "/" & (payload.data.confirmationCounter ? $string(payload.data.confirmationCounter) : payload.id)',
      'jsonata', 'erp-confirmations', ['wf1-enrich'], ['wf1-dup'], at(4, 0)),
    c.debug(z, 'wf1-dup', 'duplicate: not posted again', 'payload.data', at(5, 1)),
    {
      id: 'wf1-enrich', type: 'mfg-enrich', z, name: 'ERP references', endpoint: 'mfg-cfg-erp', item: true, order: true, routing: true,
      ttlSec: 300, maxStaleSec: 86400, unknown: 'error', ...at(2, 3), wires: [['wf1-receipt'], ['wf1-failed']],
    },
    c.fn(z, 'wf1-receipt', 'goods receipt of the yield', [
      '// the yield is received into stock (101) with the confirmation, as SAP does',
      'const d = msg.payload.data;',
      'const refs = d.references || {};',
      'd.plant = d.plant || refs.plant;',
      "d.lot = d.lot || ('FG' + String(d.orderId).slice(-5));",
      "d.storageLocation = d.storageLocation || '171A';",
      "d.goodsMovements = d.goodsMovements || [{ material: d.material, lot: d.lot, storageLocation: d.storageLocation, movementType: '101', quantity: d.yield || d.quantity }];",
      'msg.event = msg.payload;',
      'return msg;',
    ].join('\n'), [['wf1-confirm']], at(3, 3)),
    c.erp(z, 'wf1-confirm', 'SAP confirmation', 'confirmProduction', ['wf1-publish', 'wf1-fg'], ['wf1-failed'], at(4, 3)),
    c.debug(z, 'wf1-failed', 'ERP failure (error)', 'error', at(5, 5)),
    c.event(z, 'wf1-fg', 'finished-goods.received', 'mfg.material.finished-goods.received.v1', [
      ['orderId', 'msg', 'event.data.orderId'], ['material', 'msg', 'event.data.material'], ['plant', 'msg', 'event.data.plant'],
      ['storageLocation', 'msg', 'event.data.storageLocation'], ['lot', 'msg', 'event.data.lot'],
      ['quantity', 'jsonata', 'event.data.yield ? event.data.yield : event.data.quantity'], ['receivedAt', 'jsonata', '$now()'],
      ['references', 'msg', 'result.references'],
    ], ['wf1-publish'], at(5, 4)),
    c.publish(z, 'wf1-publish', 'backbone', at(6, 3)),
  ];
}

function wf2() {
  const z = 'wf2';
  return [
    c.tab(z, '2 Work order release ERP to MES', 'Orders are created and released in ERP through its API; order.released reaches the MES over the backbone.'),
    c.comment(z, 'wf2-note', '2 Work order release: ERP API -> order.released -> MES dispatch list',
      'Commands are API calls, state changes after them are events.\n\n' +
      '- **release order 1000124**: `mfg-erp` releaseProductionOrder calls SAP (`ReleaseOrder`), reads the order back and emits **order.released** with its operations.\n' +
      '- **create and release**: createProductionOrder, then release of the new order number.\n\n' +
      'The MES side subscribes to `order.released` and keeps a dispatch list, served at `GET <httpNodeRoot>/mes/dispatch-list`.\n\n' +
      'Watch: ERP ledger kinds `production-order` and `order-release`; the dispatch list shows the released orders.'),
    c.inject(z, 'wf2-release', 'planner: release order 1000124', { orderId: '1000124' }, ['wf2-erp-release'], at(0, 0)),
    c.inject(z, 'wf2-new', 'planner: new order FG226, 400 PC', { material: 'FG226', plant: '1710', quantity: { value: 400, unit: 'PC' }, text: 'Plant order FG226' }, ['wf2-key'], at(0, 1)),
    c.fn(z, 'wf2-key', 'one request, one order', "// the request id makes a retried create idempotent\nmsg.postingKey = 'order-request/' + msg._msgid;\nreturn msg;", [['wf2-create']], at(1, 1)),
    c.erp(z, 'wf2-create', 'create order', 'createProductionOrder', ['wf2-then'], ['wf2-failed'], at(2, 1)),
    c.fn(z, 'wf2-then', 'release it', 'msg.payload = { orderId: msg.result.document };\ndelete msg.postingKey;\nreturn msg;', [['wf2-erp-release']], at(3, 1)),
    c.erp(z, 'wf2-erp-release', 'release order', 'releaseProductionOrder', ['wf2-validate'], ['wf2-failed'], at(4, 0)),
    c.debug(z, 'wf2-failed', 'ERP failure (error)', 'error', at(5, 2)),
    c.validate(z, 'wf2-validate', ['wf2-publish'], [], at(5, 0)),
    c.publish(z, 'wf2-publish', 'backbone', at(6, 0)),
    c.subscribe(z, 'wf2-sub', 'MES: order.released', 'mfg.production.order.released', ['wf2-dispatch'], [], at(0, 3)),
    c.fn(z, 'wf2-dispatch', 'MES dispatch list', [
      "const list = flow.get('dispatch') || {};",
      'const d = msg.payload.data;',
      "list[d.orderId] = { orderId: d.orderId, material: d.material, quantity: d.quantity, operations: d.operations || [], releasedAt: d.releasedAt, erp: d.references || {} };",
      "flow.set('dispatch', list);",
      'return msg;',
    ].join('\n'), [['wf2-mes']], at(1, 3)),
    c.debug(z, 'wf2-mes', 'released to MES', 'payload.data', at(2, 3), 'payload.data.orderId'),
    { id: 'wf2-http', type: 'http in', z, name: '', url: '/mes/dispatch-list', method: 'get', upload: false, swaggerDoc: '', ...at(0, 4), wires: [['wf2-list']] },
    c.fn(z, 'wf2-list', 'dispatch list', "msg.payload = Object.values(flow.get('dispatch') || {});\nreturn msg;", [['wf2-res']], at(1, 4)),
    { id: 'wf2-res', type: 'http response', z, name: '', statusCode: '', headers: {}, ...at(2, 4), wires: [] },
  ];
}

function wf3() {
  const z = 'wf3';
  return [
    c.tab(z, '3 Material consumption', 'component.consumed and lot.issued become SAP goods issues (261) to the production order.'),
    c.comment(z, 'wf3-note', '3 Material consumption: component.consumed / lot.issued -> ERP goods issue (261)',
      'The MES reports consumption two ways: a component consumed by an operation (backflush at the station) and a whole lot issued to the order (scanned at the line).\n\n' +
      'Both are validated and posted by `mfg-erp` **postGoodsIssue** as a SAP material document (movement 261 against order 1000123). A lot issue is followed by **component.consumed** with the material document.\n\n' +
      'Watch: ERP stock of RM100 batch RB001 and RM200 batch RB002 in 171B goes down; the ledger shows one `material-document` per press.'),
    c.inject(z, 'wf3-consumed', 'MES: 2.5 KG RM100 (RB001) consumed', { orderId: '1000123', operationId: '0010', material: 'RM100', lot: 'RB001', storageLocation: '171B', quantity: { value: 2.5, unit: 'KG' } }, ['wf3-ev-consumed'], at(0, 0)),
    c.inject(z, 'wf3-issued', 'MES: 10 PC RM200 lot RB002 issued', { lot: 'RB002', material: 'RM200', orderId: '1000123', storageLocation: '171B', quantity: { value: 10, unit: 'PC' } }, ['wf3-ev-issued'], at(0, 1)),
    c.event(z, 'wf3-ev-consumed', 'component.consumed', 'mfg.material.component.consumed.v1', null, ['wf3-validate'], at(1, 0)),
    c.event(z, 'wf3-ev-issued', 'lot.issued', 'mfg.material.lot.issued.v1', null, ['wf3-validate'], at(1, 1)),
    c.validate(z, 'wf3-validate', ['wf3-gi', 'wf3-publish'], ['wf3-invalid'], at(2, 0)),
    c.debug(z, 'wf3-invalid', 'invalid (validationErrors)', 'validationErrors', at(3, 2)),
    c.erp(z, 'wf3-gi', 'SAP goods issue', 'postGoodsIssue', ['wf3-publish'], ['wf3-failed'], at(3, 1)),
    c.debug(z, 'wf3-failed', 'ERP failure (error)', 'error', at(4, 2)),
    c.publish(z, 'wf3-publish', 'backbone', at(4, 0)),
  ];
}

function wf4() {
  const z = 'wf4';
  return [
    c.tab(z, '4 Finished goods receipt to WMS', 'finished-goods.received from the backbone becomes a staging transfer and a putaway task in the WMS.'),
    c.comment(z, 'wf4-note', '4 Finished goods to WMS: finished-goods.received -> staging transfer + putaway task',
      'The WMS side subscribes to **finished-goods.received** (published by workflow 1 after the SAP goods receipt, or by the inject here).\n\n' +
      '`mfg-idempotency` drops redeliveries (the backbone is at least once). Then `mfg-wms` creates a **transfer task** from the line to the staging area STAGE-FG and a **putaway task** from staging to a bin, each exactly once (Idempotency-Key).\n\n' +
      'Watch: `GET ${MFG_WMS_URL}/api/v1/tasks?lot=<lot>` shows one transfer and one putaway task per received lot.'),
    c.inject(z, 'wf4-inject', 'lot B0200: 5 PC FG226 received', { orderId: '1000123', material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B0200', quantity: { value: 5, unit: 'PC' } }, ['wf4-event'], at(0, 0)),
    c.event(z, 'wf4-event', 'finished-goods.received', 'mfg.material.finished-goods.received.v1', null, ['wf4-publish'], at(1, 0)),
    c.publish(z, 'wf4-publish', 'backbone', at(2, 0)),
    c.subscribe(z, 'wf4-sub', 'WMS: finished goods', 'mfg.material.finished-goods.received', ['wf4-guard'], [], at(0, 2)),
    c.idempotency(z, 'wf4-guard', 'once per event', '', 'eventid', 'wms-receipts', ['wf4-staging', 'wf4-putaway'], [], at(1, 2)),
    c.event(z, 'wf4-staging', 'to staging', 'mfg.material.warehouse-transfer.triggered.v1', [
      ['material', 'msg', 'payload.data.material'], ['lot', 'msg', 'payload.data.lot'], ['quantity', 'msg', 'payload.data.quantity'],
      ['from', 'str', 'LINE-OUT'], ['to', 'str', 'STAGE-FG'], ['orderId', 'msg', 'payload.data.orderId'], ['triggeredAt', 'jsonata', '$now()'],
    ], ['wf4-transfer'], at(2, 2)),
    c.wms(z, 'wf4-transfer', 'WMS staging transfer', 'createTransferTask', ['wf4-done'], ['wf4-failed'], at(3, 2)),
    c.wms(z, 'wf4-putaway', 'WMS putaway task', 'createPutawayTask', ['wf4-done'], ['wf4-failed'], at(3, 3)),
    c.debug(z, 'wf4-done', 'WMS task', 'result', at(4, 2), 'result.document'),
    c.debug(z, 'wf4-failed', 'WMS failure (error)', 'error', at(4, 3)),
  ];
}

function wf5() {
  const z = 'wf5';
  return [
    c.tab(z, '5 Quality hold synchronization', 'A QMS nonconformance blocks the lot in ERP (344) and its shipment in WMS; an approved deviation undoes both.'),
    c.comment(z, 'wf5-note', '5 Quality hold: QMS webhook -> hold.placed -> ERP blocked stock (344) + WMS shipment block',
      'The QMS calls `POST <httpNodeRoot>/webhooks/qms` (Standard Webhooks signature; set the secret in the webhook node) when a nonconformance is created. ' +
      '`mfg-webhook-in` verifies it and outputs **nonconformance.detected**; the hold **hold.placed** follows, and:\n\n' +
      '- `mfg-erp` **placeQualityHold** moves the lot\'s unrestricted stock to blocked stock (SAP movement 344);\n' +
      '- `mfg-wms` **blockShipment** blocks the lot\'s shipment.\n\n' +
      'When quality approves a deviation (**deviation.approved**, inject), the hold of the lot is released: **hold.released** is published, **releaseQualityHold** moves the stock back (343) and the shipment block is released.\n\n' +
      'Watch: ERP stock of FG226 lot B0001 (blocked vs unrestricted) and `GET ${MFG_WMS_URL}/api/v1/lots/B0001` (shippable).'),
    {
      id: 'wf5-webhook', type: 'mfg-webhook-in', z, name: 'QMS nonconformances', url: '/webhooks/qms', plant: 'mfg-cfg-plant',
      eventType: 'mfg.quality.nonconformance.detected.v1', style: 'auto', toleranceSec: 300, dataPath: 'data',
      mappings: [{ field: 'defect.code', vt: 'msg', v: 'payload.data.defect' }, { field: 'note', vt: 'msg', v: 'payload.data.description' }],
      maxIds: 10000, ...at(0, 0), wires: [['wf5-hold', 'wf5-publish']],
    },
    c.event(z, 'wf5-hold', 'hold.placed', 'mfg.quality.hold.placed.v1', [
      ['holdId', 'jsonata', '"HOLD-" & payload.data.ncId'], ['material', 'msg', 'payload.data.material'], ['lot', 'msg', 'payload.data.lot'],
      ['ncId', 'msg', 'payload.data.ncId'], ['reason', 'jsonata', '{"code": payload.data.defect.code, "text": "nonconformance " & payload.data.ncId}'],
      ['placedAt', 'jsonata', '$now()'],
    ], ['wf5-validate'], at(1, 0)),
    c.validate(z, 'wf5-validate', ['wf5-erp-hold', 'wf5-block', 'wf5-publish', 'wf5-remember'], [], at(2, 0)),
    c.fn(z, 'wf5-remember', 'holds by lot', "const holds = flow.get('holds') || {};\nholds[msg.payload.data.lot] = msg.payload.data.holdId;\nflow.set('holds', holds);\nreturn null;", [[]], at(3, 2)),
    c.erp(z, 'wf5-erp-hold', 'SAP: to blocked stock (344)', 'placeQualityHold', ['wf5-ok'], ['wf5-failed'], at(4, 0)),
    c.wms(z, 'wf5-block', 'WMS: block shipment', 'blockShipment', ['wf5-ok'], ['wf5-failed'], at(4, 1)),
    c.inject(z, 'wf5-deviation', 'QMS: deviation approved for lot B0001', { deviationId: 'DEV-0001', lot: 'B0001', material: 'FG226', disposition: 'use-as-is', approvedBy: 'quality.engineer' }, ['wf5-dev-event'], at(0, 3)),
    c.event(z, 'wf5-dev-event', 'deviation.approved', 'mfg.quality.deviation.approved.v1', null, ['wf5-which', 'wf5-publish'], at(1, 3)),
    c.fn(z, 'wf5-which', 'the hold of the lot', [
      "const holds = flow.get('holds') || {};",
      'const d = msg.payload.data;',
      "const holdId = holds[d.lot] || (d.ncId ? 'HOLD-' + d.ncId : undefined);",
      "if (!holdId) { node.warn('no hold on lot ' + d.lot + ': nothing to release'); return null; }",
      'delete holds[d.lot];',
      "flow.set('holds', holds);",
      'msg.holdId = holdId;',
      'return msg;',
    ].join('\n'), [['wf5-released']], at(2, 3)),
    c.event(z, 'wf5-released', 'hold.released', 'mfg.quality.hold.released.v1', [
      ['holdId', 'msg', 'holdId'], ['material', 'msg', 'payload.data.material'], ['lot', 'msg', 'payload.data.lot'],
      ['deviationId', 'msg', 'payload.data.deviationId'], ['releasedAt', 'jsonata', '$now()'],
    ], ['wf5-erp-release', 'wf5-unblock', 'wf5-publish'], at(3, 3)),
    c.erp(z, 'wf5-erp-release', 'SAP: back to unrestricted (343)', 'releaseQualityHold', ['wf5-ok'], ['wf5-failed'], at(4, 3)),
    c.wms(z, 'wf5-unblock', 'WMS: release shipment', 'releaseShipmentBlock', ['wf5-ok'], ['wf5-failed'], at(4, 4)),
    c.publish(z, 'wf5-publish', 'backbone', at(6, 2)),
    c.debug(z, 'wf5-ok', 'posted', 'result', at(6, 0), 'result.document'),
    c.debug(z, 'wf5-failed', 'failure (error)', 'error', at(6, 4)),
  ];
}

module.exports = { wf1, wf2, wf3, wf4, wf5, LINK_PRODUCTION };

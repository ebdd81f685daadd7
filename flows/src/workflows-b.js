// Workflows 6 to 9: lot genealogy, downtime and maintenance from OPC UA, store-and-forward
// with dead letters, one governed stream with many subscribers.
'use strict';
const c = require('./common');
const { LINK_PRODUCTION } = require('./workflows-a');

const { at } = c;

function wf6() {
  const z = 'wf6';
  const genealogy = {
    lot: 'B0100', material: 'FG226', orderId: '1000123',
    components: [{ material: 'RM100', lot: 'RB001', quantity: { value: 2.5, unit: 'KG' } }, { material: 'RM200', lot: 'RB002', quantity: { value: 10, unit: 'PC' } }],
  };
  return [
    c.tab(z, '6 Lot genealogy', 'traceability.updated links a finished lot to the component lots it was built from, in the QMS.'),
    c.comment(z, 'wf6-note', '6 Lot genealogy: traceability.updated -> QMS traceability links',
      'When a finished lot is closed the MES reports which component lots went into it. The **traceability.updated** event is validated, posted once by `mfg-qms` **updateTraceability** and published.\n\n' +
      'Watch: `GET ${MFG_QMS_URL}/api/v1/traceability/lots/B0100?direction=backward` lists RB001 and RB002; a recall query forward from RB001 finds B0100.'),
    c.inject(z, 'wf6-inject', 'MES: lot B0100 built from RB001 + RB002', genealogy, ['wf6-stamp'], at(0, 0)),
    c.fn(z, 'wf6-stamp', 'recorded time', 'msg.payload.recordedAt = new Date().toISOString();\nreturn msg;', [['wf6-event']], at(1, 0)),
    c.event(z, 'wf6-event', 'traceability.updated', 'mfg.quality.traceability.updated.v1', null, ['wf6-validate'], at(2, 0)),
    c.validate(z, 'wf6-validate', ['wf6-qms', 'wf6-publish'], [], at(3, 0)),
    c.qms(z, 'wf6-qms', 'QMS genealogy', 'updateTraceability', ['wf6-ok'], ['wf6-failed'], at(4, 0)),
    c.publish(z, 'wf6-publish', 'backbone', at(4, 1)),
    c.debug(z, 'wf6-ok', 'QMS genealogy', 'result', at(5, 0), 'result.document'),
    c.debug(z, 'wf6-failed', 'QMS failure (error)', 'error', at(5, 1)),
  ];
}

/** mfg-signal rules of one line: the plant simulator's rules with the ERP spare bearing. */
function rules(line, source) {
  const { plantRules } = require('../../dist/sim/plant/rules');
  return plantRules({ line, source }).map((r) => (r.sparePart ? { ...r, sparePart: 'SP001', spareQty: 2 } : r));
}

const CODES = '17, breakdown, unplanned, Spindle drive fault\n31, material-shortage, unplanned, No material at infeed\n40, quality, unplanned, Quality check failed\n50, changeover, planned, Changeover / setup\n55, planned-maintenance, planned, Planned maintenance';

/** What every line does with the events of its mfg-signal node. */
function lineEvents(z, p, pos) {
  const [x, y] = [pos.col, pos.row];
  return [
    {
      id: `${p}-route`, type: 'switch', z, name: 'by event type', property: 'payload.type', propertyType: 'msg',
      rules: [{ t: 'cont', v: '.maintenance.spare-parts.', vt: 'str' }, { t: 'cont', v: '.maintenance.', vt: 'str' }, { t: 'cont', v: '.production.quantity.confirmed.', vt: 'str' }, { t: 'else' }],
      checkall: 'false', repair: false, outputs: 4, ...at(x, y),
      wires: [[`${p}-purchase`, `${p}-publish`], [`${p}-publish`], [`${p}-link`], [`${p}-publish`]],
    },
    c.erp(z, `${p}-purchase`, 'ERP purchase request', 'requestPurchase', [`${p}-ok`], [`${p}-failed`], at(x + 1, y)),
    c.publish(z, `${p}-publish`, 'backbone', at(x + 1, y + 1)),
    { id: `${p}-link`, type: 'link out', z, name: 'to production confirmation', mode: 'link', links: [LINK_PRODUCTION], ...at(x + 1, y + 2), wires: [] },
    c.debug(z, `${p}-ok`, 'purchase requisition', 'result', at(x + 2, y), 'result.document'),
    c.debug(z, `${p}-failed`, 'ERP failure (error)', 'error', at(x + 2, y + 1)),
  ];
}

function signal(z, id, name, ruleList, wires, pos) {
  return {
    id, type: 'mfg-signal', z, name, plant: 'mfg-cfg-plant', persist: true, store: 'mfg-cfg-store', rules: ruleList, codes: CODES,
    minStopSec: 10, shifts: '', ctx: '', ctxType: 'none', ...pos, wires: [wires],
  };
}

function wf7(o = {}) {
  const z = 'wf7';
  const line = 'L1';
  const ms = o.intervalMs || 100;
  const nodeIds = (m) => ['State', 'AlarmCode', 'GoodCount', 'ScrapCount', 'Temperature', 'Vibration', 'OrderId', 'OperationId'].map((s) => ({ nodeId: `ns=1;s=${line}.${m}.${s}` }));
  const client = (id, name, pos) => ({
    id, type: 'OpcUa-Client', z, name, endpoint: 'wf7-opcua', action: 'subscribe', time: ms, timeUnit: 'ms', deadbandtype: 'a', deadbandvalue: 0,
    certificate: 'n', localfile: '', localkeyfile: '', securitymode: 'None', securitypolicy: 'None', useTransport: false, maxChunkCount: 1,
    maxMessageSize: 8192, receiveBufferSize: 8192, sendBufferSize: 8192, setstatusandtime: false, keepsessionalive: false, ...pos, wires: [['wf7-signal'], [], []],
  });
  const sub = (id, m, pos) => ({
    id, type: 'inject', z, name: `subscribe ${line}.${m}`, props: [{ p: 'topic', vt: 'str' }, { p: 'payload' }], repeat: '', crontab: '', once: true, onceDelay: 1,
    topic: 'multiple', payload: JSON.stringify(nodeIds(m)), payloadType: 'json', ...pos, wires: [[`wf7-client-${m}`]],
  });
  return [
    c.tab(z, '7 Downtime and maintenance (OPC UA line L1)', 'OPC UA machine signals become downtime, capacity, predictive alerts and spare-part demands; a demand becomes an ERP purchase requisition.'),
    c.comment(z, 'wf7-note', '7 Downtime and maintenance: OPC UA -> mfg-signal -> downtime / capacity / alerts -> ERP purchase request',
      'Line L1 is read over OPC UA (`${MFG_OPCUA_URL}`, node ids `ns=1;s=L1.<machine>.<signal>`) with the OpcUa-Client of node-red-contrib-opcua (install it from the palette manager). `mfg-signal` turns the raw signals into business events; nothing raw reaches ERP:\n\n' +
      '- machine state + alarm code -> **downtime.classified** (alarm 17 breakdown, 31 material shortage, 50 changeover) and **capacity.restored** when the machine runs again;\n' +
      '- vibration over 7 mm/s -> **predictive-alert.raised** and **spare-parts.demanded** (2 x SP001 bearing) -> `mfg-erp` **requestPurchase** (SAP purchase requisition);\n' +
      '- good-part counters -> **quantity.confirmed**, linked to workflow 1 for the ERP confirmation.\n\n' +
      'Watch: maintenance events under `<enterprise>/<site>/<area>/<line>/events/maintenance/#`, the ERP ledger `purchase-requisition`.'),
    { id: 'wf7-opcua', type: 'OpcUa-Endpoint', endpoint: '${MFG_OPCUA_URL}', secpol: 'None', secmode: 'None', none: true, login: false, usercert: false, usercertificate: '', userprivatekey: '' },
    sub('wf7-sub-M1', 'M1', at(0, 0)),
    sub('wf7-sub-M2', 'M2', at(0, 1)),
    client('wf7-client-M1', `OPC UA ${line}.M1`, at(1, 0)),
    client('wf7-client-M2', `OPC UA ${line}.M2`, at(1, 1)),
    signal(z, 'wf7-signal', 'line L1 signals', rules(line, 'opcua'), ['wf7-route'], at(2, 0)),
    ...lineEvents(z, 'wf7', { col: 3, row: 0 }),
  ];
}

/** The demo's second line, over MQTT telemetry (not an example of its own). */
function lineMqtt() {
  const z = 'line2';
  const line = 'L2';
  return [
    c.tab(z, 'Line L2 (MQTT)', 'The second line of the demo plant: the same machines, read as MQTT telemetry.'),
    c.comment(z, 'line2-note', 'Line L2: MQTT telemetry -> mfg-signal -> the same business events',
      'The gateway of line L2 publishes JSON `{"value","timestamp","quality"}` on `plant/L2/<machine>/<signal>`. The rules bind the topics to roles; the events are handled as for line L1.'),
    { id: 'line2-broker', type: 'mqtt-broker', name: 'line L2 gateway', broker: '${MFG_MQTT_HOST}', port: '${MFG_MQTT_PORT}', clientid: '', autoConnect: true, usetls: false, protocolVersion: '4', keepalive: '60', cleansession: true },
    { id: 'line2-in', type: 'mqtt in', z, name: 'line L2 telemetry', topic: `plant/${line}/#`, qos: '1', datatype: 'auto-detect', broker: 'line2-broker', nl: false, rap: true, rh: 0, inputs: 0, ...at(0, 0), wires: [['line2-signal']] },
    signal(z, 'line2-signal', 'line L2 signals', rules(line, 'mqtt'), ['line2-route'], at(1, 0)),
    ...lineEvents(z, 'line2', { col: 2, row: 0 }),
  ];
}

function wf8() {
  const z = 'wf8';
  return [
    c.tab(z, '8 Store-and-forward and dead letters', 'Events and ERP postings wait in durable outboxes while the WAN is down and drain when it returns; dead letters are triaged and replayed.'),
    c.comment(z, 'wf8-note', '8 Store-and-forward: durable outboxes across WAN loss; dead letters triaged and replayed',
      'Completions arrive from the MES (inject, or `POST <httpNodeRoot>/mes/completions` with the operation.completed data). Each goes to:\n\n' +
      '- `mfg-publish`: persisted in its SQLite outbox, sent with QoS 1 when the broker is reachable, in order per order number;\n' +
      '- `mfg-erp` **confirmProduction**: persisted in its outbox (the HTTP caller gets its 202 only then, through the Complete node), retried with backoff while the WAN or SAP is down (the circuit breaker shows in the status), posted exactly once when it returns. A Node-RED crash or power cut meanwhile loses nothing.\n\n' +
      'Permanent failures (e.g. an order that is not released) become **dead letters**. `mfg-dlq` lists them (`GET /mfg-connect/dlq/<node>/letters` on the admin API, or the monitor sidebar); after the cause is fixed, replay (`POST /mfg-connect/dlq/<node>/replay`) sends them back into the confirmation.\n\n' +
      'Watch: node status "n queued" while the WAN is down; the ERP ledger and the backbone get every completion exactly once afterwards.'),
    c.inject(z, 'wf8-inject', 'MES: 0020 of 1000123 completed, 1 PC', { orderId: '1000123', operationId: '0020', workCenter: 'TEST01', yield: { value: 1, unit: 'PC' } }, ['wf8-stamp'], at(0, 0)),
    { id: 'wf8-http', type: 'http in', z, name: '', url: '/mes/completions', method: 'post', upload: false, swaggerDoc: '', ...at(0, 1), wires: [['wf8-stamp']] },
    // the MES gets its answer only once the ERP outbox holds the completion
    { id: 'wf8-stored', type: 'complete', z, name: 'stored in the ERP outbox', scope: ['wf8-confirm'], uncaught: false, ...at(0, 3), wires: [['wf8-has-res']] },
    { id: 'wf8-has-res', type: 'switch', z, name: 'from HTTP?', property: 'res', propertyType: 'msg', rules: [{ t: 'nnull' }], checkall: 'true', repair: false, outputs: 1, ...at(1, 3), wires: [['wf8-ack']] },
    { id: 'wf8-ack', type: 'http response', z, name: '202', statusCode: '202', headers: {}, ...at(2, 3), wires: [] },
    c.fn(z, 'wf8-stamp', 'completion time and counter', [
      '// each completion of the MES is a confirmation of its own',
      "const n = (flow.get('counter') || 0) + 1;",
      "flow.set('counter', n);",
      'const d = Object.assign({}, msg.payload);',
      'd.completedAt = d.completedAt || new Date().toISOString();',
      'if (d.confirmationCounter === undefined) d.confirmationCounter = n;',
      'msg.payload = d;',
      'return msg;',
    ].join('\n'), [['wf8-event']], at(1, 0)),
    c.event(z, 'wf8-event', 'operation.completed', 'mfg.production.operation.completed.v1', null, ['wf8-publish', 'wf8-confirm'], at(2, 0)),
    c.publish(z, 'wf8-publish', 'backbone (outbox)', at(3, 0)),
    c.erp(z, 'wf8-confirm', 'SAP confirmation (outbox)', 'confirmProduction', ['wf8-ok'], ['wf8-failed'], at(3, 1)),
    c.debug(z, 'wf8-ok', 'confirmed', 'result', at(4, 1), 'result.document'),
    c.debug(z, 'wf8-failed', 'dead-lettered (error)', 'error', at(4, 2)),
    c.dlq(z, 'wf8-dlq', 'dead letters', ['wf8-replay'], at(1, 5)),
    c.fn(z, 'wf8-replay', 'replayed', "node.warn('replaying dead letter ' + msg.replay.deadLetterId + ': ' + msg.replay.reason);\nreturn msg;", [['wf8-confirm']], at(2, 5)),
  ];
}

function wf9() {
  const z = 'wf9';
  return [
    c.tab(z, '9 One governed stream, many subscribers', 'Events are published once; ERP, WMS, QMS and an analytics sink each subscribe to the types they need.'),
    c.comment(z, 'wf9-note', '9 One stream, many subscribers: each system takes what it needs',
      'The MES publishes its events once to the backbone. Consumers subscribe by event type, validate, guard against redelivery and act:\n\n' +
      '- QMS: **inspection.failed** -> recordInspectionResult;\n' +
      '- WMS: **warehouse-transfer.triggered** -> createTransferTask;\n' +
      '- ERP: **replenishment.requested** -> requestPurchase;\n' +
      '- analytics: **mfg.\\*** -> counts per event type, served at `GET <httpNodeRoot>/analytics/event-counts`.\n\n' +
      'Adding a consumer never touches the producer. Watch: QMS inspection results, WMS transfer tasks, ERP purchase requisitions and the counts.'),
    c.inject(z, 'wf9-inject', 'MES: publish a shift\'s events', '', ['wf9-shift'], at(0, 0)),
    c.fn(z, 'wf9-shift', 'three events of the shift', [
      'const now = new Date().toISOString();',
      'return [',
      "  { payload: { inspectionLot: 'IL-' + Date.now(), material: 'FG226', lot: 'B0100', characteristic: 'BORE-DIA', measured: 25.31, lowerLimit: 24.95, upperLimit: 25.05, unit: 'MMT', inspectedAt: now } },",
      "  { payload: { material: 'RM200', lot: 'RB002', plant: '1710', quantity: { value: 50, unit: 'PC' }, from: '171B', to: 'LINE1-SUPPLY', triggeredAt: now } },",
      "  { payload: { material: 'RM100', plant: '1710', quantity: { value: 200, unit: 'KG' }, destination: '171B', requestedAt: now } },",
      '];',
    ].join('\n'), [['wf9-ev-insp'], ['wf9-ev-transfer'], ['wf9-ev-repl']], at(1, 0), 3),
    c.event(z, 'wf9-ev-insp', 'inspection.failed', 'mfg.quality.inspection.failed.v1', null, ['wf9-publish'], at(2, 0)),
    c.event(z, 'wf9-ev-transfer', 'warehouse-transfer.triggered', 'mfg.material.warehouse-transfer.triggered.v1', null, ['wf9-publish'], at(2, 1)),
    c.event(z, 'wf9-ev-repl', 'replenishment.requested', 'mfg.material.replenishment.requested.v1', null, ['wf9-publish'], at(2, 2)),
    c.publish(z, 'wf9-publish', 'backbone', at(3, 1)),
    consumer(z, 'qms', 'QMS: inspection.failed', 'mfg.quality.inspection.failed', c.qms, 'recordInspectionResult', 4),
    consumer(z, 'wms', 'WMS: warehouse-transfer.triggered', 'mfg.material.warehouse-transfer.triggered', c.wms, 'createTransferTask', 5),
    consumer(z, 'erp', 'ERP: replenishment.requested', 'mfg.material.replenishment.requested', c.erp, 'requestPurchase', 6),
    c.subscribe(z, 'wf9-sub-all', 'analytics: mfg.*', 'mfg.*', ['wf9-count'], [], at(0, 7)),
    c.fn(z, 'wf9-count', 'count per type', "const counts = flow.get('counts') || {};\ncounts[msg.payload.type] = (counts[msg.payload.type] || 0) + 1;\nflow.set('counts', counts);\nreturn null;", [[]], at(1, 7)),
    { id: 'wf9-http', type: 'http in', z, name: '', url: '/analytics/event-counts', method: 'get', upload: false, swaggerDoc: '', ...at(0, 8), wires: [['wf9-counts']] },
    c.fn(z, 'wf9-counts', 'counts', "msg.payload = flow.get('counts') || {};\nreturn msg;", [['wf9-res']], at(1, 8)),
    { id: 'wf9-res', type: 'http response', z, name: '', statusCode: '', headers: {}, ...at(2, 8), wires: [] },
  ].flat();
}

function consumer(z, sys, name, type, make, op, row) {
  const p = `wf9-${sys}`;
  return [
    c.subscribe(z, `${p}-sub`, name, type, [`${p}-validate`], [], at(0, row)),
    c.validate(z, `${p}-validate`, [`${p}-guard`], [], at(1, row)),
    c.idempotency(z, `${p}-guard`, 'once per event', '', 'eventid', `wf9-${sys}`, [`${p}-post`], [], at(2, row)),
    make(z, `${p}-post`, `${sys.toUpperCase()} ${op}`, op, [`${p}-ok`], [`${p}-ok`], at(3, row)),
    c.debug(z, `${p}-ok`, `${sys.toUpperCase()} result`, 'result', at(4, row), 'result.document'),
  ];
}

module.exports = { wf6, wf7, wf8, wf9, lineMqtt };

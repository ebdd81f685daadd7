'use strict';
// rest profile against the ERP, WMS and QMS simulators: every operation, Idempotency-Key
// replays after lost replies, problem details.
const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startErpSim, startWmsSim, startQmsSim } = require('../../dist/sim');
const { createConnector } = require('../../dist/lib/connectors');
const { createStore } = require('../../dist/lib/store');
const { ledger, state, fault, reset, stockQty, rejects } = require('./connector-sim');

let erp;
let wms;
let qms;
const conns = {};
let store;

function conn(role) {
  const s = { erp, wms, qms }[role];
  return createConnector({ name: `rest-${role}`, role, profile: 'rest', baseUrl: s.url, auth: { type: 'apikey', apiKeyHeader: 'X-API-Key', apiKey: 'k' }, timeoutMs: 3000 });
}

async function post(role, op, data, key, attempt = 1) {
  const c = conns[role];
  const { input } = c.prepare(op, data);
  return c.post(op, input, key, { attempt, store });
}

describe('rest profile', () => {
  before(async () => {
    [erp, wms, qms] = await Promise.all([startErpSim({ port: 0 }), startWmsSim({ port: 0 }), startQmsSim({ port: 0 })]);
    for (const r of ['erp', 'wms', 'qms']) conns[r] = conn(r);
  });
  after(async () => {
    for (const c of Object.values(conns)) c.close();
    await Promise.all([erp.close(), wms.close(), qms.close()]);
  });
  beforeEach(async () => {
    await Promise.all([reset(erp), reset(wms), reset(qms)]);
    store = createStore({ kind: 'memory' });
  });

  it('offers per role only that role\'s operations', () => {
    assert.equal(conns.wms.supports('createPutawayTask'), true);
    assert.equal(conns.wms.supports('confirmProduction'), false);
    assert.deepEqual(conns.qms.operations().map((o) => o.name), ['createNonconformance', 'recordInspectionResult', 'updateTraceability']);
    assert.throws(() => conns.wms.prepare('confirmProduction', {}), /not offered by the rest profile for role wms/);
    assert.throws(() => conns.erp.prepare('confirmProduction', { orderId: '1' }), /missing "operationId", "yield"/);
  });

  it('ERP: confirmation, goods movements, holds, orders, requisitions, with the key as Idempotency-Key', async () => {
    const conf = await post('erp', 'confirmProduction', { orderId: '1000123', operationId: '0010', yield: { value: 50, unit: 'PC' }, confirmationCounter: 1,
      goodsMovements: [{ material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B0500', movementType: '101', quantity: { value: 50, unit: 'PC' } }] }, 'confirmProduction:1000123:0010:1');
    assert.ok(conf.document);
    await post('erp', 'postGoodsIssue', { orderId: '1000123', material: 'RM100', plant: '1710', storageLocation: '171B', lot: 'RB001', quantity: { value: 10, unit: 'KG' } }, 'gi-r1');
    const gr = await post('erp', 'postGoodsReceipt', { orderId: '1000123', material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B0501', quantity: { value: 3, unit: 'PC' } }, 'gr-r1');
    assert.match(gr.document, /^\d+\/\d{4}$/);
    await post('erp', 'placeQualityHold', { holdId: 'H9', material: 'FG226', plant: '1710', lot: 'B0500' }, 'placeQualityHold:H9');
    let st = await state(erp);
    assert.equal(stockQty(st, 'FG226', '171A', 'B0500', 'blocked'), 50);
    assert.equal(stockQty(st, 'RM100', '171B', 'RB001'), 490);
    assert.equal(stockQty(st, 'FG226', '171A', 'B0501'), 3);
    await post('erp', 'releaseQualityHold', { holdId: 'H9', material: 'FG226', plant: '1710', lot: 'B0500', storageLocation: '171A', quantity: { value: 20, unit: 'PC' } }, 'releaseQualityHold:H9');
    st = await state(erp);
    assert.equal(stockQty(st, 'FG226', '171A', 'B0500', 'blocked'), 30);
    const order = await post('erp', 'createProductionOrder', { material: 'FG226', plant: '1710', quantity: { value: 5, unit: 'PC' } }, 'po-r1');
    const rel = await post('erp', 'releaseProductionOrder', { orderId: order.document }, `releaseProductionOrder:${order.document}`);
    assert.equal(rel.data.status, 'REL');
    const pr = await post('erp', 'requestPurchase', { material: 'SP001', plant: '1710', quantity: { value: 2, unit: 'PC' }, neededBy: '2026-12-01T00:00:00Z' }, 'pr-r1');
    assert.ok(pr.document);
    const l = await ledger(erp);
    assert.deepEqual(l.map((e) => e.kind), ['confirmation', 'material-document', 'material-document', 'material-document', 'material-document', 'production-order', 'order-release', 'purchase-requisition']);
    assert.deepEqual(l.map((e) => e.key), ['confirmProduction:1000123:0010:1', 'gi-r1', 'gr-r1', 'placeQualityHold:H9', 'releaseQualityHold:H9', 'po-r1', `releaseProductionOrder:${order.document}`, 'pr-r1']);
  });

  it('ERP queries: order, routing, item, stock; problem details on errors', async () => {
    const c = conns.erp;
    assert.match((await c.check()).checked, /^reachable \(HTTP \d+\)$/);
    const o = await c.getProductionOrder('1000123');
    assert.equal(o.status, 'REL');
    assert.equal(o.operations.length, 2);
    const r = await c.getRouting('1000123');
    assert.deepEqual(r.operations.map((x) => x.costCenter), ['CC4711', 'CC4712']);
    assert.equal((await c.getItem('RM100')).baseUnit, 'KG');
    const av = await c.checkAvailability('FG226', '1710');
    assert.deepEqual(av.totals, { unrestricted: 20, quality: 0, blocked: 0 });
    const nf = await rejects(() => c.getItem('NOPE'));
    assert.equal(nf.kind, 'not-found');
    const short = await rejects(() => post('erp', 'postGoodsIssue', { orderId: '1000123', material: 'RM100', plant: '1710', storageLocation: '171B', lot: 'RB001', quantity: { value: 5000, unit: 'KG' } }, 'gi-short'));
    assert.equal(short.kind, 'validation');
    assert.equal(short.status, 422);
    assert.match(short.message, /Deficit/);
  });

  it('drop-after-commit: the retry is replayed by the server, one ledger entry', async () => {
    await fault(wms, { mode: 'drop-after-commit' });
    const data = { orderId: '1000123', material: 'FG226', lot: 'B0001', quantity: { value: 20, unit: 'PC' }, handlingUnit: 'HU-1' };
    const e = await rejects(() => post('wms', 'createPutawayTask', data, 'createPutawayTask:HU-1'));
    assert.equal(e.outcomeUnknown, true);
    await fault(wms, { mode: 'none' });
    const r = await post('wms', 'createPutawayTask', data, 'createPutawayTask:HU-1', 2);
    assert.equal(r.duplicate, true, 'the server replayed its stored answer');
    assert.match(r.document, /^PT-\d+$/);
    assert.equal((await ledger(wms, 'putaway-task')).length, 1);
    assert.equal((await state(wms)).tasks.length, 1);
  });

  it('a hold of a whole lot is fixed before sending, so a retry after a lost reply replays instead of failing', async () => {
    const c = conns.erp;
    const { input } = c.prepare('placeQualityHold', { holdId: 'H5', material: 'FG226', plant: '1710', lot: 'B0001' });
    await c.resolve('placeQualityHold', input);
    assert.deepEqual(input.stockRows, [{ storageLocation: '171A', quantity: { value: 20, unit: 'PC' } }]);
    await fault(erp, { mode: 'drop-after-commit' });
    await rejects(() => c.post('placeQualityHold', input, 'placeQualityHold:H5', { store }));
    await fault(erp, { mode: 'none' });
    const r = await c.post('placeQualityHold', input, 'placeQualityHold:H5', { attempt: 2, store });
    assert.equal(r.duplicate, true);
    assert.equal((await ledger(erp, 'material-document')).length, 1);
    assert.equal(stockQty(await state(erp), 'FG226', '171A', 'B0001', 'blocked'), 20);
  });

  it('WMS: transfer, confirm, block and release shipments', async () => {
    const t = await post('wms', 'createTransferTask', { material: 'RM100', lot: 'RB001', quantity: { value: 25, unit: 'KG' }, from: '171B', destination: 'LINE-1' }, 'tt-1');
    assert.match(t.document, /^TT-/);
    const done = await post('wms', 'confirmTask', { taskId: t.document }, `confirmTask:${t.document}`);
    assert.equal(done.data.status, 'confirmed');
    const again = await rejects(() => post('wms', 'confirmTask', { taskId: t.document }, 'confirm-other-key'));
    assert.equal(again.kind, 'conflict');
    const b = await post('wms', 'blockShipment', { holdId: 'H1', lot: 'B0001', material: 'FG226', reason: { code: 'NC', text: 'scratches' } }, 'blockShipment:B0001:H1');
    assert.match(b.document, /^SB-/);
    const rel = await post('wms', 'releaseShipmentBlock', { holdId: 'H1', lot: 'B0001' }, 'releaseShipmentBlock:B0001:H1');
    assert.equal(rel.document, b.document);
    const st = await state(wms);
    assert.equal(st.blocks[0].status, 'released');
    assert.deepEqual((await ledger(wms)).map((e) => e.kind), ['transfer-task', 'task-confirmation', 'shipment-block', 'shipment-release']);
  });

  it('QMS: nonconformance, inspection result, genealogy', async () => {
    const nc = await post('qms', 'createNonconformance', { ncId: 'MES-1', material: 'FG226', lot: 'B0001', defect: { code: 'D-SCRATCH', text: 'scratch on housing' }, severity: 'major', detectedAt: '2026-11-27T08:00:00Z' }, 'createNonconformance:MES-1');
    assert.match(nc.document, /^NC-/);
    const ir = await post('qms', 'recordInspectionResult', { inspectionLot: 'IL1', material: 'FG226', lot: 'B0001', characteristic: 'torque', measured: 9.1, lowerLimit: 10, upperLimit: 12, unit: 'NM', inspectedAt: '2026-11-27T08:05:00Z' }, 'ir-1');
    assert.equal(ir.data.valuation, 'rejected');
    await post('qms', 'updateTraceability', { lot: 'B0001', material: 'FG226', orderId: '1000123', components: [{ material: 'RM100', lot: 'RB001', quantity: { value: 25, unit: 'KG' } }] }, 'trace-1');
    const st = await state(qms);
    assert.equal(st.nonconformances[0].defect, 'D-SCRATCH');
    assert.equal(st.genealogy.length, 1);
    assert.deepEqual((await ledger(qms)).map((e) => e.key), ['createNonconformance:MES-1', 'ir-1', 'trace-1']);
  });
});

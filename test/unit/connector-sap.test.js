'use strict';
// sap-odata profile against the ERP simulator's SAP surface: every operation, its effect on
// stock, orders and the ledger, exactly-once under lost replies, CSRF expiry.
const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startErpSim } = require('../../dist/sim/erp');
const { createConnector, uuidFromKey } = require('../../dist/lib/connectors');
const { createStore } = require('../../dist/lib/store');
const { ledger, state, fault, reset, configure, stockQty, rejects } = require('./connector-sim');

let erp;
let c;
let store;
const cfg = () => ({
  name: 'sap', role: 'erp', profile: 'sap-odata', baseUrl: erp.url, sapClient: '100', timeoutMs: 3000,
  auth: { type: 'basic', username: 'MFG_SAP', password: 'Welcome1' },
});

async function post(op, data, key, attempt = 1, conn = c, st = store) {
  const { input } = conn.prepare(op, data);
  return conn.post(op, input, key, { attempt, store: st });
}

describe('sap-odata profile', () => {
  before(async () => { erp = await startErpSim({ port: 0 }); });
  after(async () => { c && c.close(); await erp.close(); });
  beforeEach(async () => {
    await reset(erp);
    if (c) c.close();
    c = createConnector(cfg());
    store = createStore({ kind: 'memory' });
  });

  it('confirms production with nested goods movements and books stock and order status', async () => {
    const r = await post('confirmProduction', {
      orderId: '1000123', operationId: '0010', yield: { value: 95, unit: 'PC' }, scrap: { value: 5, unit: 'PC' }, confirmationCounter: 1,
      plant: '1710', goodsMovements: [
        { material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B0002', movementType: '101', quantity: { value: 95, unit: 'PC' } },
        { material: 'RM100', plant: '1710', storageLocation: '171B', lot: 'RB001', movementType: '261', quantity: { value: 23.75, unit: 'KG' } },
      ],
    }, 'confirmProduction:1000123:0010:1');
    assert.match(r.document, /^\d+\/\d+$/);
    assert.equal(r.references.erpConfirmation, r.document);
    assert.match(r.references.erpMaterialDocument, /^49\d+\/\d{4}$/);
    const st = await state(erp);
    const order = st.orders.find((o) => o.order === '1000123');
    assert.equal(order.operations.find((o) => o.operation === '0010').confirmedYield, 95);
    assert.equal(order.status, 'PCNF');
    assert.equal(stockQty(st, 'FG226', '171A', 'B0002'), 95);
    assert.equal(stockQty(st, 'RM100', '171B', 'RB001'), 476.25);
    const l = await ledger(erp);
    assert.equal(l.length, 1, 'one business posting, one ledger entry');
    assert.equal(l[0].kind, 'confirmation');
    assert.equal(l[0].key, uuidFromKey('confirmProduction:1000123:0010:1'));
  });

  it('answers a repeated posting from the posting record, and from SAP when the record is gone', async () => {
    const data = { orderId: '1000123', operationId: '0020', yield: { value: 10, unit: 'PC' }, confirmationCounter: 1 };
    const first = await post('confirmProduction', data, 'k-dup');
    const again = await post('confirmProduction', data, 'k-dup');
    assert.equal(again.duplicate, true);
    assert.equal(again.document, first.document);
    // another instance without the record: SAP refuses the external id (RU/505), the connector finds the original
    const other = createConnector(cfg());
    const third = await post('confirmProduction', data, 'k-dup', 1, other, createStore({ kind: 'memory' }));
    other.close();
    assert.equal(third.document, first.document);
    assert.equal(third.duplicate, true);
    assert.equal((await ledger(erp, 'confirmation')).length, 1);
    assert.equal((await state(erp)).orders.find((o) => o.order === '1000123').operations.find((o) => o.operation === '0020').confirmedYield, 10);
  });

  it('drop-after-commit: the retry looks up and finds the posting, the ledger holds it once', async () => {
    await fault(erp, { mode: 'drop-after-commit' });
    const data = { orderId: '1000123', material: 'RM100', plant: '1710', storageLocation: '171B', lot: 'RB001', quantity: { value: 5, unit: 'KG' } };
    const e = await rejects(() => post('postGoodsIssue', data, 'gi-1'));
    assert.equal(e.kind, 'transport');
    assert.equal(e.outcomeUnknown, true);
    await fault(erp, { mode: 'none' });
    const r = await post('postGoodsIssue', data, 'gi-1', 2);
    assert.equal(r.recovered, true);
    assert.match(r.document, /^49\d+\/\d{4}$/);
    assert.equal((await ledger(erp, 'material-document')).length, 1);
    assert.equal(stockQty(await state(erp), 'RM100', '171B', 'RB001'), 495);
    // the same for a confirmation
    await fault(erp, { mode: 'drop-after-commit' });
    const conf = { orderId: '1000123', operationId: '0010', yield: { value: 1, unit: 'PC' }, confirmationCounter: 7 };
    await rejects(() => post('confirmProduction', conf, 'conf-7'));
    await fault(erp, { mode: 'none' });
    assert.equal((await post('confirmProduction', conf, 'conf-7', 2)).recovered, true);
    assert.equal((await ledger(erp, 'confirmation')).length, 1);
  });

  it('a timeout while SAP is slow: the late booking is found before the retry, booked once', async () => {
    const slow = createConnector({ ...cfg(), timeoutMs: 300 });
    try {
      const { input } = slow.prepare('postGoodsReceipt', { orderId: '1000123', material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'BL1', quantity: { value: 4, unit: 'PC' } });
      await slow.profile.session.write('GET', 'API_MATERIAL_DOCUMENT_SRV', '', undefined, 'warm').catch(() => undefined); // CSRF token before the slowness
      await fault(erp, { mode: 'latency', latencyMs: 800 });
      const e = await rejects(() => slow.post('postGoodsReceipt', input, 'slow-1', { store }));
      assert.equal(e.kind, 'transport');
      assert.equal(e.outcomeUnknown, true);
      await fault(erp, { mode: 'none' });
      await new Promise((r) => setTimeout(r, 700)); // SAP finishes the request the client gave up on
      const r = await slow.post('postGoodsReceipt', input, 'slow-1', { attempt: 2, store });
      assert.equal(r.recovered, true);
      assert.equal((await ledger(erp, 'material-document')).length, 1);
    } finally {
      slow.close();
    }
  });

  it('posts goods receipt (101) and goods issue (261) with the key in the header text', async () => {
    const gr = await post('postGoodsReceipt', { orderId: '1000123', material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B0009', quantity: { value: 12, unit: 'PC' } }, 'gr-1');
    const gi = await post('postGoodsIssue', { orderId: '1000123', material: 'RM200', plant: '1710', storageLocation: '171B', lot: 'RB002', quantity: { value: 100, unit: 'PC' } }, 'gi-2');
    const st = await state(erp);
    assert.equal(stockQty(st, 'FG226', '171A', 'B0009'), 12);
    assert.equal(stockQty(st, 'RM200', '171B', 'RB002'), 900);
    const docs = st.materialDocuments;
    assert.deepEqual(docs.map((d) => d.code).sort(), ['02', '03']);
    assert.ok(docs.every((d) => /^MFG-[A-Z2-7]{21}$/.test(d.headerText)));
    assert.notEqual(gr.document, gi.document);
    const l = await ledger(erp, 'material-document');
    assert.equal(l.length, 2);
    assert.equal(new Set(l.map((e) => e.key)).size, 2);
  });

  it('places a quality hold on all of a lot (344) and releases it (343)', async () => {
    const hold = { holdId: 'H-1', material: 'FG226', plant: '1710', lot: 'B0001', reason: { code: 'NC' } };
    await post('placeQualityHold', hold, 'placeQualityHold:H-1');
    let st = await state(erp);
    assert.equal(stockQty(st, 'FG226', '171A', 'B0001'), 0);
    assert.equal(stockQty(st, 'FG226', '171A', 'B0001', 'blocked'), 20);
    await post('releaseQualityHold', hold, 'releaseQualityHold:H-1');
    st = await state(erp);
    assert.equal(stockQty(st, 'FG226', '171A', 'B0001'), 20);
    assert.equal(stockQty(st, 'FG226', '171A', 'B0001', 'blocked'), 0);
    assert.equal((await ledger(erp, 'material-document')).length, 2);
  });

  it('reports a stock shortage with the SAP message, permanent, nothing booked', async () => {
    const e = await rejects(() => post('postGoodsIssue', { orderId: '1000123', material: 'RM100', plant: '1710', storageLocation: '171B', lot: 'RB001', quantity: { value: 9999, unit: 'KG' } }, 'gi-x'));
    assert.equal(e.kind, 'validation');
    assert.equal(e.retryable, false);
    assert.match(e.message, /Deficit of SL Unrestricted-use/);
    assert.equal((await ledger(erp)).length, 0);
    assert.equal((await store.get('connector:sap', 'gi-x')), undefined, 'a failure that booked nothing frees the key');
  });

  it('creates and releases production orders', async () => {
    const created = await post('createProductionOrder', { material: 'FG226', plant: '1710', quantity: { value: 40, unit: 'PC' } }, 'create-1');
    assert.match(created.document, /^10002\d\d$/);
    const rel = await post('releaseProductionOrder', { orderId: '1000124' }, 'releaseProductionOrder:1000124');
    assert.equal(rel.data.status, 'REL');
    assert.equal(rel.data.released, true);
    const st = await state(erp);
    assert.equal(st.orders.find((o) => o.order === '1000124').status, 'REL');
    assert.equal(st.orders.find((o) => o.order === created.document).status, 'CRTD');
    const kinds = (await ledger(erp)).map((e) => e.kind).sort();
    assert.deepEqual(kinds, ['order-release', 'production-order']);
  });

  it('reads orders, routings, items and stock by type', async () => {
    const order = await c.getProductionOrder('1000123');
    assert.equal(order.material, 'FG226');
    assert.deepEqual(order.quantity, { value: 100, unit: 'PC' });
    assert.equal(order.status, 'REL');
    assert.equal(order.components.length, 2);
    const routing = await c.getRouting('1000123');
    assert.deepEqual(routing.operations.map((o) => [o.operationId, o.workCenter, o.costCenter]), [['0010', 'ASSY01', 'CC4711'], ['0020', 'TEST01', 'CC4712']]);
    const item = await c.getItem('FG226');
    assert.equal(item.description, 'Pump assembly PA-226');
    assert.equal(item.baseUnit, 'PC');
    assert.equal(item.batchManaged, true);
    const av = await c.checkAvailability('RM100', '1710');
    assert.deepEqual(av.totals, { unrestricted: 500, quality: 0, blocked: 0 });
    const missing = await rejects(() => c.getProductionOrder('999'));
    assert.equal(missing.kind, 'not-found');
  });

  it('requests a purchase and finds it again after a lost reply', async () => {
    await fault(erp, { mode: 'drop-after-commit' });
    const data = { material: 'SP001', plant: '1710', quantity: { value: 2, unit: 'PC' }, equipment: 'PRESS-01' };
    await rejects(() => post('requestPurchase', data, 'pr-1'));
    await fault(erp, { mode: 'none' });
    const r = await post('requestPurchase', data, 'pr-1', 2);
    assert.equal(r.recovered, true);
    assert.match(r.document, /^1000000\d$/);
    assert.equal((await ledger(erp, 'purchase-requisition')).length, 1);
  });

  it('fetches a new CSRF token when the old one expired and retries the write once', async () => {
    await configure(erp, { csrfTtlMs: 150 });
    await post('postGoodsReceipt', { orderId: '1000123', material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B1', quantity: { value: 1, unit: 'PC' } }, 'csrf-1');
    await new Promise((r) => setTimeout(r, 300));
    await post('postGoodsReceipt', { orderId: '1000123', material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B1', quantity: { value: 1, unit: 'PC' } }, 'csrf-2');
    assert.equal(c.profile.session.fetches, 2);
    assert.equal((await ledger(erp, 'material-document')).length, 2);
    await configure(erp, { csrfTtlMs: 30 * 60 * 1000 });
  });

  it('classifies maintenance, throttling and server errors in the SAP error shape', async () => {
    await fault(erp, { mode: 'maintenance', retryAfter: 1 });
    let e = await rejects(() => c.getItem('FG226'));
    assert.equal(e.kind, 'unavailable');
    assert.equal(e.retryable, true);
    assert.equal(e.retryAfterMs, 1000);
    await fault(erp, { mode: 'error' });
    e = await rejects(() => c.getItem('FG226'));
    assert.equal(e.kind, 'unavailable');
    assert.equal(e.status, 500);
    await fault(erp, { mode: 'none' });
    const bad = createConnector({ ...cfg(), auth: { type: 'basic', username: 'MFG_SAP', password: 'nope' } });
    e = await rejects(() => bad.getItem('FG226'));
    bad.close();
    assert.equal(e.kind, 'auth');
    assert.equal(e.retryable, false);
  });
});

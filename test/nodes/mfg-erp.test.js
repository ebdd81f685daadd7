'use strict';
// mfg-erp in a real Node-RED runtime against the ERP simulator (SAP surface): outbox,
// follow-up events, duplicates, queries, failures, breaker during maintenance, reservations.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { helper, node, start, stop, nextMsg, collect, until, flow } = require('../helpers/nr');
const { startErpSim } = require('../../dist/sim/erp');
const { acquireStore, releaseStore } = require('../../dist/nodes/shared/store');
const { ledger, state, fault, reset, stockQty } = require('../unit/connector-sim');

const types = [node('mfg-plant'), node('mfg-endpoint'), node('mfg-erp')];
let erp;
let n = 0;

function setup(op, extra = {}, endpoint = {}) {
  const id = `erp${++n}`;
  const nodes = flow([
    { id: 'tab', type: 'tab' },
    { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' },
    {
      id: 'ep', type: 'mfg-endpoint', name: 'S4', role: 'erp', profile: 'sap-odata', baseUrl: erp.url, authType: 'basic', sapClient: '100',
      timeoutMs: 3000, maxConcurrency: 4, retryMax: 50, retryBaseMs: 50, retryMaxMs: 200, breakerThreshold: 2, breakerOpenMs: 300,
      defaults: '{"plant":"1710"}', ...endpoint,
    },
    { id, type: 'mfg-erp', z: 'tab', endpoint: 'ep', operation: op, plant: 'plant', store: '', wires: [['ok'], ['bad']], ...extra },
    { id: 'ok', type: 'helper', z: 'tab' },
    { id: 'bad', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ]);
  return { id, nodes, creds: { ep: { username: 'MFG_SAP', password: 'Welcome1' } } };
}

const completed = (counter, yieldQty = 10, extra = {}) => ({
  specversion: '1.0', id: `ev-${counter}-${n}`, source: '/acme/BER1/assembly/line1/mes', type: 'mfg.production.operation.completed.v1',
  correlationid: 'corr-1', partitionkey: '1000123',
  data: { orderId: '1000123', operationId: '0010', workCenter: 'ASSY01', yield: { value: yieldQty, unit: 'PC' }, confirmationCounter: counter, completedAt: '2026-11-27T08:00:00Z', ...extra },
});

// a state file of its own: a reused process id must not meet an earlier run's records and outboxes
const stateFile = require('path').join(require('../helpers/servers').tmpDir('mfg-conn-'), 'state.db');
const RED = { settings: { mfgConnect: { stateFile } } };

describe('mfg-erp node', () => {
  before(async () => {
    erp = await startErpSim({ port: 0 });
    helper.settings({ mfgConnect: { stateFile } });
    await start();
  });
  afterEach(async () => { await helper.unload(); await fault(erp, { mode: 'none' }); await reset(erp); });
  after(async () => { await stop(); await erp.close(); });

  it('confirms production and sends the follow-up quantity.confirmed event with causation and correlation', async () => {
    const { id, nodes, creds } = setup('confirmProduction');
    await helper.load(types, nodes, creds);
    const ok = nextMsg('ok');
    helper.getNode(id).receive({ payload: completed(1, 42) });
    const msg = await ok;
    assert.equal(msg.result.operation, 'confirmProduction');
    assert.match(msg.result.document, /^\d+\/1$/);
    assert.equal(msg.result.key, 'confirmProduction:1000123:0010:1');
    assert.equal(msg.postingKey, undefined, 'a derived key is not passed on to nodes further down');
    assert.equal(msg.posting, undefined);
    const ev = msg.payload;
    assert.equal(ev.type, 'mfg.production.quantity.confirmed.v2');
    assert.equal(ev.causationid, `ev-1-${n}`);
    assert.equal(ev.correlationid, 'corr-1');
    assert.deepEqual(ev.data.yield, { value: 42, unit: 'PC' });
    assert.equal(ev.data.references.erpConfirmation, msg.result.document);
    assert.equal(msg.topic, 'acme/BER1/assembly/line1/events/production/quantity/confirmed');
    const st = await state(erp);
    assert.equal(st.orders[0].operations[0].confirmedYield, 42);
    assert.equal((await ledger(erp, 'confirmation')).length, 1);
  });

  it('answers a redelivered event with the first document, booking nothing twice', async () => {
    const { id, nodes, creds } = setup('confirmProduction');
    await helper.load(types, nodes, creds);
    const out = collect('ok');
    const ev = completed(2);
    helper.getNode(id).receive({ payload: ev });
    await until(() => out.length === 1);
    helper.getNode(id).receive({ payload: ev });
    await until(() => out.length === 2);
    assert.equal(out[1].result.duplicate, true);
    assert.equal(out[1].result.document, out[0].result.document);
    assert.equal((await ledger(erp, 'confirmation')).length, 1);
  });

  it('answers queries directly with normalised data', async () => {
    const { id, nodes, creds } = setup('getRouting');
    await helper.load(types, nodes, creds);
    const ok = nextMsg('ok');
    helper.getNode(id).receive({ payload: { orderId: '1000123' } });
    const msg = await ok;
    assert.deepEqual(msg.payload.operations.map((o) => o.costCenter), ['CC4711', 'CC4712']);
    assert.equal(msg.result.operation, 'getRouting');
  });

  it('rejects bad input on the failure output and to Catch, without crashing', async () => {
    const { id, nodes, creds } = setup('postGoodsIssue');
    await helper.load(types, nodes, creds);
    const bad = nextMsg('bad');
    const caught = nextMsg('caught');
    helper.getNode(id).receive({ payload: { material: 'RM100' } });
    const msg = await bad;
    assert.equal(msg.error.kind, 'validation');
    assert.match(msg.error.message, /missing "orderId", "quantity"/);
    assert.match((await caught).error.message, /missing "orderId"/);
    helper.getNode(id).receive({ payload: 'not an object' });
    assert.match((await nextMsg('bad')).error.message, /must be a canonical event or an object/);
  });

  it('sends a permanent SAP refusal to the failure output and the dead letters', async () => {
    const { id, nodes, creds } = setup('postGoodsIssue');
    await helper.load(types, nodes, creds);
    const bad = nextMsg('bad');
    helper.getNode(id).receive({ payload: { orderId: '1000123', material: 'RM100', storageLocation: '171B', lot: 'RB001', quantity: { value: 9999, unit: 'KG' } }, postingKey: `short-${n}` });
    const msg = await bad;
    assert.equal(msg.error.kind, 'validation');
    assert.equal(msg.error.status, 400);
    assert.match(msg.error.message, /Deficit of SL Unrestricted-use/);
    const store = acquireStore(RED, undefined);
    try {
      const dl = await store.listDeadLetters({ origin: `mfg-erp:${id}` });
      assert.equal(dl.total, 1);
      assert.match(dl.items[0].reason, /Deficit/);
      // the letter is the original msg with its posting key: replayed into the node it is the same posting
      assert.equal(dl.items[0].msg.payload.material, 'RM100');
      assert.equal(dl.items[0].msg.postingKey, `short-${n}`);
    } finally {
      await releaseStore(store);
    }
  });

  it('maintenance window: the breaker opens, postings wait in the outbox and drain afterwards', async () => {
    await fault(erp, { mode: 'maintenance' });
    const { id, nodes, creds } = setup('postGoodsReceipt');
    await helper.load(types, nodes, creds);
    const out = collect('ok');
    const nr = helper.getNode(id);
    for (let i = 1; i <= 3; i++) {
      nr.receive({ payload: { orderId: '1000123', material: 'FG226', storageLocation: '171A', lot: `BM${i}`, quantity: { value: i, unit: 'PC' } }, postingKey: `maint-${n}-${i}` });
    }
    await until(() => nr.status.args.some((a) => /breaker open/.test(a[0].text || '')), 5000);
    assert.equal(out.length, 0);
    assert.equal((await ledger(erp)).length, 0);
    await fault(erp, { mode: 'none' });
    await until(() => out.length === 3, 10000);
    const st = await state(erp);
    assert.deepEqual([1, 2, 3].map((i) => stockQty(st, 'FG226', '171A', `BM${i}`)), [1, 2, 3]);
    assert.equal((await ledger(erp, 'material-document')).length, 3);
    assert.equal(out[0].payload.type, 'mfg.material.finished-goods.received.v1');
  });

  it('commits the mfg-idempotency reservation it carries with the document reference', async () => {
    const { id, nodes, creds } = setup('postGoodsReceipt');
    await helper.load(types, nodes, creds);
    const store = acquireStore(RED, 'default');
    try {
      const scope = `test-scope-${n}`;
      await store.claim(scope, 'evt-77', { mode: 'eager', leaseMs: 60000, retentionMs: 60000 });
      const ok = nextMsg('ok');
      helper.getNode(id).receive({
        payload: { orderId: '1000123', material: 'FG226', storageLocation: '171A', lot: 'BI1', quantity: { value: 1, unit: 'PC' } },
        postingKey: `idem-${n}`, idempotency: { key: 'evt-77', scope, store: 'default' },
      });
      const msg = await ok;
      const rec = await store.get(scope, 'evt-77');
      assert.equal(rec.state, 'committed');
      assert.equal(rec.result.document, msg.result.document);
    } finally {
      await releaseStore(store);
    }
  });

  it('releases the mfg-idempotency reservation after a permanent failure, so that a corrected retry can pass', async () => {
    const { id, nodes, creds } = setup('postGoodsIssue');
    await helper.load(types, nodes, creds);
    const store = acquireStore(RED, 'default');
    try {
      const scope = `test-scope-${n}`;
      await store.claim(scope, 'evt-78', { mode: 'eager', leaseMs: 60000, retentionMs: 60000 });
      const bad = nextMsg('bad');
      helper.getNode(id).receive({
        payload: { orderId: '1000123', material: 'RM100', storageLocation: '171B', lot: 'RB001', quantity: { value: 99999, unit: 'KG' } },
        postingKey: `idem-rel-${n}`, idempotency: { key: 'evt-78', scope, store: 'default' },
      });
      assert.equal((await bad).error.kind, 'validation');
      await until(async () => (await store.get(scope, 'evt-78')) === undefined, 3000);
    } finally {
      await releaseStore(store);
    }
  });

  it('checks the connection of a deployed endpoint without booking anything', async () => {
    const { nodes, creds } = setup('getItem');
    await helper.load(types, nodes, creds);
    const ok = await helper.request().post('/mfg-connect/endpoints/ep/check').expect(200);
    assert.equal(ok.body.ok, true);
    assert.equal(ok.body.checked, 'CSRF token fetched');
    await helper.unload();
    const wrong = setup('getItem');
    await helper.load(types, wrong.nodes, { ep: { username: 'MFG_SAP', password: 'wrong' } });
    const bad = await helper.request().post('/mfg-connect/endpoints/ep/check').expect(200);
    assert.equal(bad.body.ok, false);
    assert.equal(bad.body.kind, 'auth');
    assert.equal(bad.body.status, 401);
    await helper.request().post('/mfg-connect/endpoints/nope/check').expect(404);
    assert.equal((await ledger(erp)).length, 0);
  });

  it('offers the operations of each profile to the editor', async () => {
    const { nodes, creds } = setup('getItem');
    await helper.load(types, nodes, creds);
    const res = await helper.request().get('/mfg-connect/connector-operations').expect(200);
    assert.ok(res.body.supported['sap-odata'].erp.includes('confirmProduction'));
    assert.ok(!res.body.supported.odoo.erp.includes('postGoodsIssue'));
    assert.deepEqual(res.body.supported.rest.wms, ['createPutawayTask', 'createTransferTask', 'blockShipment', 'releaseShipmentBlock', 'confirmTask']);
  });
});

'use strict';
// mfg-wms and mfg-qms in a real Node-RED runtime against the WMS and QMS simulators, and
// mfg-endpoint configuration checks (role mismatch, bad settings) that must not crash.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { helper, node, start, stop, nextMsg, collect, until, flow } = require('../helpers/nr');
const { startWmsSim, startQmsSim } = require('../../dist/sim');
const { ledger, state, fault, reset } = require('../unit/connector-sim');

const types = [node('mfg-plant'), node('mfg-endpoint'), node('mfg-wms'), node('mfg-qms')];
let wms;
let qms;

function nodes(type, sim, role, op, extra = {}, ep = {}) {
  return flow([
    { id: 'tab', type: 'tab' },
    { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' },
    { id: 'ep', type: 'mfg-endpoint', role, profile: 'rest', baseUrl: sim.url, authType: 'apikey', apiKeyHeader: 'X-API-Key', retryBaseMs: 50, retryMaxMs: 1500, ...ep },
    { id: 'n1', type, z: 'tab', endpoint: 'ep', operation: op, plant: 'plant', wires: [['ok'], ['bad']], ...extra },
    { id: 'ok', type: 'helper', z: 'tab' },
    { id: 'bad', type: 'helper', z: 'tab' },
  ]);
}
const creds = { ep: { apiKey: 'k-123' } };

const holdPlaced = {
  specversion: '1.0', id: 'hold-ev-1', source: '/acme/BER1/quality/lab/qms', type: 'mfg.quality.hold.placed.v1', partitionkey: 'B0001',
  data: { holdId: 'H-7', material: 'FG226', lot: 'B0001', reason: { code: 'NC', text: 'scratches' } },
};

// a state file of its own: a reused process id must not meet an earlier run's records and outboxes
const stateFile = require('path').join(require('../helpers/servers').tmpDir('mfg-conn-'), 'state.db');

describe('mfg-wms and mfg-qms nodes', () => {
  before(async () => {
    [wms, qms] = await Promise.all([startWmsSim({ port: 0 }), startQmsSim({ port: 0 })]);
    helper.settings({ mfgConnect: { stateFile } });
    await start();
  });
  afterEach(async () => { await helper.unload(); await Promise.all([fault(wms, { mode: 'none' }), reset(wms), reset(qms)]); });
  after(async () => { await stop(); await Promise.all([wms.close(), qms.close()]); });

  it('blocks the shipment of a held lot, keyed by lot and hold', async () => {
    await helper.load(types, nodes('mfg-wms', wms, 'wms', 'blockShipment'), creds);
    const ok = nextMsg('ok');
    helper.getNode('n1').receive({ payload: holdPlaced });
    const msg = await ok;
    assert.match(msg.result.document, /^SB-\d+$/);
    assert.equal(msg.result.key, 'blockShipment:B0001:H-7');
    assert.deepEqual(msg.payload, holdPlaced, 'no follow-up event: the input is passed on');
    const l = await ledger(wms, 'shipment-block');
    assert.equal(l[0].key, 'blockShipment:B0001:H-7');
    assert.equal((await state(wms)).blocks[0].reason, 'scratches');
  });

  it('throttled by the WMS: waits for Retry-After, then posts once', async () => {
    await fault(wms, { mode: 'throttle', retryAfter: 1, forMs: 600 });
    await helper.load(types, nodes('mfg-wms', wms, 'wms', 'createPutawayTask'), creds);
    const out = collect('ok');
    const t0 = Date.now();
    helper.getNode('n1').receive({ payload: { material: 'FG226', lot: 'B0001', quantity: { value: 20, unit: 'PC' }, handlingUnit: 'HU-9' } });
    await until(() => out.length === 1, 8000);
    assert.ok(Date.now() - t0 >= 950, 'no success before Retry-After');
    assert.equal((await ledger(wms, 'putaway-task')).length, 1);
    assert.equal(out[0].result.key, 'createPutawayTask:HU-9');
  });

  it('refuses msgs beyond the outbox limit with a clear error while the WMS is down', async () => {
    await fault(wms, { mode: 'maintenance' });
    await helper.load(types, nodes('mfg-wms', wms, 'wms', 'createTransferTask', { limit: 2 }), creds);
    const n1 = helper.getNode('n1');
    for (let i = 1; i <= 3; i++) n1.receive({ payload: { material: 'RM100', quantity: { value: i, unit: 'KG' }, from: '171B', to: `LINE-${i}` } });
    await until(() => n1.error.args.some((a) => /is full \(2 messages buffered\)/.test(String(a[0]))), 5000);
    await until(() => /outbox full|queued|breaker/.test(n1.status.lastCall.args[0].text || ''), 5000);
    await fault(wms, { mode: 'none' });
    await until(async () => (await ledger(wms, 'transfer-task')).length === 2, 20000);
  });

  it('creates a nonconformance in the QMS from a canonical event', async () => {
    await helper.load(types, nodes('mfg-qms', qms, 'qms', 'createNonconformance'), creds);
    const ok = nextMsg('ok');
    helper.getNode('n1').receive({
      payload: {
        specversion: '1.0', id: 'nc-ev-1', source: '/acme/BER1/assembly/line1/mes', type: 'mfg.quality.nonconformance.detected.v1',
        data: { ncId: 'MES-NC-1', material: 'FG226', lot: 'B0001', defect: { code: 'D-DENT' }, severity: 'minor', detectedAt: '2026-11-27T08:00:00Z' },
      },
    });
    const msg = await ok;
    assert.match(msg.result.document, /^NC-\d+$/);
    const st = await state(qms);
    assert.equal(st.nonconformances[0].defect, 'D-DENT');
    assert.equal((await ledger(qms, 'nonconformance'))[0].key, 'createNonconformance:MES-NC-1');
  });

  it('refuses an endpoint of another role and says why, without crashing', async () => {
    await helper.load(types, nodes('mfg-qms', qms, 'wms', 'createNonconformance'), creds);
    const n1 = helper.getNode('n1');
    assert.match(n1.status.lastCall.args[0].text, /role wms, not qms/);
    n1.receive({ payload: { material: 'x' } });
    await until(() => n1.error.called);
    assert.match(String(n1.error.lastCall.args[0]), /role wms, not qms/);
  });

  it('reports an endpoint with a bad base URL as a configuration error', async () => {
    await helper.load(types, nodes('mfg-wms', wms, 'wms', 'confirmTask', {}, { baseUrl: 'ftp://wms' }), creds);
    const ep = helper.getNode('ep');
    assert.match(ep.configError, /base URL must start with http/);
    assert.equal(ep.client, undefined);
    assert.match(helper.getNode('n1').status.lastCall.args[0].text, /base URL/);
  });
});

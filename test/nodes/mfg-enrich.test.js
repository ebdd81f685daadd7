'use strict';
// mfg-enrich in a real Node-RED runtime against the ERP simulator (SAP surface): references
// added with ERP up, cached references marked stale with ERP down, unknown references.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { helper, node, start, stop, nextMsg, until, flow } = require('../helpers/nr');
const { startErpSim } = require('../../dist/sim/erp');
const { fault, reset } = require('../unit/connector-sim');

const types = [node('mfg-endpoint'), node('mfg-enrich')];
let erp;

function load(extra = {}) {
  const nodes = flow([
    { id: 'tab', type: 'tab' },
    {
      id: 'ep', type: 'mfg-endpoint', name: 'S4', role: 'erp', profile: 'sap-odata', baseUrl: erp.url, authType: 'basic', sapClient: '100',
      timeoutMs: 2000, maxConcurrency: 4, retryMax: 0, retryBaseMs: 50, retryMaxMs: 100, breakerThreshold: 100, breakerOpenMs: 300, defaults: '{"plant":"1710"}',
    },
    { id: 'en', type: 'mfg-enrich', z: 'tab', endpoint: 'ep', item: true, order: true, routing: true, ttlSec: 0.3, maxStaleSec: 3600, unknown: 'error', wires: [['ok'], ['bad']], ...extra },
    { id: 'ok', type: 'helper', z: 'tab' },
    { id: 'bad', type: 'helper', z: 'tab' },
  ]);
  return helper.load(types, nodes, { ep: { username: 'MFG_SAP', password: 'Welcome1' } });
}

let n = 0;
const confirmed = (data) => ({
  specversion: '1.0', id: `ev-${++n}`, source: '/acme/BER1/assembly/L1/signals', type: 'mfg.production.quantity.confirmed.v1',
  time: '2026-11-27T08:00:00Z', data: { orderId: '1000123', operationId: '0010', quantity: { value: 10, unit: 'PC' }, ...data },
});

async function send(ev, out = 'ok') {
  const p = nextMsg(out, 8000);
  helper.getNode('en').receive({ payload: ev });
  return p;
}

describe('mfg-enrich node', () => {
  before(async () => { erp = await startErpSim({ port: 0 }); await start(); });
  afterEach(async () => { await helper.unload(); await fault(erp, { mode: 'none' }); await reset(erp); });
  after(async () => { await stop(); await erp.close(); });

  it('adds material master, routing, work center and cost center references with ERP up', async () => {
    await load();
    const msg = await send(confirmed({}));
    const ev = msg.payload;
    assert.equal(ev.enrichment, 'fresh');
    assert.equal(ev.data.material, 'FG226', 'the order material fills the missing field');
    assert.equal(ev.data.references.workCenter, 'ASSY01');
    assert.equal(ev.data.references.costCenter, 'CC4711');
    assert.equal(ev.data.references.plant, '1710');
    assert.equal(ev.data.references.baseUnit, 'PC');
    assert.equal(ev.data.references.batchManaged, 'true');
    assert.ok(ev.data.references.materialDescription);
    const op20 = (await send(confirmed({ operationId: '0020' }))).payload;
    assert.equal(op20.data.references.costCenter, 'CC4712');
  });

  it('ERP down: cached references are used and the event is marked stale; nothing cached goes to the second output', async () => {
    await load();
    const fresh = (await send(confirmed({}))).payload;
    await fault(erp, { mode: 'maintenance' });
    await new Promise((r) => setTimeout(r, 400)); // past the cache TTL
    const stale = (await send(confirmed({}))).payload;
    assert.equal(stale.enrichment, 'stale');
    assert.deepEqual(stale.data.references, fresh.data.references);
    const missing = await send(confirmed({ orderId: '1000124' }), 'bad');
    assert.equal(missing.enrichError.kind, 'unavailable');
    assert.match(missing.enrichError.message, /nothing is cached/);
    // the status is throttled: it shows the stale count within a moment
    await until(() => /1 stale/.test(helper.getNode('en').status.lastCall.args[0].text), 2000);
    // ERP back: fresh again
    await fault(erp, { mode: 'none' });
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await send(confirmed({}))).payload.enrichment, 'fresh');
  });

  it('an unknown material goes to the second output, or passes with a warning when configured', async () => {
    await load();
    const bad = await send(confirmed({ material: 'NO-SUCH-ITEM' }), 'bad');
    assert.equal(bad.enrichError.kind, 'unknown-reference');
    assert.match(bad.enrichError.message, /material "NO-SUCH-ITEM"/);
    const unknownOrder = await send(confirmed({ orderId: '9999999' }), 'bad');
    assert.match(unknownOrder.enrichError.message, /order "9999999"/);
    await helper.unload();
    await load({ unknown: 'warn' });
    const passed = await send(confirmed({ material: 'NO-SUCH-ITEM' }));
    assert.equal(passed.payload.enrichment, 'partial');
    assert.match(passed.enrichWarnings[0], /NO-SUCH-ITEM/);
    assert.equal(passed.payload.data.references.costCenter, 'CC4711', 'the references ERP knows are still added');
  });

  it('a msg that is not an event is an error Catch nodes see', async () => {
    await load();
    const en = helper.getNode('en');
    en.receive({ payload: 42 });
    await new Promise((r) => setTimeout(r, 50));
    assert.match(en.error.lastCall.args[0].message || String(en.error.lastCall.args[0]), /must be a canonical event/);
  });
});

'use strict';
// odoo profile against the ERP simulator's JSON-RPC surface.
const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startErpSim } = require('../../dist/sim/erp');
const { createConnector } = require('../../dist/lib/connectors');
const { createStore } = require('../../dist/lib/store');
const { ledger, state, fault, reset, rejects } = require('./connector-sim');

let erp;
let c;
let store;
const cfg = (extra = {}) => ({
  name: 'odoo', role: 'erp', profile: 'odoo', baseUrl: erp.url, odooDb: 'mfg', timeoutMs: 3000,
  auth: { type: 'basic', username: 'admin', password: 'admin' }, ...extra,
});

async function post(op, data, key, attempt = 1) {
  const { input } = c.prepare(op, data);
  return c.post(op, input, key, { attempt, store });
}

describe('odoo profile', () => {
  before(async () => { erp = await startErpSim({ port: 0 }); });
  after(async () => { c && c.close(); await erp.close(); });
  beforeEach(async () => {
    await reset(erp);
    if (c) c.close();
    c = createConnector(cfg());
    store = createStore({ kind: 'memory' });
  });

  it('offers the operations it implements', () => {
    assert.deepEqual(c.operations().map((o) => o.name).sort(), ['checkAvailability', 'confirmProduction', 'createProductionOrder', 'getItem',
      'getProductionOrder', 'placeQualityHold', 'releaseProductionOrder', 'releaseQualityHold']);
  });

  it('confirms a manufacturing order as done and books finished goods into the lot', async () => {
    const r = await post('confirmProduction', { orderId: '1000123', operationId: '0020', yield: { value: 100, unit: 'PC' }, finalConfirmation: true, lot: 'B0100' }, 'conf-1');
    assert.equal(r.document, 'WH/MO/00001');
    const l = await ledger(erp, 'mrp-production-done');
    assert.equal(l.length, 1);
    const order = await c.getProductionOrder('1000123');
    assert.equal(order.status, 'CNF');
    const av = await c.checkAvailability('FG226', undefined, 'B0100');
    assert.equal(av.totals.unrestricted, 100);
  });

  it('a lost reply on mark-done: the retry finds the order done and books nothing more', async () => {
    await fault(erp, { mode: 'drop-after-commit' });
    const data = { orderId: '1000123', operationId: '0020', yield: { value: 100, unit: 'PC' }, finalConfirmation: true, lot: 'B0101' };
    const e = await rejects(() => post('confirmProduction', data, 'conf-2'));
    assert.equal(e.outcomeUnknown, true);
    await fault(erp, { mode: 'none' });
    const r = await post('confirmProduction', data, 'conf-2', 2);
    assert.equal(r.recovered, true);
    assert.equal((await ledger(erp, 'mrp-production-done')).length, 1);
  });

  it('moves a lot to the blocked location and back, once per posting key', async () => {
    await fault(erp, { mode: 'drop-after-commit' });
    await rejects(() => post('placeQualityHold', { holdId: 'H1', material: 'FG226', lot: 'B0001' }, 'hold-1'));
    await fault(erp, { mode: 'none' });
    assert.equal((await post('placeQualityHold', { holdId: 'H1', material: 'FG226', lot: 'B0001' }, 'hold-1', 2)).recovered, true);
    let av = await c.checkAvailability('FG226', undefined, 'B0001');
    assert.deepEqual(av.totals, { unrestricted: 0, quality: 0, blocked: 20 });
    await post('releaseQualityHold', { holdId: 'H1', material: 'FG226', lot: 'B0001' }, 'release-1');
    av = await c.checkAvailability('FG226', undefined, 'B0001');
    assert.deepEqual(av.totals, { unrestricted: 20, quality: 0, blocked: 0 });
    const l = await ledger(erp, 'stock-picking');
    assert.deepEqual(l.map((e) => e.key).sort(), ['hold-1', 'release-1']);
  });

  it('reads items, creates and releases orders', async () => {
    assert.match((await c.check()).checked, /^logged in \(Odoo 17/);
    const item = await c.getItem('FG226');
    assert.equal(item.material, 'FG226');
    assert.equal(item.batchManaged, true);
    const created = await post('createProductionOrder', { material: 'FG226', plant: '1710', quantity: { value: 10, unit: 'PC' } }, 'mo-new-1');
    assert.match(created.document, /^WH\/MO\//);
    const rel = await post('releaseProductionOrder', { orderId: created.document }, `releaseProductionOrder:${created.document}`);
    assert.equal(rel.data.status, 'REL');
    const l = await ledger(erp, 'mrp-production');
    assert.equal(l.length, 1);
    assert.equal(l[0].key, 'mo-new-1');
  });

  it('turns Odoo errors (HTTP 200) into classified errors', async () => {
    const e = await rejects(() => post('releaseQualityHold', { material: 'FG226', lot: 'B0001', quantity: { value: 5, unit: 'PC' } }, 'nothing-blocked'));
    assert.equal(e.kind, 'validation');
    assert.match(e.message, /Deficit|UserError/);
    const missing = await rejects(() => c.getItem('NOPE'));
    assert.equal(missing.kind, 'not-found');
    c.close();
    c = createConnector(cfg({ auth: { type: 'basic', username: 'admin', password: 'wrong' } }));
    const auth = await rejects(() => c.getItem('FG226'));
    assert.equal(auth.kind, 'auth');
    assert.equal(auth.retryable, false);
    assert.equal((await state(erp)).stock.length > 0, true);
  });
});


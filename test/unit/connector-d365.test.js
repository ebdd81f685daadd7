'use strict';
// d365 profile against the ERP simulator's OData v4 surface with OAuth2 client credentials.
const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startErpSim } = require('../../dist/sim/erp');
const { createConnector } = require('../../dist/lib/connectors');
const { createStore } = require('../../dist/lib/store');
const { ledger, state, fault, reset, configure, stockQty, rejects } = require('./connector-sim');

let erp;
let c;
let store;
const cfg = () => ({
  name: 'd365', role: 'erp', profile: 'd365', baseUrl: erp.url, company: 'usmf', timeoutMs: 3000,
  locations: { '171A': '11', '171B': '12', '171Q': '13' },
  auth: { type: 'oauth2', tokenUrl: `${erp.url}/contoso.onmicrosoft.com/oauth2/v2.0/token`, clientId: 'mfg-client', clientSecret: 'mfg-secret', scope: `${erp.url}/.default` },
});

async function post(op, data, key, attempt = 1) {
  const { input } = c.prepare(op, data);
  return c.post(op, input, key, { attempt, store });
}

describe('d365 profile', () => {
  before(async () => { erp = await startErpSim({ port: 0 }); });
  after(async () => { c && c.close(); await erp.close(); });
  beforeEach(async () => {
    await reset(erp);
    if (c) c.close();
    c = createConnector(cfg());
    store = createStore({ kind: 'memory' });
  });

  it('reports as finished, booking stock and the order quantity', async () => {
    const r = await post('confirmProduction', { orderId: 'P1000123', operationId: '0020', yield: { value: 30, unit: 'ea' }, scrap: { value: 1, unit: 'ea' }, lot: 'B0300', storageLocation: '171A' }, 'raf-1');
    assert.match(r.document, /^PRD-\d+$/);
    assert.equal(r.references.erpOrder, 'P1000123');
    const st = await state(erp);
    assert.equal(stockQty(st, 'FG226', '171A', 'B0300'), 30);
    assert.equal(st.orders.find((o) => o.order === '1000123').status, 'PCNF');
    const l = await ledger(erp, 'report-as-finished');
    assert.equal(l.length, 1);
    assert.match(l[0].key, /^MFG-[A-Z2-7]{21}$/);
  });

  it('drop-after-commit: looks the journal line up before retrying, books once', async () => {
    await fault(erp, { mode: 'drop-after-commit' });
    const data = { orderId: 'P1000123', material: 'FG226', quantity: { value: 5, unit: 'ea' }, lot: 'B0301' };
    const e = await rejects(() => post('postGoodsReceipt', data, 'raf-2'));
    assert.equal(e.outcomeUnknown, true);
    await fault(erp, { mode: 'none' });
    const r = await post('postGoodsReceipt', data, 'raf-2', 2);
    assert.equal(r.recovered, true);
    assert.equal((await ledger(erp, 'report-as-finished')).length, 1);
    assert.equal(stockQty(await state(erp), 'FG226', '171A', 'B0301'), 5);
  });

  it('honours 429 Retry-After with no request before it has passed', async () => {
    await fault(erp, { mode: 'throttle', retryAfter: 1 });
    const e = await rejects(() => c.getItem('FG226'));
    assert.equal(e.kind, 'throttled');
    assert.equal(e.retryAfterMs, 1000);
    await fault(erp, { mode: 'none' });
    const t0 = Date.now();
    const item = await c.getItem('FG226');
    assert.ok(Date.now() - t0 >= 900, 'the next request waited for Retry-After');
    assert.equal(item.description, 'Pump assembly PA-226');
  });

  it('fetches a new OAuth2 token before expiry and after the old one was revoked', async () => {
    await configure(erp, { tokenTtlSec: 2 });
    await c.getItem('FG226');
    assert.equal(c.http.tokens.fetched, 1);
    await new Promise((r) => setTimeout(r, 1100));
    await c.getItem('FG226');
    assert.equal(c.http.tokens.fetched, 2, 'refreshed before expiry');
    await configure(erp, { tokenTtlSec: 3599 });
    await c.getItem('FG226');
    await reset(erp); // the identity provider forgets every token: the next call gets a 401
    const fetched = c.http.tokens.fetched;
    assert.equal((await c.getItem('RM100')).material, 'RM100');
    assert.equal(c.http.tokens.fetched, fetched + 1);
  });

  it('requests a purchase (header, then line) and resumes after a lost reply without a second requisition', async () => {
    await fault(erp, { mode: 'drop-after-commit', forMs: 400 });
    const data = { material: 'SP001', plant: '1710', quantity: { value: 2, unit: 'ea' }, equipment: 'PRESS-01', neededBy: '2026-12-01T00:00:00Z' };
    await rejects(() => post('requestPurchase', data, 'pr-d365-1'));
    await new Promise((r) => setTimeout(r, 450));
    const r = await post('requestPurchase', data, 'pr-d365-1', 2);
    assert.match(r.document, /^PR-\d+$/);
    assert.equal((await ledger(erp, 'purchase-requisition')).length, 1);
    assert.equal((await ledger(erp, 'purchase-requisition-line')).length, 1);
  });

  it('creates production orders with a reference and reads orders and stock', async () => {
    const created = await post('createProductionOrder', { material: 'FG226', plant: '1710', quantity: { value: 12, unit: 'ea' } }, 'd365-order-1');
    assert.match(created.document, /^P10002\d\d$/);
    assert.equal((await ledger(erp, 'production-order')).length, 1);
    assert.equal((await c.check()).checked, 'token fetched, data entities readable');
    const order = await c.getProductionOrder('P1000123');
    assert.equal(order.material, 'FG226');
    assert.equal(order.released, true);
    const av = await c.checkAvailability('RM100');
    assert.equal(av.totals.unrestricted, 500);
    const bad = await rejects(() => post('confirmProduction', { orderId: 'P1000124', operationId: '0010', yield: { value: 1, unit: 'ea' } }, 'raf-crtd'));
    assert.equal(bad.kind, 'validation');
    assert.match(bad.message, /must be released/);
  });
});

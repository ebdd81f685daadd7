'use strict';
// Fault injection of the simulators: each mode, in each surface's own error shape.
const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const axios = require('axios');
const { startErpSim, startWmsSim } = require('../../dist/sim');

describe('simulator faults', () => {
  let erp, wms, c, w;
  const fault = async (cl, spec) => {
    const r = await cl.post('/__sim/faults', spec);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    return r.data;
  };
  const putaway = (key) => w.post('/api/v1/putaway-tasks', { material: 'FG226', lot: 'L1', quantity: { value: 1, unit: 'PC' } }, { headers: { 'Idempotency-Key': key } });

  before(async () => {
    [erp, wms] = await Promise.all([startErpSim({ port: 0 }), startWmsSim({ port: 0 })]);
    c = axios.create({ baseURL: erp.url, validateStatus: () => true });
    w = axios.create({ baseURL: wms.url, validateStatus: () => true });
  });
  after(() => Promise.all([erp.close(), wms.close()]));
  beforeEach(() => Promise.all([c.post('/__sim/reset'), w.post('/__sim/reset')]));

  it('maintenance answers 503 in the SAP error shape, control routes stay up', async () => {
    await fault(c, { mode: 'maintenance', retryAfter: 30 });
    const r = await c.get('/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod', { auth: { username: 'MFG_SAP', password: 'Welcome1' } });
    assert.equal(r.status, 503);
    assert.equal(r.headers['retry-after'], '30');
    assert.equal(r.data.error.message.lang, 'en');
    assert.equal((await c.get('/__sim/ledger')).status, 200);
    assert.equal((await c.get('/__sim/faults')).data.mode, 'maintenance');
  });

  it('throttle answers 429 with Retry-After as a problem; error answers 500; Odoo keeps its error member', async () => {
    const t0 = Date.now();
    await fault(w, { mode: 'throttle', retryAfter: 3 });
    const t = await putaway('a');
    assert.equal(t.status, 429);
    assert.equal(t.headers['retry-after'], '3');
    assert.equal(t.headers['content-type'], 'application/problem+json');
    await fault(w, { mode: 'error' });
    assert.equal((await putaway('a')).status, 500);
    await fault(c, { mode: 'error' });
    const o = await c.post('/jsonrpc', { jsonrpc: '2.0', id: 1, method: 'call', params: { service: 'common', method: 'version', args: [] } });
    assert.equal(o.status, 500);
    assert.equal(o.data.error.message, 'Odoo Server Error');
    assert.equal((await w.get('/__sim/ledger')).data.entries.length, 0);
    const log = (await w.get('/__sim/requests', { params: { since: t0 } })).data.requests;
    assert.deepEqual(log.map((e) => [e.method, e.path, e.status, e.fault, e.key]), [
      ['POST', '/api/v1/putaway-tasks', 429, 'throttle', undefined],
      ['POST', '/api/v1/putaway-tasks', 500, 'error', undefined],
    ], 'the request log shows when each request came and what it got');
  });

  it('latency delays the answer; a repeat under the same key meanwhile is 409', async () => {
    await fault(w, { mode: 'latency', latencyMs: 400 });
    const t0 = Date.now();
    const slow = putaway('k-slow');
    await new Promise((r) => setTimeout(r, 100));
    const dup = await putaway('k-slow');
    assert.equal(dup.status, 409);
    assert.equal((await slow).status, 201);
    assert.ok(Date.now() - t0 >= 390, 'answered after the injected latency');
    assert.equal((await w.get('/__sim/ledger')).data.entries.length, 1);
  });

  it('drop-after-commit books the posting and resets the connection; the retry replays it, one posting', async () => {
    await fault(w, { mode: 'drop-after-commit' });
    await assert.rejects(putaway('k-drop'), (e) => ['ECONNRESET', 'ERR_BAD_RESPONSE'].includes(e.code) || /socket hang up/.test(e.message));
    const reads = await w.get('/api/v1/tasks');
    assert.equal(reads.status, 200, 'reads book nothing and are answered');
    await fault(w, { mode: 'none' });
    const retry = await putaway('k-drop');
    assert.equal(retry.status, 201);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    const l = (await w.get('/__sim/ledger')).data.entries;
    assert.deepEqual(l.map((e) => [e.kind, e.key]), [['putaway-task', 'k-drop']]);
    assert.equal(reads.data.tasks.length, 1);
    const log = (await w.get('/__sim/requests')).data.requests;
    assert.deepEqual(log.map((e) => [e.path, e.status, e.fault || null]), [['/api/v1/putaway-tasks', null, 'drop-after-commit'], ['/api/v1/tasks', 200, null], ['/api/v1/putaway-tasks', 201, null]]);
  });

  it('drop-after-commit on SAP: the confirmation exists and a lookup finds it before any retry', async () => {
    const auth = { username: 'MFG_SAP', password: 'Welcome1' };
    const root = '/sap/opu/odata/sap/API_PROD_ORDER_CONFIRMATION_2_SRV/';
    const head = await c.head(root, { auth, headers: { 'x-csrf-token': 'Fetch' } });
    const headers = { 'x-csrf-token': head.headers['x-csrf-token'], cookie: head.headers['set-cookie'].map((s) => s.split(';')[0]).join('; ') };
    const guid = '0b7e3c52-9d1a-4f6e-a1b2-c3d4e5f60718';
    await fault(c, { mode: 'drop-after-commit' });
    await assert.rejects(c.post(root + 'ProdnOrdConf2', { OrderID: '1000123', OrderOperation: '0010', ConfirmationYieldQuantity: '3', ExternalSystemConfirmation: guid }, { auth, headers }));
    const found = await c.get(root + 'ProdnOrdConf2', { auth, params: { $filter: `ExternalSystemConfirmation eq guid'${guid}'` } });
    assert.equal(found.status, 200);
    assert.equal(found.data.d.results.length, 1);
    const l = (await c.get('/__sim/ledger')).data.entries;
    assert.equal(l.filter((e) => e.key === guid).length, 1);
  });

  it('rate 0 hits nothing; forMs ends the fault by itself; bad specs are 400', async () => {
    await fault(w, { mode: 'error', rate: 0 });
    assert.equal((await putaway('r0')).status, 201);
    await fault(w, { mode: 'maintenance', forMs: 150 });
    assert.equal((await putaway('r1')).status, 503);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await putaway('r1')).status, 201);
    assert.equal((await w.get('/__sim/faults')).data.mode, 'none');
    const bad = await w.post('/__sim/faults', { mode: 'explode' });
    assert.equal(bad.status, 400);
    assert.match(bad.data.detail, /mode must be one of/);
    assert.equal((await w.post('/__sim/faults', { mode: 'error', rate: 2 })).status, 400);
  });

  it('rate 0.5 hits about half of the requests', async () => {
    await fault(w, { mode: 'error', rate: 0.5 });
    let failed = 0;
    for (let i = 0; i < 200; i++) if ((await w.get('/api/v1/tasks')).status === 500) failed++;
    assert.ok(failed > 60 && failed < 140, `${failed} of 200 failed`);
  });
});

describe('simulator faults beyond the basic modes', () => {
  let wms, w;
  const putaway = (key) => w.post('/api/v1/putaway-tasks', { material: 'FG226', lot: 'L1', quantity: { value: 1, unit: 'PC' } }, { headers: { 'Idempotency-Key': key } });
  before(async () => {
    wms = await startWmsSim({ port: 0 });
    w = axios.create({ baseURL: wms.url, validateStatus: () => true });
  });
  after(() => wms.close());
  beforeEach(() => w.post('/__sim/reset'));

  it('reset drops the connection before anything is booked', async () => {
    await w.post('/__sim/faults', { mode: 'reset' });
    await assert.rejects(putaway('k'));
    await w.post('/__sim/faults', { mode: 'none' });
    assert.equal((await w.get('/__sim/ledger')).data.entries.length, 0);
    assert.equal((await putaway('k')).headers['idempotent-replayed'], undefined, 'the key was never claimed');
  });

  it('html answers a proxy error page; truncate books and cuts the JSON reply', async () => {
    await w.post('/__sim/faults', { mode: 'html' });
    const html = await putaway('h');
    assert.equal(html.status, 502);
    assert.equal(html.headers['content-type'], 'text/html');
    assert.match(html.data, /502 Bad Gateway/);
    await w.post('/__sim/faults', { mode: 'truncate' });
    const cut = await w.post('/api/v1/putaway-tasks', { material: 'FG226', lot: 'L1', quantity: { value: 1, unit: 'PC' } }, { headers: { 'Idempotency-Key': 't' }, responseType: 'text', transitional: { silentJSONParsing: true } });
    assert.equal(cut.status, 201);
    assert.throws(() => JSON.parse(cut.data));
    assert.equal((await w.get('/__sim/ledger')).data.entries.length, 1);
  });

  it('gives Retry-After as an HTTP date on request, with RateLimit headers', async () => {
    await w.post('/__sim/faults', { mode: 'throttle', retryAfter: 120, retryAfterFormat: 'date' });
    const r = await putaway('d');
    const at = Date.parse(r.headers['retry-after']);
    assert.ok(at > Date.now() + 100000 && at < Date.now() + 130000, r.headers['retry-after']);
    assert.equal(r.headers['ratelimit'], '"default";r=0;t=120');
    assert.equal((await w.post('/__sim/faults', { mode: 'throttle', retryAfterFormat: 'weeks' })).status, 400);
  });
});

'use strict';
// QMS simulator -> real Node-RED (child process) with mfg-webhook-in -> events forwarded
// over HTTP to this test: signature, replay and stale deliveries end to end.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('http');
const axios = require('axios');
const { startNodeRed } = require('../helpers/child-nr');
const { startQmsSim } = require('../../dist/sim');
const { signStandard } = require('../../dist/lib/webhooks');

const SECRET = 'whsec_' + Buffer.from('e2e-qms-webhook-secret').toString('base64');

describe('QMS webhooks into Node-RED', () => {
  let qms, nr, sink, sinkUrl, q, hooks;
  const events = [];

  before(async () => {
    sink = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', () => { events.push(JSON.parse(Buffer.concat(chunks))); res.end('ok'); });
    });
    await new Promise((r) => sink.listen(0, '127.0.0.1', r));
    sinkUrl = `http://127.0.0.1:${sink.address().port}/events`;
    qms = await startQmsSim({ port: 0 });
    q = axios.create({ baseURL: qms.url, validateStatus: () => true });
    const common = { z: 'tab', plant: 'plant', eventType: 'mfg.quality.nonconformance.detected.v1', toleranceSec: 300, dataPath: 'data', maxIds: 1000, x: 100, y: 100, mappings: [{ field: 'defect.code', vt: 'msg', v: 'payload.data.defect' }] };
    nr = await startNodeRed({
      flows: [
        { id: 'tab', type: 'tab', label: 'qms' },
        { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'quality', line: 'lab', system: 'qms' },
        { id: 'std', type: 'mfg-webhook-in', url: '/hooks/qms', style: 'standard', ...common, wires: [['fwd']] },
        { id: 'gh', type: 'mfg-webhook-in', url: '/hooks/qms-gh', style: 'github', ...common, y: 200, wires: [['fwd']] },
        { id: 'fwd', type: 'http request', z: 'tab', method: 'POST', ret: 'txt', paytoqs: 'ignore', url: sinkUrl, tls: '', persist: false, proxy: '', authType: '', senderr: false, headers: [], x: 300, y: 100, wires: [[]] },
      ],
      credentials: { std: { secret: SECRET }, gh: { secret: 'gh-e2e-secret' } },
      // endpoints under their own root; the editor's JSON parser still runs first
      settings: { httpNodeRoot: '/nodes' },
    });
    hooks = `${nr.url}/nodes/hooks`;
  });
  after(async () => {
    if (nr) await nr.stop();
    if (qms) await qms.close();
    if (sink) await new Promise((r) => sink.close(r));
  });

  const until = async (pred, ms = 10000) => {
    const end = Date.now() + ms;
    while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    assert.ok(pred(), 'condition met in time');
  };

  it('turns a QMS nonconformance into one canonical event, also when the QMS redelivers it', async () => {
    await q.post('/__sim/webhooks', { url: `${hooks}/qms`, secret: SECRET, style: 'standard' });
    const nc = await q.post('/api/v1/nonconformances', { material: 'FG226', lot: 'B0077', defect: 'D-CRACK', severity: 'major' }, { headers: { 'Idempotency-Key': 'e2e-1' } });
    assert.equal(nc.status, 201);
    await until(() => events.length === 1);
    const ev = events[0];
    assert.equal(ev.type, 'mfg.quality.nonconformance.detected.v1');
    assert.equal(ev.source, '/acme/BER1/quality/lab/qms');
    assert.deepEqual([ev.data.ncId, ev.data.lot, ev.data.defect.code], [nc.data.ncId, 'B0077', 'D-CRACK']);
    const log = (await q.get('/__sim/webhooks')).data.deliveries;
    assert.equal(log[0].status, 202);
    const again = await q.post('/__sim/webhooks/redeliver', { id: log[0].id });
    assert.equal(again.data.status, 200, 'Node-RED answers a known id as a duplicate');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(events.length, 1);
  });

  it('takes GitHub-style deliveries on another path and refuses forged and stale ones', async () => {
    await q.post('/__sim/webhooks', { url: `${hooks}/qms-gh`, secret: 'gh-e2e-secret', style: 'github' });
    const before = events.length;
    await q.post('/__sim/trigger/nonconformance', { lot: 'B0078', defect: 'D-DENT' });
    await until(() => events.filter((e) => e.data.lot === 'B0078').length === 2);
    assert.equal(events.length, before + 2, 'both subscriptions delivered (standard and github), once each');
    const body = JSON.stringify({ type: 'nonconformance.created', data: { ncId: 'NC-X', material: 'FG226', lot: 'B0079', defect: 'D', detectedAt: new Date().toISOString() } });
    const send = (ts, secret) => axios.post(`${hooks}/qms`, body, {
      validateStatus: () => true,
      headers: { 'Content-Type': 'application/json', 'webhook-id': `msg_${ts}`, 'webhook-timestamp': String(ts), 'webhook-signature': signStandard(secret, `msg_${ts}`, ts, body) },
    });
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await send(now - 3600, SECRET)).status, 401);
    assert.equal((await send(now, 'whsec_' + Buffer.from('forged').toString('base64'))).status, 401);
    assert.equal((await send(now, SECRET)).status, 202);
    await until(() => events.some((e) => e.data.lot === 'B0079'));
    assert.match(nr.output(), /rejected: webhook-timestamp is 3600 s off/);
  });
});

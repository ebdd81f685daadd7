'use strict';
// The QMS simulator's outgoing webhooks: signed, retried under the same id, redeliverable.
const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const http = require('http');
const axios = require('axios');
const { startQmsSim } = require('../../dist/sim');
const { verifyStandard, verifyGithub } = require('../../dist/lib/webhooks');

const SECRET = 'whsec_' + Buffer.from('sim-webhook-key').toString('base64');

describe('QMS simulator webhooks', () => {
  let qms, c, receiver, url;
  const received = [];
  let answers = [];

  before(async () => {
    qms = await startQmsSim({ port: 0 });
    c = axios.create({ baseURL: qms.url, validateStatus: () => true });
    receiver = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(answers.length ? answers.shift() : 204).end();
      });
    });
    await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${receiver.address().port}/hook`;
  });
  after(async () => {
    await qms.close();
    await new Promise((r) => receiver.close(r));
  });
  beforeEach(async () => {
    await c.post('/__sim/reset');
    received.length = 0;
    answers = [];
  });
  const waitFor = async (n, ms = 5000) => {
    const end = Date.now() + ms;
    while (received.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.ok(received.length >= n, `${received.length} of ${n} deliveries arrived`);
  };

  it('signs Standard Webhooks deliveries of new nonconformances', async () => {
    assert.equal((await c.post('/__sim/webhooks', { url, secret: SECRET, style: 'standard' })).status, 201);
    const nc = await c.post('/api/v1/nonconformances', { material: 'FG226', lot: 'B0009', defect: 'D-LEAK' }, { headers: { 'Idempotency-Key': 'w1' } });
    assert.equal(nc.status, 201);
    await waitFor(1);
    const [d] = received;
    const v = verifyStandard(SECRET, d.headers, d.body);
    assert.equal(v.ok, true, v.reason);
    assert.match(v.id, /^msg_/);
    const body = JSON.parse(d.body);
    assert.equal(body.type, 'nonconformance.created');
    assert.equal(body.data.ncId, nc.data.ncId);
  });

  it('signs GitHub-style deliveries of triggered nonconformances', async () => {
    await c.post('/__sim/webhooks', { url, secret: 'gh-secret', style: 'github' });
    const nc = await c.post('/__sim/trigger/nonconformance', { lot: 'B0042' });
    assert.equal(nc.status, 201);
    await waitFor(1);
    const v = verifyGithub('gh-secret', received[0].headers, received[0].body);
    assert.equal(v.ok, true);
    assert.equal(received[0].headers['x-github-event'], 'nonconformance.created');
    assert.equal(JSON.parse(received[0].body).data.lot, 'B0042');
    assert.equal((await c.get('/__sim/ledger')).data.entries.length, 0, 'a triggered nonconformance is no client posting');
  });

  it('retries a failed delivery under the same id with a fresh signature, and redelivers on request', async () => {
    await c.post('/__sim/webhooks', { url, secret: SECRET });
    answers = [500];
    await c.post('/__sim/trigger/nonconformance', {});
    await waitFor(2);
    assert.equal(received[0].headers['webhook-id'], received[1].headers['webhook-id']);
    assert.equal(verifyStandard(SECRET, received[1].headers, received[1].body).ok, true);
    const log = (await c.get('/__sim/webhooks')).data;
    assert.deepEqual(log.deliveries.map((d) => [d.attempt, d.status]), [[1, 500], [2, 204]]);
    assert.equal(log.subscriptions[0].secret, '***');
    const again = await c.post('/__sim/webhooks/redeliver', { id: received[0].headers['webhook-id'] });
    assert.equal(again.status, 200);
    assert.equal(received.length, 3);
    assert.equal(received[2].headers['webhook-id'], received[0].headers['webhook-id']);
    assert.equal((await c.post('/__sim/webhooks/redeliver', { id: 'msg_none' })).status, 404);
  });

  it('sends rejected inspection results to subscribers of that event only', async () => {
    await c.post('/__sim/webhooks', { url, secret: SECRET, event: 'inspection-result.rejected' });
    await c.post('/__sim/trigger/nonconformance', {});
    const ir = (v) => c.post('/api/v1/inspection-results', { inspectionLot: 'IL9', material: 'FG226', characteristic: 'torque', measured: v, lowerLimit: 10, upperLimit: 12 }, { headers: { 'Idempotency-Key': `ir-${v}` } });
    await ir(11);
    await ir(13);
    await waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(received.length, 1, 'neither the nonconformance nor the accepted result went out');
    const body = JSON.parse(received[0].body);
    assert.deepEqual([body.type, body.data.measured, body.data.valuation], ['inspection-result.rejected', 13, 'rejected']);
  });

  it('rejects bad subscriptions', async () => {
    assert.equal((await c.post('/__sim/webhooks', { url: 'ftp://x', secret: SECRET })).status, 400);
    assert.equal((await c.post('/__sim/webhooks', { url, secret: '' })).status, 400);
    assert.equal((await c.post('/__sim/webhooks', { url, secret: SECRET, style: 'soap' })).status, 400);
  });
});

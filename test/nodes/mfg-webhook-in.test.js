'use strict';
// mfg-webhook-in in a Node-RED runtime: signed deliveries in, canonical events out.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const request = require('supertest');
const { helper, node, start, stop, nextMsg, collect, flow } = require('../helpers/nr');
const { signStandard, signGithub } = require('../../dist/lib/webhooks');

const mfgPlant = node('mfg-plant');
const webhookIn = node('mfg-webhook-in');
const SECRET = 'whsec_' + Buffer.from('qms-webhook-key-0123456789').toString('base64');
let RED;
function capture(red) { RED = red; }

const nc = (over = {}) => ({
  type: 'nonconformance.created', timestamp: new Date().toISOString(),
  data: { ncId: 'NC-000001', status: 'open', material: 'FG226', lot: 'B0009', defect: 'D-LEAK', severity: 'critical', quantity: { value: 2, unit: 'PC' }, detectedAt: '2026-11-27T08:00:00Z', description: 'leak at flange', ...over },
});

// the QMS sends a defect code; the event wants {code, text}
const DEFECT = { field: 'defect.code', vt: 'msg', v: 'payload.data.defect' };

function testFlow(extra = {}) {
  return flow([
    { id: 'tab', type: 'tab' },
    { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'qms' },
    { id: 'in', type: 'mfg-webhook-in', z: 'tab', url: '/hooks/qms', plant: 'plant', eventType: 'mfg.quality.nonconformance.detected.v1', style: 'auto', toleranceSec: 300, dataPath: 'data', mappings: [DEFECT], maxIds: 100, wires: [['out']], ...extra },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ]);
}

function sendStandard(body, { id = 'msg_' + Math.random().toString(36).slice(2), ts = Math.floor(Date.now() / 1000), secret = SECRET, path = '/hooks/qms' } = {}) {
  const raw = JSON.stringify(body);
  return request(RED.httpNode).post(path).set('Content-Type', 'application/json')
    .set('webhook-id', id).set('webhook-timestamp', String(ts)).set('webhook-signature', signStandard(secret, id, ts, raw)).send(raw);
}

describe('mfg-webhook-in node', () => {
  before(start);
  afterEach(() => helper.unload());
  after(stop);

  const load = (extra) => helper.load([mfgPlant, webhookIn, capture], testFlow(extra), { in: { secret: SECRET } });

  it('verifies a Standard Webhooks delivery and outputs the canonical event', async () => {
    await load();
    const got = nextMsg('out');
    const res = await sendStandard(nc(), { id: 'msg_abc' });
    assert.equal(res.status, 202);
    assert.equal(res.body.status, 'accepted');
    const msg = await got;
    const ev = msg.payload;
    assert.equal(ev.type, 'mfg.quality.nonconformance.detected.v1');
    assert.equal(ev.source, '/acme/BER1/assembly/line1/qms');
    assert.equal(ev.subject, 'lot/B0009');
    assert.equal(ev.time, '2026-11-27T08:00:00.000Z');
    assert.equal(ev.data.ncId, 'NC-000001');
    assert.deepEqual(ev.data.defect, { code: 'D-LEAK' });
    assert.deepEqual(ev.data.quantity, { value: 2, unit: 'PC' });
    assert.equal(ev.correlationid, 'msg_abc');
    assert.equal(res.body.event, ev.id);
    assert.equal(msg.topic, 'acme/BER1/assembly/line1/events/quality/nonconformance/detected');
    assert.deepEqual([msg.webhook.id, msg.webhook.style], ['msg_abc', 'standard']);
  });

  it('answers 401 to forged and stale deliveries and outputs nothing', async () => {
    await load();
    const out = collect('out');
    const forged = await sendStandard(nc(), { secret: 'whsec_' + Buffer.from('wrong').toString('base64') });
    assert.equal(forged.status, 401);
    assert.equal(forged.body.reason, 'no matching v1 signature');
    const stale = await sendStandard(nc(), { ts: Math.floor(Date.now() / 1000) - 6 * 60 });
    assert.equal(stale.status, 401);
    assert.match(stale.body.reason, /off/);
    const tampered = await request(RED.httpNode).post('/hooks/qms').set('Content-Type', 'application/json')
      .set('webhook-id', 'msg_t').set('webhook-timestamp', String(Math.floor(Date.now() / 1000)))
      .set('webhook-signature', signStandard(SECRET, 'msg_t', Math.floor(Date.now() / 1000), '{"a":1}')).send('{"a": 1}');
    assert.equal(tampered.status, 401, 'whitespace differs: the raw bytes are what is signed');
    const unsigned = await request(RED.httpNode).post('/hooks/qms').send(nc());
    assert.equal(unsigned.status, 401);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(out.length, 0);
    assert.ok(helper.getNode('in').warn.called);
  });

  it('drops a replayed webhook id with 200 and outputs once', async () => {
    await load();
    const out = collect('out');
    assert.equal((await sendStandard(nc(), { id: 'msg_same' })).status, 202);
    const again = await sendStandard(nc(), { id: 'msg_same' });
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'duplicate');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(out.length, 1);
  });

  it('verifies X-Hub-Signature-256 deliveries and applies mappings', async () => {
    await load({ style: 'github', mappings: [DEFECT, { field: 'note', vt: 'jsonata', v: 'payload.data.description' }, { field: '$partitionkey', vt: 'str', v: 'line1' }] });
    const got = nextMsg('out');
    const raw = JSON.stringify(nc());
    const res = await request(RED.httpNode).post('/hooks/qms').set('Content-Type', 'application/json')
      .set('X-Hub-Signature-256', signGithub(SECRET, raw)).set('X-GitHub-Delivery', 'gh-1').set('X-GitHub-Event', 'nonconformance.created').send(raw);
    assert.equal(res.status, 202);
    const msg = await got;
    assert.equal(msg.payload.data.note, 'leak at flange');
    assert.equal(msg.payload.partitionkey, 'line1');
    assert.deepEqual([msg.webhook.style, msg.webhook.id, msg.webhook.event], ['github', 'gh-1', 'nonconformance.created']);
    const standard = await sendStandard(nc());
    assert.equal(standard.status, 401, 'a github-only endpoint ignores Standard Webhooks headers');
  });

  it('answers 422 for a payload that gives no valid event, reports to Catch, and accepts the corrected redelivery', async () => {
    await load();
    const caught = nextMsg('caught');
    const bad = await sendStandard(nc({ lot: undefined, defect: undefined }), { id: 'msg_fix' });
    assert.equal(bad.status, 422);
    assert.match(bad.body.reason, /lot/);
    const c = await caught;
    assert.deepEqual(c.validationErrors.map((e) => e.path).sort(), ['$.data.defect', '$.data.lot']);
    const notJson = await request(RED.httpNode).post('/hooks/qms').set('webhook-id', 'msg_nj').set('webhook-timestamp', String(Math.floor(Date.now() / 1000)))
      .set('webhook-signature', signStandard(SECRET, 'msg_nj', Math.floor(Date.now() / 1000), 'not json')).send('not json');
    assert.equal(notJson.status, 400);
    const got = nextMsg('out');
    assert.equal((await sendStandard(nc(), { id: 'msg_fix' })).status, 202);
    assert.equal((await got).payload.data.lot, 'B0009');
  });

  it('refuses a second node on the same path', async () => {
    const nodes = testFlow();
    nodes.push({ id: 'in2', type: 'mfg-webhook-in', z: 'tab', url: 'hooks/qms', plant: 'plant', eventType: 'mfg.quality.nonconformance.detected.v1', style: 'auto', dataPath: 'data', mappings: [DEFECT], x: 100, y: 300, wires: [['out']] });
    await helper.load([mfgPlant, webhookIn, capture], nodes, { in: { secret: SECRET }, in2: { secret: SECRET } });
    const second = helper.getNode('in2');
    assert.ok(second.status.calledWithMatch({ fill: 'red', text: '/hooks/qms already in use' }));
    const out = collect('out');
    assert.equal((await sendStandard(nc())).status, 202);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(out.length, 1, 'one node answers');
  });

  it('removes its route on close and refuses to start without a secret', async () => {
    await load();
    await helper.unload();
    assert.equal((await sendStandard(nc())).status, 404);
    await helper.load([mfgPlant, webhookIn, capture], testFlow(), {});
    const n = helper.getNode('in');
    assert.ok(n.status.calledWithMatch({ fill: 'red', text: 'no secret configured' }));
    assert.equal((await sendStandard(nc())).status, 404);
  });
});

describe('mfg-webhook-in example flow', () => {
  before(start);
  after(stop);

  it('loads and turns a signed QMS webhook into an event', async () => {
    const example = require('../../examples/webhook-qms-nonconformance.json');
    // debug becomes a helper sink; comments need no runtime
    const nodes = JSON.parse(JSON.stringify(example)).filter((n) => n.type !== 'comment').map((n) => (n.type === 'debug' ? { ...n, type: 'helper' } : n));
    const secret = 'whsec_cXVhbGl0eS1kZW1vLWtleQ==';
    await helper.load([mfgPlant, webhookIn, capture], nodes, { f1a0c0de0000a004: { secret } });
    const got = nextMsg('f1a0c0de0000a005');
    const res = await sendStandard(nc(), { secret, path: '/webhooks/qms' });
    assert.equal(res.status, 202);
    const ev = (await got).payload;
    assert.deepEqual([ev.type, ev.data.defect.code, ev.data.note], ['mfg.quality.nonconformance.detected.v1', 'D-LEAK', 'leak at flange']);
    await helper.unload();
  });
});

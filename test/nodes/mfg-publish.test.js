'use strict';
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const mqtt = require('mqtt');
const { helper, node, start, stop, until, flow } = require('../helpers/nr');
const fs = require('fs');
const { startMosquitto, startAedes, loudSkip, freePort, tmpDir } = require('../helpers/servers');
const { registry } = require('../../dist/lib/observability/metrics');

/** mfg_messages_total of node "pub", outcome out, for an event type (process-wide counter). */
async function delivered(type) {
  const v = (await registry.getSingleMetric('mfg_messages_total').get()).values
    .find((x) => x.labels.node === 'pub' && x.labels.outcome === 'out' && x.labels.event_type === type);
  return v ? v.value : 0;
}

const nodes = [node('mfg-plant'), node('mfg-broker'), node('mfg-publish')];
const TOPIC = 'acme/BER1/assembly/line1/events/production/quantity/confirmed';

function event(i, key = 'order-1') {
  return {
    specversion: '1.0', id: `ev-${i}`, source: '/acme/BER1/assembly/line1/mes', type: 'mfg.production.quantity.confirmed.v1',
    time: '2026-11-27T08:00:00.000Z', correlationid: `corr-${i}`, partitionkey: key,
    data: { orderId: key, operationId: '0010', quantity: { value: i, unit: 'PC' } },
  };
}

function testFlow(url, pub = {}) {
  return flow([
    { id: 'tab', type: 'tab' },
    { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' },
    { id: 'broker', type: 'mfg-broker', url, protocol: 'auto', keepalive: 30, cleanSession: true, verifyTls: true },
    { id: 'pub', type: 'mfg-publish', z: 'tab', broker: 'broker', plant: 'plant', topicFrom: 'event', limit: 1000, maxAttempts: 0, maxAgeHours: 0, ...pub },
    { id: 'catch', type: 'catch', z: 'tab', scope: ['pub'], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'complete', type: 'complete', z: 'tab', scope: ['pub'], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper', z: 'tab' },
  ]);
}

async function subscriber(url, filter, version = 5, clientId) {
  const c = mqtt.connect(url, { protocolVersion: version, clientId });
  const got = [];
  c.on('message', (topic, payload, packet) => got.push({ topic, ev: JSON.parse(payload.toString()), props: packet.properties }));
  await new Promise((resolve, reject) => { c.once('connect', resolve); c.once('error', reject); });
  await c.subscribeAsync(filter, { qos: 1 });
  return { c, got };
}

function lastStatus(id) {
  const calls = helper.getNode(id).status.getCalls();
  return calls.length ? calls[calls.length - 1].args[0] : {};
}

describe('mfg-publish node', () => {
  let broker;
  const clients = [];
  before(start);
  afterEach(async () => {
    await helper.unload();
    while (clients.length) clients.pop().end(true);
    if (broker) await broker.stop();
    broker = undefined;
  });
  after(stop);

  it('publishes to the plant topic with QoS 1, content type and CloudEvents user properties (MQTT 5)', async (t) => {
    broker = await startMosquitto();
    if (!broker) return loudSkip(t, 'mosquitto');
    const sub = await subscriber(broker.url, 'acme/#');
    clients.push(sub.c);
    await helper.load(nodes, testFlow(broker.url));
    const completed = [];
    helper.getNode('completed').on('input', (m) => completed.push(m));
    await until(() => /connected/.test(lastStatus('pub').text)); // else they would be buffered events
    helper.getNode('pub').receive({ payload: event(1) });
    helper.getNode('pub').receive({ payload: JSON.stringify(event(2)) });
    await until(() => sub.got.length === 2);
    assert.equal(sub.got[0].topic, TOPIC);
    assert.deepEqual(sub.got.map((m) => m.ev.id), ['ev-1', 'ev-2']);
    assert.equal(sub.got[0].props.contentType, 'application/cloudevents+json');
    assert.equal(sub.got[0].props.userProperties.id, 'ev-1');
    assert.equal(sub.got[0].props.userProperties.type, 'mfg.production.quantity.confirmed.v1');
    assert.equal(sub.got[0].ev.recordedtime, undefined, 'sent at once: not a buffered event');
    await until(() => completed.length === 2);
    await until(() => /connected · 0 buffered/.test(lastStatus('pub').text));
  });

  it('fails non-events to Catch with the reason', async () => {
    broker = await startAedes();
    await helper.load(nodes, testFlow(broker.url));
    const caught = [];
    helper.getNode('caught').on('input', (m) => caught.push(m));
    helper.getNode('pub').receive({ payload: { hello: 'world' } });
    helper.getNode('pub').receive({ payload: '{oops' });
    await until(() => caught.length === 2);
    assert.match(caught[0].error.message, /msg.payload must be a CloudEvent/);
    assert.match(caught[1].error.message, /msg.payload is not JSON/);
  });

  it('buffers while the broker is away, refuses msgs beyond the limit loudly, then delivers the kept ones in order', async () => {
    const port = await freePort();
    await helper.load(nodes, testFlow(`mqtt://127.0.0.1:${port}`, { limit: 50 }));
    const caught = [];
    const completed = [];
    helper.getNode('caught').on('input', (m) => caught.push(m));
    helper.getNode('completed').on('input', (m) => completed.push(m));
    const deliveredBefore = await delivered('mfg.production.quantity.confirmed.v1');
    for (let i = 0; i < 60; i++) helper.getNode('pub').receive({ payload: event(i) });
    await until(() => completed.length + caught.length === 60);
    assert.equal(completed.length, 50, 'the first 50 are persisted');
    assert.equal(caught.length, 10);
    for (const m of caught) assert.match(m.error.message, /outbox "mfg-publish:pub" is full \(50 messages buffered\)/);
    assert.deepEqual(caught.map((m) => m.payload.id), Array.from({ length: 10 }, (_, i) => `ev-${50 + i}`));
    await until(() => /outbox full/.test(lastStatus('pub').text));
    assert.equal(lastStatus('pub').fill, 'red');

    broker = await startAedes({ port });
    // Only the test's subscriber gets in until it has subscribed, so it cannot miss anything.
    let open = false;
    broker.broker.authenticate = (client, u, p, cb) => cb(null, open || client.id === 'sub-test');
    const sub = await subscriber(broker.url, 'acme/#', 4, 'sub-test');
    clients.push(sub.c);
    open = true;
    await until(() => sub.got.length === 50, 20000);
    assert.deepEqual(sub.got.map((m) => m.ev.data.quantity.value), Array.from({ length: 50 }, (_, i) => i), 'FIFO');
    assert.ok(sub.got.every((m) => m.ev.time === '2026-11-27T08:00:00.000Z' && typeof m.ev.recordedtime === 'string'), 'buffered events keep time and get recordedtime');
    await until(() => /connected \(3\.1\.1\) · 0 buffered/.test(lastStatus('pub').text));
    // sent as stored (3.1.1): the delivered count still carries the event type, read from the record's head
    assert.equal(await delivered('mfg.production.quantity.confirmed.v1') - deliveredBefore, 50);
  });

  it('loses nothing and keeps per-partition order when the broker restarts in the middle of a stream', async (t) => {
    const dir = tmpDir('mosq-data-');
    fs.chmodSync(dir, 0o777); // mosquitto drops root privileges before writing its database
    const extra = ['persistence true', `persistence_location ${dir}/`];
    broker = await startMosquitto({ extra });
    if (!broker) return loudSkip(t, 'mosquitto');
    const c = mqtt.connect(broker.url, { protocolVersion: 5, clientId: 'midstream', clean: false, properties: { sessionExpiryInterval: 600 }, reconnectPeriod: 100 });
    clients.push(c);
    const got = [];
    c.on('message', (_t, payload) => got.push(JSON.parse(payload.toString())));
    await new Promise((r) => c.once('connect', r));
    await c.subscribeAsync('acme/#', { qos: 1 });
    await helper.load(nodes, testFlow(broker.url, { limit: 100000 }));
    await until(() => /connected/.test(lastStatus('pub').text));
    const N = 4000;
    for (let i = 0; i < N; i++) helper.getNode('pub').receive({ payload: event(i, `order-${i % 10}`) });
    await until(() => got.length >= 300, 20000);
    await broker.stop(); // mid-stream: publishes in flight, most still in the outbox
    assert.ok(new Set(got.map((e) => e.id)).size < N, 'the broker went away before the stream was through');
    broker = await startMosquitto({ port: broker.port, extra });
    await until(() => new Set(got.map((e) => e.id)).size === N, 60000);
    const first = new Map();
    for (const e of got) if (!first.has(e.id)) first.set(e.id, e);
    for (let k = 0; k < 10; k++) {
      const seq = [...first.values()].filter((e) => e.partitionkey === `order-${k}`).map((e) => e.data.quantity.value);
      assert.deepEqual(seq, [...seq].sort((a, b) => a - b), `order-${k} in order`);
      assert.equal(seq.length, N / 10);
    }
  });
});

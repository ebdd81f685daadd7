'use strict';
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const mqtt = require('mqtt');
const { helper, node, start, stop, nextMsg, until, flow } = require('../helpers/nr');
const { startMosquitto, startAedes, loudSkip } = require('../helpers/servers');

const nodes = [node('mfg-plant'), node('mfg-broker'), node('mfg-subscribe')];
const BASE = 'acme/BER1/assembly/line1/events';

function event(i, extra = {}) {
  return {
    specversion: '1.0', id: `ev-${i}`, source: '/acme/BER1/assembly/line1/mes', type: 'mfg.production.quantity.confirmed.v1',
    time: '2026-11-27T08:00:00.000Z', correlationid: `corr-${i}`, data: { orderId: '1', operationId: '0010', quantity: { value: i, unit: 'PC' } }, ...extra,
  };
}

function testFlow(url, sub) {
  return flow([
    { id: 'tab', type: 'tab' },
    { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' },
    { id: 'broker', type: 'mfg-broker', url, protocol: 'auto', keepalive: 30, cleanSession: true, verifyTls: true },
    { id: 'sub', type: 'mfg-subscribe', z: 'tab', broker: 'broker', plant: 'plant', mode: 'types', types: 'mfg.production.*', qos: 1, wires: [['events'], ['invalid']], ...sub },
    { id: 'events', type: 'helper', z: 'tab' },
    { id: 'invalid', type: 'helper', z: 'tab' },
  ]);
}

async function publisher(url, version = 5) {
  const c = mqtt.connect(url, { protocolVersion: version });
  await new Promise((resolve, reject) => { c.once('connect', resolve); c.once('error', reject); });
  return c;
}

function statusText(id) {
  const calls = helper.getNode(id).status.getCalls();
  return calls.length ? calls[calls.length - 1].args[0].text : '';
}

describe('mfg-subscribe node', () => {
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

  it('outputs events of the subscribed types with correlation and MQTT 5 properties, invalid ones with the reason', async (t) => {
    broker = await startMosquitto();
    if (!broker) return loudSkip(t, 'mosquitto');
    await helper.load(nodes, testFlow(broker.url));
    await until(() => /connected/.test(statusText('sub')));
    const pub = await publisher(broker.url);
    clients.push(pub);
    await new Promise((r) => setTimeout(r, 100)); // SUBACK
    const got = nextMsg('events');
    pub.publish(`${BASE}/quality/hold/placed`, JSON.stringify(event(0)), { qos: 1 }); // other domain: not subscribed
    pub.publish(`${BASE}/production/quantity/confirmed`, JSON.stringify(event(1)), { qos: 1, properties: { userProperties: { id: 'ev-1' }, contentType: 'application/cloudevents+json' } });
    const msg = await got;
    assert.equal(msg.payload.id, 'ev-1');
    assert.equal(msg.topic, `${BASE}/production/quantity/confirmed`);
    assert.equal(msg.correlationId, 'corr-1');
    assert.equal(msg.mqtt.userProperties.id, 'ev-1');
    assert.equal(msg.mqtt.contentType, 'application/cloudevents+json');

    const bad = nextMsg('invalid');
    pub.publish(`${BASE}/production/quantity/confirmed`, 'not json', { qos: 1 });
    const b = await bad;
    assert.match(b.reason, /not valid JSON/);
    assert.equal(b.payload, 'not json');

    const bad2 = nextMsg('invalid');
    pub.publish(`${BASE}/production/quantity/confirmed`, JSON.stringify(event(2, { specversion: '0.3', Bad: 1 })), { qos: 1 });
    const b2 = await bad2;
    assert.match(b2.reason, /not a valid CloudEvents envelope/);
    assert.ok(b2.validationErrors.some((e) => e.path === '$.specversion'));
  });

  it('subscribes again after the broker restarts', async (t) => {
    broker = await startMosquitto();
    if (!broker) return loudSkip(t, 'mosquitto');
    await helper.load(nodes, testFlow(broker.url));
    await until(() => /connected/.test(statusText('sub')));
    await broker.stop();
    await until(() => /reconnecting/.test(statusText('sub')));
    broker = await startMosquitto({ port: broker.port });
    await until(() => /connected/.test(statusText('sub')), 15000);
    const pub = await publisher(broker.url);
    clients.push(pub);
    await new Promise((r) => setTimeout(r, 200));
    const got = nextMsg('events');
    pub.publish(`${BASE}/production/quantity/confirmed`, JSON.stringify(event(3)), { qos: 1 });
    assert.equal((await got).payload.id, 'ev-3');
  });

  it('says so in its status when a shared group meets a 3.1.1-only broker', async () => {
    broker = await startAedes();
    await helper.load(nodes, testFlow(broker.url, { group: 'g1' }));
    await until(() => /shared subscription needs MQTT 5/.test(statusText('sub')));
  });

  it('refuses a bad event type pattern with a clear reason', async () => {
    broker = await startAedes();
    await helper.load(nodes, testFlow(broker.url, { types: 'quality.hold' }));
    await until(() => /event type pattern/.test(statusText('sub')));
    assert.ok(helper.getNode('sub').error.getCalls().some((c) => /event type pattern "quality.hold" must look like mfg/.test(c.args[0])));
  });
});

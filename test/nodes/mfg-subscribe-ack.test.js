'use strict';
// mfg-subscribe holds the PUBACK of a QoS 1 event until every node it reached is done,
// so the broker redelivers an event that was still in the flow when Node-RED died.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const mqtt = require('mqtt');
const { helper, node, start, stop, until, flow } = require('../helpers/nr');
const { startMosquitto, loudSkip } = require('../helpers/servers');

const fn = require(require.resolve('@node-red/nodes/core/function/10-function.js', { paths: [require.resolve('node-red')] }));
const nodes = [node('mfg-broker'), node('mfg-subscribe'), fn];
const ev = (id) => JSON.stringify({ specversion: '1.0', id, source: '/acme/BER1/a/l/mes', type: 'mfg.production.quantity.confirmed.v1', data: {} });

function slowFlow(url, ack, func, broker = {}) {
  return flow([
    { id: 'tab', type: 'tab' },
    { id: 'b', type: 'mfg-broker', url, protocol: '5', clientId: 'ack-test', cleanSession: false, keepalive: 30, ...broker },
    { id: 'sub', type: 'mfg-subscribe', z: 'tab', broker: 'b', mode: 'topic', topic: 'ack/in', qos: 1, ack, ackTimeout: 60, wires: [['slow'], []] },
    { id: 'slow', type: 'function', z: 'tab', func, outputs: 1, wires: [['out']] },
    // a terminal node that completes (helper sink nodes never call done)
    { id: 'out', type: 'function', z: 'tab', func: 'const s = global.get("seen") || []; s.push(msg.payload.id); global.set("seen", s); return null;', outputs: 1, wires: [[]] },
    { id: 'catch', type: 'catch', z: 'tab', scope: ['slow'], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'function', z: 'tab', func: 'setTimeout(() => { node.send(msg); node.done(); }, 300);', outputs: 1, wires: [['out']] },
  ]);
}

describe('mfg-subscribe acknowledges when the flow has handled the event', () => {
  let broker;
  before(start);
  afterEach(async () => {
    await helper.unload();
    if (broker) await broker.stop();
    broker = undefined;
  });
  after(stop);

  const held = () => helper.getNode('b').client.heldAcks;
  const seen = () => helper.getNode('out').context().global.get('seen') || [];

  it('holds the PUBACK while a node is still working on the event, sends it when done', async (t) => {
    broker = await startMosquitto();
    if (!broker) return loudSkip(t, 'mosquitto');
    await helper.load(nodes, slowFlow(broker.url, 'handled', 'setTimeout(() => { node.send(msg); node.done(); }, 600);'));
    await until(() => helper.getNode('b').client.connected);
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    await pub.publishAsync('ack/in', ev('e1'), { qos: 1 });
    await until(() => held() === 1);
    assert.deepEqual(seen(), [], 'still in the slow node');
    await until(() => seen().length === 1 && held() === 0, 5000);
    await pub.endAsync();
  });

  it('counts the Catch path: the PUBACK waits for the error handling to finish', async (t) => {
    broker = await startMosquitto();
    if (!broker) return loudSkip(t, 'mosquitto');
    await helper.load(nodes, slowFlow(broker.url, 'handled', 'throw new Error("cannot handle " + msg.payload.id);'));
    await until(() => helper.getNode('b').client.connected);
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    await pub.publishAsync('ack/in', ev('e2'), { qos: 1 });
    await until(() => held() === 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(held(), 1, 'the Catch branch is still working');
    await until(() => seen().length === 1 && held() === 0, 5000);
    await pub.endAsync();
  });

  it('redelivers an unacknowledged event to a persistent session after the subscriber went away', async (t) => {
    broker = await startMosquitto();
    if (!broker) return loudSkip(t, 'mosquitto');
    // a node that never finishes (a function that mentions node.done must call it itself)
    await helper.load(nodes, slowFlow(broker.url, 'handled', 'if (false) node.done(); return;'));
    await until(() => helper.getNode('b').client.connected);
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    await pub.publishAsync('ack/in', ev('e3'), { qos: 1 });
    await until(() => held() === 1);
    await helper.unload(); // the subscriber goes away without the PUBACK
    await helper.load(nodes, slowFlow(broker.url, 'handled', 'node.send(msg); node.done();'));
    await until(() => seen().includes('e3'), 8000);
    await pub.endAsync();
  });

  it('on receipt: acknowledges at once', async (t) => {
    broker = await startMosquitto();
    if (!broker) return loudSkip(t, 'mosquitto');
    await helper.load(nodes, slowFlow(broker.url, 'received', 'setTimeout(() => { node.send(msg); node.done(); }, 600);'));
    await until(() => helper.getNode('b').client.connected);
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    await pub.publishAsync('ack/in', ev('e4'), { qos: 1 });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(held(), 0);
    await pub.endAsync();
  });

  // The test broker sends without limit (max_inflight_messages 0): only the in-flight limit
  // keeps the flood out of the process.
  for (const protocol of ['3.1.1', '5']) {
    it(`stops reading beyond the in-flight limit and takes the rest once msgs are handled (MQTT ${protocol})`, async (t) => {
      broker = await startMosquitto();
      if (!broker) return loudSkip(t, 'mosquitto');
      const slow = 'setTimeout(() => { node.send(msg); node.done(); }, 20);';
      await helper.load(nodes, slowFlow(broker.url, 'handled', slow, { protocol, cleanSession: true, clientId: '', maxInFlight: 5 }));
      const client = helper.getNode('b').client;
      await until(() => client.connected);
      let peak = 0;
      let paused = false;
      const probe = setInterval(() => {
        peak = Math.max(peak, client.heldAcks);
        paused = paused || client.readingPaused;
      }, 1);
      probe.unref();
      t.after(() => clearInterval(probe));
      const pub = await mqtt.connectAsync(broker.url, { protocolVersion: protocol === '5' ? 5 : 4 });
      await Promise.all(Array.from({ length: 60 }, (_, i) => pub.publishAsync('ack/in', ev(`f${i}`), { qos: 1 })));
      await until(() => seen().length === 60 && client.heldAcks === 0, 15000);
      clearInterval(probe);
      assert.deepEqual([...seen()], Array.from({ length: 60 }, (_, i) => `f${i}`), 'each once, in order');
      // 3.1.1: reading pauses with one msg over the limit; MQTT 5: the broker keeps to Receive Maximum
      assert.ok(peak >= 3 && peak <= 6, `held at most the limit (+1 read before pausing), peak ${peak}`);
      if (protocol === '3.1.1') assert.ok(paused, 'reading paused');
      await pub.endAsync();
    });
  }
});

'use strict';
// AsyncAPI and the event catalog served by a running Node-RED for the flows it has deployed
// (mfg-event -> mfg-publish, mfg-subscribe -> mfg-validate over a real broker), checked
// with @asyncapi/parser; and one business transaction traced across the backbone.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Parser } = require('@asyncapi/parser');
const { startNodeRed } = require('../helpers/child-nr');
const { startMosquitto, startAedes, loudSkip } = require('../helpers/servers');
const { samples } = require('../../dist/lib/events');

const QTY = 'mfg.production.quantity.confirmed.v1';
const count = (name) => `const c = global.get('counts') || {}; c['${name}'] = (c['${name}'] || 0) + 1; global.set('counts', c); return null;`;

function flows(brokerUrl) {
  return [
    { id: 'tab', type: 'tab', label: 'backbone' },
    { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' },
    { id: 'broker', type: 'mfg-broker', name: 'plant broker', url: brokerUrl, protocol: 'auto', keepalive: 30, cleanSession: true, verifyTls: true },
    { id: 'in', type: 'http in', z: 'tab', url: '/confirm', method: 'post', wires: [['ev', 'ok']] },
    { id: 'ok', type: 'function', z: 'tab', func: 'return { payload: "ok", statusCode: 202, res: msg.res, req: msg.req };', wires: [['resp']] },
    { id: 'resp', type: 'http response', z: 'tab', wires: [] },
    { id: 'ev', type: 'mfg-event', z: 'tab', name: 'confirmation', plant: 'plant', eventType: QTY, dataFrom: 'payload', mappings: [], errorOutput: false, wires: [['pub']] },
    { id: 'pub', type: 'mfg-publish', z: 'tab', name: 'to backbone', broker: 'broker', plant: 'plant', store: '', topicFrom: 'event', topic: '', limit: 1000, maxAttempts: 0, maxAgeHours: 0, rate: 0 },
    { id: 'sub', type: 'mfg-subscribe', z: 'tab', name: 'production events', broker: 'broker', plant: 'plant', mode: 'types', types: 'mfg.production.*', topic: '', group: '', qos: 1, wires: [['val'], []] },
    { id: 'val', type: 'mfg-validate', z: 'tab', name: 'check', schemaFrom: 'catalog', wires: [['got'], []] },
    { id: 'got', type: 'function', z: 'tab', func: count('received'), wires: [] },
    { id: 'qin', type: 'http in', z: 'tab', url: '/counts', method: 'get', wires: [['q']] },
    { id: 'q', type: 'function', z: 'tab', func: "msg.payload = global.get('counts') || {}; return msg;", wires: [['qout']] },
    { id: 'qout', type: 'http response', z: 'tab', wires: [] },
  ].map((n, i) => (n.z ? { x: 120 + 160 * (i % 5), y: 80 + 80 * Math.floor(i / 5), ...n } : n));
}

describe('AsyncAPI and catalog of the deployed flows (Node-RED child process)', () => {
  let broker;
  let nr;
  before(async () => {
    broker = (await startMosquitto()) || (await startAedes());
    nr = await startNodeRed({ flows: flows(broker.url) });
  });
  after(async () => {
    if (nr) await nr.stop();
    if (broker) await broker.stop();
  });

  it('serves a valid AsyncAPI 3.0 document with the deployed channels', async (t) => {
    if (!broker) return loudSkip(t, 'an MQTT broker');
    const doc = await (await fetch(`${nr.url}/mfg-connect/asyncapi`)).json();
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    assert.deepEqual(diagnostics.filter((d) => d.severity === 0).map((d) => d.message), []);
    assert.ok(document);
    const byAddress = Object.fromEntries(Object.values(doc.channels).map((c) => [c.address, c]));
    const sendCh = byAddress['acme/BER1/assembly/line1/events/production/quantity/confirmed'];
    assert.ok(sendCh, `channel of mfg-publish in ${Object.keys(byAddress)}`);
    assert.deepEqual(Object.keys(sendCh.messages), [QTY]);
    const recvCh = byAddress['acme/BER1/assembly/line1/events/production/{rest}'];
    assert.ok(recvCh, 'channel of mfg-subscribe');
    assert.ok(Object.keys(recvCh.messages).includes('mfg.production.order.released.v1'));
    assert.deepEqual(Object.values(doc.operations).map((o) => o.action).sort(), ['receive', 'send']);
    const server = Object.values(doc.servers)[0];
    assert.equal(server.host, broker.url.replace('mqtt://', ''));
    assert.equal(server.protocol, 'mqtt');
  });

  it('follows one transaction across the backbone and lists producers and consumers', async (t) => {
    if (!broker) return loudSkip(t, 'an MQTT broker');
    const data = { ...structuredClone(samples[QTY]), orderId: 'ASYNC-1' };
    let r;
    for (let i = 0; i < 100; i++) {
      r = await fetch(`${nr.url}/confirm`, { method: 'POST', body: JSON.stringify(data), headers: { 'Content-Type': 'application/json' } });
      assert.equal(r.status, 202);
      await new Promise((res) => setTimeout(res, 200));
      if (((await (await fetch(`${nr.url}/counts`)).json()).received || 0) > 0) break;
    }
    const list = await (await fetch(`${nr.url}/mfg-connect/trace?limit=200`)).json();
    const across = [];
    for (const item of list.items) {
      const tx = await (await fetch(`${nr.url}/mfg-connect/trace/${item.correlationId}`)).json();
      if (tx.steps.some((s) => s.node === 'sub')) across.push(tx);
    }
    assert.ok(across.length >= 1, 'a transaction seen on both sides of the broker');
    const nodes = across[0].steps.map((s) => s.node);
    assert.deepEqual(nodes.slice(0, 2), ['ev', 'pub'], 'built and handed to the outbox');
    assert.ok(nodes.indexOf('sub') > nodes.indexOf('pub') && nodes.includes('val'), `then received and validated: ${nodes}`);

    const cat = await (await fetch(`${nr.url}/mfg-connect/governance/catalog`)).json();
    const qty = cat.eventTypes.find((e) => e.type === QTY);
    assert.deepEqual(qty.producers.map((p) => p.id).sort(), ['ev', 'pub']);
    assert.deepEqual(qty.consumers.map((c) => c.id).sort(), ['sub', 'val']);
    assert.ok(qty.consumers.find((c) => c.id === 'sub').via.includes('topic'));
  });
});

'use strict';
// MQTT over TLS with a real mosquitto and generated certificates: verification is on by
// default, the right CA connects and delivers, a wrong CA fails clearly and loses nothing.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const mqtt = require('mqtt');
const { helper, node, start, stop, until, flow } = require('../helpers/nr');
const { startMosquitto, which, loudSkip, freePort } = require('../helpers/servers');
const { makePki } = require('../helpers/certs');

const nodes = [node('mfg-broker'), node('mfg-publish'), node('mfg-store')];
const ev = (i) => ({
  specversion: '1.0', id: `tls-${i}`, source: '/acme/BER1/a/l/mes', type: 'mfg.production.quantity.confirmed.v1',
  time: '2026-11-27T08:00:00.000Z', partitionkey: 'o1', data: { orderId: 'o1', operationId: '0010', quantity: { value: i, unit: 'PC' } },
});

function tlsFlow(url, broker) {
  return flow([
    { id: 'tab', type: 'tab' },
    { id: 'store', type: 'mfg-store', kind: 'memory', maxEntries: 1000 },
    { id: 'broker', type: 'mfg-broker', url, protocol: '5', keepalive: 30, cleanSession: true, ...broker },
    { id: 'pub', type: 'mfg-publish', z: 'tab', broker: 'broker', store: 'store', topicFrom: 'fixed', topic: 'secure/events', limit: 100 },
  ]);
}

describe('MQTT over TLS', () => {
  let pki;
  let broker;
  let url;
  before(async () => {
    await start();
    if (!which('mosquitto')) return;
    pki = makePki();
    const port = await freePort();
    // the plain listener of startMosquitto is unused; the TLS listener is the one under test
    broker = await startMosquitto({ extra: [`listener ${port} 127.0.0.1`, `cafile ${pki.caFile}`, `certfile ${pki.certFile}`, `keyfile ${pki.keyFile}`, 'allow_anonymous true'] });
    url = `mqtts://127.0.0.1:${port}`;
  });
  afterEach(() => helper.unload());
  after(async () => {
    await stop();
    if (broker) await broker.stop();
  });

  it('verifies the broker against the configured CA and delivers', async (t) => {
    if (!broker) return loudSkip(t, 'mosquitto');
    const sub = await mqtt.connectAsync(url, { ca: pki.ca, protocolVersion: 5 });
    const got = [];
    sub.on('message', (_t, p) => got.push(JSON.parse(p).id));
    await sub.subscribeAsync('secure/events', { qos: 1 });
    await helper.load(nodes, tlsFlow(url, { ca: pki.ca }));
    const pub = helper.getNode('pub');
    for (let i = 0; i < 5; i++) pub.receive({ payload: ev(i) });
    await until(() => got.length === 5, 15000);
    assert.deepEqual(got, ['tls-0', 'tls-1', 'tls-2', 'tls-3', 'tls-4']);
    await sub.endAsync();
  });

  it('refuses a broker certificate from another CA with a clear reason and keeps the events buffered', async (t) => {
    if (!broker) return loudSkip(t, 'mosquitto');
    await helper.load(nodes, tlsFlow(url, { ca: pki.otherCa }));
    const pub = helper.getNode('pub');
    pub.receive({ payload: ev(1) });
    await until(() => pub.status.getCalls().some((c) => /certificate|verify|self.signed/i.test(JSON.stringify(c.args[0]))), 15000);
    const last = pub.status.getCalls().pop().args[0];
    assert.match(last.text, /certificate/);
    assert.match(last.text, /· 1 buffered$/);
  });

  it('verification is on by default: no CA given means a private CA is not trusted', async (t) => {
    if (!broker) return loudSkip(t, 'mosquitto');
    await helper.load(nodes, tlsFlow(url, {}));
    const pub = helper.getNode('pub');
    pub.receive({ payload: ev(2) });
    await until(() => pub.status.getCalls().some((c) => /certificate|verify|self.signed/i.test(JSON.stringify(c.args[0]))), 15000);
  });
});

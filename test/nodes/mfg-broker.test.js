'use strict';
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { helper, node, start, stop, until, flow } = require('../helpers/nr');
const { startMosquitto, startAedes, loudSkip, tmpDir, which } = require('../helpers/servers');

const nodes = [node('mfg-plant'), node('mfg-broker'), node('mfg-publish'), node('mfg-subscribe')];

const EVENT = {
  specversion: '1.0', id: 'ev-1', source: '/acme/BER1/assembly/line1/mes', type: 'mfg.production.quantity.confirmed.v1',
  time: '2026-11-27T08:00:00.000Z', data: { orderId: '100', operationId: '0010', quantity: { value: 1, unit: 'PC' } },
};

/** mfg-subscribe and mfg-publish on one mfg-broker; the subscriber gets what the publisher sends. */
function pubSubFlow(url, broker = {}) {
  return flow([
    { id: 'tab', type: 'tab' },
    { id: 'broker', type: 'mfg-broker', url, protocol: '3.1.1', clientId: 'line7', keepalive: 30, cleanSession: true, verifyTls: true, ...broker },
    { id: 'sub', type: 'mfg-subscribe', z: 'tab', broker: 'broker', mode: 'topic', topic: 'bench/t', qos: 1, wires: [['out'], []] },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'pub', type: 'mfg-publish', z: 'tab', broker: 'broker', topicFrom: 'fixed', topic: 'bench/t', limit: 100, maxAttempts: 0, maxAgeHours: 0 },
  ]);
}

/** aedes with a record of who connected and who published on which topic */
async function watchedBroker() {
  const b = await startAedes();
  b.connected = [];
  b.publishers = [];
  b.broker.on('client', (c) => b.connected.push(c.id));
  b.all = [];
  b.broker.on('publish', (packet, client) => {
    if (!client) return;
    b.all.push(client.id);
    if (packet.topic === 'bench/t') b.publishers.push(client.id);
  });
  return b;
}

function testFlow(url) {
  return flow([
    { id: 'tab', type: 'tab' },
    { id: 'broker', type: 'mfg-broker', url, protocol: 'auto', keepalive: 30, cleanSession: true, verifyTls: true },
    { id: 'pub', type: 'mfg-publish', z: 'tab', broker: 'broker', topicFrom: 'event', limit: 100, maxAttempts: 0, maxAgeHours: 0 },
  ]);
}

function statusText(id) {
  const calls = helper.getNode(id).status.getCalls();
  return calls.length ? calls[calls.length - 1].args[0].text : '';
}

describe('mfg-broker config node', () => {
  let broker;
  before(start);
  afterEach(async () => {
    await helper.unload();
    if (broker) await broker.stop();
    broker = undefined;
  });
  after(stop);

  async function securedBroker(t) {
    if (!which('mosquitto_passwd') || !which('mosquitto')) {
      loudSkip(t, 'mosquitto');
      return null;
    }
    const dir = tmpDir('mosq-auth-');
    fs.chmodSync(dir, 0o755);
    const pw = path.join(dir, 'passwd');
    execFileSync('mosquitto_passwd', ['-b', '-c', pw, 'line1', 's3cret!'], { stdio: 'ignore' });
    fs.chmodSync(pw, 0o644);
    const b = await startMosquitto({ extra: ['allow_anonymous false', `password_file ${pw}`] });
    // mosquitto rereads its config on SIGHUP after dropping root: let it read the file
    fs.chmodSync(path.dirname(b.child.spawnargs[2]), 0o755);
    fs.chmodSync(b.child.spawnargs[2], 0o644);
    b.passwd = (password) => {
      execFileSync('mosquitto_passwd', ['-b', pw, 'line1', password], { stdio: 'ignore' });
      fs.chmodSync(pw, 0o644);
      b.child.kill('SIGHUP');
    };
    return b;
  }

  it('gives mfg-publish a connection of its own by default, with the client id and "-pub"', async () => {
    broker = await watchedBroker();
    await helper.load(nodes, pubSubFlow(broker.url));
    await until(() => /^connected/.test(statusText('pub')) && broker.connected.includes('line7'), 10000);
    const got = new Promise((resolve) => helper.getNode('out').on('input', resolve));
    helper.getNode('pub').receive({ payload: EVENT });
    const msg = await got;
    assert.equal(msg.payload.id, 'ev-1');
    assert.deepEqual([...broker.connected].sort(), ['line7', 'line7-pub']);
    assert.deepEqual(broker.publishers, ['line7-pub']);
  });

  it('rides out the loss of the publishing connection alone: the outbox holds and sends on reconnect', async () => {
    broker = await watchedBroker();
    await helper.load(nodes, pubSubFlow(broker.url));
    await until(() => /^connected/.test(statusText('pub')) && broker.connected.includes('line7'), 10000);
    const got = [];
    helper.getNode('out').on('input', (msg) => got.push(msg.payload.id));
    broker.broker.clients['line7-pub'].close();
    await until(() => !/^connected/.test(statusText('pub')), 5000);
    for (let i = 1; i <= 5; i++) helper.getNode('pub').receive({ payload: { ...EVENT, id: `ev-${i}` } });
    await until(() => got.length >= 5, 15000);
    assert.deepEqual(got, ['ev-1', 'ev-2', 'ev-3', 'ev-4', 'ev-5']);
    // the subscribing connection stayed up throughout
    assert.equal(broker.connected.filter((id) => id === 'line7').length, 1);
    assert.equal(broker.connected.filter((id) => id === 'line7-pub').length, 2);
  });

  it('keeps to one connection when set to publish on it', async () => {
    broker = await watchedBroker();
    await helper.load(nodes, pubSubFlow(broker.url, { publishOn: 'shared' }));
    await until(() => /^connected/.test(statusText('pub')), 10000);
    const got = new Promise((resolve) => helper.getNode('out').on('input', resolve));
    helper.getNode('pub').receive({ payload: EVENT });
    assert.equal((await got).payload.id, 'ev-1');
    assert.deepEqual(broker.connected, ['line7']);
    assert.deepEqual(broker.publishers, ['line7']);
  });

  it('opens only the publishing connection when nothing subscribes', async () => {
    broker = await watchedBroker();
    await helper.load(nodes, testFlow(broker.url));
    await until(() => /^connected/.test(statusText('pub')), 10000);
    assert.equal(broker.connected.length, 1);
    helper.getNode('pub').receive({ payload: EVENT });
    await until(() => broker.all.length === 1, 10000);
    assert.deepEqual(broker.all, broker.connected);
  });

  it('logs in with the username and password held as credentials', async (t) => {
    broker = await securedBroker(t);
    if (!broker) return;
    await helper.load(nodes, testFlow(broker.url), { broker: { username: 'line1', password: 's3cret!' } });
    await until(() => /^connected/.test(statusText('pub')), 10000);
  });

  it('shows the broker\'s refusal of wrong credentials and keeps trying', async (t) => {
    broker = await securedBroker(t);
    if (!broker) return;
    await helper.load(nodes, testFlow(broker.url), { broker: { username: 'line1', password: 'wrong' } });
    await until(() => /Not authorized|Bad User Name or Password/i.test(statusText('pub')), 10000);
    assert.equal(helper.getNode('pub').status.lastCall.args[0].fill, 'red');
    assert.ok(helper.getNode('broker').warn.getCalls().some((c) => /Not authorized|Bad User Name or Password/i.test(c.args[0])));
    broker.passwd('wrong'); // the plant changes the password on the broker side: no redeploy needed
    await until(() => /^connected/.test(statusText('pub')), 20000);
  });
});

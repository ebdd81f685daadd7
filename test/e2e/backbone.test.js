'use strict';
// The event backbone end to end: Node-RED 4.1 as a child process with this package,
// real mosquitto, durable outbox on the default SQLite store under the userDir.
const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const mqtt = require('mqtt');
const { startNodeRed } = require('../helpers/child-nr');
const { startMosquitto, loudSkip, tmpDir } = require('../helpers/servers');
const { events, emitFlow, emit, recorder, checkOrder } = require('./backbone-flow');

const cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()().catch(() => undefined);
});

async function until(pred, ms, what) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** mosquitto that keeps sessions and queued QoS 1 msgs across its own restart. */
function persistentBroker(dir, port) {
  return startMosquitto({ port, extra: ['persistence true', `persistence_location ${dir}/`] });
}

describe('event backbone end to end', { timeout: 180_000 }, () => {
  it('buffers 5,000 events while the broker is down and delivers all of them in order per partition once it is back', async (t) => {
    const dir = tmpDir('mosq-data-');
    fs.chmodSync(dir, 0o777); // mosquitto drops root privileges before writing its database
    let broker = await persistentBroker(dir);
    if (!broker) return loudSkip(t, 'mosquitto');
    cleanup.push(() => broker.stop());
    // A consumer with a persistent session: the broker queues for it while it is away.
    const sub = await recorder(broker.url, 'acme/+/+/+/events/#', { clientId: 'backbone-consumer', clean: false, properties: { sessionExpiryInterval: 3600 } });
    cleanup.push(async () => sub.c.end(true));
    const nr = await startNodeRed({ flows: emitFlow(broker.url) });
    cleanup.push(() => nr.kill());

    await broker.stop();
    const evs = events(5000, 40);
    const r = await emit(nr, evs);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { persisted: 5000, failed: 0 }, 'every event persisted while the broker is down');
    assert.equal(sub.got.length, 0);

    broker = await persistentBroker(dir, broker.port);
    await until(() => sub.unique() === 5000, 90_000, `5,000 events (have ${sub.unique()})`);
    checkOrder(sub.got, 5000);
    const late = sub.got.find((e) => e.id === 'ev-4999');
    assert.equal(late.time, '2026-11-27T08:00:00.000Z', 'the occurrence time is kept');
    assert.ok(Date.parse(late.recordedtime) > Date.parse(late.time), 'a buffered event carries recordedtime');
  });

  it('survives SIGKILL of Node-RED with events in the outbox and in flight: all delivered, repeats only by id', async (t) => {
    let broker = await startMosquitto();
    if (!broker) return loudSkip(t, 'mosquitto');
    const port = broker.port;
    cleanup.push(() => broker.stop());
    // rate-limited so that the second kill lands while deliveries are under way
    const flows = emitFlow(broker.url, { rate: 1500 });
    let nr = await startNodeRed({ flows });
    cleanup.push(() => nr.kill());

    await broker.stop();
    const N = 6000;
    const r = await emit(nr, events(N, 30));
    assert.deepEqual(r.body, { persisted: N, failed: 0 });
    await nr.kill(); // kill -9 with everything still in the outbox

    broker = await startMosquitto({ port });
    const sub = await recorder(broker.url, 'acme/#');
    cleanup.push(async () => sub.c.end(true));
    nr = await startNodeRed({ userDir: nr.userDir });
    await until(() => sub.unique() >= 1000, 60_000, 'the first 1,000 deliveries after restart');
    await nr.kill(); // kill -9 again, in the middle of delivering
    const atKill = sub.unique();
    assert.ok(atKill < N, `the kill came while ${N - atKill} events were still undelivered`);

    nr = await startNodeRed({ userDir: nr.userDir });
    await until(() => sub.unique() === N, 90_000, `${N} distinct events (have ${sub.unique()})`);
    checkOrder(sub.got, N);
    const repeats = sub.got.length - N;
    // At-least-once: only the few in flight at the kill may come twice; an idempotent
    // consumer counting by event id sees each exactly once.
    assert.ok(repeats <= 1024, `${repeats} repeats, at most one in-flight window`);
    t.diagnostic(`${repeats} repeated deliveries after SIGKILL (in flight at the kill), 0 lost`);
  });

  it('splits one stream between two Node-RED instances in a shared subscription group, losing none', async (t) => {
    const broker = await startMosquitto();
    if (!broker) return loudSkip(t, 'mosquitto');
    cleanup.push(() => broker.stop());
    const flows = [
      { id: 'tab', type: 'tab' },
      { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' },
      { id: 'broker', type: 'mfg-broker', url: broker.url, protocol: 'auto', keepalive: 30, cleanSession: true, verifyTls: true },
      { id: 'sub', type: 'mfg-subscribe', z: 'tab', x: 100, y: 100, broker: 'broker', plant: 'plant', mode: 'types', types: 'mfg.production.*', group: 'erp-bridge', qos: 1, wires: [['rec'], []] },
      { id: 'rec', type: 'function', z: 'tab', x: 200, y: 100, func: "const ids = flow.get('ids') || []; ids.push(msg.payload.id); flow.set('ids', ids); return null;", outputs: 1, wires: [[]] },
      { id: 'get', type: 'http in', z: 'tab', x: 100, y: 200, url: '/received', method: 'get', wires: [['list']] },
      { id: 'list', type: 'function', z: 'tab', x: 200, y: 200, func: "msg.payload = flow.get('ids') || []; return msg;", outputs: 1, wires: [['resp']] },
      { id: 'resp', type: 'http response', z: 'tab', x: 300, y: 200, wires: [] },
    ];
    const [a, b] = await Promise.all([startNodeRed({ flows }), startNodeRed({ flows })]);
    cleanup.push(() => a.kill(), () => b.kill());
    const received = async (nr) => (await fetch(`${nr.url}/received`)).json();
    await new Promise((r) => setTimeout(r, 500)); // both SUBACKs

    const pub = mqtt.connect(broker.url, { protocolVersion: 5 });
    cleanup.push(async () => pub.end(true));
    await new Promise((resolve) => pub.once('connect', resolve));
    const N = 2000;
    const evs = events(N, 20);
    await Promise.all(evs.map((ev) => pub.publishAsync('acme/BER1/assembly/line1/events/production/quantity/confirmed', JSON.stringify(ev), { qos: 1 })));

    let ra = [];
    let rb = [];
    await until(async () => {
      [ra, rb] = await Promise.all([received(a), received(b)]);
      return ra.length + rb.length >= N;
    }, 30_000, 'the whole stream');
    assert.ok(ra.length > 0 && rb.length > 0, `both instances got a share (${ra.length} / ${rb.length})`);
    assert.equal(ra.length + rb.length, N, 'no event went to both');
    assert.equal(new Set([...ra, ...rb]).size, N, 'no event lost');
  });
});

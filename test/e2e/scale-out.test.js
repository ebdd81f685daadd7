'use strict';
// Two Node-RED instances consume one stream through an MQTT 5 shared subscription on
// mosquitto and share idempotency keys in one redis-server: every event is posted to the
// ERP exactly once, none is lost, repeats are answered as duplicates.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const mqtt = require('mqtt');
const { startMosquitto, startRedis, loudSkip } = require('../helpers/servers');
const { startNodeRed } = require('../helpers/child-nr');
const { startErpSim } = require('../../dist/sim');
const { catalog, samples, buildEvent, resolvePlant } = require('../../dist/lib/events');
const { scaleOutFlow } = require('./scale-out-flow');

const N = 600;
const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'a', line: 'l', system: 'mes' });
const TYPE = 'mfg.production.operation.completed.v1';

function events() {
  const out = [];
  for (let i = 0; i < N; i++) {
    // the simulator's seeded orders; the confirmation counter makes each posting distinct
    const data = { ...structuredClone(samples[TYPE]), orderId: '1000123', confirmationCounter: i + 1, yield: { value: 1, unit: 'PC' }, finalConfirmation: false };
    delete data.scrap;
    delete data.goodsMovements;
    out.push(buildEvent(catalog.get(TYPE), data, { plant }));
  }
  return out;
}

describe('scale-out: two instances, one shared stream, shared idempotency', () => {
  let broker, redis, erp;
  const instances = [];
  before(async () => {
    broker = await startMosquitto();
    redis = await startRedis();
    if (!broker || !redis) return;
    erp = await startErpSim({ port: 0 });
    for (const i of [1, 2]) {
      const f = scaleOutFlow({ mqttUrl: broker.url, redisUrl: redis.url, erpUrl: erp.url, instance: i });
      instances.push(await startNodeRed(f));
    }
  });
  after(async () => {
    for (const nr of instances) await nr.stop();
    if (erp) await erp.close();
    if (broker) await broker.stop();
    if (redis) await redis.stop();
  });

  it('posts every event once across both instances, repeats are duplicates, none lost', async (t) => {
    if (!broker) return loudSkip(t, 'mosquitto');
    if (!redis) return loudSkip(t, 'redis-server');
    const obs = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    const done = { 1: [], 2: [] };
    const dups = [];
    const failed = [];
    obs.on('message', (topic, p) => {
      const m = JSON.parse(p);
      if (topic.startsWith('scale/done/')) done[topic.slice(-1)].push(m);
      else if (topic.startsWith('scale/dup/')) dups.push(m);
      else failed.push(m);
    });
    await obs.subscribeAsync(['scale/done/+', 'scale/dup/+', 'scale/failed/+'], { qos: 1 });
    await new Promise((r) => setTimeout(r, 1500)); // subscriptions of both instances settle
    const evs = events();
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    // every event, plus each 10th again: repeats may land on either instance
    const sends = [...evs, ...evs.filter((_e, i) => i % 10 === 0)];
    await Promise.all(sends.map((e) => pub.publishAsync('scale/in', JSON.stringify(e), { qos: 1 })));
    const total = () => done[1].length + done[2].length + dups.length + failed.length;
    const end = Date.now() + 90000;
    while (total() < sends.length && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    await pub.endAsync();
    await obs.endAsync();
    assert.deepEqual(failed, [], 'no posting failed');
    assert.ok(done[1].length > 0 && done[2].length > 0, `both instances took part (${done[1].length} / ${done[2].length})`);
    assert.equal(done[1].length + done[2].length, N, 'each event posted by exactly one instance');
    assert.equal(dups.length, sends.length - N, 'every repeat answered as a duplicate');
    const ledger = (await (await fetch(`${erp.url}/__sim/ledger`)).json()).entries;
    const keys = ledger.map((e) => `${e.kind}:${e.key}`);
    assert.equal(keys.length, N, 'the ERP booked each confirmation once');
    assert.equal(new Set(keys).size, N, 'no double posting in the ERP ledger');
  });
});

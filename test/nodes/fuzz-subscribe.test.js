'use strict';
// Property-based bad input for mfg-subscribe: random payload bytes published on a real
// broker (random JSON, invalid UTF-8, huge strings, deep nesting, prototype-pollution keys,
// near-events with wrong fields). Each message comes out exactly once, bad ones on the
// invalid output with a reason (the envelope is checked here, the data schema downstream), good events in between pass in order and unchanged.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const mqtt = require('mqtt');
const fc = require('fast-check');
const { helper, node, start, stop, collect, until, flow } = require('../helpers/nr');
const { startBroker, loudSkip } = require('../helpers/servers');

const TOPIC = 'acme/BER1/assembly/line1/events/production/quantity/confirmed';
const good = (i) => ({
  specversion: '1.0', id: `good-${i}`, source: '/acme/BER1/assembly/line1/mes', type: 'mfg.production.quantity.confirmed.v1',
  time: '2026-11-27T08:00:00.000Z', correlationid: `corr-${i}`, data: { orderId: '1', operationId: '0010', quantity: { value: i + 1, unit: 'PC' } },
});

const junk = fc.oneof(
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.concat([Buffer.from(a), Buffer.from([0xc3, 0x28, 0xff, 0xfe])])),
  fc.constant(Buffer.from(JSON.stringify({ ...good(0), id: 'huge', data: { orderId: 'x'.repeat(1024 * 1024) } }))),
  fc.integer({ min: 1, max: 5000 }).map((d) => Buffer.from('['.repeat(d) + ']'.repeat(d))),
  fc.constantFrom('{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"specversion":"1.0"', '\uD800', '')
    .map((s) => Buffer.from(s)),
  fc.record({
    specversion: fc.constantFrom('1.0', '0.3', 1), id: fc.oneof(fc.string(), fc.integer()), source: fc.string(),
    type: fc.constantFrom('mfg.production.quantity.confirmed.v1', 'mfg.x.y.z.v1', ''), data: fc.jsonValue({ maxDepth: 3 }),
  }).map((v) => Buffer.from(JSON.stringify({ ...v, __proto__: { polluted: true } }))),
);

describe('bad input to mfg-subscribe (property-based)', () => {
  let broker;
  let pub;
  before(start);
  afterEach(async () => {
    await helper.unload();
    if (pub) pub.end(true);
    if (broker) await broker.stop();
  });
  after(stop);

  it('every message comes out once; good events pass in order', { timeout: 60000 }, async (t) => {
    broker = await startBroker();
    if (!broker) return loudSkip(t, 'mosquitto');
    await helper.load([node('mfg-plant'), node('mfg-broker'), node('mfg-subscribe')], flow([
      { id: 'tab', type: 'tab' },
      { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' },
      { id: 'broker', type: 'mfg-broker', url: broker.url, protocol: 'auto', keepalive: 30, cleanSession: true, verifyTls: true },
      { id: 'sub', type: 'mfg-subscribe', z: 'tab', broker: 'broker', plant: 'plant', mode: 'types', types: 'mfg.production.*', qos: 1, wires: [['events'], ['invalid']] },
      { id: 'events', type: 'helper', z: 'tab' },
      { id: 'invalid', type: 'helper', z: 'tab' },
    ]));
    const events = collect('events');
    const invalid = collect('invalid');
    const sub = helper.getNode('sub');
    await until(() => sub.status.getCalls().some((c) => /connected|in$/.test(c.args[0].text || '')), 10000);
    pub = mqtt.connect(broker.url);
    await new Promise((resolve, reject) => { pub.once('connect', resolve); pub.once('error', reject); });
    await new Promise((r) => setTimeout(r, 200)); // SUBACK
    const bad = fc.sample(junk, { numRuns: 300, seed: 777 });
    let goods = 0;
    for (const [i, b] of bad.entries()) {
      await pub.publishAsync(TOPIC, b, { qos: 1 });
      if (i % 4 === 0) {
        await pub.publishAsync(TOPIC, JSON.stringify(good(goods)), { qos: 1 });
        goods++;
      }
    }
    await until(() => events.length + invalid.length >= bad.length + goods, 30000).catch(() => undefined);
    assert.equal(events.length + invalid.length, bad.length + goods, `each message once (${events.length} events, ${invalid.length} invalid)`);
    // the node checks the envelope only (the data schema is mfg-validate's job): a junk
    // message with a valid envelope passes as an event; the good ones pass in order
    const goodOut = events.filter((m) => /^good-\d+$/.test(m.payload.id));
    assert.equal(goodOut.length, goods, 'every good event passes');
    goodOut.forEach((m, k) => {
      assert.equal(m.payload.id, `good-${k}`);
      assert.deepEqual(m.payload.data.quantity, { value: k + 1, unit: 'PC' });
      assert.equal(m.correlationId, `corr-${k}`);
    });
    for (const m of events) {
      assert.equal(m.payload.specversion, '1.0');
      for (const k of ['id', 'source', 'type']) assert.ok(typeof m.payload[k] === 'string' && m.payload[k].length > 0, `${k} of ${JSON.stringify(m.payload).slice(0, 200)}`);
    }
    assert.ok(invalid.length >= bad.length - 10, `most junk is refused (${invalid.length} of ${bad.length})`);
    for (const m of invalid) {
      assert.ok(typeof m.reason === 'string' && m.reason.length > 3, `a reason: ${m.reason}`);
      assert.equal(m.topic, TOPIC);
    }
    assert.equal({}.polluted, undefined);
    assert.equal(Object.prototype.polluted, undefined);
  });
});

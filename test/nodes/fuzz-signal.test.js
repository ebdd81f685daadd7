'use strict';
// Property-based bad input for mfg-signal: OPC UA DataValue-like msgs with random status
// codes and timestamps, NaN, strings, huge numbers, nested junk, Buffers and
// prototype-pollution keys. Each msg completes exactly once (bad samples are counted drops,
// as the node's contract says), a good counter in between is counted exactly, the runtime
// stays up and Object.prototype stays clean.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { helper, node, start, stop, collect, until, flow } = require('../helpers/nr');
const { EventBuilder } = require('../../dist/lib/events');

const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (s) => new Date(T0 + s * 1000).toISOString();
const RULES = [
  { signal: 'ns=1;s=M1.Good', role: 'good', equipment: 'M1', workCenter: 'ASSY01', everyUnits: '5', unit: 'PC' },
  { signal: 'ns=1;s=M2.Good', role: 'good', equipment: 'M2', workCenter: 'ASSY02', everyUnits: '5', unit: 'PC' },
  { signal: 'plant/+/M2/State', role: 'state', equipment: 'M2', workCenter: 'ASSY02', running: 'RUNNING' },
  { signal: 'plant/+/M2/Alarm', role: 'alarm', equipment: 'M2' },
  { signal: 'plant/+/M2/Temp', role: 'threshold', equipment: 'M2', name: 'temperature', limit: '80', hysteresis: '5', unit: 'CEL' },
];

const pollution = fc.constantFrom('{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"value":{"__proto__":{"polluted":true},"value":1}}').map((s) => JSON.parse(s));
const junkValue = fc.oneof(
  fc.anything({ maxDepth: 3, withBoxedValues: true, withTypedArray: true, withMap: true, withSet: true, withNullPrototype: true }),
  fc.constantFrom(NaN, Infinity, -Infinity, Number.MAX_VALUE, -0, 1e308, 2 ** 53 + 1, '12', '', 'RUNNING', 'NaN'),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  fc.string({ minLength: 100000, maxLength: 100001 }),
  pollution,
  fc.record({ value: fc.oneof(fc.double(), fc.string(), fc.constant(null)), dataType: fc.constantFrom('UInt32', 'Double', 'String', 'Boolean', 'Junk') }),
  fc.integer({ min: 1, max: 500 }).map((d) => JSON.parse('{"value":'.repeat(d) + '1' + '}'.repeat(d))),
);
const junkTime = fc.oneof(fc.constant(undefined), fc.date({ noInvalidDate: false }), fc.string(), fc.double(), fc.constantFrom('2026-13-45T99:99:99Z', at(5), '', 'NaN'));
const junkMsg = fc.record({
  topic: fc.oneof(fc.constantFrom('ns=1;s=M2.Good', 'plant/a/M2/State', 'plant/a/M2/Alarm', 'plant/a/M2/Temp', undefined, ''), fc.string(), fc.integer()),
  payload: fc.oneof(junkValue, fc.record({ value: junkValue, statusCode: fc.anything({ maxDepth: 1 }), sourceTimestamp: junkTime })),
  statusCode: fc.oneof(fc.constant(undefined), fc.record({ value: fc.oneof(fc.integer(), fc.constant(0x80000000), fc.string()) }), fc.integer(), fc.string(), fc.anything({ maxDepth: 1 })),
  sourceTimestamp: junkTime,
  serverTimestamp: junkTime,
  extra: fc.option(pollution, { nil: undefined }),
}, { requiredKeys: ['topic', 'payload'] }).map(({ extra, ...m }) => (extra ? { ...extra, ...m } : m));

describe('bad input to mfg-signal (property-based)', () => {
  before(start);
  afterEach(() => helper.unload());
  after(stop);

  it('every msg completes once; a good counter among junk is counted exactly', { timeout: 60000 }, async () => {
    await helper.load([node('mfg-plant'), node('mfg-signal')], flow([
      { id: 'tab', type: 'tab' },
      { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'L1', system: 'signals' },
      { id: 'sig', type: 'mfg-signal', z: 'tab', plant: 'plant', persist: false, rules: RULES, minStopSec: 10, shifts: '', ctx: '', ctxType: 'none', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'tab' },
      { id: 'catch', type: 'catch', z: 'tab', scope: ['sig'], uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab' },
      { id: 'complete', type: 'complete', z: 'tab', scope: ['sig'], uncaught: false, wires: [['completed']] },
      { id: 'completed', type: 'helper', z: 'tab' },
    ]));
    const out = collect('out');
    const caught = collect('caught');
    const completed = collect('completed');
    const sig = helper.getNode('sig');
    const started = new EventBuilder('mfg.production.operation.started.v1').build(
      { orderId: '1000123', operationId: '0010', workCenter: 'ASSY01', startedAt: at(0) },
      { enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'L1', system: 'mes' });
    sig.receive({ payload: started });
    const junk = fc.sample(junkMsg, { numRuns: 300, seed: 5151 });
    let counter = 1000;
    let sent = 1;
    sig.receive({ topic: 'ns=1;s=M1.Good', payload: counter, statusCode: { value: 0 }, sourceTimestamp: at(1) });
    sent++;
    junk.forEach((m, i) => {
      sig.receive(m);
      sent++;
      if (i % 3 === 0) {
        counter += 1 + (i % 4);
        sig.receive({ topic: 'ns=1;s=M1.Good', payload: { value: { dataType: 'UInt32', value: counter }, statusCode: { value: 0 }, sourceTimestamp: at(2 + i) } });
        sent++;
      }
    });
    sig.receive({ flush: true, equipment: 'M1' });
    sent++;
    await until(() => completed.length + caught.length >= sent, 30000).catch(() => undefined);
    assert.equal(completed.length + caught.length, sent, `each msg ends once (${completed.length} completed, ${caught.length} errors, ${sent} sent)`);
    for (const c of caught) assert.match(c.error.message, /mfg-signal/, 'an error names the node');
    const m1 = out.filter((m) => m.payload.type === 'mfg.production.quantity.confirmed.v1' && m.payload.data.workCenter === 'ASSY01');
    const total = m1.reduce((a, m) => a + m.payload.data.quantity.value, 0);
    assert.ok(counter - 1000 > 200);
    assert.equal(total, counter - 1000, 'every good part counted, once');
    for (const m of m1) assert.equal(m.payload.data.orderId, '1000123');
    for (const m of out) assert.equal(typeof m.payload.type, 'string');
    assert.ok(sig.status.called);
    assert.equal({}.polluted, undefined);
    assert.equal(Object.prototype.polluted, undefined);
  });
});

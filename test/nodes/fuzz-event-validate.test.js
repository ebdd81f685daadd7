'use strict';
// Property-based bad input for mfg-event and mfg-validate: random JSON, wrong types, huge
// strings, deep nesting, prototype-pollution keys and invalid UTF-8. Each bad input gets
// exactly one clear outcome, good events around it pass unchanged, the runtime stays up.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { helper, node, start, stop, collect, until, flow } = require('../helpers/nr');
const { catalog, samples, buildEvent, resolvePlant } = require('../../dist/lib/events');

const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'a', line: 'l', system: 'mes' });
const TYPE = 'mfg.production.quantity.confirmed.v1';
const good = (i) => buildEvent(catalog.get(TYPE), { ...structuredClone(samples[TYPE]), confirmationCounter: i + 1 }, { plant });

const nasty = fc.oneof(
  fc.jsonValue(),
  fc.anything({ withBigInt: false, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true }),
  fc.string({ minLength: 300000, maxLength: 300001 }),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.constantFrom('{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '\uD800', '{"specversion":"1.0"'),
  fc.integer({ min: 1, max: 200 }).map((d) => JSON.parse('['.repeat(d) + ']'.repeat(d))),
  fc.record({ specversion: fc.constant('1.0'), id: fc.string(), source: fc.string(), type: fc.constantFrom(TYPE, 'mfg.x.y.z.v1', ''), data: fc.jsonValue() }),
);

describe('bad input to mfg-event and mfg-validate (property-based)', () => {
  before(start);
  afterEach(() => helper.unload());
  after(stop);

  it('every input gets one outcome; good events pass unchanged', async () => {
    await helper.load([node('mfg-validate'), node('mfg-event'), node('mfg-plant')], flow([
      { id: 'tab', type: 'tab' },
      { id: 'val', type: 'mfg-validate', z: 'tab', schemaFrom: 'catalog', maxBytes: 262144, wires: [['valid'], ['invalid']] },
      { id: 'ev', type: 'mfg-event', z: 'tab', eventType: TYPE, dataFrom: 'payload', errorOutput: true, outputs: 2, wires: [['built'], ['notbuilt']] },
      { id: 'valid', type: 'helper', z: 'tab' },
      { id: 'invalid', type: 'helper', z: 'tab' },
      { id: 'built', type: 'helper', z: 'tab' },
      { id: 'notbuilt', type: 'helper', z: 'tab' },
    ]));
    const valid = collect('valid');
    const invalid = collect('invalid');
    const built = collect('built');
    const notbuilt = collect('notbuilt');
    const inputs = fc.sample(nasty, { numRuns: 150, seed: 4242 });
    const val = helper.getNode('val');
    const ev = helper.getNode('ev');
    let goods = 0;
    inputs.forEach((input, i) => {
      val.receive({ payload: input });
      ev.receive({ payload: input });
      if (i % 5 === 0) {
        val.receive({ payload: good(goods) });
        goods++;
      }
    });
    await until(() => valid.length + invalid.length === inputs.length + goods && built.length + notbuilt.length === inputs.length, 20000);
    // good events arrive valid, in order, unchanged
    const goodOut = valid.filter((m) => m.payload.type === TYPE && m.payload.source === '/acme/BER1/a/l/mes');
    assert.equal(goodOut.length, goods);
    goodOut.forEach((m, i) => assert.equal(m.payload.data.confirmationCounter, i + 1));
    for (const m of invalid) {
      assert.ok(Array.isArray(m.validationErrors) && m.validationErrors.length > 0);
      for (const e of m.validationErrors) assert.ok(typeof e.path === 'string' && typeof e.message === 'string' && e.message.length > 3);
    }
    // an object payload that cannot become an event has its bad fields named
    const isObj = (p) => typeof p === 'object' && p !== null && !Array.isArray(p) && !Buffer.isBuffer(p);
    for (const m of notbuilt) if (isObj(m.payload)) assert.ok(Array.isArray(m.validationErrors) && m.validationErrors.length > 0);
    assert.equal(ev.error.callCount, notbuilt.length, 'each event that cannot be built is reported once');
    for (const call of ev.error.args) assert.match(String(call[0].message || call[0]), /mfg|\$\.data|forbidden|must/);
    assert.equal({}.polluted, undefined);
    assert.equal(Object.prototype.polluted, undefined);
  });
});

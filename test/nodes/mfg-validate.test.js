'use strict';
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { helper, node, start, stop, nextMsg, collect, until, flow } = require('../helpers/nr');
const { catalog, samples, buildEvent, resolvePlant } = require('../../dist/lib/events');

const mfgValidate = node('mfg-validate');
const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'a', line: 'l', system: 'mes' });
const TYPE = 'mfg.quality.hold.placed.v1';
const good = () => buildEvent(catalog.get(TYPE), structuredClone(samples[TYPE]), { plant });

const base = (cfg = {}, wires = [['valid'], ['invalid']]) => flow([
  { id: 'tab', type: 'tab' },
  { id: 'val', type: 'mfg-validate', z: 'tab', schemaFrom: 'catalog', maxBytes: 2048, wires, ...cfg },
  { id: 'valid', type: 'helper', z: 'tab' },
  { id: 'invalid', type: 'helper', z: 'tab' },
  { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'tab' },
]);

describe('mfg-validate node', () => {
  before(start);
  afterEach(() => helper.unload());
  after(stop);

  it('routes valid and invalid events, with readable errors, and keeps good ones unaffected', async () => {
    await helper.load(mfgValidate, base());
    const valid = collect('valid');
    const invalid = collect('invalid');
    const n = helper.getNode('val');
    const bad = good();
    delete bad.data.holdId;
    n.receive({ payload: good() });
    n.receive({ payload: JSON.stringify(good()) });
    n.receive({ payload: bad });
    n.receive({ payload: Buffer.from('{"nope"') });
    n.receive({ payload: '{"__proto__":{"polluted":1}}' });
    n.receive({ payload: 'z'.repeat(3000) });
    n.receive({ payload: good() });
    await until(() => valid.length + invalid.length === 7);
    assert.equal(valid.length, 3);
    assert.equal(typeof valid[1].payload, 'object', 'string payloads are parsed');
    const reasons = invalid.map((m) => m.validationErrors[0]);
    assert.deepEqual(reasons[0], { path: '$.data.holdId', message: 'is required' });
    assert.match(reasons[1].message, /not valid JSON/);
    assert.match(reasons[2].message, /forbidden key "__proto__"/);
    assert.match(reasons[3].message, /more than the limit of 2048/);
    assert.equal({}.polluted, undefined);
  });

  it('reports invalid events to Catch when the invalid output is not wired', async () => {
    await helper.load(mfgValidate, base({}, [['valid'], []]));
    const caught = nextMsg('caught');
    const ev = good();
    ev.type = 'mfg.quality.hold.placed.v7';
    helper.getNode('val').receive({ payload: ev });
    const m = await caught;
    assert.match(m.error.message, /unknown version v7 of mfg\.quality\.hold\.placed; known: v1/);
    assert.equal(m.validationErrors[0].path, '$.type');
  });

  it('validates against a custom schema', async () => {
    const schema = JSON.stringify({ type: 'object', required: ['lot'], properties: { lot: { type: 'string', pattern: '^B' } } });
    await helper.load(mfgValidate, base({ schemaFrom: 'custom', customSchema: schema, customTarget: 'data' }));
    const valid = collect('valid');
    const invalid = collect('invalid');
    helper.getNode('val').receive({ payload: good() });
    const ev = good();
    ev.data.lot = 'X1';
    helper.getNode('val').receive({ payload: ev });
    await until(() => valid.length + invalid.length === 2);
    assert.equal(valid.length, 1);
    assert.deepEqual(invalid[0].validationErrors, [{ path: '$.data.lot', message: 'must match pattern "^B"' }]);
  });

  it('a broken custom schema is a configuration error with the reason, not a crash', async () => {
    await helper.load(mfgValidate, base({ schemaFrom: 'custom', customSchema: '{"type": "objekt"' }));
    const caught = nextMsg('caught');
    helper.getNode('val').receive({ payload: good() });
    assert.match((await caught).error.message, /custom schema is not usable/);
  });
});

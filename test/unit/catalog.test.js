'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { catalog, samples, buildEvent, resolvePlant, fieldsOf } = require('../../dist/lib/events');
const { EventValidator } = require('../../dist/lib/validation');

const v = new EventValidator();
const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' });

// A value of the wrong JSON type for a schema.
function wrongValue(schema) {
  switch (schema.type) {
    case 'string': return 12345;
    case 'number': case 'integer': return 'not-a-number';
    case 'boolean': return 'yes';
    case 'array': return { not: 'an array' };
    case 'object': return 'not-an-object';
    default: return null;
  }
}

describe('event catalog', () => {
  it('has 22 event types in four domains, each with owner, description and ISA-95 counterpart', () => {
    const v1 = catalog.all().filter((e) => e.version === 1);
    assert.equal(v1.length, 22);
    const domains = new Set(v1.map((e) => e.domain));
    assert.deepEqual([...domains].sort(), ['maintenance', 'material', 'production', 'quality']);
    for (const e of catalog.all()) {
      assert.ok(e.owner && e.description && e.isa95 && e.title, e.type);
      assert.equal(e.schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
      assert.match(e.type, /^mfg\.[a-z]+\.[a-z-]+\.[a-z-]+\.v\d+$/);
      assert.ok(fieldsOf(e).length >= e.required.length);
    }
  });

  it('keeps versions side by side', () => {
    assert.deepEqual(catalog.versions('production', 'quantity.confirmed'), [1, 2]);
    assert.equal(catalog.latest('production', 'quantity.confirmed').version, 2);
  });

  for (const entry of catalog.all()) {
    describe(entry.type, () => {
      const sample = samples[entry.type];
      it('a realistic sample is valid', () => {
        assert.ok(sample, 'sample exists');
        const ev = buildEvent(entry, structuredClone(sample), { plant });
        const r = v.validate(ev);
        assert.deepEqual(r.valid ? [] : r.errors, []);
      });
      for (const field of entry.required) {
        it(`missing ${field} fails with its path`, () => {
          const data = structuredClone(sample);
          delete data[field];
          const r = v.validate(buildEvent(entry, data, { plant }));
          assert.equal(r.valid, false);
          assert.ok(r.errors.some((e) => e.path === `$.data.${field}` && e.message === 'is required'), JSON.stringify(r.errors));
        });
        it(`mistyped ${field} fails with its path`, () => {
          const data = structuredClone(sample);
          data[field] = wrongValue(entry.properties[field]);
          const r = v.validate(buildEvent(entry, data, { plant }));
          assert.equal(r.valid, false);
          assert.ok(r.errors.some((e) => e.path === `$.data.${field}`), JSON.stringify(r.errors));
        });
      }
    });
  }
});

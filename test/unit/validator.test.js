'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { CloudEvent, HTTP } = require('cloudevents');
const { catalog, samples, buildEvent, resolvePlant, stampRecorded, partitionOf } = require('../../dist/lib/events');
const { EventValidator, CustomValidator } = require('../../dist/lib/validation');

const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' });
const TYPE = 'mfg.production.quantity.confirmed.v1';
const sample = () => buildEvent(catalog.get(TYPE), structuredClone(samples[TYPE]), { plant, correlationid: 'c-1', causationid: 'e-0' });

describe('CloudEvents envelope', () => {
  it('every catalog event is accepted by the cloudevents SDK in strict mode and round-trips structured HTTP', () => {
    for (const e of catalog.all()) {
      const ev = stampRecorded(buildEvent(e, structuredClone(samples[e.type]), { plant, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', sequence: 7 }));
      const ce = new CloudEvent(ev, true);
      assert.equal(ce.validate(), true);
      const msg = HTTP.structured(ce);
      assert.equal(msg.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
      const back = HTTP.toEvent({ headers: msg.headers, body: msg.body });
      assert.equal(back.id, ev.id);
      assert.equal(back.type, e.type);
      assert.equal(back.partitionkey, ev.partitionkey);
      assert.deepEqual(back.data, ev.data);
    }
  });

  it('ids are time-ordered UUIDs (version 7), time and recordedtime are RFC 3339, source comes from the plant profile', () => {
    const ev = stampRecorded(sample(), Date.parse('2026-11-27T09:00:00Z'));
    assert.match(ev.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(ev.time, '2026-11-27T08:15:00.000Z');
    assert.equal(ev.recordedtime, '2026-11-27T09:00:00.000Z');
    assert.equal(ev.source, '/acme/BER1/assembly/line1/mes');
    assert.equal(partitionOf(ev), '1000123');
  });
});

describe('EventValidator', () => {
  const v = new EventValidator({ maxBytes: 4096 });

  it('accepts objects, JSON strings and Buffers', () => {
    const ev = sample();
    assert.equal(v.validate(ev).valid, true);
    assert.equal(v.validate(JSON.stringify(ev)).valid, true);
    assert.equal(v.validate(Buffer.from(JSON.stringify(ev))).valid, true);
  });

  it('names the path and reason of each error', () => {
    const ev = sample();
    ev.data.quantity.unit = 7;
    delete ev.data.orderId;
    ev.time = 'yesterday';
    const r = v.validate(ev);
    assert.equal(r.valid, false);
    const got = r.errors.map((e) => `${e.path} ${e.message}`).sort();
    assert.deepEqual(got, ['$.data.orderId is required', '$.data.quantity.unit must be string', '$.time must be a valid date-time']);
  });

  it('tells an unknown version from an unknown type', () => {
    const ev = sample();
    ev.type = 'mfg.production.quantity.confirmed.v9';
    assert.match(v.validate(ev).errors[0].message, /unknown version v9 .*known: v1, v2/);
    ev.type = 'mfg.production.teleport.done.v1';
    assert.match(v.validate(ev).errors[0].message, /unknown event type/);
    ev.type = 'com.example.other';
    assert.match(v.validate(ev).errors[0].message, /expected mfg\.<domain>/);
  });

  it('validates v1 and v2 of a type each against its own schema', () => {
    const v2 = buildEvent(catalog.get('mfg.production.quantity.confirmed.v2'), structuredClone(samples['mfg.production.quantity.confirmed.v2']), { plant });
    assert.equal(v.validate(v2).valid, true);
    v2.type = TYPE; // v2 data under the v1 type lacks v1's required quantity
    assert.ok(v.validate(v2).errors.some((e) => e.path === '$.data.quantity'));
  });

  it('refuses unparsable JSON, oversize payloads, deep nesting and prototype-pollution keys with a reason', () => {
    assert.match(v.validate('{"specversion":').errors[0].message, /not valid JSON/);
    assert.match(v.validate('x'.repeat(5000)).errors[0].message, /5000 bytes, more than the limit of 4096/);
    const big = sample();
    big.data.note = 'y'.repeat(5000);
    assert.match(v.validate(big).errors[0].message, /larger than 4096 bytes/);
    const polluted = JSON.stringify(sample()).replace('"data":{', '"data":{"__proto__":{"admin":true},');
    const r = v.validate(polluted);
    assert.match(r.errors[0].message, /forbidden key "__proto__" at \$\.data/);
    assert.equal({}.admin, undefined);
    let deep = {};
    const root = deep;
    for (let i = 0; i < 100; i++) deep = deep.x = {};
    assert.match(v.validate({ ...sample(), data: root }).errors[0].message, /nested deeper than/);
    assert.match(v.validate(42).errors[0].message, /must be a CloudEvent object/);
    assert.match(v.validate(null).errors[0].message, /must be a CloudEvent object/);
  });

  it('checks envelope attribute names and the CloudEvents spec version', () => {
    const ev = sample();
    ev.BadName = 1;
    ev.specversion = '0.3';
    const msgs = v.validate(ev).errors.map((e) => `${e.path} ${e.message}`);
    assert.ok(msgs.includes('$ has an invalid attribute name "BadName"'), msgs.join());
    assert.ok(msgs.includes('$.specversion must be "1.0"'), msgs.join());
  });

  it('validates against a custom schema for data or for the whole payload', () => {
    const schema = { type: 'object', required: ['temp'], properties: { temp: { type: 'number', maximum: 90 } } };
    const c = new CustomValidator(schema, v);
    assert.equal(c.validate({ temp: 20 }, 'payload').valid, true);
    assert.deepEqual(c.validate({ temp: 95 }, 'payload').errors, [{ path: '$.temp', message: 'must be <= 90' }]);
    assert.deepEqual(c.validate({ data: {} }, 'data').errors, [{ path: '$.data.temp', message: 'is required' }]);
  });
});

describe('string length limits', () => {
  const { createAjv, readableErrors } = require('../../dist/lib/validation/validator');
  const v = createAjv().compile({ type: 'object', properties: { max: { type: 'string', maxLength: 3 }, min: { type: 'string', minLength: 2 } } });
  const check = (data) => (v(data) ? [] : readableErrors(v.errors).map((e) => `${e.path} ${e.message}`));

  it('counts code points, not UTF-16 units, on both sides of each limit', () => {
    assert.deepEqual(check({ max: '😀😀😀' }), []); // 6 units, 3 code points
    assert.deepEqual(check({ max: '😀😀😀😀' }), ['$.max must NOT have more than 3 characters']);
    assert.deepEqual(check({ max: 'abcd' }), ['$.max must NOT have more than 3 characters']);
    assert.deepEqual(check({ max: 'ab😀' }), []);
    assert.deepEqual(check({ min: '😀' }), ['$.min must NOT have fewer than 2 characters']); // 2 units, 1 code point
    assert.deepEqual(check({ min: 'a' }), ['$.min must NOT have fewer than 2 characters']);
    assert.deepEqual(check({ min: '😀x' }), []);
    assert.deepEqual(check({ min: 'ab' }), []);
  });

  it('refuses a catalog event whose id is over its limit', () => {
    const ev = sample();
    ev.id = 'x'.repeat(10000);
    const r = new EventValidator().validate(ev);
    assert.equal(r.valid, false);
    assert.ok(r.errors.some((e) => e.path === '$.id' && /must NOT have more than \d+ characters/.test(e.message)), JSON.stringify(r.errors));
  });
});

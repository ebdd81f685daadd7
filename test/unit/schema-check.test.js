'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const os = require('os');
const { spawnSync } = require('child_process');
const { checkCompatibility, formatReport } = require('../../dist/lib/governance');
const { catalog } = require('../../dist/lib/events');

const cli = path.resolve(__dirname, '../../dist/bin/mfg-connect.js');
const base = () => JSON.parse(JSON.stringify(catalog.get('mfg.production.quantity.confirmed.v1').schema));
const kinds = (r) => r.changes.filter((c) => c.breaking).map((c) => `${c.kind} ${c.path}`).sort();

describe('schema compatibility', () => {
  it('an identical schema is compatible with no changes', () => {
    const r = checkCompatibility(base(), base());
    assert.equal(r.compatible, true);
    assert.deepEqual(r.changes, []);
  });

  it('adding an optional field is compatible', () => {
    const n = base();
    n.properties.shift = { type: 'string', maxLength: 8 };
    const r = checkCompatibility(base(), n);
    assert.equal(r.compatible, true);
    assert.deepEqual(r.changes.map((c) => c.kind), ['added-optional']);
  });

  it('removing a field, changing a type and adding a required field are breaking', () => {
    const n = base();
    delete n.properties.workCenter;
    n.properties.orderId = { type: 'integer' };
    n.properties.shift = { type: 'string' };
    n.required = [...n.required, 'shift'];
    const r = checkCompatibility(base(), n);
    assert.equal(r.compatible, false);
    assert.deepEqual(kinds(r), ['added-required $.shift', 'removed $.workCenter', 'type-changed $.orderId']);
  });

  it('a narrowed enum breaks, a widened one does not', () => {
    const o = { type: 'object', properties: { mode: { type: 'string', enum: ['a', 'b', 'c'] } } };
    const narrowed = { type: 'object', properties: { mode: { type: 'string', enum: ['a', 'b'] } } };
    const widened = { type: 'object', properties: { mode: { type: 'string', enum: ['a', 'b', 'c', 'd'] } } };
    assert.deepEqual(kinds(checkCompatibility(o, narrowed)), ['enum-narrowed $.mode']);
    const w = checkCompatibility(o, widened);
    assert.equal(w.compatible, true);
    assert.equal(w.changes[0].kind, 'enum-widened');
  });

  it('tightened constraints and nested changes break; loosened constraints do not', () => {
    const o = { type: 'object', properties: { q: { type: 'object', required: ['unit'], properties: { unit: { type: 'string', maxLength: 8 } } }, list: { type: 'array', items: { type: 'string' } } } };
    const n = { type: 'object', properties: { q: { type: 'object', required: ['unit'], properties: { unit: { type: 'string', maxLength: 3 } } }, list: { type: 'array', items: { type: 'number' } } } };
    assert.deepEqual(kinds(checkCompatibility(o, n)), ['maxLength-tightened $.q.unit', 'type-changed $.list[]']);
    const loose = JSON.parse(JSON.stringify(o));
    loose.properties.q.properties.unit.maxLength = 20;
    assert.equal(checkCompatibility(o, loose).compatible, true);
  });

  it('optional becoming required and required becoming optional both break', () => {
    const o = { type: 'object', required: ['a'], properties: { a: { type: 'string' }, b: { type: 'string' } } };
    const n = { type: 'object', required: ['b'], properties: { a: { type: 'string' }, b: { type: 'string' } } };
    assert.deepEqual(kinds(checkCompatibility(o, n)), ['now-optional $.a', 'now-required $.b']);
  });

  it('follows local $ref into $defs', () => {
    const o = { $defs: { q: { type: 'number' } }, type: 'object', properties: { v: { $ref: '#/$defs/q' } } };
    const inlined = { type: 'object', properties: { v: { type: 'number' } } };
    const changed = { $defs: { q: { type: 'string' } }, type: 'object', properties: { v: { $ref: '#/$defs/q' } } };
    assert.equal(checkCompatibility(o, inlined).compatible, true);
    assert.deepEqual(kinds(checkCompatibility(o, changed)), ['type-changed $.v']);
  });

  it('refuses input that is not a schema object', () => {
    assert.throws(() => checkCompatibility([], {}), /JSON objects/);
  });

  it('the report names every breaking change and the way out', () => {
    const n = base();
    delete n.properties.workCenter;
    const text = formatReport(checkCompatibility(base(), n), 'v1.json', 'v1-new.json');
    assert.match(text, /NOT backward compatible/);
    assert.match(text, /\$\.workCenter: field removed/);
    assert.match(text, /new event type version/);
  });
});

describe('mfg-connect schema-check command', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-check-'));
  const write = (name, obj) => { const p = path.join(dir, name); fs.writeFileSync(p, typeof obj === 'string' ? obj : JSON.stringify(obj)); return p; };
  const run = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

  it('exits 0 for a compatible change and 1 for a breaking one', () => {
    const old = write('old.json', base());
    const okNew = base();
    okNew.properties.note = { type: 'string' };
    const good = run('schema-check', old, write('good.json', okNew));
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /is backward compatible/);
    const badNew = base();
    badNew.required.push('note');
    badNew.properties.note = { type: 'string' };
    const bad = run('schema-check', old, write('bad.json', badNew));
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /NOT backward compatible[\s\S]*\$\.note: new required field/);
  });

  it('prints JSON with --json', () => {
    const old = write('o2.json', base());
    const r = run('schema-check', '--json', old, old);
    assert.equal(r.status, 0);
    assert.deepEqual(JSON.parse(r.stdout), { compatible: true, changes: [] });
  });

  it('compares against a catalog type by name', () => {
    const n = base();
    delete n.properties.orderId;
    const r = run('schema-check', 'catalog:mfg.production.quantity.confirmed.v1', write('n.json', n));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /\$\.orderId: field removed \(it was required\)/);
  });

  it('reports unreadable input with exit code 2 and a reason', () => {
    const r = run('schema-check', write('broken.json', '{ not json'), path.join(dir, 'missing.json'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /broken\.json.*(JSON|Unexpected|Expected)/);
    const usage = run('schema-check');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage: mfg-connect schema-check/);
  });
});

'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { governanceCatalog, eventTypesByNode, filterMatches, typesForFilter, subscriptionFilters, AuditLog, dlqAction } = require('../../dist/lib/governance');
const { redact } = require('../../dist/lib/observability');
const { catalog } = require('../../dist/lib/events');

const QTY = 'mfg.production.quantity.confirmed.v1';
const REL = 'mfg.production.order.released.v1';

describe('deployed producers and consumers', () => {
  const nodes = [
    { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'a', line: 'l' },
    { id: 'ev', type: 'mfg-event', z: 't', eventType: QTY, wires: [['fn']] },
    { id: 'fn', type: 'function', z: 't', wires: [['lo']] },
    { id: 'lo', type: 'link out', z: 't', links: ['li'], wires: [] },
    { id: 'li', type: 'link in', z: 't2', wires: [['val']] },
    { id: 'val', type: 'mfg-validate', z: 't2', wires: [['ev2'], []] },
    { id: 'ev2', type: 'mfg-event', z: 't2', eventType: REL, wires: [['erp']] },
    { id: 'erp', type: 'mfg-erp', z: 't2', wires: [[], []] },
    { id: 'sub', type: 'mfg-subscribe', z: 't3', plant: 'plant', mode: 'types', types: 'mfg.quality.hold.*', wires: [[], []] },
  ];

  it('follows wires and link nodes, and a new mfg-event starts its own type', () => {
    const m = eventTypesByNode(nodes);
    assert.deepEqual([...m.get('val').keys()], [QTY]);
    assert.deepEqual([...m.get('erp').keys()], [REL], 'the second event node replaces the type');
    assert.deepEqual([...m.get('sub').keys()].sort(), ['mfg.quality.hold.placed.v1', 'mfg.quality.hold.released.v1']);
  });

  it('lists every catalog type with owner, schema, producers and consumers', () => {
    const cat = governanceCatalog(nodes, new Map([['erp', new Set([REL, 'mfg.bogus.thing.done.v1'])]]));
    assert.equal(cat.eventTypes.length, catalog.all().length);
    const qty = cat.eventTypes.find((e) => e.type === QTY);
    assert.deepEqual(qty.producers.map((p) => p.id), ['ev']);
    assert.deepEqual(qty.consumers.map((p) => [p.id, p.via]), [['val', ['wiring']]]);
    assert.ok(qty.owner && qty.description && qty.schema.properties);
    const rel = cat.eventTypes.find((e) => e.type === REL);
    assert.deepEqual(rel.consumers.map((p) => [p.id, p.via]), [['erp', ['observed', 'wiring']]]);
    assert.deepEqual(cat.unknownTypes.map((u) => u.type), ['mfg.bogus.thing.done.v1']);
  });

  it('matches MQTT filters to catalog topics', () => {
    assert.equal(filterMatches('acme/+/+/+/events/quality/#', '*/*/*/*/events/quality/hold/placed'), true);
    assert.equal(filterMatches('acme/+/+/+/events/quality/hold/+', '*/*/*/*/events/production/order/released'), false);
    assert.deepEqual(typesForFilter('a/b/c/d/events/production/order/+'), [REL]);
    assert.deepEqual(subscriptionFilters({ mode: 'types', types: 'mfg.quality.*', plant: 'p' }, new Map([['p', { enterprise: 'e', site: 's' }]])), ['e/s/+/+/events/quality/#']);
  });
});

describe('audit log', () => {
  it('names the dead-letter action of each admin request', () => {
    assert.deepEqual(dlqAction('POST', '/n1/letters/5/replay', {}), { action: 'replay', ids: [5], edited: undefined, detail: { node: 'n1' } });
    assert.deepEqual(dlqAction('POST', '/n1/replay', { ids: [1, 2] }).action, 'replay-many');
    assert.deepEqual(dlqAction('POST', '/n1/replay', { filter: { type: 'x' } }).detail, { node: 'n1', filter: { type: 'x' } });
    assert.equal(dlqAction('DELETE', '/n1/letters/9', {}).action, 'discard');
    assert.equal(dlqAction('POST', '/n1/discard', { ids: [9] }).action, 'discard-many');
    assert.deepEqual(dlqAction('POST', '/n1/letters/3/replay-edited', { msg: {} }), { action: 'edit-replay', ids: [3], edited: true, detail: { node: 'n1' } });
  });

  it('keeps records bounded, persists them as JSON lines and reloads them', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'audit-')), 'audit.jsonl');
    const a = new AuditLog({ file, keep: 3 });
    for (let i = 0; i < 5; i++) a.record({ user: `u${i}`, action: 'replay', method: 'POST', path: '/x', status: 200, detail: { password: 'hunter2' } });
    assert.deepEqual(a.list().map((r) => r.user), ['u4', 'u3', 'u2']);
    assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, 5);
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /hunter2/);
    fs.appendFileSync(file, '{"torn'); // a power cut in the middle of a line
    const b = new AuditLog({ file, keep: 3 });
    assert.deepEqual(b.list().map((r) => r.user), ['u4', 'u3']);
    assert.deepEqual(b.list(10, { user: 'u3' }).map((r) => r.user), ['u3']);
  });

  it('reports a file it cannot write without failing the action', () => {
    const a = new AuditLog({ file: '/proc/no-such-dir/audit.jsonl' });
    a.record({ user: 'u', action: 'discard', method: 'DELETE', path: '/x', status: 200 });
    assert.equal(a.list().length, 1);
    assert.match(a.lastError, /audit log/);
  });
});

describe('redaction', () => {
  it('removes credentials, Authorization headers and URL passwords', () => {
    const r = redact({ headers: { Authorization: 'Bearer abcdef123', 'x-api-key': 'k' }, url: 'https://user:pw@erp.local/x', note: 'token=abc123 sent', nested: [{ password: 'p' }] });
    const text = JSON.stringify(r);
    for (const secret of ['abcdef123', '"k"', 'user:pw', 'abc123', '"p"']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.equal(r.url, 'https://[redacted]@erp.local/x');
  });
});

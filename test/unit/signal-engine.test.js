// The contextualization engine fed with the scripted plant scenario, sample by sample.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { SignalEngine, MemoryStateStore } = require('../../dist/lib/signals');
const { expand, DEMO, plantRules } = require('../../dist/sim/plant');
const { EventValidator } = require('../../dist/lib/validation/validator');

const plant = { enterprise: 'acme', site: 'berlin', area: 'assembly', line: 'L1', system: 'signals', timeZone: 'UTC' };
const T0 = Date.parse('2026-03-02T08:00:00Z');
const scenario = expand(DEMO, ['L1'], 42);
const samples = scenario.changes.map((c) => ({ id: `ns=1;s=${c.line}.${c.machine}.${c.signal}`, value: c.value, time: T0 + c.t * 1000, good: true }));

function engine(store) {
  return new SignalEngine({ rules: plantRules(), plant, minStopSec: 10, store });
}

function byType(events, suffix) {
  return events.filter((o) => o.event.type.includes(suffix)).map((o) => o.event);
}

function sumBy(events, key) {
  const out = {};
  for (const e of events) {
    const k = `${key(e)}`;
    out[k] = (out[k] || 0) + e.data.quantity.value;
  }
  return out;
}

function expectedParts(kind) {
  const out = {};
  for (const [m, orders] of Object.entries(scenario.ledger.parts)) {
    for (const [ref, p] of Object.entries(orders)) if (p[kind]) out[`${m.replace('.', '-')} ${ref}`] = p[kind];
  }
  return out;
}

const partKey = (e) => `${e.source ? '' : ''}${e.data.workCenter.slice(3)} ${e.data.orderId}/${e.data.operationId}`;

test('the demo scenario gives exactly the expected business events', () => {
  const e = engine();
  const out = e.ingest(samples).events;
  const validator = new EventValidator();
  for (const o of out) assert.deepEqual(validator.validate(o.event).errors ?? [], [], o.event.type);
  assert.deepEqual(sumBy(byType(out, 'quantity.confirmed'), partKey), expectedParts('good'));
  assert.deepEqual(sumBy(byType(out, 'scrap.posted'), partKey), expectedParts('scrap'));

  const down = byType(out, 'downtime.classified').map((d) => ({
    eq: d.data.equipment, code: d.data.reason.code, cat: d.data.reason.category, planned: d.data.planned,
    sec: d.data.durationSec, start: d.data.start, order: d.data.orderId,
  }));
  assert.deepEqual(down, [
    { eq: 'L1-M1', code: '17', cat: 'breakdown', planned: false, sec: 120, start: new Date(T0 + 120000).toISOString(), order: '1000123' },
    { eq: 'L1-M2', code: '31', cat: 'material-shortage', planned: false, sec: 60, start: new Date(T0 + 200000).toISOString(), order: '1000200' },
    { eq: 'L1-M1', code: '50', cat: 'changeover', planned: true, sec: 90, start: new Date(T0 + 360000).toISOString(), order: '1000124' },
  ]);
  // capacity.restored right after each downtime, for the same machine and time
  const types = out.map((o) => o.event.type);
  const restored = byType(out, 'capacity.restored');
  assert.equal(restored.length, 3);
  types.forEach((t, i) => {
    if (t.includes('downtime.classified')) {
      assert.match(types[i + 1], /capacity\.restored/);
      assert.equal(out[i + 1].event.data.restoredAt, out[i].event.data.end);
    }
  });
  const alerts = byType(out, 'predictive-alert.raised');
  assert.equal(alerts.length, 1, 'one alert for one excursion');
  assert.equal(alerts[0].data.equipment, 'L1-M1');
  assert.equal(alerts[0].data.value, 7.4);
  const spare = byType(out, 'spare-parts.demanded');
  assert.equal(spare.length, 1);
  assert.equal(spare[0].data.alertId, alerts[0].id);
  assert.equal(e.stats.dropped.status + e.stats.dropped.order + e.stats.dropped.type + e.stats.dropped.nan, 0);
  assert.equal(out[0].topic.startsWith('acme/berlin/assembly/L1/events/'), true);
  // the reduction: hundreds of signals, a few dozen events
  assert.ok(out.length * 10 < samples.length, `${out.length} events from ${samples.length} signals`);
});

test('a restart between two samples neither loses nor double-counts parts', async () => {
  const store = new MemoryStateStore();
  for (const cut of [100, 333, 517]) {
    const s = new MemoryStateStore();
    const first = engine(s);
    await first.load();
    const a = first.ingest(samples.slice(0, cut));
    await a.written;
    // the new run sees some values again (a re-subscription sends the current values)
    const second = engine(s);
    await second.load();
    const b = second.ingest(samples.slice(Math.max(0, cut - 40)));
    await b.written;
    const all = [...a.events, ...b.events];
    assert.deepEqual(sumBy(byType(all, 'quantity.confirmed'), partKey), expectedParts('good'), `cut at ${cut}`);
    assert.deepEqual(sumBy(byType(all, 'scrap.posted'), partKey), expectedParts('scrap'), `cut at ${cut}`);
  }
  assert.ok(store);
});

test('a restart that misses the signals of a while still counts the parts made meanwhile', async () => {
  const s = new MemoryStateStore();
  const first = engine(s);
  await first.load();
  const a = first.ingest(samples.slice(0, 150));
  await a.written;
  const second = engine(s);
  await second.load();
  // 150 changes are never seen: the counters carry the parts made while the flow was down
  const b = second.ingest(samples.slice(300));
  const all = [...a.events, ...b.events];
  const good = sumBy(byType(all, 'quantity.confirmed'), (e) => e.data.workCenter);
  assert.equal(good['WC-L1-M2'], scenario.ledger.parts['L1.M2']['1000200/0020'].good);
});

test('bad status, unreadable or out-of-order times, NaN and wrong types are counted and dropped', () => {
  const e = engine();
  const id = 'ns=1;s=L1.M1.GoodCount';
  const ctx = [
    { id: 'ns=1;s=L1.M1.OrderId', value: '1000123', time: T0, good: true },
    { id: 'ns=1;s=L1.M1.OperationId', value: '0010', time: T0, good: true },
    { id, value: 0, time: T0, good: true },
  ];
  e.ingest(ctx);
  const out = e.ingest([
    { id, value: 500, time: T0 + 1000, good: false },
    { id, value: 500, time: NaN, good: true, badTime: true },
    { id, value: NaN, time: T0 + 2000, good: true },
    { id, value: 'many', time: T0 + 3000, good: true },
    { id, value: { x: 1 }, time: T0 + 4000, good: true },
    { id, value: 3, time: T0 + 5000, good: true },
    { id, value: 400, time: T0 + 4500, good: true },
    { id: 'ns=1;s=L1.M1.Vibration', value: 'loud', time: T0 + 5000, good: true },
    { id: 'ns=1;s=L1.M1.State', value: [1, 2], time: T0 + 5000, good: true },
    { id: 'ns=9;s=Unknown', value: 1, time: T0, good: true },
  ]).events;
  assert.deepEqual(e.stats.dropped, { status: 1, time: 1, order: 1, nan: 1, type: 4 });
  assert.equal(e.stats.unbound, 1);
  assert.equal(out.length, 0);
  assert.equal(e.flush().events[0].event.data.quantity.value, 3);
});

test('counter reset and 16-bit rollover', () => {
  const { Counter } = require('../../dist/lib/signals');
  const c = new Counter(65536);
  c.add(65530, 0);
  assert.equal(c.add(65535, 1), 5);
  assert.equal(c.add(4, 2), 5, 'wrapped through 0');
  assert.equal(c.add(2, 3), 2, 'a drop far from the modulus is a reset');
  assert.equal(c.rollovers, 1);
  assert.equal(c.resets, 1);
  assert.equal(c.pending, 12);
});

test('shift change closes the counting period', () => {
  const e = new SignalEngine({
    plant, shifts: '06:00,14:00,22:00',
    rules: [{ signal: 'c', role: 'good', equipment: 'M' }, { signal: 'o', role: 'order', equipment: 'M' }, { signal: 'p', role: 'operation', equipment: 'M' }],
  });
  const at = (h, m) => Date.parse(`2026-03-02T${h}:${m}:00Z`);
  e.ingest([{ id: 'o', value: '1', time: at('13', '00'), good: true }, { id: 'p', value: '10', time: at('13', '00'), good: true }]);
  const out = e.ingest([
    { id: 'c', value: 0, time: at('13', '00'), good: true },
    { id: 'c', value: 7, time: at('13', '58'), good: true },
    { id: 'c', value: 9, time: at('14', '02'), good: true },
  ]).events;
  assert.equal(out.length, 1);
  assert.equal(out[0].event.data.quantity.value, 7);
  assert.equal(e.flush().events[0].event.data.quantity.value, 2);
});

test('operation.started sets the work context of its work center', () => {
  const { EventBuilder } = require('../../dist/lib/events');
  const e = engine();
  const started = new EventBuilder('mfg.production.operation.started.v1').build(
    { orderId: '555', operationId: '0030', workCenter: 'WC-L1-M2', startedAt: new Date(T0).toISOString(), material: 'FG-1' }, plant);
  e.onEvent(started);
  assert.deepEqual(e.contextOf('L1-M2'), { orderId: '555', operationId: '0030', material: 'FG-1' });
  assert.deepEqual(e.contextOf('L1-M1'), {});
});

test('rules are checked with a readable reason', () => {
  assert.throws(() => new SignalEngine({ plant, rules: [{ signal: 'x', role: 'bogus', equipment: 'M' }] }), /rule 1: role "bogus"/);
  assert.throws(() => new SignalEngine({ plant, rules: [{ signal: 'x', role: 'threshold', equipment: 'M' }] }), /numeric limit/);
  assert.throws(() => new SignalEngine({ plant, rules: [{ signal: '', role: 'good', equipment: 'M' }] }), /signal/);
  assert.throws(() => new SignalEngine({ plant, codes: '17', rules: [] }), /code table line 1/);
});

test('parts stamped before an order change but seen after it go to the previous order', () => {
  const e = new SignalEngine({ plant, rules: [{ signal: 'c', role: 'good', equipment: 'M' }, { signal: 'o', role: 'order', equipment: 'M' }, { signal: 'p', role: 'operation', equipment: 'M' }] });
  const s = (id, value, sec) => ({ id, value, time: T0 + sec * 1000, good: true });
  e.ingest([s('o', 'A', 0), s('p', '10', 0), s('c', 0, 0)]);
  // after a reconnect: the new order (stamped 400) arrives before the counter (stamped 357)
  const out = e.ingest([s('o', 'B', 400), s('c', 30, 357), s('c', 34, 460)]).events;
  e.flush().events.forEach((o) => out.push(o));
  assert.deepEqual(out.map((o) => [o.event.data.orderId, o.event.data.quantity.value]), [['A', 30], ['B', 4]]);
});

test('a stop that began before a restart keeps its true start', async () => {
  const store = new MemoryStateStore();
  const rules = [{ signal: 's', role: 'state', equipment: 'M', running: 'RUNNING' }, { signal: 'a', role: 'alarm', equipment: 'M' }];
  const s = (id, value, sec) => ({ id, value, time: T0 + sec * 1000, good: true });
  const first = new SignalEngine({ plant, rules, store });
  await first.load();
  await first.ingest([s('s', 'RUNNING', 0), s('a', 17, 100), s('s', 'STOPPED', 100)]).written;
  const second = new SignalEngine({ plant, rules, store });
  await second.load();
  const out = second.ingest([s('s', 'STOPPED', 100), s('s', 'RUNNING', 160)]).events;
  assert.deepEqual([out[0].event.data.durationSec, out[0].event.data.alarmCode, out[0].event.data.reason.category], [60, '17', 'breakdown']);
});

'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { TraceStore, Recorder, appendToMsg, correlationOf } = require('../../dist/lib/observability');

const step = (node, at, outcome = 'out', extra = {}) => ({ node, type: 'mfg-validate', at, outcome, ...extra });

describe('trace store', () => {
  it('keeps steps per correlation id in time order', () => {
    const s = new TraceStore();
    s.add('c1', step('b', 20));
    s.add('c1', step('a', 10));
    s.add('c2', step('x', 15));
    const t = s.get('c1', 30);
    assert.deepEqual(t.steps.map((x) => x.node), ['a', 'b']);
    assert.equal(t.first, 10);
    assert.equal(t.last, 20);
    assert.equal(s.size, 2);
  });

  it('is bounded: the oldest started transactions go first, steps are capped', () => {
    const s = new TraceStore({ maxTransactions: 3, maxSteps: 2 });
    for (const id of ['a', 'b', 'c']) s.add(id, step('n', 1));
    s.add('a', step('n', 2)); // a later step does not make a younger
    s.add('d', step('n', 3)); // evicts a, the oldest started
    assert.deepEqual(['a', 'b', 'c', 'd'].map((id) => s.has(id)), [false, true, true, true]);
    s.add('b', step('n', 4));
    s.add('b', step('n', 5));
    const b = s.get('b', 6);
    assert.equal(b.steps.length, 2);
    assert.equal(b.dropped, 1);
    // many more than the bound: the size stays at the bound
    for (let i = 0; i < 5000; i++) s.add(`x${i}`, step('n', 10 + i));
    assert.equal(s.size, 3);
    assert.deepEqual(s.recent(10, { now: 6000 }).map((t) => t.correlationId), ['x4999', 'x4998', 'x4997']);
  });

  it('a pruned and restarted transaction is not evicted in place of its old entry', () => {
    const s = new TraceStore({ maxTransactions: 2, retentionMs: 100 });
    s.add('a', step('n', 0));
    s.prune(500); // a is gone
    s.add('a', step('n', 600)); // starts again
    s.add('b', step('n', 601));
    s.add('c', step('n', 602)); // evicts the restarted a (oldest live), not b
    assert.deepEqual(['a', 'b', 'c'].map((id) => s.has(id)), [false, true, true]);
  });

  it('forgets transactions after the retention', () => {
    const s = new TraceStore({ retentionMs: 1000 });
    s.add('old', step('n', 0));
    s.add('new', step('n', 5000));
    assert.equal(s.get('old', 5500), undefined);
    assert.ok(s.get('new', 5500));
    s.add('old2', step('n', 0));
    assert.equal(s.prune(5500), 1);
    assert.equal(s.size, 1);
  });

  it('lists recent transactions, failed ones and by event type', () => {
    const s = new TraceStore();
    s.add('ok', step('n', 1, 'out', { eventType: 'mfg.a.b.c.v1' }));
    s.add('bad', step('n', 2, 'invalid', { eventType: 'mfg.x.y.z.v1' }));
    assert.deepEqual(s.recent(10, { now: 3 }).map((t) => t.correlationId), ['bad', 'ok']);
    assert.deepEqual(s.recent(10, { failedOnly: true, now: 3 }).map((t) => t.correlationId), ['bad']);
    assert.deepEqual(s.recent(10, { eventType: 'mfg.a.b.c.v1', now: 3 }).map((t) => t.correlationId), ['ok']);
  });

  it('caps the steps carried on the msg', () => {
    const msg = {};
    for (let i = 0; i < 10; i++) appendToMsg(msg, step(`n${i}`, i), 4);
    assert.deepEqual(msg._mfgTrace.map((x) => x.node), ['n6', 'n7', 'n8', 'n9']);
  });

  it('finds the correlation id on the msg or in the event', () => {
    assert.equal(correlationOf({ correlationId: 'm' }), 'm');
    assert.equal(correlationOf({ payload: { specversion: '1.0', id: 'e', correlationid: 'c' } }), 'c');
    assert.equal(correlationOf({ payload: { specversion: '1.0', id: 'e' } }), 'e');
    assert.equal(correlationOf({ payload: { id: 'not an event' } }), undefined);
  });
});

describe('hook recorder', () => {
  const node = (id, type = 'mfg-validate') => ({ id, type });
  const ev = (id, corr) => ({ specversion: '1.0', id, type: 'mfg.quality.hold.placed.v1', correlationid: corr });

  it('records one step per node with its port outcome and time in the node', () => {
    const r = new Recorder(new TraceStore());
    const msg = { payload: ev('e1', 'c1') };
    r.onReceive(msg, node('v'));
    // one msg to two wires of the invalid port is one outcome
    r.onSend([{ msg, source: { node: node('v'), port: 1 } }, { msg, source: { node: node('v'), port: 1 } }]);
    r.onComplete(msg, node('v'));
    assert.deepEqual(msg._mfgTrace.map((s) => [s.node, s.outcome, s.port]), [['v', 'invalid', 1]]);
    assert.equal(typeof msg._mfgTrace[0].ms, 'number');
    assert.equal(r.store.get('c1').steps.length, 1);
  });

  it('records a node that completes without sending, and errors once', () => {
    const r = new Recorder(new TraceStore());
    const msg = { payload: ev('e2', 'c2') };
    r.onReceive(msg, node('p', 'mfg-publish'));
    r.onComplete(msg, node('p', 'mfg-publish'));
    const bad = { payload: ev('e3', 'c3') };
    r.onReceive(bad, node('e', 'mfg-event'));
    r.onSend([{ msg: bad, source: { node: node('e', 'mfg-event'), port: 1 } }]);
    r.onComplete(bad, node('e', 'mfg-event'), new Error('refused: Authorization: Bearer abc.def.ghi'));
    assert.deepEqual(r.store.get('c2').steps.map((s) => s.outcome), ['done']);
    const steps = r.store.get('c3').steps;
    assert.deepEqual(steps.map((s) => s.outcome), ['error']);
    assert.match(steps[0].error, /refused/);
    assert.doesNotMatch(steps[0].error, /abc\.def\.ghi/);
  });

  it('moves the steps a msg took before it had a correlation id into its transaction', () => {
    const r = new Recorder(new TraceStore());
    const msg = { payload: { raw: 1 } };
    r.onReceive(msg, node('s', 'mfg-signal'));
    r.onSend([{ msg, source: { node: node('s', 'mfg-signal'), port: 0 } }]);
    msg.payload = ev('e4', 'c4');
    r.onReceive(msg, node('v'));
    r.onSend([{ msg, source: { node: node('v'), port: 0 } }]);
    assert.deepEqual(r.store.get('c4').steps.map((s) => s.node), ['s', 'v']);
  });

  it('traces msgs step by step while the budget lasts; beyond it only failures and duplicates, and counts all', async () => {
    const { prometheusText } = require('../../dist/lib/observability');
    let now = 5_000_000;
    const r = new Recorder(new TraceStore(), { perSecond: 2, now: () => now });
    const v = node('vb');
    const pass = (i, port = 0) => {
      const msg = { payload: ev(`b${i}`, `cb${i}`) };
      r.onReceive(msg, v);
      r.onSend([{ msg, source: { node: v, port } }]);
      r.onComplete(msg, v);
      return msg;
    };
    const msgs = [0, 1, 2, 3].map((i) => pass(i));
    assert.deepEqual(msgs.map((m) => Array.isArray(m._mfgTrace)), [true, true, false, false]);
    assert.deepEqual([0, 1, 2, 3].map((i) => r.store.has(`cb${i}`)), [true, true, false, false]);
    const bad = pass(4, 1); // invalid, with the budget used up: traced all the same
    assert.deepEqual(r.store.get('cb4').steps.map((s) => [s.node, s.outcome]), [['vb', 'invalid']]);
    assert.equal(bad._mfgTrace.length, 1);
    const dlq = node('db', 'mfg-dlq'); // and so is the rest of its path
    r.onReceive(bad, dlq);
    r.onSend([{ msg: bad, source: { node: dlq, port: 0 } }]);
    assert.deepEqual(r.store.get('cb4').steps.map((s) => [s.node, s.outcome]), [['vb', 'invalid'], ['db', 'out']]);
    const dup = { payload: ev('b5', 'cb5') };
    const idem = node('ib', 'mfg-idempotency');
    r.onReceive(dup, idem);
    r.onSend([{ msg: dup, source: { node: idem, port: 1 } }]);
    assert.deepEqual(r.store.get('cb5').steps.map((s) => s.outcome), ['duplicate']);
    // a msg that brings its _mfgTrace along stays traced
    const carried = { payload: ev('b6', 'cb6'), _mfgTrace: [] };
    r.onReceive(carried, v);
    r.onSend([{ msg: carried, source: { node: v, port: 0 } }]);
    assert.ok(r.store.has('cb6'));
    now += 1000; // the budget refills
    assert.ok(Array.isArray(pass(7)._mfgTrace));
    assert.equal(r.sampledOut, 2, 'b2 and b3 were passed over; b4 and b5 were traced for their outcomes without asking the budget');
    // metrics count every msg, traced or not
    const text = await prometheusText();
    assert.match(text, /mfg_messages_total\{node="vb",node_type="mfg-validate",event_type="mfg.quality.hold.placed.v1",outcome="out"\} 6/);
    assert.match(text, /mfg_messages_total\{node="vb",node_type="mfg-validate",event_type="mfg.quality.hold.placed.v1",outcome="in"\} 7/);
    assert.match(text, /mfg_trace_sampled_out_total [1-9]/);
  });

  it('ignores other nodes and config nodes', () => {
    const r = new Recorder(new TraceStore());
    const msg = { payload: ev('e5', 'c5') };
    r.onReceive(msg, node('f', 'function'));
    r.onSend([{ msg, source: { node: node('f', 'function'), port: 0 } }, { msg, source: { node: node('x', 'mfg-store'), port: 0 } }]);
    assert.equal(msg._mfgTrace, undefined);
    assert.equal(r.store.size, 0);
  });
});

describe('trace persistence budget', () => {
  const { TracePersistence, TRACE_SCOPE, prometheusText } = require('../../dist/lib/observability');
  const { createStore } = require('../../dist/lib/store');

  it('writes failed transactions always and successful ones while the budget lasts', async () => {
    const store = createStore({ kind: 'memory' });
    const traces = new TraceStore();
    let now = 1_000_000;
    const p = new TracePersistence(store, traces, { perSecond: 3, flushMs: 60_000, now: () => now });
    for (let i = 0; i < 10; i++) traces.add(`ok${i}`, step('v', now, 'out'));
    traces.add('bad', step('v', now, 'invalid'));
    traces.add('ok9', step('p', now, 'error')); // a later failure admits a transaction passed over
    now += 1000; // one second refills the budget
    traces.add('late', step('v', now, 'out'));
    traces.add('ok5', step('p', now, 'out')); // passed over at its start: stays so while it succeeds
    await p.flush();
    const written = [];
    for (const id of [...Array.from({ length: 10 }, (_, i) => `ok${i}`), 'bad', 'late']) {
      if (await store.get(TRACE_SCOPE, id)) written.push(id);
    }
    assert.deepEqual(written, ['ok0', 'ok1', 'ok2', 'ok9', 'bad', 'late']);
    assert.deepEqual((await store.get(TRACE_SCOPE, 'ok9')).result.steps.map((s) => s.outcome), ['out', 'error']);
    assert.equal(p.unpersisted, 7, 'each passed-over transaction counted once');
    assert.match(await prometheusText(), /mfg_trace_unpersisted_total \d+/);
    p.stop();
    await store.close();
  });

  it('hands the store a slice of transactions at a time, so the msgs\' writes in between wait for little', async () => {
    const inner = createStore({ kind: 'memory' });
    let outstanding = 0;
    let most = 0;
    const store = Object.create(inner);
    store.commit = async (...args) => {
      outstanding++;
      most = Math.max(most, outstanding);
      await new Promise((r) => setImmediate(r));
      try {
        return await inner.commit(...args);
      } finally {
        outstanding--;
      }
    };
    const traces = new TraceStore();
    const p = new TracePersistence(store, traces, { perSecond: 0, flushMs: 60_000, slice: 25 });
    for (let i = 0; i < 60; i++) traces.add(`s${i}`, step('v', Date.now()));
    await p.flush();
    assert.equal(most, 25);
    for (let i = 0; i < 60; i++) assert.ok(await inner.get(TRACE_SCOPE, `s${i}`), `s${i} written`);
    p.stop();
    await inner.close();
  });

  it('writes every transaction with a budget of 0', async () => {
    const store = createStore({ kind: 'memory' });
    const traces = new TraceStore();
    const p = new TracePersistence(store, traces, { perSecond: 0, flushMs: 60_000 });
    for (let i = 0; i < 500; i++) traces.add(`t${i}`, step('v', Date.now()));
    await p.flush();
    assert.ok(await store.get(TRACE_SCOPE, 't499'));
    assert.equal(p.unpersisted, 0);
    p.stop();
    await store.close();
  });
});

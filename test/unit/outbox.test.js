'use strict';
const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { Outbox, RetryableError, PermanentError, QueueFullError } = require('../../dist/lib/outbox');
const { createStore } = require('../../dist/lib/store');
const { tmpDir } = require('../helpers/servers');

const open = [];
function sqlite(file) {
  const s = createStore({ kind: 'sqlite', path: file || path.join(tmpDir('outbox-'), 'state.db') });
  open.push(s);
  return s;
}
function outbox(opts) {
  const ob = new Outbox({ queue: 'q', groupCommitMs: 1, backoff: { initialMs: 5, maxMs: 50, jitter: 0 }, ...opts });
  open.push(ob);
  return ob;
}
const until = async (pred, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};
function ev(i, key, extra = {}) {
  return { specversion: '1.0', id: `e${i}`, type: 'mfg.production.quantity.confirmed.v1', source: '/a/b/c/d/e', partitionkey: key, correlationid: `c${i}`, time: '2026-11-27T08:00:00.000Z', data: { n: i }, ...extra };
}

/** The store with some calls wrapped: `wrap.name(real, ...args)` replaces store.name(...args). */
function wrapped(store, wrap) {
  return new Proxy(store, {
    get(target, prop) {
      if (wrap[prop]) return (...args) => wrap[prop]((...a) => target[prop](...a), ...args);
      const v = target[prop];
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
function gate() {
  let open;
  const p = new Promise((r) => (open = r));
  return { p, open };
}

afterEach(async () => {
  while (open.length) await open.pop().close();
});

describe('outbox', () => {
  it('resolves add() only after the items are durable in the store file', async () => {
    const file = path.join(tmpDir('outbox-'), 'state.db');
    const store = sqlite(file);
    const ob = outbox({ store, deliver: async () => {} });
    await ob.start();
    ob.pause('held for the test');
    await Promise.all(Array.from({ length: 300 }, (_, i) => ob.add(ev(i, `k${i % 7}`))));
    await ob.close();
    await store.close();
    const again = sqlite(file);
    assert.equal(await again.depth('q'), 300);
    const heads = await again.heads('q', 100, Date.now());
    assert.equal(heads.length, 7, 'one head per partition');
    assert.deepEqual(heads.map((h) => h.payload.id), ['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
  });

  it('delivers a backlog left by an earlier run, in order per partition', async () => {
    const file = path.join(tmpDir('outbox-'), 'state.db');
    const s1 = sqlite(file);
    await s1.enqueue('q', Array.from({ length: 200 }, (_, i) => ({ partition: `k${i % 4}`, payload: ev(i, `k${i % 4}`) })));
    await s1.close();
    const got = [];
    const ob = outbox({ store: sqlite(file), deliver: async (item) => { got.push(item.payload); } });
    await ob.start();
    await until(() => got.length === 200 && ob.state().depth === 0);
    for (let k = 0; k < 4; k++) {
      const seq = got.filter((e) => e.partitionkey === `k${k}`).map((e) => e.data.n);
      assert.deepEqual(seq, [...seq].sort((a, b) => a - b), `partition k${k} in order`);
      assert.equal(seq.length, 50);
    }
  });

  it('retries a failing partition while the other partitions flow, keeping FIFO', async () => {
    const store = createStore({ kind: 'memory' });
    open.push(store);
    const got = [];
    let failA = 3;
    const ob = outbox({
      store,
      deliver: async (item) => {
        if (item.partition === 'A' && failA > 0) { failA--; throw new RetryableError('ERP busy'); }
        got.push(`${item.partition}${item.payload.data.n}`);
      },
    });
    await ob.start();
    await Promise.all([ev(1, 'A'), ev(2, 'A'), ev(3, 'B'), ev(4, 'B'), ev(5, 'A')].map((e) => ob.add(e)));
    await until(() => got.length === 5);
    assert.deepEqual(got.filter((x) => x[0] === 'A'), ['A1', 'A2', 'A5']);
    assert.deepEqual(got.filter((x) => x[0] === 'B'), ['B3', 'B4']);
    assert.ok(got.indexOf('B4') < got.indexOf('A1'), 'B was not held up by A');
  });

  it('dead-letters a permanent failure at once, with reason, attempts, correlation and redacted msg', async () => {
    const store = sqlite();
    let calls = 0;
    const ob = outbox({ store, deliver: async () => { calls++; throw new PermanentError('400 material 4711 unknown'); } });
    await ob.start();
    await ob.add({ topic: 't', payload: ev(1, 'k'), headers: { Authorization: 'Bearer abcdefghijkl' } });
    await until(async () => (await store.listDeadLetters()).total === 1);
    const [dl] = (await store.listDeadLetters()).items;
    assert.equal(calls, 1);
    assert.equal(dl.origin, 'q');
    assert.match(dl.reason, /permanent failure: 400 material 4711 unknown/);
    assert.equal(dl.attempts, 1);
    assert.equal(dl.correlationId, 'c1');
    assert.equal(dl.eventType, 'mfg.production.quantity.confirmed.v1');
    assert.equal(dl.msg.headers.Authorization, '[redacted]');
    assert.equal(dl.msg.payload.id, 'e1');
    assert.equal(await store.depth('q'), 0);
  });

  it('gives up after maxAttempts and after maxAgeMs', async () => {
    const store = sqlite();
    const ob = outbox({ store, maxAttempts: 3, deliver: async () => { throw new Error('connect ECONNREFUSED'); } });
    await ob.start();
    await ob.add(ev(1, 'k'));
    await until(async () => (await store.listDeadLetters()).total === 1);
    const [dl] = (await store.listDeadLetters()).items;
    assert.equal(dl.attempts, 3);
    assert.match(dl.reason, /gave up after 3 attempts: connect ECONNREFUSED/);

    await store.enqueue('old', [{ partition: 'k', payload: ev(2, 'k') }]);
    const ob2 = outbox({ store, queue: 'old', maxAgeMs: 1, deliver: async () => assert.fail('expired items are not sent') });
    await new Promise((r) => setTimeout(r, 10));
    await ob2.start();
    await until(async () => (await store.listDeadLetters({ origin: 'old' })).total === 1);
    assert.match((await store.listDeadLetters({ origin: 'old' })).items[0].reason, /^expired/);
  });

  it('honours Retry-After over a shorter backoff', async () => {
    const store = createStore({ kind: 'memory' });
    open.push(store);
    const at = [];
    const ob = outbox({
      store,
      deliver: async () => {
        at.push(Date.now());
        if (at.length === 1) throw new RetryableError('429 throttled', 300);
      },
    });
    await ob.start();
    await ob.add(ev(1, 'k'));
    await until(() => at.length === 2);
    assert.ok(at[1] - at[0] >= 290, `second attempt waited ${at[1] - at[0]} ms, Retry-After asked 300`);
  });

  it('opens the breaker after repeated failures, probes half-open, closes on success', async () => {
    const store = createStore({ kind: 'memory' });
    open.push(store);
    let down = true;
    let attempts = 0;
    const states = [];
    const ob = outbox({
      store, maxInFlight: 1, breaker: { failureThreshold: 3, openMs: 200 },
      deliver: async () => { attempts++; if (down) throw new Error('503 maintenance'); },
    });
    ob.on('state', (s) => states.push(s.breaker));
    await ob.start();
    await ob.add(ev(1, 'k'));
    await until(() => ob.state().breaker === 'open');
    const atOpen = attempts;
    assert.equal(atOpen, 3);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(attempts, atOpen, 'no attempt while open');
    down = false;
    await until(() => ob.state().depth === 0);
    assert.equal(ob.state().breaker, 'closed');
    assert.equal(attempts, atOpen + 1, 'one half-open probe delivered it');
    assert.ok(states.includes('open'));
  });

  it('refuses msgs beyond the limit with QueueFullError and keeps the earlier ones', async () => {
    const store = sqlite();
    const ob = outbox({ store, limit: 10, deliver: async () => {} });
    await ob.start();
    ob.pause('broker offline');
    const results = await Promise.allSettled(Array.from({ length: 15 }, (_, i) => ob.add(ev(i, 'k'))));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(ok.length, 10);
    assert.equal(refused.length, 5);
    assert.ok(refused.every((r) => r.reason instanceof QueueFullError));
    assert.match(refused[0].reason.message, /outbox "q" is full \(10 messages buffered\)/);
    assert.equal(await store.depth('q'), 10);
    await until(() => ob.state().full === true);
    const heads = await store.heads('q', 1, Date.now());
    assert.equal(heads[0].payload.id, 'e0', 'the earliest msgs are kept');
  });

  it('keeps at most maxInFlight deliveries running', async () => {
    const store = createStore({ kind: 'memory' });
    open.push(store);
    let now = 0;
    let peak = 0;
    let done = 0;
    const ob = outbox({
      store, maxInFlight: 4,
      deliver: async () => {
        now++;
        peak = Math.max(peak, now);
        await new Promise((r) => setTimeout(r, 5));
        now--;
        done++;
      },
    });
    await ob.start();
    await Promise.all(Array.from({ length: 40 }, (_, i) => ob.add(ev(i, `k${i}`))));
    await until(() => done === 40);
    assert.equal(peak, 4);
  });

  it('marks msgs sent after waiting as buffered', async () => {
    const store = createStore({ kind: 'memory' });
    open.push(store);
    const ctxs = [];
    const ob = outbox({ store, bufferedAfterMs: 50, deliver: async (item, ctx) => { ctxs.push([item.payload.id, ctx.buffered]); } });
    await ob.start();
    await ob.add(ev(1, 'k'));
    await until(() => ctxs.length === 1);
    ob.pause('offline');
    await ob.add(ev(2, 'k'));
    await new Promise((r) => setTimeout(r, 80));
    ob.resume();
    await until(() => ctxs.length === 2);
    assert.deepEqual(ctxs, [['e1', false], ['e2', true]]);
  });

  it('pipelines a partition; a retried item goes out before the rest of its partition', async () => {
    const store = createStore({ kind: 'memory' });
    open.push(store);
    const sent = [];
    let inFlightA = 0;
    let peakA = 0;
    let failOnce = true;
    const ob = outbox({
      store, pipeline: true, maxInFlight: 4,
      deliver: async (item) => {
        inFlightA++;
        peakA = Math.max(peakA, inFlightA);
        await new Promise((r) => setTimeout(r, 2));
        inFlightA--;
        if (item.payload.data.n === 0 && failOnce) { failOnce = false; throw new RetryableError('link lost'); }
        sent.push(item.payload.data.n);
      },
    });
    await ob.start();
    ob.pause('held');
    await Promise.all(Array.from({ length: 20 }, (_, i) => ob.add(ev(i, 'A'))));
    ob.resume();
    await until(() => sent.length === 20);
    assert.ok(peakA > 1, 'several items of one partition in flight');
    // 0..3 were in flight together; 0 failed and went back to the head of its partition.
    assert.deepEqual(sent, [1, 2, 3, 0, ...Array.from({ length: 16 }, (_, i) => i + 4)]);
  });

  it('falls back to the store beyond the memory mirror, then mirrors again once drained', async () => {
    const store = sqlite();
    const got = [];
    const ob = outbox({ store, memoryLimit: 10, deliver: async (item) => { got.push(item.payload); } });
    await ob.start();
    ob.pause('held');
    await Promise.all(Array.from({ length: 40 }, (_, i) => ob.add(ev(i, `k${i % 3}`))));
    ob.resume();
    await until(() => got.length === 40 && ob.state().depth === 0);
    for (let k = 0; k < 3; k++) {
      const seq = got.filter((e) => e.partitionkey === `k${k}`).map((e) => e.data.n);
      assert.deepEqual(seq, [...seq].sort((a, b) => a - b));
    }
    assert.equal(new Set(got.map((e) => e.id)).size, 40, 'each once');
    await Promise.all([40, 41, 42].map((i) => ob.add(ev(i, 'k0'))));
    await until(() => got.length === 43);
    assert.deepEqual(got.slice(40).map((e) => e.id), ['e40', 'e41', 'e42']);
  });

  it('drains a backlog from an earlier run while new msgs keep coming, then dispatches from memory again', async () => {
    const file = path.join(tmpDir('outbox-'), 'state.db');
    const s1 = sqlite(file);
    await s1.enqueue('q', Array.from({ length: 120 }, (_, i) => ({ partition: `k${i % 4}`, payload: ev(i, `k${i % 4}`) })));
    await s1.close();
    const got = [];
    const modes = new Set();
    const ob = outbox({ store: sqlite(file), pipeline: true, deliver: async (item) => { got.push(item.payload); } });
    ob.on('state', (st) => modes.add(st.mode));
    await ob.start();
    assert.equal(ob.state().mode, 'store');
    let i = 120;
    const feeding = (async () => {
      for (; i < 400; i++) {
        await ob.add(ev(i, `k${i % 4}`));
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await until(() => ob.state().mode === 'memory', 10000);
    assert.ok(i < 400, 'back on the mirror while msgs were still coming in');
    await feeding;
    await until(() => got.length >= 400 && ob.state().depth === 0, 10000);
    assert.equal(got.length, 400, 'each once');
    assert.equal(new Set(got.map((e) => e.id)).size, 400);
    for (let k = 0; k < 4; k++) {
      const seq = got.filter((e) => e.partitionkey === `k${k}`).map((e) => e.data.n);
      assert.deepEqual(seq, [...seq].sort((a, b) => a - b), `k${k} in order`);
    }
  });

  it('sends the next item of a partition once the last is delivered, without waiting for its ack to commit', async () => {
    const store = sqlite();
    const acks = gate();
    let ackCalls = 0;
    const got = [];
    const ob = outbox({
      store: wrapped(store, { ack: (real, q, ids) => { ackCalls++; const p = real(q, ids); return acks.p.then(() => p); } }),
      deliver: async (item) => { got.push(item.payload.data.n); },
    });
    await ob.start();
    await Promise.all(Array.from({ length: 5 }, (_, i) => ob.add(ev(i, 'one'))));
    await until(() => got.length === 5);
    assert.deepEqual(got, [0, 1, 2, 3, 4], 'in order, all while no ack had committed');
    assert.equal(ob.state().depth, 5, 'acks not yet committed');
    acks.open();
    await until(() => ob.state().depth === 0);
    assert.ok(ackCalls >= 1);
    assert.equal(await store.depth('q'), 0);
  });

  it('drains a one-partition backlog from the store item after item as each ack is submitted', async () => {
    const file = path.join(tmpDir('outbox-'), 'state.db');
    const s1 = sqlite(file);
    await s1.enqueue('q', Array.from({ length: 6 }, (_, i) => ({ partition: 'one', payload: ev(i, 'one') })));
    await s1.close();
    const store = sqlite(file);
    const acks = gate();
    const got = [];
    const ob = outbox({
      store: wrapped(store, { ack: (real, q, ids) => { const p = real(q, ids); return acks.p.then(() => p); } }),
      deliver: async (item) => { got.push(item.payload.data.n); },
    });
    await ob.start();
    assert.equal(ob.state().mode, 'store');
    await until(() => got.length === 6);
    assert.deepEqual(got, [0, 1, 2, 3, 4, 5], 'each once, in order, before any ack committed');
    acks.open();
    await until(() => ob.state().depth === 0);
    assert.equal(await store.depth('q'), 0);
  });

  it('keeps an item that fails while the outbox returns to its mirror, and delivers it when due', async () => {
    const file = path.join(tmpDir('outbox-'), 'state.db');
    const s1 = sqlite(file);
    await s1.enqueue('q', [{ partition: 'old', payload: ev(0, 'old') }]);
    await s1.close();
    const store = sqlite(file);
    const retried = gate();
    const failedOnce = gate();
    const sent = [];
    const ob = outbox({
      store: wrapped(store, { retryLater: (real, ...a) => { const p = real(...a); failedOnce.open(); return retried.p.then(() => p); } }),
      deliver: async (item) => {
        sent.push(item.payload.id);
        if (item.payload.id === 'e0') await failedOnce.p; // the earlier run's item is acked once e1 has failed
        if (item.payload.id === 'e1' && item.attempts === 0) throw new RetryableError('busy');
      },
    });
    ob.pause('held');
    await ob.start();
    await ob.add(ev(1, 'new'));
    assert.equal(ob.state().mode, 'store');
    ob.resume();
    // e0 acked -> nothing older left -> back to the mirror while e1's retry is being stored
    await until(() => ob.state().mode === 'memory');
    retried.open();
    await until(() => ob.state().depth === 0);
    assert.deepEqual(sent.sort(), ['e0', 'e1', 'e1']);
    assert.equal(await store.depth('q'), 0);
  });

  it('sends an item again when its ack could not be stored', async () => {
    const store = sqlite();
    let failAck = true;
    const errors = [];
    const sent = [];
    const ob = outbox({
      store: wrapped(store, { ack: (real, q, ids) => { if (failAck) { failAck = false; return Promise.reject(new Error('disk I/O error')); } return real(q, ids); } }),
      deliver: async (item) => { sent.push(item.payload.id); },
    });
    ob.on('error', (e) => errors.push(e.message));
    await ob.start();
    await Promise.all([ob.add(ev(0, 'a')), ob.add(ev(1, 'b'))]);
    await until(() => ob.state().depth === 0, 8000);
    assert.deepEqual(errors, ['disk I/O error']);
    assert.deepEqual(sent.sort(), ['e0', 'e0', 'e1', 'e1'], 'both sent again (at least once)');
    assert.equal(await store.depth('q'), 0);
  });
});

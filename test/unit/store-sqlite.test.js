'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const Database = require('better-sqlite3');
const { SqliteStore, QueueFullError } = require('../../dist/lib/store');
const { tmpDir } = require('../helpers/servers');
const { EAGER } = require('./store-contract');

const file = () => path.join(tmpDir('sqlite-'), 'mfg-connect', 'state.db');

describe('sqlite store', () => {
  it('opens in WAL mode with synchronous=FULL, creating the directory', async () => {
    const f = file();
    const store = new SqliteStore({ path: f, pruneIntervalMs: 0 });
    await store.claim('s', 'k', EAGER);
    const db = new Database(f, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(require('fs').statSync(f).mode & 0o777, 0o600, 'readable by the owner only');
    assert.equal(require('fs').statSync(f + '-wal').mode & 0o777, 0o600);
    db.close();
    assert.equal(store.state, 'ready');
    await store.close();
    assert.equal(store.state, 'closed');
  });

  it('groups the calls of one tick into one transaction, resolving after the commit', async () => {
    const store = new SqliteStore({ path: file(), pruneIntervalMs: 0 });
    const before = store.commitStats;
    const rs = await Promise.all(Array.from({ length: 1000 }, (_, i) => store.claim('g', `k${i}`, EAGER)));
    assert.equal(rs.filter((r) => r.status === 'new').length, 1000);
    const after = store.commitStats;
    assert.equal(after.operations - before.operations, 1000);
    assert.ok(after.transactions - before.transactions <= 2, `${after.transactions - before.transactions} transactions`);
    await store.close();
  });

  it('calls made while a transaction commits go together into the next one, in order', async () => {
    const store = new SqliteStore({ path: file(), pruneIntervalMs: 0, thread: true });
    await store.claim('g', 'warm', EAGER);
    const other = new Database(store.path);
    other.exec('BEGIN IMMEDIATE'); // keeps the first batch committing until released
    const before = store.commitStats;
    const first = store.claim('g', 'first', EAGER);
    const later = [];
    for (let tick = 0; tick < 10; tick++) {
      await new Promise((r) => setTimeout(r, 5));
      for (let i = 0; i < 50; i++) later.push(store.claim('g', `t${tick}-${i}`, EAGER));
    }
    later.push(store.claim('g', 'first', EAGER)); // sees the claim made before it
    other.exec('ROLLBACK');
    other.close();
    assert.equal((await first).status, 'new');
    const rs = await Promise.all(later);
    assert.equal(rs.filter((r) => r.status === 'new').length, 500);
    assert.equal(rs[500].status, 'duplicate');
    const after = store.commitStats;
    assert.equal(after.operations - before.operations, 502);
    assert.equal(after.transactions - before.transactions, 2);
    await store.close();
  });

  it('keeps keys, queues and dead letters across a reopen of the file', async () => {
    const f = file();
    let store = new SqliteStore({ path: f, pruneIntervalMs: 0 });
    await store.claim('s', 'in-flight', EAGER);
    await store.claim('s', 'done', EAGER);
    await store.commit('s', 'done', { doc: 'MD-1' }, 60_000);
    const [id] = await store.enqueue('q', [{ partition: 'p', payload: { a: 1 } }]);
    const dl = await store.addDeadLetter({ origin: 'o', reason: 'r', attempts: 2, at: Date.now(), msg: { m: 1 } });
    await store.close();
    store = new SqliteStore({ path: f, pruneIntervalMs: 0 });
    assert.equal((await store.get('s', 'in-flight')).state, 'in-flight');
    assert.deepEqual((await store.claim('s', 'done', EAGER)).record.result, { doc: 'MD-1' });
    assert.equal(await store.depth('q'), 1);
    assert.deepEqual((await store.heads('q', 5, Date.now()))[0], { ...(await store.heads('q', 5, Date.now()))[0], id, payload: { a: 1 } });
    assert.equal((await store.getDeadLetter(dl)).attempts, 2);
    await store.close();
  });

  it('a failing call in a batch fails alone; the others of the batch commit', async () => {
    const store = new SqliteStore({ path: file(), pruneIntervalMs: 0 });
    const circular = {};
    circular.self = circular;
    const [a, full, bad, b] = await Promise.allSettled([
      store.enqueue('q', [{ partition: 'p', payload: 1 }], 1),
      store.enqueue('q', [{ partition: 'p', payload: 2 }], 1),
      store.commit('s', 'bad', circular, 1000),
      store.claim('s', 'ok', EAGER),
    ]);
    assert.equal(a.status, 'fulfilled');
    assert.ok(full.reason instanceof QueueFullError);
    assert.match(bad.reason.message, /circular/i);
    assert.equal(b.value.status, 'new');
    assert.equal(await store.depth('q'), 1);
    await store.close();
  });

  it('a batch the database refuses rejects every call in it and shows in the state until a commit succeeds', async () => {
    const store = new SqliteStore({ path: file(), pruneIntervalMs: 0, busyTimeoutMs: 200 });
    const states = [];
    store.on('state', (s, detail) => states.push([s, detail]));
    // Another connection holds the write lock longer than the busy timeout.
    const other = new Database(store.path);
    other.exec('BEGIN IMMEDIATE');
    const rs = await Promise.allSettled([store.claim('s', 'a', EAGER), store.enqueue('q', [{ partition: 'p', payload: 1 }])]);
    assert.deepEqual(rs.map((r) => r.status), ['rejected', 'rejected']);
    assert.match(rs[0].reason.message, /locked|busy/i);
    assert.equal(store.state, 'error');
    other.exec('ROLLBACK');
    other.close();
    assert.equal((await store.claim('s', 'a', EAGER)).status, 'new', 'nothing of the failed batch was stored');
    assert.equal(await store.depth('q'), 0);
    assert.equal(store.state, 'ready');
    assert.deepEqual(states.map(([s]) => s), ['error', 'ready']);
    await store.close();
  });

  it('a write waiting for another process to release its lock does not hold up the event loop', async () => {
    const store = new SqliteStore({ path: file(), pruneIntervalMs: 0, thread: true });
    const other = new Database(store.path);
    other.exec('BEGIN IMMEDIATE');
    let settled = false;
    const claim = store.claim('s', 'waits', EAGER).finally(() => { settled = true; });
    // Inline, better-sqlite3 would sleep on the lock in this thread and no timer would fire.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await new Promise((r) => setTimeout(r, 400));
    clearInterval(timer);
    assert.ok(ticks >= 20, `${ticks} timer ticks in 400 ms`);
    assert.equal(settled, false, 'the claim waits for the lock');
    other.exec('ROLLBACK');
    other.close();
    assert.equal((await claim).status, 'new');
    assert.equal(store.state, 'ready');
    await store.close();
  });

  it('a store thread that dies shows in the state with the reason, and the next call runs in a new one', async () => {
    const store = new SqliteStore({ path: file(), pruneIntervalMs: 0, thread: true });
    await store.claim('s', 'before', EAGER);
    const states = [];
    store.on('state', (s, detail) => states.push([s, detail]));
    await store.thread.worker.terminate();
    assert.equal(store.state, 'error');
    assert.match(states[0][1], /store thread stopped: exited with code 1/);
    assert.equal((await store.claim('s', 'after', EAGER)).status, 'new');
    assert.equal((await store.get('s', 'before')).state, 'in-flight', 'what was committed before is still there');
    assert.deepEqual(states.map(([s]) => s), ['error', 'ready']);
    await store.close();
  });

  it('a store runs inline unless asked for a thread; an in-memory one cannot have one', async () => {
    const inline = new SqliteStore({ path: file(), pruneIntervalMs: 0 });
    assert.equal(inline.thread, undefined);
    await inline.close();
    const store = new SqliteStore({ path: ':memory:', pruneIntervalMs: 0 });
    assert.equal(store.thread, undefined);
    assert.equal((await store.claim('s', 'k', EAGER)).status, 'new');
    await store.close();
    assert.throws(() => new SqliteStore({ path: ':memory:', thread: true }), /in-memory database cannot run in its own thread/);
  });

  it('a closed store rejects calls with a clear reason', async () => {
    const store = new SqliteStore({ path: file(), pruneIntervalMs: 0 });
    await store.close();
    await assert.rejects(store.claim('s', 'k', EAGER), /closed/);
  });

  it('reports a file it cannot open', () => {
    const notADir = path.join(tmpDir('sqlite-'), 'plain-file');
    require('fs').writeFileSync(notADir, 'x');
    assert.throws(() => new SqliteStore({ path: path.join(notADir, 'state.db'), pruneIntervalMs: 0 }), /ENOTDIR|EEXIST|cannot open/);
  });

  it('refuses a file that is not a state store with the reason', () => {
    const f = path.join(tmpDir('sqlite-'), 'notes.db');
    require('fs').writeFileSync(f, 'plain text, not a database '.repeat(100));
    assert.throws(() => new SqliteStore({ path: f, pruneIntervalMs: 0 }), /cannot open .*notes\.db: file is not a database/);
  });

  it('the scheduled prune removes expired keys batch by batch', async () => {
    const store = new SqliteStore({ path: file(), pruneIntervalMs: 50, pruneBatch: 100 });
    const now = Date.now();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => store.claim('p', `k${i}`, { ...EAGER, leaseMs: 1, now: now - 10 })));
    await store.claim('p', 'live', EAGER);
    const db = new Database(store.path, { readonly: true });
    const count = () => db.prepare('SELECT COUNT(*) AS n FROM idem').get().n;
    const end = Date.now() + 5000;
    while (count() > 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(count(), 1);
    assert.equal((await store.get('p', 'live')).state, 'in-flight');
    db.close();
    await store.close();
  });
});

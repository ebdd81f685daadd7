'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { createHash } = require('crypto');
const { toKey, hashKey, scopeOf, IdempotencyGuard, IdempotencyKeyError, MAX_KEY_LENGTH } = require('../../dist/lib/idempotency');
const { MemoryStore, SqliteStore } = require('../../dist/lib/store');
const { tmpDir } = require('../helpers/servers');
const path = require('path');

describe('idempotency keys', () => {
  it('takes strings as they are and numbers as text', () => {
    assert.equal(toKey('4f1c-77', 'x'), '4f1c-77');
    assert.equal(toKey(1000123, 'x'), '1000123');
    assert.equal(toKey(10n, 'x'), '10');
  });

  it('turns objects into canonical JSON, so field order does not matter', () => {
    const a = toKey({ order: '1000123', op: '0020', counter: 3 }, 'x');
    assert.equal(a, toKey({ counter: 3, op: '0020', order: '1000123' }, 'x'));
    assert.equal(a, '{"counter":3,"op":"0020","order":"1000123"}');
    assert.notEqual(a, toKey({ order: '1000123', op: '0020', counter: 4 }, 'x'));
    assert.equal(toKey(['a', { b: 1 }], 'x'), '["a",{"b":1}]');
  });

  it('hashes keys over 512 characters with SHA-256, once', () => {
    const long = 'k'.repeat(MAX_KEY_LENGTH + 1);
    const h = toKey(long, 'x');
    assert.equal(h, 'sha256:' + createHash('sha256').update(long).digest('hex'));
    assert.equal(hashKey(h), h, 'a hashed key is not hashed again');
    assert.equal(toKey('k'.repeat(MAX_KEY_LENGTH), 'x').length, MAX_KEY_LENGTH);
    assert.notEqual(toKey(long + 'x', 'x'), h);
  });

  it('a missing or empty key is an error naming where it was looked for', () => {
    assert.throws(() => toKey(undefined, 'msg.payload.id'), (e) => e instanceof IdempotencyKeyError && /missing: msg\.payload\.id is undefined/.test(e.message));
    assert.throws(() => toKey(null, 'msg.k'), /msg\.k is null/);
    assert.throws(() => toKey('  ', 'msg.k'), /empty string/);
    assert.throws(() => toKey(NaN, 'msg.k'), /invalid: msg\.k is NaN/);
    assert.throws(() => toKey(() => 1, 'msg.k'), /is a function/);
  });

  it('scopes are per node unless named', () => {
    assert.equal(scopeOf('', 'n1'), 'node:n1');
    assert.equal(scopeOf(' postings ', 'n1'), 'shared:postings');
  });
});

for (const [name, make] of [
  ['memory', () => new MemoryStore({ pruneIntervalMs: 0 })],
  ['sqlite', () => new SqliteStore({ path: path.join(tmpDir('idem-'), 'state.db'), pruneIntervalMs: 0 })],
]) {
  describe(`idempotency guard on ${name}`, () => {
    it('eager: in-flight duplicates, commit with result, release for a retry', async () => {
      const store = make();
      const g = new IdempotencyGuard(store, { scope: 's', mode: 'eager', leaseMs: 60_000, retentionMs: 60_000 });
      const first = await g.check('ev-1');
      assert.deepEqual({ ...first, firstSeen: 0 }, { status: 'new', key: 'ev-1', scope: 's', state: 'in-flight', firstSeen: 0 });
      const dup = await g.check('ev-1');
      assert.equal(dup.status, 'duplicate');
      assert.equal(dup.state, 'in-flight');
      assert.equal(dup.firstSeen, first.firstSeen);
      assert.equal(await g.release('ev-1'), true);
      assert.equal((await g.check('ev-1')).status, 'new', 'a retry after release goes through');
      await g.commit('ev-1', { document: '5000000042' });
      const after = await g.check('ev-1');
      assert.equal(after.state, 'committed');
      assert.deepEqual(after.result, { document: '5000000042' });
      assert.deepEqual(g.counts, { new: 2, duplicate: 2, committed: 1, released: 1, takenOver: 0 });
      await store.close();
    });

    it('a lease nobody settles frees the key; mark mode commits at once', async () => {
      const store = make();
      const g = new IdempotencyGuard(store, { scope: 's', mode: 'eager', leaseMs: 1000, retentionMs: 60_000 });
      const t = Date.now();
      await g.check('crashed-holder', t);
      assert.equal((await g.check('crashed-holder', t + 999)).status, 'duplicate');
      assert.equal((await g.check('crashed-holder', t + 1001)).status, 'new');
      const m = new IdempotencyGuard(store, { scope: 'm', mode: 'mark', leaseMs: 1000, retentionMs: 60_000 });
      assert.equal((await m.check('x', t)).state, 'committed');
      const d = await m.check('x', t + 30_000);
      assert.equal(d.status, 'duplicate');
      assert.equal(d.state, 'committed');
      assert.equal((await m.check('x', t + 60_001)).status, 'new', 'after retention');
      await store.close();
    });

    it('refuses a lease or retention that is not positive', () => {
      const store = make();
      assert.throws(() => new IdempotencyGuard(store, { scope: 's', mode: 'eager', leaseMs: 0, retentionMs: 1 }), /lease/);
      assert.throws(() => new IdempotencyGuard(store, { scope: 's', mode: 'eager', leaseMs: 1, retentionMs: NaN }), /retention/);
      return store.close();
    });
  });
}

describe('idempotency guard after a crash', () => {
  it('takes over an in-flight key of its own earlier run, but not one claimed in this run', async () => {
    const dir = tmpDir('mfg-takeover-');
    const file = path.join(dir, 'state.db');
    const opts = { scope: 'node-1', mode: 'eager', leaseMs: 300000, retentionMs: 3600000 };
    // the earlier run reserved a key, then the process died before its msg was persisted
    const s1 = new SqliteStore({ path: file });
    const before = new IdempotencyGuard(s1, opts);
    assert.equal((await before.check('ev-1', 1000)).status, 'new');
    await s1.close();

    const s2 = new SqliteStore({ path: file });
    const g = new IdempotencyGuard(s2, { ...opts, takeOverBefore: 5000 });
    const redelivered = await g.check('ev-1', 6000);
    assert.equal(redelivered.status, 'new', 'the redelivery goes through');
    assert.equal(redelivered.firstSeen, 6000);
    assert.equal(g.counts.takenOver, 1);
    const again = await g.check('ev-1', 6001);
    assert.deepEqual([again.status, again.state], ['duplicate', 'in-flight'], 'a repeat within this run is a duplicate');
    await g.commit('ev-1', { document: '4711' });
    const late = await g.check('ev-1', 7000);
    assert.deepEqual([late.status, late.state, late.result], ['duplicate', 'committed', { document: '4711' }]);
    // without takeOverBefore (a shared scope) the earlier reservation holds until its lease ends
    const shared = new IdempotencyGuard(s2, opts);
    assert.equal((await shared.check('ev-2', 1000)).status, 'new');
    assert.equal((await shared.check('ev-2', 6000)).status, 'duplicate');
    await s2.close();
  });
});

'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { storeContract, EAGER } = require('./store-contract');
const { createStore } = require('../../dist/lib/store');
const { startRedis, loudSkip, tmpDir, which } = require('../helpers/servers');

const hasRedis = !!which('redis-server');
const until = async (pred, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

if (!hasRedis) {
  it('redis store', (t) => loudSkip(t, 'redis-server'));
} else {
  // Redis expires keys itself, so prune only concerns the local dead letters.
  storeContract('redis', async () => {
    const redis = await startRedis();
    const store = createStore({ kind: 'redis', redisUrl: redis.url, path: path.join(tmpDir('redis-local-'), 'local.db'), pruneIntervalMs: 0, pruneBatch: 10 });
    await until(() => store.state === 'ready');
    return { store, close: async () => { await store.close(); await redis.stop(); } };
  }, { prunesKeys: false });

  describe('redis store connection', () => {
    let redis;
    before(async () => { redis = await startRedis({ args: ['--requirepass', 's3cret'] }); });
    after(() => redis && redis.stop());

    it('two stores on one server claim each key exactly once between them', async () => {
      const a = createStore({ kind: 'redis', redisUrl: redis.url, redisPassword: 's3cret', pruneIntervalMs: 0 });
      const b = createStore({ kind: 'redis', redisUrl: redis.url, redisPassword: 's3cret', pruneIntervalMs: 0 });
      const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
      const rs = await Promise.all(keys.flatMap((k) => [a.claim('both', k, EAGER), b.claim('both', k, EAGER)]));
      assert.equal(rs.filter((r) => r.status === 'new').length, 500);
      await Promise.all([a.close(), b.close()]);
    });

    it('the Lua claim used with servers before Redis 7 gives the same answers', async () => {
      const s = createStore({ kind: 'redis', redisUrl: redis.url, redisPassword: 's3cret', pruneIntervalMs: 0 });
      s.setNxGet = false;
      assert.equal((await s.claim('lua', 'k', EAGER)).status, 'new');
      const d = await s.claim('lua', 'k', EAGER);
      assert.equal(d.record.state, 'in-flight');
      await s.commit('lua', 'k', { doc: 1 }, 60_000);
      const c = (await s.claim('lua', 'k', EAGER)).record;
      assert.deepEqual({ ...c, expiresAt: 0 }, { ...d.record, state: 'committed', result: { doc: 1 }, expiresAt: 0 });
      assert.ok(c.expiresAt > Date.now() + 50_000);
      await s.close();
    });

    it('reports a wrong password as an error state with the reason', async () => {
      const s = createStore({ kind: 'redis', redisUrl: redis.url, redisPassword: 'wrong', pruneIntervalMs: 0, maxRetriesPerRequest: 0 });
      const seen = [];
      s.on('state', (st, detail) => seen.push([st, detail]));
      await until(() => seen.some(([st]) => st === 'error'));
      assert.match(seen.find(([st]) => st === 'error')[1], /WRONGPASS|invalid username-password/i);
      await assert.rejects(s.claim('s', 'k', EAGER));
      await s.close();
      assert.equal(s.state, 'closed');
    });

    it('reconnects with backoff after the server restarts and keeps working', async () => {
      const port = redis.port;
      const s = createStore({ kind: 'redis', redisUrl: redis.url, redisPassword: 's3cret', pruneIntervalMs: 0 });
      await until(() => s.state === 'ready');
      const states = [];
      s.on('state', (st) => states.push(st));
      await redis.stop();
      await until(() => s.state === 'reconnecting');
      await assert.rejects(s.claim('s', 'while-down', EAGER), 'a call fails instead of hanging while Redis is down');
      redis = await startRedis({ port, args: ['--requirepass', 's3cret'] });
      await until(() => s.state === 'ready', 15_000);
      assert.deepEqual(states.filter((x, i) => x !== states[i - 1]).slice(0, 2), ['reconnecting', 'ready']);
      assert.equal((await s.claim('s', 'after', EAGER)).status, 'new');
      await s.close();
    });
  });
}

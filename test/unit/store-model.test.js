'use strict';
// Random sequences of idempotency and queue calls give the same answers on every store
// as on a plain model of the contract (fast-check, shrinking to a minimal failing run).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const fc = require('fast-check');
const { MemoryStore, SqliteStore, createStore } = require('../../dist/lib/store');
const { tmpDir, startRedis, which } = require('../helpers/servers');

const EAGER = { mode: 'eager', leaseMs: 3_600_000, retentionMs: 3_600_000 };
const key = fc.constantFrom('a', 'b', 'c', 'd');
const part = fc.constantFrom('P1', 'P2', 'P3');
const cmd = fc.oneof(
  fc.record({ op: fc.constant('claim'), key, mark: fc.boolean() }),
  fc.record({ op: fc.constant('commit'), key, result: fc.option(fc.integer(), { nil: undefined }) }),
  fc.record({ op: fc.constant('release'), key }),
  fc.record({ op: fc.constant('get'), key }),
  fc.record({ op: fc.constant('enqueue'), partition: part, n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('ackHead'), partition: part }),
  fc.record({ op: fc.constant('heads'), max: fc.integer({ min: 1, max: 4 }) }),
);

/** The contract, as plainly as it can be written. */
function model() {
  const keys = new Map();
  const items = [];
  let seq = 0;
  return {
    claim({ key: k, mark }) {
      if (keys.has(k)) return { status: 'duplicate', state: keys.get(k).state, result: keys.get(k).result };
      keys.set(k, { state: mark ? 'committed' : 'in-flight' });
      return { status: 'new' };
    },
    commit({ key: k, result }) { keys.set(k, { state: 'committed', result }); },
    release({ key: k }) {
      if (keys.get(k)?.state !== 'in-flight') return false;
      keys.delete(k);
      return true;
    },
    get({ key: k }) { return keys.has(k) ? { state: keys.get(k).state, result: keys.get(k).result } : undefined; },
    enqueue({ partition, n }) { for (let i = 0; i < n; i++) items.push({ partition, payload: `${partition}-${seq++}` }); return n; },
    ackHead({ partition }) { const i = items.findIndex((x) => x.partition === partition); if (i >= 0) items.splice(i, 1); return items.length; },
    heads({ max }) {
      const seen = new Set();
      return items.filter((x) => !seen.has(x.partition) && seen.add(x.partition)).slice(0, max).map((x) => x.payload);
    },
  };
}

async function apply(store, c, counter) {
  const scope = 'm';
  switch (c.op) {
    case 'claim': {
      const r = await store.claim(scope, c.key, { ...EAGER, mode: c.mark ? 'mark' : 'eager' });
      return r.status === 'new' ? { status: 'new' } : { status: 'duplicate', state: r.record.state, result: r.record.result };
    }
    case 'commit': return store.commit(scope, c.key, c.result, EAGER.retentionMs);
    case 'release': return store.release(scope, c.key);
    case 'get': { const r = await store.get(scope, c.key); return r && { state: r.state, result: r.result }; }
    case 'enqueue': {
      const ids = await store.enqueue('q', Array.from({ length: c.n }, () => ({ partition: c.partition, payload: `${c.partition}-${counter.seq++}` })));
      return ids.length;
    }
    case 'ackHead': {
      const h = (await store.heads('q', 10, Date.now() + 1)).find((x) => x.partition === c.partition);
      if (h) await store.ack('q', [h.id]);
      return store.depth('q');
    }
    case 'heads': return (await store.heads('q', c.max, Date.now() + 1)).map((x) => x.payload);
  }
}

let redis;
let db = 0;
const kinds = [
  ['memory', () => new MemoryStore({ pruneIntervalMs: 0 })],
  ['sqlite', () => new SqliteStore({ path: path.join(tmpDir('model-'), 'state.db'), pruneIntervalMs: 0 })],
  ['sqlite in its own thread', () => new SqliteStore({ path: path.join(tmpDir('model-'), 'state.db'), pruneIntervalMs: 0, thread: true })],
];
// Each run gets its own key prefix on the one server (the redis contract test covers
// the missing-server case loudly).
if (which('redis-server')) kinds.push(['redis', () => createStore({ kind: 'redis', redisUrl: redis.url, redisPrefix: `model${db++}:`, pruneIntervalMs: 0 })]);

for (const [name, make] of kinds) {
  describe(`${name} store against the model`, () => {
    const opened = [];
    before(async () => { if (name === 'redis') redis = await startRedis(); });
    after(async () => {
      await Promise.all(opened.map((s) => s.close()));
      if (name === 'redis') await redis.stop();
    });

    it('answers every random sequence of calls as the model does', async () => {
      await fc.assert(fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 40 }), async (cmds) => {
        const store = make();
        opened.push(store);
        const m = model();
        const counter = { seq: 0 };
        // Calls are issued together, as concurrent msgs would be, so group commit must
        // keep their order; ackHead (two calls) waits for those before it.
        const got = [];
        let burst = [];
        for (const c of cmds) {
          if (c.op === 'ackHead') {
            got.push(...(await Promise.all(burst)));
            burst = [];
            got.push(await apply(store, c, counter));
          } else burst.push(apply(store, c, counter));
        }
        got.push(...(await Promise.all(burst)));
        cmds.forEach((c, i) => assert.deepEqual(got[i], m[c.op](c), `call ${i}: ${JSON.stringify(c)}`));
      }), { numRuns: name === 'memory' ? 200 : 60 });
    });
  });
}

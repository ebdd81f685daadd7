'use strict';
// The enrichment cache: TTL, stale-if-error within the stale window, "not found" cached,
// one source call for concurrent lookups.
const test = require('node:test');
const assert = require('node:assert/strict');
const { StaleCache, isNotFound } = require('../../dist/lib/enrich');

function clock() {
  let now = 1000;
  return { now: () => now, add: (ms) => { now += ms; } };
}
const notFound = () => Object.assign(new Error('404'), { kind: 'not-found', status: 404 });
const down = () => Object.assign(new Error('503'), { kind: 'unavailable', status: 503 });

test('fresh within the TTL, reloaded after it, stale when the source fails', async () => {
  const c = clock();
  const cache = new StaleCache({ ttlMs: 100, maxStaleMs: 1000, isNotFound, now: c.now });
  let calls = 0;
  let fail = false;
  const load = async () => { calls++; if (fail) throw down(); return { v: calls }; };
  assert.deepEqual((await cache.get('k', load)).value, { v: 1 });
  assert.equal((await cache.get('k', load)).stale, false);
  assert.equal(calls, 1);
  c.add(150);
  assert.deepEqual((await cache.get('k', load)).value, { v: 2 });
  fail = true;
  c.add(150);
  const s = await cache.get('k', load);
  assert.deepEqual([s.value, s.stale], [{ v: 2 }, true]);
  c.add(2000); // past TTL + stale window
  await assert.rejects(cache.get('k', load), /503/);
  await assert.rejects(cache.get('other', load), /503/, 'nothing cached: the failure');
});

test('"not found" is cached for the negative TTL and never served stale', async () => {
  const c = clock();
  const cache = new StaleCache({ ttlMs: 100, maxStaleMs: 1000, negativeTtlMs: 50, isNotFound, now: c.now });
  let calls = 0;
  const load = async () => { calls++; throw notFound(); };
  await assert.rejects(cache.get('x', load), /404/);
  await assert.rejects(cache.get('x', load), /404/);
  assert.equal(calls, 1);
  c.add(60);
  await assert.rejects(cache.get('x', load), /404/);
  assert.equal(calls, 2);
});

test('concurrent lookups of one key share one source call', async () => {
  const cache = new StaleCache({ ttlMs: 100, maxStaleMs: 0, isNotFound });
  let calls = 0;
  const load = () => new Promise((r) => setTimeout(() => r(++calls), 20));
  const all = await Promise.all([1, 2, 3, 4].map(() => cache.get('k', load)));
  assert.deepEqual(all.map((x) => x.value), [1, 1, 1, 1]);
  assert.equal(calls, 1);
});

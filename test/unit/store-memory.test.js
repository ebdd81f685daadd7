'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { MemoryStore } = require('../../dist/lib/store');
const { EAGER } = require('./store-contract');

describe('memory store bounds', () => {
  it('never holds more than maxEntries keys; evicts an expired key before the oldest live one', async () => {
    const store = new MemoryStore({ maxEntries: 100, pruneIntervalMs: 0 });
    const now = Date.now();
    for (let i = 0; i < 99; i++) await store.claim('s', `live${i}`, { ...EAGER, now });
    await store.claim('s', 'short', { ...EAGER, leaseMs: 5, now });
    assert.equal(store.size, 100);
    await store.claim('s', 'next', { ...EAGER, now: now + 10 });
    assert.equal(store.size, 100);
    assert.equal((await store.claim('s', 'live0', { ...EAGER, now: now + 10 })).status, 'duplicate', 'the oldest live key stays');
    await store.claim('s', 'more', { ...EAGER, now: now + 10 });
    assert.equal(store.size, 100);
    assert.equal(await store.get('s', 'live0'), undefined, 'with nothing expired, the oldest goes');
    assert.equal((await store.get('s', 'live1')).state, 'in-flight');
    assert.equal(store.evictions, 1, 'only the live key counts as evicted');
    await store.close();
  });

  it('stays bounded under 100,000 distinct keys', async () => {
    const store = new MemoryStore({ maxEntries: 1000, pruneIntervalMs: 0 });
    for (let i = 0; i < 100_000; i++) await store.claim('s', `k${i}`, { ...EAGER, mode: 'mark' });
    assert.equal(store.size, 1000);
    assert.equal((await store.claim('s', 'k99999', EAGER)).status, 'duplicate');
    await store.close();
  });
});

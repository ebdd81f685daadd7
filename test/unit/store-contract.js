// The behaviour every StateStore must show; run by store.test.js against each kind.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { QueueFullError } = require('../../dist/lib/store');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const EAGER = { mode: 'eager', leaseMs: 60_000, retentionMs: 3_600_000 };

function storeContract(name, open, opts = {}) {
  describe(`${name} store`, () => {
    let store;
    let close;
    before(async () => ({ store, close } = await open()));
    after(async () => close && close());

    it('claims a key once; a second claim is an in-flight duplicate', async () => {
      const a = await store.claim('s1', 'k1', EAGER);
      assert.equal(a.status, 'new');
      const b = await store.claim('s1', 'k1', EAGER);
      assert.equal(b.status, 'duplicate');
      assert.equal(b.record.state, 'in-flight');
      assert.equal(b.record.firstSeen, a.firstSeen);
      assert.ok(b.record.expiresAt > Date.now() + 50_000 && b.record.expiresAt <= Date.now() + 60_000);
    });

    it('scopes are separate key spaces', async () => {
      assert.equal((await store.claim('s-a', 'same', EAGER)).status, 'new');
      assert.equal((await store.claim('s-b', 'same', EAGER)).status, 'new');
      assert.equal((await store.claim('s:a', 'same', EAGER)).status, 'new');
    });

    it('commit keeps firstSeen and stores the result; duplicates then see it committed', async () => {
      const a = await store.claim('s1', 'k2', EAGER);
      await store.commit('s1', 'k2', { document: '4900001234', lines: [1, 2] }, 3_600_000);
      const d = await store.claim('s1', 'k2', EAGER);
      assert.equal(d.status, 'duplicate');
      assert.equal(d.record.state, 'committed');
      assert.equal(d.record.firstSeen, a.firstSeen);
      assert.deepEqual(d.record.result, { document: '4900001234', lines: [1, 2] });
      assert.ok(d.record.expiresAt > Date.now() + 3_500_000);
      assert.deepEqual((await store.get('s1', 'k2')).result, { document: '4900001234', lines: [1, 2] });
    });

    it('commit without a prior claim creates the key; get of an unknown key is undefined', async () => {
      await store.commit('s1', 'direct', 'DOC-1', 60_000);
      assert.equal((await store.get('s1', 'direct')).state, 'committed');
      assert.equal(await store.get('s1', 'never-seen'), undefined);
    });

    it('release frees an in-flight key for a retry, but never a committed one', async () => {
      await store.claim('s1', 'k3', EAGER);
      assert.equal(await store.release('s1', 'k3'), true);
      assert.equal((await store.claim('s1', 'k3', EAGER)).status, 'new');
      await store.commit('s1', 'k3', undefined, 60_000);
      assert.equal(await store.release('s1', 'k3'), false);
      assert.equal((await store.claim('s1', 'k3', EAGER)).status, 'duplicate');
      assert.equal(await store.release('s1', 'absent'), false);
    });

    it('forget deletes a key whatever its state', async () => {
      await store.commit('s1', 'reversed', 'DOC-7', 60_000);
      await store.claim('s1', 'held', EAGER);
      assert.equal(await store.forget('s1', 'reversed'), true);
      assert.equal(await store.forget('s1', 'held'), true);
      assert.equal(await store.forget('s1', 'reversed'), false);
      assert.equal((await store.claim('s1', 'reversed', EAGER)).status, 'new');
      assert.equal((await store.claim('s1', 'held', EAGER)).status, 'new');
    });

    it('mark mode commits on arrival', async () => {
      const a = await store.claim('s1', 'm1', { ...EAGER, mode: 'mark' });
      assert.equal(a.status, 'new');
      const d = await store.claim('s1', 'm1', EAGER);
      assert.equal(d.record.state, 'committed');
    });

    it('an expired lease frees the key; an expired retention too', async () => {
      assert.equal((await store.claim('s1', 'lease', { ...EAGER, leaseMs: 60 })).status, 'new');
      assert.equal((await store.claim('s1', 'lease', EAGER)).status, 'duplicate');
      await store.claim('s1', 'ret', { ...EAGER, mode: 'mark', retentionMs: 60 });
      await sleep(120);
      assert.equal((await store.claim('s1', 'lease', EAGER)).status, 'new', 'lease expired');
      assert.equal((await store.claim('s1', 'ret', EAGER)).status, 'new', 'retention expired');
    });

    it('200 concurrent claims of one key give exactly one new', async () => {
      const rs = await Promise.all(Array.from({ length: 200 }, () => store.claim('race', 'one', EAGER)));
      assert.equal(rs.filter((r) => r.status === 'new').length, 1);
    });

    it('enqueue persists in order; heads give the oldest due item of each free partition', async () => {
      const ids = await store.enqueue('q1', [
        { partition: 'A', payload: { n: 1 } }, { partition: 'B', payload: { n: 2 } },
        { partition: 'A', payload: { n: 3 } }, { partition: 'C', payload: { n: 4 } },
      ]);
      assert.equal(ids.length, 4);
      assert.ok(ids[0] < ids[1] && ids[1] < ids[2] && ids[2] < ids[3]);
      assert.equal(await store.depth('q1'), 4);
      const now = Date.now() + 1;
      let h = await store.heads('q1', 10, now);
      assert.deepEqual(h.map((i) => i.payload.n), [1, 2, 4]);
      assert.equal(h[0].queue, 'q1');
      assert.equal(h[0].partition, 'A');
      assert.equal(h[0].attempts, 0);
      assert.ok(h[0].createdAt <= now && h[0].notBefore <= now);
      assert.deepEqual((await store.heads('q1', 2, now)).map((i) => i.payload.n), [1, 2]);
      assert.deepEqual((await store.heads('q1', 10, now, new Set(['A']))).map((i) => i.payload.n), [2, 4]);
      await store.ack('q1', [ids[0]]);
      h = await store.heads('q1', 10, now);
      assert.deepEqual(h.map((i) => i.payload.n), [2, 3, 4], 'A advances to its next item');
      assert.equal(await store.depth('q1'), 3);
      assert.equal(await store.depth('other'), 0);
    });

    it('retryLater delays a partition (not the others) and counts attempts', async () => {
      const [a1] = await store.enqueue('q2', [{ partition: 'A', payload: 'a1' }, { partition: 'A', payload: 'a2' }, { partition: 'B', payload: 'b1' }]);
      const now = Date.now() + 1;
      await store.retryLater('q2', a1, now + 10_000, 'ERP 503 maintenance');
      assert.deepEqual((await store.heads('q2', 10, now)).map((i) => i.payload), ['b1'], 'A waits behind its head');
      const later = await store.heads('q2', 10, now + 10_000);
      assert.deepEqual(later.map((i) => i.payload), ['a1', 'b1']);
      assert.equal(later[0].attempts, 1);
      assert.equal(later[0].lastError, 'ERP 503 maintenance');
      assert.equal(later[0].notBefore, now + 10_000);
    });

    it('heads finds partitions behind a long backlog of one busy or waiting partition', async () => {
      const items = Array.from({ length: 3000 }, (_, i) => ({ partition: 'A', payload: i }));
      const [a0] = await store.enqueue('q5', items);
      const [c0] = await store.enqueue('q5', [{ partition: 'C', payload: 'c0' }]);
      await store.enqueue('q5', [{ partition: 'B', payload: 'b0' }, { partition: 'D', payload: 'd0' }]);
      const now = Date.now() + 1;
      await store.retryLater('q5', c0, now + 60_000, 'wait');
      assert.deepEqual((await store.heads('q5', 10, now, new Set(['A']))).map((i) => i.payload), ['b0', 'd0']);
      assert.deepEqual((await store.heads('q5', 1, now, new Set(['A']))).map((i) => i.payload), ['b0']);
      await store.retryLater('q5', a0, now + 60_000, 'wait');
      assert.deepEqual((await store.heads('q5', 10, now)).map((i) => i.payload), ['b0', 'd0']);
      assert.deepEqual((await store.heads('q5', 10, now + 60_000)).map((i) => i.payload), [0, 'c0', 'b0', 'd0']);
    });

    it('take removes and returns an item; a stored payload is a copy', async () => {
      const payload = { order: '1000123', q: { value: 5, unit: 'PC' } };
      const [id] = await store.enqueue('q3', [{ partition: 'p', payload }]);
      payload.order = 'changed later';
      const got = await store.take('q3', id);
      assert.deepEqual(got.payload, { order: '1000123', q: { value: 5, unit: 'PC' } });
      assert.equal(await store.take('q3', id), undefined);
      assert.equal(await store.take('q1', id), undefined, 'ids are per queue');
      assert.equal(await store.depth('q3'), 0);
    });

    it('a full queue refuses the whole batch and writes nothing', async () => {
      await store.enqueue('q4', [{ partition: 'p', payload: 1 }, { partition: 'p', payload: 2 }], 3);
      await assert.rejects(store.enqueue('q4', [{ partition: 'p', payload: 3 }, { partition: 'p', payload: 4 }], 3), (e) => {
        assert.ok(e instanceof QueueFullError);
        assert.equal(e.queue, 'q4');
        assert.equal(e.limit, 3);
        assert.match(e.message, /full/);
        return true;
      });
      assert.equal(await store.depth('q4'), 2);
      await store.enqueue('q4', [{ partition: 'p', payload: 3 }], 3);
      assert.equal(await store.depth('q4'), 3);
    });

    it('dead letters: add, get, list with filters and paging, remove', async () => {
      const now = Date.now();
      const a = await store.addDeadLetter({ origin: 'erp-out', reason: 'HTTP 400: Material unknown', attempts: 1, correlationId: 'c1', eventType: 'mfg.material.component.consumed.v1', at: now - 3_600_000, msg: { payload: { x: 1 } } });
      const b = await store.addDeadLetter({ origin: 'erp-out', reason: 'retries exhausted (503)', attempts: 8, at: now - 1000, msg: { payload: 2 } });
      const c = await store.addDeadLetter({ origin: 'wms-out', reason: 'HTTP 422 unknown bin', attempts: 1, eventType: 'mfg.material.lot.issued.v1', at: now, msg: 'm' });
      const got = await store.getDeadLetter(a);
      assert.deepEqual(got, { id: a, origin: 'erp-out', reason: 'HTTP 400: Material unknown', attempts: 1, correlationId: 'c1', eventType: 'mfg.material.component.consumed.v1', at: now - 3_600_000, msg: { payload: { x: 1 } } });
      const all = await store.listDeadLetters();
      assert.equal(all.total, 3);
      assert.deepEqual(all.items.map((d) => d.id), [a, b, c]);
      assert.deepEqual((await store.listDeadLetters({ order: 'newest', limit: 2 })).items.map((d) => d.id), [c, b]);
      assert.deepEqual((await store.listDeadLetters({ origin: 'erp-out' })).items.map((d) => d.id), [a, b]);
      assert.deepEqual((await store.listDeadLetters({ reason: 'UNKNOWN' })).items.map((d) => d.id), [a, c]);
      assert.deepEqual((await store.listDeadLetters({ eventType: 'mfg.material.lot.issued.v1' })).items.map((d) => d.id), [c]);
      assert.deepEqual((await store.listDeadLetters({ olderThanMs: 60_000 })).items.map((d) => d.id), [a]);
      assert.deepEqual((await store.listDeadLetters({ newerThanMs: 60_000 })).items.map((d) => d.id), [b, c]);
      const page = await store.listDeadLetters({ limit: 1, offset: 1 });
      assert.equal(page.total, 3);
      assert.deepEqual(page.items.map((d) => d.id), [b]);
      assert.equal(await store.removeDeadLetter(b), true);
      assert.equal(await store.removeDeadLetter(b), false);
      assert.equal(await store.getDeadLetter(b), undefined);
      assert.equal((await store.listDeadLetters()).total, 2);
    });

    if (opts.prunesKeys !== false) {
      it('prune deletes expired keys in bounded batches and keeps live ones', async () => {
        const now = Date.now();
        for (let i = 0; i < 25; i++) await store.claim('prune', `old${i}`, { ...EAGER, leaseMs: 1, now: now - 1000 });
        await store.claim('prune', 'live', EAGER);
        let total = 0;
        for (let i = 0; i < 100; i++) {
          const n = await store.prune();
          assert.ok(n <= 20, `one call is bounded by the batch size (deleted ${n})`);
          total += n;
        }
        assert.ok(total >= 25, `all expired keys deleted (${total})`);
        for (let i = 0; i < 25; i++) assert.equal(await store.get('prune', `old${i}`), undefined);
        assert.equal((await store.claim('prune', 'live', EAGER)).status, 'duplicate');
      });
    }

    it('prune deletes dead letters past retention', async () => {
      const id = await store.addDeadLetter({ origin: 'x', reason: 'old', attempts: 1, at: Date.now() - 40 * 24 * 3600_000, msg: {} });
      let n;
      do n = await store.prune(); while (n > 0 && (await store.getDeadLetter(id)));
      assert.equal(await store.getDeadLetter(id), undefined);
    });
  });
}

module.exports = { storeContract, EAGER, sleep };

'use strict';
// Group commit with the fsync off the event loop: a caller is answered only after an fsync
// that started after its transaction committed.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { GroupCommit } = require('../../dist/lib/store/group-commit');

const tick = () => new Promise((r) => setImmediate(r));

function harness() {
  const committed = [];
  const syncs = []; // pending fsync callbacks, with what was committed when each started
  const g = new GroupCommit((body) => body(), { windowMs: 0 }, undefined, (done) => syncs.push({ done, covers: committed.length }));
  const op = (v) => g.submit(() => { committed.push(v); return v; });
  return { g, op, committed, syncs };
}

describe('group commit with an off-thread fsync', () => {
  it('answers only after an fsync that covers the transaction; later ones wait for the next fsync', async () => {
    const { g, op, committed, syncs } = harness();
    const answered = [];
    op('a').then((v) => answered.push(v));
    op('b').then((v) => answered.push(v));
    await tick();
    assert.deepEqual(committed, ['a', 'b'], 'committed in one transaction');
    assert.equal(syncs.length, 1);
    op('c').then((v) => answered.push(v));
    await tick();
    assert.deepEqual(committed, ['a', 'b', 'c']);
    assert.equal(syncs.length, 1, 'one fsync at a time');
    assert.deepEqual(answered, [], 'nothing answered before its fsync');
    syncs[0].done();
    await tick();
    assert.deepEqual(answered, ['a', 'b']);
    assert.equal(syncs.length, 2, 'the next fsync starts for what committed meanwhile');
    assert.equal(syncs[1].covers, 3);
    assert.equal(g.pending, 1);
    syncs[1].done();
    await g.settled();
    await tick();
    assert.deepEqual(answered, ['a', 'b', 'c']);
    assert.equal(g.pending, 0);
  });

  it('a failed fsync rejects the calls it was to make durable, and tells the listener', async () => {
    const errors = [];
    const syncs = [];
    const g = new GroupCommit((body) => body(), { windowMs: 0 }, (err) => { if (err) errors.push(err.message); }, (done) => syncs.push(done));
    const p = g.submit(() => 1);
    await tick();
    syncs[0](new Error('EIO: i/o error, fdatasync'));
    await assert.rejects(p, /EIO/);
    assert.deepEqual(errors, ['EIO: i/o error, fdatasync']);
    const q = g.submit(() => 2);
    await tick();
    syncs[1]();
    assert.equal(await q, 2, 'the next commit is answered again');
  });
});

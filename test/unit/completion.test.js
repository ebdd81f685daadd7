'use strict';
// whenHandled() against Node-RED's hook contract (preDeliver, onReceive, onComplete): the
// ack of a broker msg waits for the whole flow, for nothing when nothing is wired, and
// for no longer than its timeout, whatever the order the timeouts were set in.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { whenHandled } = require('../../dist/nodes/shared/completion');

const hooks = new Map();
const warnings = [];
const RED = {
  hooks: { add: (id, fn) => hooks.set(id.split('.')[0], fn) },
  log: { warn: (m) => warnings.push(m) },
};
const fire = (hook, msgid) => hooks.get(hook)({ msg: { _msgid: msgid } });
const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function track(id, timeoutMs) {
  const calls = [];
  const at = Date.now();
  whenHandled(RED, id, timeoutMs, (timedOut) => calls.push({ timedOut, after: Date.now() - at }));
  return calls;
}

describe('message completion', () => {
  it('a msg delivered nowhere is handled on the next turn', async () => {
    const calls = track('none', 60000);
    assert.equal(calls.length, 0);
    await tick();
    await tick();
    assert.deepEqual(calls.map((c) => c.timedOut), [false]);
  });

  it('waits until every node the msg reached has completed', async () => {
    const calls = track('two', 60000);
    fire('preDeliver', 'two');
    fire('preDeliver', 'two');
    fire('onReceive', 'two');
    fire('onReceive', 'two');
    fire('onComplete', 'two');
    await tick();
    await tick();
    assert.equal(calls.length, 0, 'one node still has it');
    fire('onComplete', 'two');
    await tick();
    assert.deepEqual(calls.map((c) => c.timedOut), [false]);
  });

  it('times out once per msg, an earlier deadline set later firing first', async () => {
    const slow = track('slow', 400);
    const fast = track('fast', 60);
    fire('preDeliver', 'slow');
    fire('preDeliver', 'fast');
    await sleep(200);
    assert.deepEqual(fast.map((c) => c.timedOut), [true]);
    assert.ok(fast[0].after >= 55 && fast[0].after < 190, `fast timed out after ${fast[0].after} ms`);
    assert.equal(slow.length, 0);
    await sleep(300);
    assert.deepEqual(slow.map((c) => c.timedOut), [true]);
    fire('onReceive', 'slow');
    fire('onComplete', 'slow');
    await tick();
    await tick();
    assert.equal(slow.length, 1, 'a late completion does not call back again');
  });

  it('many msgs in one turn each get their own answer', async () => {
    const all = [];
    for (let i = 0; i < 500; i++) {
      all.push(track(`m${i}`, 60000));
      if (i % 2) fire('preDeliver', `m${i}`);
    }
    await tick();
    await tick();
    assert.equal(all.filter((c) => c.length === 1).length, 250, 'the undelivered half is handled');
    for (let i = 1; i < 500; i += 2) {
      fire('onReceive', `m${i}`);
      fire('onComplete', `m${i}`);
    }
    await tick();
    assert.ok(all.every((c) => c.length === 1 && c[0].timedOut === false));
  });

  it('one handler for all msgs gets each msg\'s own argument; a handler that throws is reported and the others still run', async () => {
    const got = [];
    const handled = (timedOut, arg) => {
      if (arg === 'bad') throw new Error('socket gone');
      got.push([arg, timedOut]);
    };
    whenHandled(RED, 'x1', 60000, handled, 'first');
    whenHandled(RED, 'x2', 60000, handled, 'bad');
    whenHandled(RED, 'x3', 60000, handled, 'third');
    await tick();
    await tick();
    assert.deepEqual(got, [['first', false], ['third', false]]);
    assert.deepEqual(warnings, ['mfg-connect: acknowledging a handled msg failed: socket gone']);
  });
});

'use strict';
// The package's listeners share one Node-RED message hook per point, on the runtime's
// real hook registry: a point nobody listens to has no hook (the runtime's fast path).
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { hooks } = require('@node-red/util');
const { listen } = require('../../dist/nodes/shared/msg-hooks');

const warnings = [];
const RED = { hooks, log: { warn: (m) => warnings.push(m) } };
const trigger = (point, ev) => new Promise((resolve, reject) => hooks.trigger(point, ev, (err) => (err ? reject(err) : resolve(err))));

describe('shared message hooks', () => {
  it('one hook per point for all listeners; points without listeners get none; removal takes them away', async () => {
    const seen = [];
    listen(RED, 'a', { onReceive: (ev) => seen.push(['a', ev.n]), onComplete: (ev) => seen.push(['a-done', ev.n]) });
    listen(RED, 'b', { onReceive: (ev) => seen.push(['b', ev.n]), onSend: (evs) => seen.push(['b-send', evs.length]) });
    assert.ok(hooks.has('onReceive.mfgConnect') && hooks.has('onComplete.mfgConnect') && hooks.has('onSend.mfgConnect'));
    assert.ok(!hooks.has('preDeliver.mfgConnect'), 'nobody listens to preDeliver');
    await trigger('onReceive', { n: 1 });
    await trigger('onSend', [{}, {}]);
    await trigger('onComplete', { n: 2 });
    assert.deepEqual(seen, [['a', 1], ['b', 1], ['b-send', 2], ['a-done', 2]]);

    listen(RED, 'a', { onReceive: (ev) => seen.push(['a2', ev.n]) }); // replaces a
    assert.ok(!hooks.has('onComplete.mfgConnect'));
    seen.length = 0;
    await trigger('onReceive', { n: 3 });
    assert.deepEqual(seen, [['a2', 3], ['b', 3]]);

    listen(RED, 'a', undefined);
    listen(RED, 'b', undefined);
    for (const p of ['onSend', 'preDeliver', 'onReceive', 'onComplete']) assert.ok(!hooks.has(`${p}.mfgConnect`), p);
  });

  it('a failing listener never stops a msg nor the other listeners, and is reported once', async () => {
    const seen = [];
    listen(RED, 'broken', { onReceive: () => { throw new Error('boom'); } });
    listen(RED, 'fine', { onReceive: (ev) => seen.push(ev.n) });
    await trigger('onReceive', { n: 1 });
    await trigger('onReceive', { n: 2 });
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(warnings, ['mfg-connect: message hook of broken failed: boom']);
    listen(RED, 'broken', undefined);
    listen(RED, 'fine', undefined);
  });
});

'use strict';
// The shipped example flow, loaded as a user imports it, with Node-RED's core nodes.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { helper, node, start, stop, until } = require('../helpers/nr');

const core = (f) => require(require.resolve(`@node-red/nodes/core/${f}`, { paths: [require.resolve('node-red')] }));
const flow = require(path.resolve(__dirname, '../../examples/idempotency-guard.json'));

describe('example: idempotency-guard.json', () => {
  before(start);
  after(stop);

  it('posts each confirmation once, answers repeats with the prior document, and lets a failed one retry', async () => {
    const nodes = [core('common/20-inject.js'), core('common/21-debug.js'), core('function/10-function.js'), core('function/15-change.js'), core('common/90-comment.js'),
      node('mfg-store'), node('mfg-idempotency')];
    await helper.load(nodes, JSON.parse(JSON.stringify(flow)));
    const seen = { posted: [], failed: [], dup: [] };
    helper.getNode('idg-posted').on('input', (m) => seen.posted.push(m));
    helper.getNode('idg-failed').on('input', (m) => seen.failed.push(m));
    helper.getNode('idg-dup').on('input', (m) => seen.dup.push(m));
    const press = (id) => helper.getNode(id).receive({});

    press('idg-inject1');
    await until(() => seen.posted.length === 1);
    press('idg-inject2');
    await until(() => seen.posted.length === 2);
    await new Promise((r) => setTimeout(r, 100)); // the commits go back through the guard
    press('idg-inject1');
    await until(() => seen.dup.length === 1);
    assert.equal(seen.dup[0].idempotency.state, 'committed');
    assert.deepEqual(seen.dup[0].idempotency.result, { document: seen.posted[0].erpDocument });
    assert.equal(seen.dup[0].idempotency.key, '1000123/0020/1');

    press('idg-inject3');
    await until(() => seen.failed.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    press('idg-inject3');
    await until(() => seen.failed.length === 2);
    assert.equal(seen.dup.length, 1, 'the failed posting was released, not held as a duplicate');
    assert.equal(seen.posted.length, 2);
  });
});

'use strict';
// Node-RED as a child process: postings accepted during an ERP outage survive kill -9 and
// are booked exactly once after the restart; lost replies do not double-post.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startNodeRed } = require('../helpers/child-nr');
const { startErpSim } = require('../../dist/sim/erp');
const { ledger, state, fault, reset, stockQty } = require('../unit/connector-sim');

let erp;

function flows() {
  return [
    { id: 'tab', type: 'tab', label: 'erp' },
    {
      id: 'ep', type: 'mfg-endpoint', name: 'S4', role: 'erp', profile: 'sap-odata', baseUrl: erp.url, authType: 'basic', sapClient: '100',
      timeoutMs: 3000, maxConcurrency: 4, retryMax: 100, retryBaseMs: 100, retryMaxMs: 500, breakerThreshold: 3, breakerOpenMs: 500,
      defaults: '{"plant":"1710","storageLocation":"171A"}',
    },
    { id: 'in', type: 'http in', z: 'tab', url: '/post', method: 'post', x: 100, y: 100, wires: [['gr']] },
    { id: 'gr', type: 'mfg-erp', z: 'tab', endpoint: 'ep', operation: 'postGoodsReceipt', store: '', x: 300, y: 100, wires: [[], []] },
    // answer the HTTP caller once mfg-erp called done(): the posting is durable by then
    { id: 'done', type: 'complete', z: 'tab', scope: ['gr'], uncaught: false, x: 100, y: 200, wires: [['resp']] },
    { id: 'resp', type: 'http response', z: 'tab', statusCode: '202', x: 300, y: 200, wires: [] },
  ];
}
const creds = { ep: { username: 'MFG_SAP', password: 'Welcome1' } };

async function postAll(nr, from, to) {
  for (let i = from; i <= to; i++) {
    const r = await fetch(`${nr.url}/post`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ orderId: '1000123', material: 'FG226', lot: `BK${i}`, quantity: { value: i, unit: 'PC' }, postingId: `p${i}` }),
    });
    assert.equal(r.status, 202);
  }
}

async function until(pred, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('connector outbox across a kill -9', () => {
  before(async () => { erp = await startErpSim({ port: 0 }); });
  after(() => erp.close());

  it('keeps postings accepted during maintenance through a kill -9 and books each exactly once', async () => {
    await reset(erp);
    await fault(erp, { mode: 'maintenance', retryAfter: 1 });
    let nr = await startNodeRed({ flows: flows(), credentials: creds });
    try {
      await postAll(nr, 1, 5);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await ledger(erp)).length, 0, 'nothing booked during maintenance');
      await nr.kill();
      await fault(erp, { mode: 'none' });
      nr = await startNodeRed({ userDir: nr.userDir });
      await until(async () => (await ledger(erp, 'material-document')).length >= 5, 20000, 'five postings');
      await new Promise((r) => setTimeout(r, 500));
      const l = await ledger(erp, 'material-document');
      assert.equal(l.length, 5);
      assert.equal(new Set(l.map((e) => e.key)).size, 5);
      const st = await state(erp);
      assert.deepEqual([1, 2, 3, 4, 5].map((i) => stockQty(st, 'FG226', '171A', `BK${i}`)), [1, 2, 3, 4, 5]);
    } finally {
      await nr.stop();
    }
  });

  it('drop-after-commit: each posting is booked exactly once although every reply is lost', async () => {
    await reset(erp);
    await fault(erp, { mode: 'drop-after-commit', forMs: 1500 });
    const nr = await startNodeRed({ flows: flows(), credentials: creds });
    try {
      await postAll(nr, 11, 14);
      await until(async () => (await ledger(erp, 'material-document')).length >= 4 && (await fetch(`${erp.url}/__sim/faults`).then((r) => r.json())).mode === 'none', 15000, 'four postings');
      await new Promise((r) => setTimeout(r, 1500));
      const l = await ledger(erp, 'material-document');
      assert.equal(l.length, 4, `ledger: ${JSON.stringify(l.map((e) => e.key))}`);
      assert.equal(new Set(l.map((e) => e.key)).size, 4);
      assert.ok(!/Unhandled|uncaught/i.test(nr.output()), nr.output().slice(-2000));
    } finally {
      await nr.stop();
    }
  });
});

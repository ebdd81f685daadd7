'use strict';
// A refused posting becomes a dead letter; once the cause is fixed in the ERP, mfg-dlq
// replays it into mfg-erp, where it is the same posting (same key): booked once.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { helper, node, start, stop, nextMsg, collect, until, flow } = require('../helpers/nr');
const { tmpDir } = require('../helpers/servers');
const { startErpSim } = require('../../dist/sim/erp');
const { ledger, state, stockQty } = require('../unit/connector-sim');

const stateFile = path.join(tmpDir('mfg-conn-'), 'state.db');
const types = [node('mfg-plant'), node('mfg-endpoint'), node('mfg-erp'), node('mfg-dlq')];
let erp;

describe('mfg-erp dead letters replayed through mfg-dlq', () => {
  before(async () => {
    erp = await startErpSim({ port: 0 });
    helper.settings({ mfgConnect: { stateFile } });
    await start();
  });
  after(async () => { await helper.unload(); await stop(); await erp.close(); });

  it('replays a refused goods issue after the stock arrived, and books it once', async () => {
    await helper.load(types, flow([
      { id: 'tab', type: 'tab' },
      { id: 'ep', type: 'mfg-endpoint', role: 'erp', profile: 'sap-odata', baseUrl: erp.url, authType: 'basic', retryBaseMs: 50, defaults: '{"plant":"1710"}' },
      { id: 'gi', type: 'mfg-erp', z: 'tab', endpoint: 'ep', operation: 'postGoodsIssue', store: '', wires: [['ok'], ['bad']] },
      { id: 'dlq', type: 'mfg-dlq', z: 'tab', name: 'dead letters', store: '', retentionDays: 30, wires: [['gi']] },
      { id: 'ok', type: 'helper', z: 'tab' },
      { id: 'bad', type: 'helper', z: 'tab' },
    ]), { ep: { username: 'MFG_SAP', password: 'Welcome1' } });
    const ok = collect('ok');
    const msg = { payload: { orderId: '1000123', material: 'RM100', storageLocation: '171B', lot: 'RB001', quantity: { value: 600, unit: 'KG' } }, postingKey: 'gi-replay-1' };
    const bad = nextMsg('bad');
    helper.getNode('gi').receive(structuredClone(msg));
    assert.match((await bad).error.message, /Deficit/);

    // the stock arrives (another system posts a receipt of 200 KG)
    const r = await fetch(`${erp.url}/api/v1/goods-movements`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'receipt-rm100' },
      body: JSON.stringify({ items: [{ material: 'RM100', plant: '1710', storageLocation: '171B', batch: 'RB001', movementType: '101', quantity: 200, unit: 'KG', orderId: '1000123' }] }),
    });
    assert.equal(r.status, 201);

    const replay = await helper.request().post('/mfg-connect/dlq/dlq/replay').send({ filter: { origin: 'mfg-erp:gi' } }).expect(200);
    assert.equal(replay.body.replayed.length, 1);
    await until(() => ok.length === 1, 8000);
    assert.equal(ok[0].result.key, 'gi-replay-1');
    assert.ok(ok[0].replay, 'the success msg tells it was a replay');

    // the original msg arrives once more (a redelivery upstream): answered, not booked
    helper.getNode('gi').receive(structuredClone(msg));
    await until(() => ok.length === 2, 8000);
    assert.equal(ok[1].result.duplicate, true);
    assert.equal(ok[1].result.document, ok[0].result.document);
    const issues = (await ledger(erp, 'material-document')).filter((e) => e.surface === 'sap-odata');
    assert.equal(issues.length, 1);
    assert.equal(stockQty(await state(erp), 'RM100', '171B', 'RB001'), 100);
  });
});

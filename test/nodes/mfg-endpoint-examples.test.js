'use strict';
// The connector example flows, loaded as shipped and run against the simulators.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const fs = require('fs');
const { helper, node, start, stop, until } = require('../helpers/nr');
const { startErpSim, startWmsSim, startQmsSim } = require('../../dist/sim');
const { ledger, reset } = require('../unit/connector-sim');

const core = (f) => require(`@node-red/nodes/core/common/${f}`);
const types = [core('20-inject.js'), core('21-debug.js'), core('90-comment.js'),
  node('mfg-plant'), node('mfg-endpoint'), node('mfg-erp'), node('mfg-wms'), node('mfg-qms')];
const example = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, '../../examples', `${name}.json`), 'utf8'));
let erp;
let wms;
let qms;

async function press(id) {
  helper.getNode(id).receive({});
}

// a state file of its own: a reused process id must not meet an earlier run's records and outboxes
const stateFile = require('path').join(require('../helpers/servers').tmpDir('mfg-conn-'), 'state.db');

describe('connector example flows', () => {
  before(async () => {
    [erp, wms, qms] = await Promise.all([startErpSim({ port: 0 }), startWmsSim({ port: 0 }), startQmsSim({ port: 0 })]);
    Object.assign(process.env, { MFG_ERP_URL: erp.url, MFG_WMS_URL: wms.url, MFG_QMS_URL: qms.url, MFG_SITE: 'BER1' });
    helper.settings({ mfgConnect: { stateFile } });
    await start();
  });
  afterEach(async () => { await helper.unload(); await Promise.all([reset(erp), reset(wms), reset(qms)]); });
  after(async () => { await stop(); await Promise.all([erp.close(), wms.close(), qms.close()]); });

  it('every connector example explains itself and exports no secrets', () => {
    for (const name of ['erp-sap-confirmation-and-lookups', 'wms-putaway-and-shipment-blocks', 'qms-nonconformance-inspection-genealogy']) {
      const flow = example(name);
      assert.ok(flow.some((n) => n.type === 'comment' && n.info.length > 100), `${name} explains itself`);
      assert.ok(!JSON.stringify(flow).includes('Welcome1'), `${name} holds no secrets`);
      assert.ok(flow.filter((n) => n.type === 'mfg-endpoint').every((n) => !n.credentials), `${name}: credentials are not exported`);
    }
  });

  it('ERP example: pressing the confirmation twice books it once; the routing lookup answers', async () => {
    await helper.load(types, example('erp-sap-confirmation-and-lookups'), { 'ex-ep-sap': { username: 'MFG_SAP', password: 'Welcome1' } });
    const outs = [];
    helper.getNode('ex-erp-ok').on('input', (m) => outs.push(m));
    await press('ex-erp-in');
    await until(() => outs.length === 1, 8000);
    await press('ex-erp-in');
    await until(() => outs.length === 2, 8000);
    assert.equal(outs[0].payload.type, 'mfg.production.quantity.confirmed.v2');
    assert.equal(outs[1].result.duplicate, true);
    assert.equal((await ledger(erp, 'confirmation')).length, 1);
    const routing = [];
    helper.getNode('ex-erp-rt-ok').on('input', (m) => routing.push(m));
    await press('ex-erp-q');
    await until(() => routing.length === 1, 8000);
    assert.equal(routing[0].payload.operations[0].workCenter, 'ASSY01');
  });

  it('WMS example: putaway, block and release', async () => {
    await helper.load(types, example('wms-putaway-and-shipment-blocks'));
    await press('ex-wms-in');
    await until(async () => (await ledger(wms)).length === 1, 8000);
    await press('ex-wms-hold');
    await until(async () => (await ledger(wms)).length === 2, 8000);
    await press('ex-wms-rel');
    await until(async () => (await ledger(wms)).length === 3, 8000);
    assert.deepEqual((await ledger(wms)).map((e) => e.kind), ['putaway-task', 'shipment-block', 'shipment-release']);
  });

  it('QMS example: nonconformance, inspection result, genealogy', async () => {
    await helper.load(types, example('qms-nonconformance-inspection-genealogy'));
    for (const id of ['ex-qms-nc', 'ex-qms-ir', 'ex-qms-tr']) await press(id);
    await until(async () => (await ledger(qms)).length === 3, 8000);
    assert.deepEqual((await ledger(qms)).map((e) => e.kind).sort(), ['inspection-result', 'nonconformance', 'traceability']);
  });
});

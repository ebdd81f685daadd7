// Flows move between plants: the demo plant flow is exported through the admin API of a
// Node-RED running as plant BER1 and imported into a second Node-RED running as plant DET2.
// The export holds no secret; DET2's events carry DET2's context.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { startPlant, http, until } = require('./workflow-env');
const { startNodeRed } = require('../helpers/child-nr');

const root = path.resolve(__dirname, '../..');
const demo = JSON.parse(fs.readFileSync(path.join(root, 'flows/demo-plant.json'), 'utf8'));
const demoCred = JSON.parse(fs.readFileSync(path.join(root, 'flows/demo-plant_cred.json'), 'utf8'));
const SECRETS = [demoCred['mfg-cfg-erp'].password, demoCred['wf5-webhook'].secret];

test('the demo plant flow moves from BER1 to DET2 with its context and without secrets', { timeout: 240000 }, async (t) => {
  const ber1 = await startPlant({ flows: demo, credentials: demoCred, site: 'BER1' });
  t.after(() => ber1.close());
  await ber1.observer.subscribeAsync('acme/DET2/#', { qos: 1 });

  // export, as the editor does
  const exp = await http(`${ber1.nr.url}/flows`, 'GET', undefined, { 'Node-RED-API-Version': 'v1' });
  assert.equal(exp.status, 200);
  const exported = exp.body;
  assert.equal(exported.length, demo.length);
  const text = JSON.stringify(exported);
  for (const s of SECRETS) assert.ok(!text.includes(s), 'a secret in the exported flow');
  assert.ok(!exported.some((n) => n.credentials), 'credentials in the exported flow');
  // the plant identity and every URL come from the environment
  assert.ok(!/BER1|127\.0\.0\.1|localhost/.test(text.replace(/\$\{[^}]*\}/g, '')), 'a plant literal in the exported flow');
  // BER1's secrets stay in its own credentials file
  const credFile = fs.readFileSync(path.join(ber1.nr.userDir, 'flows_cred.json'), 'utf8');
  assert.ok(credFile.includes(SECRETS[0]));

  // DET2: another plant, the same systems' kinds (here the same simulators), its own secrets
  // DET2 starts empty: it must load the OPC UA nodes the imported flow will need
  const det2 = await startNodeRed({ flows: [], env: { ...ber1.vars, MFG_SITE: 'DET2', MFG_LINE: 'line4' }, settings: { nodesExcludes: [] } });
  t.after(() => det2.stop());
  const imported = exported.map((n) => (n.id === 'mfg-cfg-erp' ? { ...n, credentials: { ...demoCred['mfg-cfg-erp'] } } : n));
  const dep = await http(`${det2.url}/flows`, 'POST', imported, { 'Node-RED-Deployment-Type': 'full' });
  assert.equal(dep.status, 204, JSON.stringify(dep.body));
  assert.ok(!fs.readFileSync(path.join(det2.userDir, 'flows.json'), 'utf8').includes(SECRETS[0]), 'DET2 keeps the secret out of its flow file');

  const before = (await ber1.state(ber1.erp)).materialDocuments.length;
  // the deploy answers before every node has started (OPC UA nodes register late)
  await until(() => (det2.output().match(/Started flows/g) || []).length >= 2, 'the imported flow started on DET2', 90000)
    .catch((e) => { throw new Error(`${e.message}\n${det2.output().slice(-3000)}`); });
  await until(async () => (await http(`${det2.url}/inject/wf3-issued`, 'POST')).status === 200, 'the inject of DET2', 20000)
    .catch((e) => { throw new Error(`${e.message}\n${det2.output().slice(-2000)}`); });
  const ev = await until(() => ber1.events.find((e) => e.type === 'mfg.material.lot.issued.v1' && e.topic.startsWith('acme/DET2/')), 'DET2 lot.issued on the backbone', 30000);
  assert.equal(ev.source, '/acme/DET2/assembly/line4/mes');
  assert.equal(ev.topic, 'acme/DET2/assembly/line4/events/material/lot/issued');
  const consumed = await until(() => ber1.events.find((e) => e.type === 'mfg.material.component.consumed.v1' && e.source.startsWith('/acme/DET2/')), 'DET2 follow-up after the SAP goods issue', 30000);
  assert.equal(consumed.causationid, ev.id);
  assert.ok((await ber1.state(ber1.erp)).materialDocuments.length > before, 'DET2 posted to its ERP');
  // and BER1 keeps speaking as BER1
  assert.ok(ber1.events.some((e) => e.source && e.source.startsWith('/acme/BER1/')));
  assert.ok(!ber1.events.some((e) => e.topic.startsWith('acme/DET2/') && e.source.includes('BER1')));
});

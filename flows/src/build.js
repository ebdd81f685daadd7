// Writes the workflow example flows (examples/workflow-*.json) and the demo plant flow
// (flows/demo-plant.json) from the definitions beside this file. Needs dist/ (the plant
// simulator's signal rules). Run: node flows/src/build.js
'use strict';
const fs = require('fs');
const path = require('path');
const c = require('./common');
const a = require('./workflows-a');
const b = require('./workflows-b');

const root = path.resolve(__dirname, '../..');

const WORKFLOWS = [
  ['workflow-1-production-confirmation', a.wf1],
  ['workflow-2-work-order-release', a.wf2],
  ['workflow-3-material-consumption', a.wf3],
  ['workflow-4-finished-goods-to-wms', a.wf4],
  ['workflow-5-quality-hold', a.wf5],
  ['workflow-6-lot-genealogy', b.wf6],
  ['workflow-7-downtime-maintenance', b.wf7],
  ['workflow-8-store-and-forward', b.wf8],
  ['workflow-9-many-subscribers', b.wf9],
];

/** An example: its tab, its nodes, then the config nodes it uses. */
function example(make) {
  const nodes = make();
  return [...nodes, ...c.configFor(nodes)];
}

/** The demo plant: every workflow, line L2 over MQTT, and the plant's daily life. */
function demo() {
  const nodes = [
    ...a.wf1(), ...a.wf2(), ...a.wf3(), ...a.wf4(), ...a.wf5(), ...b.wf6(), ...b.wf7({ intervalMs: 250 }), ...b.lineMqtt(), ...b.wf8(), ...b.wf9(),
    ...life(),
  ];
  // the plant runs by itself: some injects fire on start and then on a period
  const auto = {
    'wf1-inject': [5, 0], 'wf2-release': [2, 0], 'wf2-new': [3, 0], 'wf3-consumed': [20, 30], 'wf3-issued': [25, 60],
    'wf4-inject': [30, 0], 'wf6-inject': [15, 120], 'wf8-inject': [10, 20], 'wf9-inject': [12, 45], 'wf5-deviation': [40, 60],
  };
  for (const n of nodes) {
    // the first order created in the simulator is 1000200, the order line 2's M2 works on
    if (n.id === 'wf2-new') n.payload = n.payload.replace('"value":400', '"value":100000');
    if (!auto[n.id]) continue;
    const [delay, every] = auto[n.id];
    Object.assign(n, { once: true, onceDelay: delay, repeat: every ? String(every) : '' });
  }
  return [...nodes, ...c.CONFIG];
}

const DEMO_CREDENTIALS = {
  ...c.SIM_CREDENTIALS,
  'wf5-webhook': { secret: 'whsec_' + Buffer.from('demo-plant-webhook-secret-32byte').toString('base64') },
};

function life() {
  const z = 'life';
  return [
    c.tab(z, 'Plant life (demo)', 'What people do in the demo plant: quality finds nonconformances in the QMS.'),
    c.comment(z, 'life-note', 'The demo plant\'s people',
      'Every minute a quality inspector records a nonconformance on lot B0001 in the QMS simulator; the QMS calls the webhook of workflow 5, ERP and WMS block the lot. ' +
      'Half a minute later the deviation is approved (inject in workflow 5) and both are undone.\n\nProduction counts come from lines L1 (OPC UA) and L2 (MQTT), consumption and genealogy from the MES injects, which fire on a period in the demo.'),
    c.inject(z, 'life-nc', 'inspector: scratch on lot B0001', { material: 'FG226', lot: 'B0001', defect: 'SCRATCH', severity: 'major', quantity: { value: 2, unit: 'PC' }, description: 'Scratches on housing', detectedBy: 'inspector-07', plant: '1710' }, ['life-url'], c.at(0, 0), { once: true, onceDelay: 10, repeat: '60' }),
    c.fn(z, 'life-url', 'QMS user', "msg.url = env.get('MFG_QMS_URL') + '/__sim/trigger/nonconformance';\nmsg.method = 'POST';\nreturn msg;", [['life-qms']], c.at(1, 0)),
    { id: 'life-qms', type: 'http request', z, name: 'QMS: record nonconformance', method: 'use', ret: 'obj', paytoqs: 'ignore', url: '', tls: '', persist: false, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [], ...c.at(2, 0), wires: [['life-debug']] },
    c.debug(z, 'life-debug', 'nonconformance in QMS', 'payload', c.at(3, 0), 'payload.ncId'),
  ];
}

function write(file, nodes) {
  if (!Array.isArray(nodes)) return fs.writeFileSync(file, JSON.stringify(nodes, null, 1) + "\n");
  fs.writeFileSync(file, JSON.stringify(nodes, null, 1) + '\n');
  console.log(`${path.relative(root, file)}: ${nodes.length} nodes`);
}

if (require.main === module) {
  for (const [name, make] of WORKFLOWS) write(path.join(root, 'examples', `${name}.json`), example(make));
  write(path.join(root, 'flows', 'demo-plant.json'), demo());
  // demo-only simulator credentials, copied next to the flow by the launcher
  write(path.join(root, 'flows', 'demo-plant_cred.json'), DEMO_CREDENTIALS);
}

module.exports = { WORKFLOWS, example, demo, DEMO_CREDENTIALS };

// Node-RED with node-red-contrib-opcua's OpcUa-Client subscribed to the OPC UA plant
// simulator, wired into mfg-signal: the scripted scenario gives exactly the expected events.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { isDeepStrictEqual } = require('node:util');
const { helper, node, start, stop, collect, until, flow } = require('../helpers/nr');
const { freePort } = require('../helpers/servers');
const { startPlantSim, opcuaFlow, expectedSummary, summarize, DEMO_CODES } = require('../../dist/sim/plant');
const { EventValidator } = require('../../dist/lib/validation/validator');

const opcuaClient = require('node-red-contrib-opcua/opcua/102-opcuaclient.js');
const opcuaEndpoint = require('node-red-contrib-opcua/opcua/105-opcuaendpoint.js');
const functionNode = require('@node-red/nodes/core/function/10-function.js');

let sim;
test.before(async () => {
  sim = await startPlantSim({ port: await freePort(), timeScale: 40, autoPlay: false, seed: 7 });
});
test.after(async () => {
  if (sim) await sim.close();
});
test.beforeEach(start);
test.afterEach(async () => {
  // OpcUa-Client (0.2.354) does not disconnect its client when the node closes: without this
  // its reconnect timers would keep the process alive after the server is gone
  for (const id of ['plant-client-m1', 'plant-client-m2']) {
    const c = helper.getNode(id)?.client;
    if (c) await c.disconnect().catch(() => undefined);
  }
  await stop();
});

/** M1: one "multiple" subscription (DataValue payloads); M2: one subscription per node id. */
function subscribe(plant) {
  const { SIGNALS } = require('../../dist/sim/plant');
  helper.getNode('plant-keep-m1').receive({ topic: 'multiple', payload: SIGNALS.map((s) => ({ nodeId: plant.nodeId('L1', 'M1', s) })) });
  helper.getNode('plant-keep-m2').receive({ payload: SIGNALS.map((s) => plant.nodeId('L1', 'M2', s)) });
}

test('the scripted scenario over OPC UA gives exactly the expected business events', async () => {
  // the flow of the example, with the subscribe msgs sent by the test instead of inject nodes
  const nodes = opcuaFlow({ endpointUrl: sim.endpointUrl, sink: 'out', intervalMs: 25 }).filter((n) => !['inject', 'comment'].includes(n.type));
  nodes.push({ id: 'out', type: 'helper', z: 'plant-tab' });
  await helper.load([opcuaClient, opcuaEndpoint, functionNode, node('mfg-signal')], flow(nodes));
  const out = collect('out');
  const signal = helper.getNode('plant-signal');
  subscribe(sim);
  // both clients subscribed: every signal's initial value has arrived
  await until(() => signal.status.args.some((a) => /^(\d+) signals/.test(a[0].text) && Number(a[0].text.split(' ')[0]) >= 16), 30000, 100).catch((e) => {
    console.log(JSON.stringify(signal.status.args.slice(-3)), JSON.stringify(helper.getNode('plant-client-m1').status.args), JSON.stringify(helper.getNode('plant-client-m2').status.args.slice(-5)));
    throw e;
  });
  sim.play();
  await sim.finished;
  const expected = expectedSummary(sim.scenario, 10, DEMO_CODES);
  const events = () => out.map((m) => m.payload);
  await until(() => isDeepStrictEqual(summarize(events()).good, expected.good), 10000, 100).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  const got = summarize(events());
  assert.deepEqual(got, expected);

  // the breakdown: alarm 17, its true start and duration from the source timestamps
  const down = events().filter((e) => e.type.includes('downtime.classified') && e.data.alarmCode === '17');
  assert.equal(down.length, 1);
  assert.equal(down[0].data.start, new Date(sim.plantTime(120)).toISOString());
  assert.equal(down[0].data.end, new Date(sim.plantTime(240)).toISOString());
  assert.equal(down[0].data.reason.text, 'Spindle drive fault');
  assert.equal(down[0].data.orderId, '1000123');
  // capacity.restored follows its downtime
  const types = events().map((e) => `${e.type}|${e.data.equipment}`);
  const iDown = types.indexOf('mfg.maintenance.downtime.classified.v1|L1-M1');
  assert.equal(types.indexOf('mfg.maintenance.capacity.restored.v1|L1-M1', iDown), iDown + 1);
  // one spare-parts demand tied to the one alert
  const alert = events().find((e) => e.type.includes('predictive-alert'));
  const spare = events().filter((e) => e.type.includes('spare-parts.demanded'));
  assert.equal(spare.length, 1);
  assert.equal(spare[0].data.alertId, alert.id);
  // every event is valid against its catalog schema and goes to its backbone topic
  const v = new EventValidator();
  for (const m of out) {
    assert.deepEqual(v.validate(m.payload).errors ?? [], [], m.payload.type);
    assert.match(m.topic, /^enterprise\/site\/area\/line\/events\/(production|maintenance)\//);
  }
  assert.equal(signal.status.lastCall.args[0].fill, 'green');
  assert.doesNotMatch(signal.status.lastCall.args[0].text, /dropped/);
});

// The OPC UA server restarts mid-run: OpcUa-Client reconnects, the example's "subscriptions" nodes re-subscribe,
// mfg-signal counts every part exactly once, and a stop that ended during the outage ends at
// the source timestamp of the first running value the client sees again.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { isDeepStrictEqual } = require('node:util');
const { helper, node, start, stop, collect, until, flow } = require('../helpers/nr');
const { freePort } = require('../helpers/servers');
const { startPlantSim, opcuaFlow, expectedSummary, summarize, DEMO_CODES, SIGNALS } = require('../../dist/sim/plant');

const opcuaClient = require('node-red-contrib-opcua/opcua/102-opcuaclient.js');
const opcuaEndpoint = require('node-red-contrib-opcua/opcua/105-opcuaendpoint.js');
const functionNode = require('@node-red/nodes/core/function/10-function.js');

const SCALE = 30;
let sim;
test.before(async () => {
  sim = await startPlantSim({ port: await freePort(), timeScale: SCALE, autoPlay: false, seed: 11 });
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('server restart mid-run: the flow recovers, no part is lost or counted twice', async () => {
  const nodes = opcuaFlow({ endpointUrl: sim.endpointUrl, sink: 'out', intervalMs: 25 }).filter((n) => !['inject', 'comment'].includes(n.type));
  nodes.push({ id: 'out', type: 'helper', z: 'plant-tab' });
  await helper.load([opcuaClient, opcuaEndpoint, functionNode, node('mfg-signal')], flow(nodes));
  const out = collect('out');
  const signal = helper.getNode('plant-signal');
  // through the "subscriptions" function nodes of the example, which re-subscribe after a reconnect
  // one monitored item per node id on both clients: a "multiple" group does not always come back
  // after a server restart, single items do
  helper.getNode('plant-keep-m1').receive({ payload: SIGNALS.map((s) => sim.nodeId('L1', 'M1', s)) });
  helper.getNode('plant-keep-m2').receive({ payload: SIGNALS.map((s) => sim.nodeId('L1', 'M2', s)) });
  await until(() => signal.status.args.some((a) => Number((a[0].text || '').split(' ')[0]) >= 16), 30000, 100);

  sim.play();
  // plant second 150: M1 is in its breakdown (120-240), M2 runs; the server goes away for a second
  await sleep((150 / SCALE) * 1000);
  const before = sim.values();
  await sim.stopOpcua();
  await sleep(1000);
  await sim.startOpcua();
  const downAt = Date.now();
  // OpcUa-Client retries after about 5 s and re-creates its subscriptions
  const seen = () => signal.status.args.length;
  const n0 = seen();
  await until(() => seen() > n0 + 5, 30000, 100);
  const recoveredMs = Date.now() - downAt;
  await sim.finished;

  const expected = expectedSummary(sim.scenario, 10, DEMO_CODES);
  const events = () => out.map((m) => m.payload);
  await until(() => isDeepStrictEqual(summarize(events()).good, expected.good), 15000, 100).catch(() => undefined);
  const got = summarize(events());
  assert.deepEqual(got.good, expected.good, 'every good part once');
  assert.deepEqual(got.scrap, expected.scrap, 'every scrap part once');
  // the breakdown ended while the client was away: start seen live, end from the source timestamp
  const breakdown = events().find((e) => e.type.includes('downtime.classified') && e.data.alarmCode === '17');
  assert.ok(breakdown, `no breakdown event; downtime: ${got.downtime}`);
  // a subscription delivers current values only: if the machine stopped and ran again (the flicker
  // at 300-303) before the client was back, the first running value it sees is a later one; the
  // end is always the source time of a real change to RUNNING
  assert.equal(breakdown.data.start, new Date(sim.plantTime(120)).toISOString());
  const ends = sim.scenario.changes.filter((c) => c.machine === 'M1' && c.signal === 'State' && c.value === 'RUNNING' && c.t >= 240)
    .map((c) => new Date(sim.plantTime(c.t)).toISOString());
  assert.ok(ends.includes(breakdown.data.end), `${breakdown.data.end} is not a change to RUNNING (${ends})`);
  assert.equal(breakdown.data.durationSec, (Date.parse(breakdown.data.end) - sim.plantTime(120)) / 1000);
  assert.ok(Number(before['L1.M2.GoodCount']) > 0);
  assert.equal(got.alerts.length, 1);
  const resub = ['m1', 'm2'].map((m) => helper.getNode(`plant-keep-${m}`).status.args.some((a) => /re-subscribed/.test(a[0].text)));
  console.log(`# recovered ${recoveredMs} ms after the server came back; re-subscribed by the flow: M1 ${resub[0]}, M2 ${resub[1]}`);
});

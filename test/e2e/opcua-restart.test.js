// The OPC UA server restarts mid-run: OpcUa-Client reconnects and re-subscribes by itself,
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

const SCALE = 30;
let sim;
test.before(async () => {
  sim = await startPlantSim({ port: await freePort(), timeScale: SCALE, autoPlay: false, seed: 11 });
});
test.after(async () => {
  if (sim) await sim.close();
});
test.beforeEach(start);
test.afterEach(stop);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('server restart mid-run: the flow recovers, no part is lost or counted twice', async () => {
  const nodes = opcuaFlow({ endpointUrl: sim.endpointUrl, sink: 'out', intervalMs: 25 }).filter((n) => !['inject', 'function', 'comment'].includes(n.type));
  nodes.push({ id: 'out', type: 'helper', z: 'plant-tab' });
  await helper.load([opcuaClient, opcuaEndpoint, node('mfg-signal')], flow(nodes));
  const out = collect('out');
  const signal = helper.getNode('plant-signal');
  helper.getNode('plant-client-m1').receive({ topic: 'multiple', payload: SIGNALS.map((s) => ({ nodeId: sim.nodeId('L1', 'M1', s) })) });
  for (const s of SIGNALS) helper.getNode('plant-client-m2').receive({ topic: sim.nodeId('L1', 'M2', s), payload: '' });
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
  // a subscription delivers current values only: if the machine also flickered (300-303) before the
  // client was back, the first running value it sees is the one of 303
  assert.equal(breakdown.data.start, new Date(sim.plantTime(120)).toISOString());
  const ends = [240, 303].map((t) => new Date(sim.plantTime(t)).toISOString());
  assert.ok(ends.includes(breakdown.data.end), breakdown.data.end);
  assert.equal(breakdown.data.durationSec, (Date.parse(breakdown.data.end) - sim.plantTime(120)) / 1000);
  assert.ok(Number(before['L1.M2.GoodCount']) > 0);
  assert.equal(got.alerts.length, 1);
  console.log(`# recovered ${recoveredMs} ms after the server came back`);
});

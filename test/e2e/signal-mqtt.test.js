// The same scripted scenario as MQTT JSON telemetry through Node-RED's mqtt in node and
// a real broker: mfg-signal gives the same business events as over OPC UA.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { isDeepStrictEqual } = require('node:util');
const { helper, node, start, stop, collect, until, flow } = require('../helpers/nr');
const { startMosquitto, loudSkip } = require('../helpers/servers');
const { startPlantSim, mqttFlow, expectedSummary, summarize, DEMO_CODES } = require('../../dist/sim/plant');

const mqttNodes = require('@node-red/nodes/core/network/10-mqtt.js');

test.beforeEach(start);
test.afterEach(stop);

test('the scripted scenario over MQTT gives the expected business events', async (t) => {
  const broker = await startMosquitto();
  if (!broker) return loudSkip(t, 'mosquitto');
  const sim = await startPlantSim({ opcua: false, mqttUrl: broker.url, timeScale: 60, autoPlay: false, seed: 7 });
  try {
    const nodes = mqttFlow({ mqttUrl: broker.url, sink: 'out' }).filter((n) => n.type !== 'comment');
    nodes.push({ id: 'out', type: 'helper', z: 'plant-mqtt-tab' });
    await helper.load([mqttNodes, node('mfg-signal')], flow(nodes));
    const out = collect('out');
    await until(() => helper.getNode('plant-mqtt-in').status.args.some((a) => /connected/.test(a[0].text || '')), 10000, 50);
    await new Promise((r) => setTimeout(r, 300)); // the subscription is acknowledged after the connection
    sim.play();
    await sim.finished;
    const expected = expectedSummary(sim.scenario, 10, DEMO_CODES);
    const events = () => out.map((m) => m.payload);
    await until(() => isDeepStrictEqual(summarize(events()).good, expected.good), 10000, 50).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(summarize(events()), expected);
    // the MQTT run sees every change, the flicker too: it is ignored as shorter than the minimum
    const signal = helper.getNode('plant-signal');
    assert.match(signal.status.lastCall.args[0].text, /^\d+ signals, \d+ events$/);
    const down = events().find((e) => e.type.includes('downtime.classified') && e.data.alarmCode === '17');
    assert.equal(down.data.durationSec, 120);
    assert.equal(down.data.start, new Date(sim.plantTime(120)).toISOString());
  } finally {
    await sim.close();
    await broker.stop();
  }
});

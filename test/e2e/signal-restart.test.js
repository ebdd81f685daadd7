// Node-RED restarts in the middle of the scenario (a separate process, the sqlite store
// in its user directory): the parts made while it was down are counted after the
// restart from the persisted counter marks, none twice, none lost.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { isDeepStrictEqual } = require('node:util');
const mqtt = require('mqtt');
const { startNodeRed } = require('../helpers/child-nr');
const { startMosquitto, loudSkip } = require('../helpers/servers');
const { until } = require('../helpers/nr');
const { startPlantSim, mqttFlow, expectedSummary, summarize, DEMO_CODES } = require('../../dist/sim/plant');

// slow enough that Node-RED is back (a few seconds to start) before M1's counter reset at plant second 445:
// parts made before a reset that nobody saw cannot be known by anyone
const SCALE = 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a Node-RED restart mid-run neither loses nor double-counts parts', async (t) => {
  const broker = await startMosquitto();
  if (!broker) return loudSkip(t, 'mosquitto');
  const sim = await startPlantSim({ opcua: false, mqttUrl: broker.url, timeScale: SCALE, autoPlay: false, seed: 5 });
  const events = [];
  const sub = await mqtt.connectAsync(broker.url);
  sub.on('message', (_topic, payload) => events.push(JSON.parse(payload.toString())));
  await sub.subscribeAsync('enterprise/#', { qos: 1 });
  let nr;
  try {
    const flows = mqttFlow({ mqttUrl: broker.url, sink: 'events-out' });
    flows.push({ id: 'events-out', type: 'mqtt out', z: 'plant-mqtt-tab', name: 'events', topic: '', qos: '1', retain: 'false', broker: 'plant-mqtt-broker', x: 600, y: 100, wires: [] });
    for (const n of flows) if (n.z && n.x === undefined) Object.assign(n, { x: 100, y: 100 });
    nr = await startNodeRed({ flows });
    await sleep(1000); // mqtt in subscribed
    sim.play();
    // plant second ~150: M1 is in its breakdown (120-240), M2 runs
    await sleep((150 / SCALE) * 1000);
    await nr.stop();
    const gone = sim.values();
    await sleep((60 / SCALE) * 1000); // 60 plant seconds, plus the start-up time, of production without Node-RED
    nr = await startNodeRed({ userDir: nr.userDir });
    await sim.finished;
    const expected = expectedSummary(sim.scenario, 10, DEMO_CODES);
    await until(() => isDeepStrictEqual(summarize(events).good, expected.good), 15000, 100).catch(() => undefined);
    const got = summarize(events);
    assert.deepEqual(got.good, expected.good, 'good parts, each once');
    assert.deepEqual(got.scrap, expected.scrap, 'scrap, each once');
    assert.ok(Number(sim.values()['L1.M2.GoodCount']) !== Number(gone['L1.M2.GoodCount']), 'parts were made while Node-RED was down');
    assert.doesNotMatch(nr.output(), /\[error\]/);
  } finally {
    if (nr) await nr.stop();
    await sub.endAsync();
    await sim.close();
    await broker.stop();
  }
});

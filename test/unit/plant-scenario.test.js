// The plant scenario: seeded, deterministic, and its ledger agrees with its signals.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { expand, DEMO, startPlantSim } = require('../../dist/sim/plant');

test('the same seed gives the same signals; another seed other scrap', () => {
  const a = expand(DEMO, ['L1', 'L2'], 42);
  assert.deepEqual(expand(DEMO, ['L1', 'L2'], 42).changes, a.changes);
  assert.notDeepEqual(expand(DEMO, ['L1', 'L2'], 43).ledger.parts, a.ledger.parts);
  assert.ok(a.changes.every((c, i) => i === 0 || a.changes[i - 1].t <= c.t), 'time-ordered');
  assert.deepEqual([...new Set(a.changes.map((c) => c.line))], ['L1', 'L2']);
});

test('the ledger agrees with the counters, including the 16-bit rollover and the reset per order', () => {
  const s = expand(DEMO, ['L1'], 42);
  const last = (m, sig) => s.changes.filter((c) => c.machine === m && c.signal === sig).pop().value;
  const m2 = s.ledger.parts['L1.M2']['1000200/0020'];
  assert.equal(last('M2', 'GoodCount'), (65500 + m2.good) % 65536);
  assert.ok(m2.good > 36, 'M2 wraps through 0');
  const m1next = s.ledger.parts['L1.M1']['1000124/0010'];
  assert.equal(last('M1', 'GoodCount'), m1next.good, 'M1 counts from 0 for its second order');
  assert.deepEqual(s.ledger.stops.map((x) => [x.machine, x.alarm, x.to - x.from]), [
    ['L1.M1', 17, 120], ['L1.M1', 0, 3], ['L1.M1', 50, 90], ['L1.M2', 31, 60],
  ]);
  // no part is made while a machine is stopped
  for (const st of s.ledger.stops) {
    const m = st.machine.split('.')[1];
    const during = s.changes.filter((c) => c.machine === m && /Count$/.test(c.signal) && c.t > st.from && c.t < st.to && c.value !== 0);
    assert.deepEqual(during, [], `${st.machine} ${st.from}-${st.to}`);
  }
});

test('MQTT-only mode plays the scenario to its end without an OPC UA server', async () => {
  const sim = await startPlantSim({ opcua: false, timeScale: 6000, seed: 1 });
  await sim.finished;
  assert.equal(sim.applied(), sim.scenario.changes.length);
  assert.equal(sim.values()['L1.M1.OrderId'], '');
  await sim.close();
  await assert.rejects(startPlantSim({ opcua: false, scenario: 'nope' }), /unknown scenario "nope"/);
});

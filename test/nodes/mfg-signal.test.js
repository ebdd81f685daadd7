'use strict';
// mfg-signal in a real Node-RED runtime: msg shapes, context from events and from a msg
// property, flush, drops in the status, configuration errors reaching Catch.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { helper, node, start, stop, collect, until, flow } = require('../helpers/nr');
const { EventBuilder } = require('../../dist/lib/events');

const types = [node('mfg-plant'), node('mfg-signal')];
const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (s) => new Date(T0 + s * 1000).toISOString();

const RULES = [
  { signal: 'ns=1;s=M1.Good', role: 'good', equipment: 'M1', workCenter: 'ASSY01', everyUnits: '5', unit: 'PC' },
  { signal: 'plant/+/M1/State', role: 'state', equipment: 'M1', workCenter: 'ASSY01', running: 'RUNNING' },
  { signal: 'plant/+/M1/Alarm', role: 'alarm', equipment: 'M1' },
  { signal: 'plant/+/M1/Temp', role: 'threshold', equipment: 'M1', name: 'temperature', limit: '80', hysteresis: '5', unit: 'CEL' },
];

function load(extra = {}) {
  return helper.load(types, flow([
    { id: 'tab', type: 'tab' },
    { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'L1', system: 'signals' },
    { id: 'sig', type: 'mfg-signal', z: 'tab', plant: 'plant', persist: false, rules: RULES, minStopSec: 10, shifts: '', ctx: '', ctxType: 'none', wires: [['out']], ...extra },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ]));
}

const started = (orderId, operationId) => new EventBuilder('mfg.production.operation.started.v1').build(
  { orderId, operationId, workCenter: 'ASSY01', startedAt: at(0) },
  { enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'L1', system: 'mes' });

describe('mfg-signal node', () => {
  before(start);
  afterEach(() => helper.unload());
  after(stop);

  it('counts OPC UA values into quantities for the order set by operation.started, which passes on', async () => {
    await load();
    const out = collect('out');
    const sig = helper.getNode('sig');
    sig.receive({ payload: started('1000123', '0010') });
    const good = (v, s, extra = {}) => sig.receive({ topic: 'ns=1;s=M1.Good', payload: v, statusCode: { value: 0 }, sourceTimestamp: at(s), ...extra });
    good(100, 1);
    good(103, 2);
    // a whole DataValue (subscribe "multiple")
    sig.receive({ topic: 'ns=1;s=M1.Good', payload: { value: { dataType: 'UInt32', value: 106 }, statusCode: { value: 0 }, sourceTimestamp: at(3) } });
    await until(() => out.length >= 2);
    assert.equal(out[0].payload.type, 'mfg.production.operation.started.v1', 'the context event passes on');
    const q = out[1].payload;
    assert.equal(q.type, 'mfg.production.quantity.confirmed.v1');
    assert.deepEqual(q.data.quantity, { value: 6, unit: 'PC' });
    assert.equal(q.data.orderId, '1000123');
    assert.equal(q.data.workCenter, 'ASSY01');
    assert.equal(q.source, '/acme/BER1/assembly/L1/signals');
    assert.equal(out[1].topic, 'acme/BER1/assembly/L1/events/production/quantity/confirmed');
    // the next operation: pending parts go to the old one first
    good(108, 4);
    sig.receive({ payload: started('1000123', '0020') });
    await until(() => out.length >= 4);
    assert.deepEqual([out[2].payload.data.operationId, out[2].payload.data.quantity.value], ['0010', 2]);
    good(109, 5);
    sig.receive({ flush: true });
    await until(() => out.length >= 5);
    assert.deepEqual([out[4].payload.data.operationId, out[4].payload.data.quantity.value], ['0020', 1]);
  });

  it('machine state over MQTT into downtime.classified and capacity.restored; flicker ignored', async () => {
    await load();
    const out = collect('out');
    const sig = helper.getNode('sig');
    const mq = (t, value, s) => sig.receive({ topic: `plant/L1/M1/${t}`, payload: JSON.stringify({ value, timestamp: at(s) }) });
    mq('State', 'RUNNING', 0);
    mq('Alarm', 21, 100);
    mq('State', 'STOPPED', 100);
    mq('State', 'RUNNING', 145);
    mq('Alarm', 0, 145);
    mq('State', 'STOPPED', 200);
    mq('State', 'RUNNING', 203);
    await until(() => out.length >= 2);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(out.length, 2);
    const d = out[0].payload.data;
    assert.deepEqual([d.start, d.end, d.durationSec, d.planned, d.reason.category, d.alarmCode], [at(100), at(145), 45, false, 'breakdown', '21']);
    assert.equal(out[1].payload.type, 'mfg.maintenance.capacity.restored.v1');
  });

  it('context from a msg property; bad signals counted and dropped in the status', async () => {
    await load({ ctx: 'work', ctxType: 'msg' });
    const out = collect('out');
    const sig = helper.getNode('sig');
    const work = { orderId: '77', operationId: '0030' };
    sig.receive({ topic: 'ns=1;s=M1.Good', payload: 0, sourceTimestamp: at(1), work });
    sig.receive({ topic: 'ns=1;s=M1.Good', payload: 4, statusCode: 'BadCommunicationError', sourceTimestamp: at(2), work });
    sig.receive({ topic: 'ns=1;s=M1.Good', payload: NaN, sourceTimestamp: at(3), work });
    sig.receive({ topic: 'ns=1;s=M1.Good', payload: 'lots', sourceTimestamp: at(4), work });
    sig.receive({ topic: 'ns=1;s=M1.Good', payload: 5, sourceTimestamp: at(5), work });
    sig.receive({ topic: 'ns=1;s=M1.Good', payload: 9, sourceTimestamp: at(4.5), work });
    await until(() => out.length >= 1);
    assert.deepEqual([out[0].payload.data.orderId, out[0].payload.data.quantity.value], ['77', 5]);
    await until(() => /4 dropped/.test(sig.status.lastCall.args[0].text), 2000);
    assert.equal(sig.status.lastCall.args[0].fill, 'yellow');
  });

  it('a bad rule is reported, and msgs then fail visibly to Catch', async () => {
    await load({ rules: [{ signal: 'x', role: 'threshold', equipment: 'M1' }] });
    const sig = helper.getNode('sig');
    await until(() => sig.status.args.some((a) => a[0].text === 'configuration error'));
    const caught = collect('caught');
    sig.receive({ topic: 'x', payload: 1 });
    await until(() => caught.length === 1);
    assert.match(caught[0].error.message, /rule 1: threshold needs a numeric limit/);
    assert.ok(sig.error.args.some((a) => /numeric limit/.test(String(a[0]))));
  });
});

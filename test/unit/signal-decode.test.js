// Every msg shape node-red-contrib-opcua's OpcUa-Client and MQTT in send, decoded to samples.
// The OPC UA objects are real node-opcua DataValues, StatusCodes and NodeIds.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const opcua = require('node-opcua');
const { decode, statusGood } = require('../../dist/lib/signals');

const src = new Date('2026-03-02T08:00:05.000Z');
const srv = new Date('2026-03-02T08:00:05.120Z');
const dv = (value, statusCode = opcua.StatusCodes.Good) =>
  new opcua.DataValue({ value: { dataType: opcua.DataType.UInt32, value }, statusCode, sourceTimestamp: src, serverTimestamp: srv });

test('subscribe / monitor / read: value with statusCode and timestamps beside it', () => {
  const msg = { topic: 'ns=1;s=L1.M1.GoodCount', payload: 12, statusCode: opcua.StatusCodes.Good, sourceTimestamp: src, serverTimestamp: srv };
  assert.deepEqual(decode(msg), [{ id: 'ns=1;s=L1.M1.GoodCount', value: 12, time: src.getTime(), good: true, badTime: undefined }]);
  // after a JSON round trip (a link, a file, a clone) the same
  assert.deepEqual(decode(JSON.parse(JSON.stringify(msg))), decode(msg));
  // a datatype suffix on the topic is not part of the id
  assert.equal(decode({ ...msg, topic: 'ns=1;s=L1.M1.GoodCount;datatype=UInt32' })[0].id, 'ns=1;s=L1.M1.GoodCount');
  // no source timestamp: the server timestamp
  assert.equal(decode({ ...msg, sourceTimestamp: undefined })[0].time, srv.getTime());
});

test('subscribe "multiple": a whole DataValue in the payload', () => {
  const s = decode({ topic: 'ns=1;s=L1.M1.GoodCount', payload: dv(7) });
  assert.deepEqual(s, [{ id: 'ns=1;s=L1.M1.GoodCount', value: 7, time: src.getTime(), good: true, badTime: undefined }]);
  const bad = decode({ topic: 'x', payload: JSON.parse(JSON.stringify(dv(7, opcua.StatusCodes.BadNodeIdUnknown))) });
  assert.equal(bad[0].good, false);
});

test('readmultiple "ALL" and the third output: arrays of DataValues with node ids', () => {
  const items = [{ nodeId: opcua.coerceNodeId('ns=1;s=A') }, { nodeId: opcua.coerceNodeId('ns=1;i=2001') }];
  const all = decode({ topic: 'readmultiple', payload: [dv(1), dv(2)], items });
  assert.deepEqual(all.map((x) => [x.id, x.value]), [['ns=1;s=A', 1], ['ns=1;i=2001', 2]]);
  const cloned = decode(JSON.parse(JSON.stringify({ topic: items, payload: [dv(1), dv(2)] })));
  assert.deepEqual(cloned.map((x) => [x.id, x.value]), [['ns=1;s=A', 1], ['ns=1;i=2001', 2]]);
});

test('status codes in every form', () => {
  for (const good of [undefined, 0, '0', 'Good', 'GOOD', { value: 0 }, opcua.StatusCodes.Good, opcua.StatusCodes.GoodClamped]) assert.equal(statusGood(good), true, String(good));
  for (const bad of [0x80340000, 'BadNodeIdUnknown', 'Uncertain', { value: 0x80340000 }, opcua.StatusCodes.BadCommunicationError, opcua.StatusCodes.UncertainInitialValue, {}, 'garbage']) {
    assert.equal(statusGood(bad), false, JSON.stringify(bad));
  }
});

test('MQTT: JSON object, JSON text, Buffer, plain value, gateway object of named values', () => {
  const ts = '2026-03-02T08:00:05.000Z';
  const o = { value: 5, timestamp: ts, quality: 'GOOD' };
  const expect = [{ id: 'plant/L1/M1/GoodCount', value: 5, time: Date.parse(ts), good: true, badTime: undefined }];
  assert.deepEqual(decode({ topic: 'plant/L1/M1/GoodCount', payload: o }), expect);
  assert.deepEqual(decode({ topic: 'plant/L1/M1/GoodCount', payload: JSON.stringify(o) }), expect);
  assert.deepEqual(decode({ topic: 'plant/L1/M1/GoodCount', payload: Buffer.from(JSON.stringify(o)) }), expect);
  const plain = decode({ topic: 'plant/L1/M1/State', payload: 'RUNNING' }, 1000);
  assert.deepEqual(plain, [{ id: 'plant/L1/M1/State', value: 'RUNNING', time: 1000, good: true, badTime: undefined }]);
  const gw = decode({ topic: 'gw/M1', payload: { GoodCount: 3, State: 'RUNNING', ts } });
  assert.deepEqual(gw.map((s) => [s.id, s.value, s.time]), [['gw/M1/GoodCount', 3, Date.parse(ts)], ['gw/M1/State', 'RUNNING', Date.parse(ts)]]);
  assert.equal(decode({ topic: 'a', payload: { value: 1, quality: 'BAD' } })[0].good, false);
  assert.equal(decode({ topic: 'a', payload: { value: 1, timestamp: 'yesterday' } })[0].badTime, true);
});

test('no topic, no samples', () => {
  assert.deepEqual(decode({ payload: 5 }), []);
  assert.deepEqual(decode({ topic: '', payload: 5 }), []);
});

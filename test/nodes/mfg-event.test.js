'use strict';
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { helper, node, start, stop, nextMsg, flow: tabbed } = require('../helpers/nr');

const mfgPlant = node('mfg-plant');
const mfgEvent = node('mfg-event');
const TYPE = 'mfg.production.quantity.confirmed.v1';

function flow(extra = {}) {
  return tabbed([
    { id: 'tab', type: 'tab' },
    { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: '${TEST_SITE}', area: 'assembly', line: 'line1', system: 'mes' },
    {
      id: 'ev', type: 'mfg-event', z: 'tab', plant: 'plant', eventType: TYPE, dataFrom: 'fields', errorOutput: true,
      mappings: [
        { field: 'orderId', vt: 'msg', v: 'payload.order' },
        { field: 'operationId', vt: 'str', v: '0010' },
        { field: 'quantity.value', vt: 'msg', v: 'payload.count' },
        { field: 'quantity.unit', vt: 'str', v: 'PC' },
        { field: 'confirmedAt', vt: 'msg', v: 'payload.ts' },
        { field: 'workCenter', vt: 'jsonata', v: '"WC-" & payload.station' },
      ],
      wires: [['ok'], ['bad']],
      ...extra,
    },
    { id: 'ok', type: 'helper', z: 'tab' },
    { id: 'bad', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ]);
}

describe('mfg-event node', () => {
  before(() => { process.env.TEST_SITE = 'BER1'; return start(); });
  afterEach(() => helper.unload());
  after(stop);

  it('builds a canonical event with envelope, topic and correlation', async () => {
    await helper.load([mfgPlant, mfgEvent], flow());
    const got = nextMsg('ok');
    helper.getNode('ev').receive({ payload: { order: 1000123, count: '95', ts: '2026-11-27T08:00:00+01:00', station: 7 } });
    const msg = await got;
    const ev = msg.payload;
    assert.equal(ev.specversion, '1.0');
    assert.equal(ev.type, TYPE);
    assert.match(ev.id, /^[0-9a-f-]{36}$/);
    assert.equal(ev.source, '/acme/BER1/assembly/line1/mes');
    assert.equal(ev.time, '2026-11-27T07:00:00.000Z');
    assert.equal(ev.subject, 'workorder/1000123/op/0010');
    assert.equal(ev.partitionkey, '1000123');
    assert.equal(ev.correlationid, ev.id);
    assert.deepEqual(ev.data.quantity, { value: 95, unit: 'PC' });
    assert.equal(ev.data.orderId, '1000123', 'numeric order id coerced to the schema string');
    assert.equal(ev.data.workCenter, 'WC-7');
    assert.equal(msg.topic, 'acme/BER1/assembly/line1/events/production/quantity/confirmed');
    assert.equal(msg.correlationId, ev.correlationid);
  });

  it('keeps the correlation id and sets causationid from an incoming event', async () => {
    await helper.load([mfgPlant, mfgEvent], flow({ dataFrom: 'payload' }));
    const got = nextMsg('ok');
    helper.getNode('ev').receive({
      payload: { specversion: '1.0', id: 'cause-1', correlationid: 'corr-9', orderId: 'A1', operationId: '0020', quantity: { value: 1, unit: 'PC' } },
    });
    const ev = (await got).payload;
    assert.equal(ev.correlationid, 'corr-9');
    assert.equal(ev.causationid, 'cause-1');
  });

  it('names every missing or ill-typed required field, on the error output and to Catch', async () => {
    await helper.load([mfgPlant, mfgEvent], flow());
    const bad = nextMsg('bad');
    const caught = nextMsg('caught');
    helper.getNode('ev').receive({ payload: { count: 'lots', station: 1 } });
    const msg = await bad;
    const paths = msg.validationErrors.map((e) => e.path).sort();
    assert.deepEqual(paths, ['$.data.orderId', '$.data.quantity.value']);
    const c = await caught;
    assert.match(c.error.message, /\$\.data\.orderId is required/);
    assert.match(c.error.message, /\$\.data\.quantity\.value must be number/);
  });

  it('refuses a payload that is not an object with a clear reason', async () => {
    await helper.load([mfgPlant, mfgEvent], flow({ dataFrom: 'payload' }));
    const caught = nextMsg('caught');
    helper.getNode('ev').receive({ payload: 'hello' });
    assert.match((await caught).error.message, /msg\.payload must be an object/);
  });

  it('refuses prototype-pollution keys in the data', async () => {
    await helper.load([mfgPlant, mfgEvent], flow({ dataFrom: 'payload' }));
    const bad = nextMsg('bad');
    helper.getNode('ev').receive({ payload: JSON.parse('{"orderId":"1","operationId":"0010","quantity":{"value":1,"unit":"PC","__proto__":{"admin":true}}}') });
    const m = await bad;
    assert.deepEqual(m.validationErrors, [{ path: '$.data', message: 'forbidden key "__proto__" at $.data.quantity' }]);
    assert.equal({}.admin, undefined);
  });

  it('serves the catalog to the editor', async () => {
    await helper.load([mfgPlant, mfgEvent], flow());
    const res = await helper.request().get('/mfg-connect/catalog').expect(200);
    assert.equal(res.body.filter((e) => e.version === 1).length, 22);
    const q = res.body.find((e) => e.type === TYPE);
    assert.ok(q.fields.some((f) => f.path === 'quantity.unit' && f.required));
  });
});

'use strict';
// The operation catalog: posting keys, key carriers, input checks, and follow-up events
// that validate against the event catalog.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { operations, prepareInput, postingKey, uuidFromKey, shortRef, supportedOperations } = require('../../dist/lib/connectors');
const { EventBuilder, resolvePlant } = require('../../dist/lib/events');

const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' });
const q = (value, unit = 'PC') => ({ value, unit });

// A typical input per operation (canonical field names, as in the event catalog).
const samples = {
  confirmProduction: { orderId: '1000123', operationId: '0010', workCenter: 'ASSY01', yield: q(95), scrap: q(5), confirmationCounter: 3, finalConfirmation: true },
  postGoodsIssue: { orderId: '1000123', material: 'RM100', plant: '1710', storageLocation: '171B', lot: 'RB001', quantity: q(25, 'KG') },
  postGoodsReceipt: { orderId: '1000123', material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B0002', quantity: q(95), handlingUnit: 'HU-1' },
  placeQualityHold: { holdId: 'H-1', material: 'FG226', lot: 'B0001', reason: { code: 'NC' } },
  releaseQualityHold: { holdId: 'H-1', material: 'FG226', lot: 'B0001' },
  releaseProductionOrder: { orderId: '1000124' },
};

describe('connector operations', () => {
  it('derives the same posting key from the same business identity, and distinct ones otherwise', () => {
    const def = operations.get('confirmProduction');
    const k = (i) => postingKey('confirmProduction', def.identity.map((f) => i[f]), 'event-1');
    assert.equal(k(samples.confirmProduction), 'confirmProduction:1000123:0010:3');
    assert.notEqual(k({ ...samples.confirmProduction, confirmationCounter: 4 }), k(samples.confirmProduction));
    assert.equal(k({ orderId: '1000123', operationId: '0010' }), 'confirmProduction:event:event-1', 'no counter: the event id is the key');
    assert.equal(postingKey('x', undefined, undefined, 'mine'), 'mine');
    assert.throws(() => postingKey('x', ['a', undefined]), /cannot derive a posting key/);
  });

  it('turns keys into stable carriers: a version-5 style GUID and a 25-character reference', () => {
    const g = uuidFromKey('confirmProduction:1000123:0010:3');
    assert.match(g, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(uuidFromKey('confirmProduction:1000123:0010:3'), g);
    assert.notEqual(uuidFromKey('confirmProduction:1000123:0010:4'), g);
    assert.match(shortRef('k', 21), /^[A-Z2-7]{21}$/);
    assert.notEqual(shortRef('k1', 21), shortRef('k2', 21));
  });

  it('checks required fields and quantities with a readable reason', () => {
    const def = operations.get('postGoodsIssue');
    assert.throws(() => prepareInput(def, { material: 'RM100' }), /postGoodsIssue: missing "orderId", "quantity"/);
    assert.throws(() => prepareInput(def, { orderId: '1', material: 'RM100', quantity: { value: -1, unit: 'KG' } }), /"quantity" must be \{value: number >= 0, unit\}/);
    assert.equal(prepareInput(def, { orderId: '1', material: 'RM100', quantity: { value: '2.5', unit: 'KG' } }).quantity.value, 2.5);
    const conf = prepareInput(operations.get('confirmProduction'), { orderId: '1', operationId: '10', quantity: q(3) });
    assert.deepEqual(conf.yield, q(3), 'quantity.confirmed v1 maps quantity to yield');
  });

  it('builds follow-up events that validate against the catalog', () => {
    const result = { document: '4900000001/2026', references: { erpMaterialDocument: '4900000001/2026' }, data: { orderId: '1000124', material: 'FG226', quantity: q(50) } };
    for (const [op, data] of Object.entries(samples)) {
      const def = operations.get(op);
      const input = prepareInput(def, data);
      const type = def.followUp(input);
      const ev = new EventBuilder(type).build(def.followUpData(input, result), plant, { causationid: 'cause-1', correlationid: 'corr-1' });
      assert.equal(ev.type, type, op);
      assert.equal(ev.causationid, 'cause-1');
      assert.equal(ev.data.references.erpMaterialDocument, '4900000001/2026', op);
    }
    const v1 = operations.get('confirmProduction');
    const noCounter = prepareInput(v1, { orderId: '1', operationId: '10', yield: q(3) });
    assert.equal(v1.followUp(noCounter), 'mfg.production.quantity.confirmed.v1');
    assert.deepEqual(v1.followUpData(noCounter, result).quantity, q(3));
  });

  it('knows which profile offers which operation per role', () => {
    const t = supportedOperations();
    assert.equal(t['sap-odata'].erp.length, 12);
    assert.deepEqual(t['sap-odata'].wms, []);
    assert.deepEqual(t.d365.erp.sort(), ['checkAvailability', 'confirmProduction', 'createProductionOrder', 'getItem', 'getProductionOrder', 'postGoodsReceipt', 'requestPurchase']);
    assert.deepEqual(t.rest.qms, ['createNonconformance', 'recordInspectionResult', 'updateTraceability']);
    for (const o of operations.all()) assert.ok(t.rest[o.role].includes(o.name), `rest offers ${o.name}`);
  });
});

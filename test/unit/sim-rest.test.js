'use strict';
// REST surfaces: the ERP's generic API, the WMS and the QMS, with Idempotency-Key
// semantics and RFC 9457 problem details.
const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const axios = require('axios');
const { startErpSim, startWmsSim, startQmsSim } = require('../../dist/sim');

const PROBLEM = 'application/problem+json';

describe('REST simulators', () => {
  let erp, wms, qms;
  const client = (base) => axios.create({ baseURL: base.url, validateStatus: () => true });
  const post = (c, path, body, key) => c.post(path, body, { headers: key === undefined ? {} : { 'Idempotency-Key': key } });
  const ledger = async (c) => (await c.get('/__sim/ledger')).data.entries;

  before(async () => {
    [erp, wms, qms] = await Promise.all([startErpSim({ port: 0 }), startWmsSim({ port: 0 }), startQmsSim({ port: 0 })]);
  });
  after(() => Promise.all([erp.close(), wms.close(), qms.close()]));
  beforeEach(() => Promise.all([erp, wms, qms].map((s) => client(s).post('/__sim/reset'))));

  it('ERP: a goods movement changes stock; the same key replays, another body under it is 422', async () => {
    const c = client(erp);
    const body = { headerText: 'GI-1', items: [{ material: 'RM200', plant: '1710', storageLocation: '171B', batch: 'RB002', movementType: '261', quantity: 40, unit: 'PC', orderId: '1000123' }] };
    const first = await post(c, '/api/v1/goods-movements', body, 'k-gi-1');
    assert.equal(first.status, 201, JSON.stringify(first.data));
    assert.match(first.data.materialDocument, /^49\d{8}$/);
    const again = await post(c, '/api/v1/goods-movements', body, 'k-gi-1');
    assert.equal(again.status, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.data, first.data);
    const other = await post(c, '/api/v1/goods-movements', { ...body, headerText: 'GI-2' }, 'k-gi-1');
    assert.equal(other.status, 422);
    assert.equal(other.headers['content-type'], PROBLEM);
    assert.equal(other.data.status, 422);
    const stock = await c.get('/api/v1/stock', { params: { material: 'RM200' } });
    assert.equal(stock.data.totals.unrestricted, 960, 'moved once');
    assert.deepEqual((await ledger(c)).map((e) => [e.kind, e.key]), [['material-document', 'k-gi-1']]);
  });

  it('ERP: missing key 400, validation 400 naming fields, business rules 422, unknown 404', async () => {
    const c = client(erp);
    const nokey = await post(c, '/api/v1/confirmations', { orderId: '1000123', operation: '0010', yield: 1 });
    assert.equal(nokey.status, 400);
    assert.match(nokey.data.detail, /Idempotency-Key/);
    const invalid = await post(c, '/api/v1/confirmations', { orderId: '1000123', yield: 'many', colour: 'red' }, 'k1');
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.data.errors.map((e) => e.field).sort(), ['colour', 'operation', 'yield']);
    const unreleased = await post(c, '/api/v1/confirmations', { orderId: '1000124', operation: '0010', yield: 1, unit: 'PC' }, 'k2');
    assert.equal(unreleased.status, 422);
    assert.match(unreleased.data.detail, /not released/);
    const missing = await c.get('/api/v1/production-orders/999');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['content-type'], PROBLEM);
    assert.equal((await ledger(c)).length, 0);
  });

  it('ERP: confirmations, orders, routing, items and purchase requisitions', async () => {
    const c = client(erp);
    const conf = await post(c, '/api/v1/confirmations', {
      orderId: '1000123', operation: '0020', yield: 10, scrap: 1, unit: 'PC', final: false,
      goodsMovements: [{ material: 'FG226', plant: '1710', storageLocation: '171A', batch: 'B0009', movementType: '101', quantity: 10, unit: 'PC' }],
    }, 'k-conf');
    assert.equal(conf.status, 201, JSON.stringify(conf.data));
    assert.ok(conf.data.materialDocument);
    const order = await c.get('/api/v1/production-orders/1000123');
    assert.equal(order.data.confirmedYield, 10);
    assert.equal(order.data.status, 'PCNF');
    const routing = await c.get('/api/v1/production-orders/1000123/routing');
    assert.deepEqual(routing.data.operations.map((o) => [o.operation, o.workCenter, o.costCenter]), [['0010', 'ASSY01', 'CC4711'], ['0020', 'TEST01', 'CC4712']]);
    const created = await post(c, '/api/v1/production-orders', { material: 'FG226', plant: '1710', quantity: 8, unit: 'PC' }, 'k-po');
    assert.equal(created.status, 201);
    const rel = await post(c, `/api/v1/production-orders/${created.data.orderId}/release`, undefined, 'k-rel');
    assert.equal(rel.data.status, 'REL');
    assert.equal((await c.get('/api/v1/items/SP001')).data.batchManaged, false);
    const pr = await post(c, '/api/v1/purchase-requisitions', { description: 'bearing', items: [{ material: 'SP001', plant: '1710', quantity: 2, unit: 'PC' }] }, 'k-pr');
    assert.equal(pr.status, 201);
    assert.equal(pr.data.requisitionId, '10000001');
    assert.deepEqual((await ledger(c)).map((e) => e.kind), ['confirmation', 'production-order', 'order-release', 'purchase-requisition']);
  });

  it('WMS: putaway and transfer tasks, confirmation once, shipment blocks by lot', async () => {
    const c = client(wms);
    const pt = await post(c, '/api/v1/putaway-tasks', { material: 'FG226', lot: 'B0009', quantity: { value: 10, unit: 'PC' }, orderId: '1000123' }, 'w1');
    assert.equal(pt.status, 201, JSON.stringify(pt.data));
    assert.equal(pt.data.taskId, 'PT-000001');
    assert.equal(pt.data.sourceLocation, 'STAGE-FG');
    assert.ok(pt.data.destinationBin);
    const tt = await post(c, '/api/v1/transfer-tasks', { material: 'RM100', quantity: { value: 5, unit: 'KG' }, from: 'WH-A', to: 'LINE-1' }, 'w2');
    assert.equal(tt.data.taskId, 'TT-000001');
    const conf = await post(c, '/api/v1/tasks/PT-000001/confirm', { quantity: 10 }, 'w3');
    assert.equal(conf.data.status, 'confirmed');
    const twice = await post(c, '/api/v1/tasks/PT-000001/confirm', { quantity: 10 }, 'w4');
    assert.equal(twice.status, 409);
    assert.equal((await post(c, '/api/v1/tasks/PT-000099/confirm', {}, 'w5')).status, 404);
    const block = await post(c, '/api/v1/shipment-blocks', { lot: 'B0009', reason: 'NC-000001', holdId: 'H1' }, 'w6');
    assert.equal(block.status, 201);
    assert.equal((await c.get('/api/v1/lots/B0009')).data.shippable, false);
    const rel = await post(c, '/api/v1/shipment-blocks/release', { lot: 'B0009', holdId: 'H1' }, 'w7');
    assert.deepEqual(rel.data, { lot: 'B0009', released: ['SB-000001'], shippable: true });
    assert.equal((await post(c, '/api/v1/shipment-blocks/release', { lot: 'B0009' }, 'w8')).status, 404);
    const open = await c.get('/api/v1/tasks', { params: { status: 'open' } });
    assert.deepEqual(open.data.tasks.map((t) => t.taskId), ['TT-000001']);
    assert.deepEqual((await ledger(c)).map((e) => e.kind), ['putaway-task', 'transfer-task', 'task-confirmation', 'shipment-block', 'shipment-release']);
  });

  it('QMS: nonconformances, inspection valuation and lot genealogy both ways', async () => {
    const c = client(qms);
    const nc = await post(c, '/api/v1/nonconformances', { material: 'FG226', lot: 'B0009', defect: 'D-LEAK', severity: 'critical', quantity: { value: 2, unit: 'PC' } }, 'q1');
    assert.equal(nc.status, 201, JSON.stringify(nc.data));
    assert.equal(nc.data.ncId, 'NC-000001');
    const badSeverity = await post(c, '/api/v1/nonconformances', { material: 'FG226', lot: 'B0009', defect: 'D', severity: 'awful' }, 'q2');
    assert.equal(badSeverity.status, 400);
    assert.deepEqual(badSeverity.data.errors.map((e) => e.field), ['severity']);
    const ir = await post(c, '/api/v1/inspection-results', { inspectionLot: 'IL1', material: 'FG226', characteristic: 'pressure', measured: 11.2, lowerLimit: 9, upperLimit: 11, unit: 'BAR' }, 'q3');
    assert.equal(ir.data.valuation, 'rejected');
    await post(c, '/api/v1/traceability/links', { lot: 'B0009', material: 'FG226', components: [{ lot: 'RB001', material: 'RM100' }, { lot: 'RB002', material: 'RM200' }] }, 'q4');
    await post(c, '/api/v1/traceability/links', { lot: 'RB001', material: 'RM100', components: [{ lot: 'COIL-7', material: 'COIL' }] }, 'q5');
    const back = await c.get('/api/v1/traceability/lots/B0009', { params: { direction: 'backward' } });
    assert.deepEqual(back.data.nodes.map((n) => [n.lot, n.level]), [['RB001', 1], ['RB002', 1], ['COIL-7', 2]]);
    const fwd = await c.get('/api/v1/traceability/lots/COIL-7', { params: { direction: 'forward' } });
    assert.deepEqual(fwd.data.nodes.map((n) => n.lot), ['RB001', 'B0009']);
    assert.deepEqual((await ledger(c)).map((e) => [e.kind, e.key]), [['nonconformance', 'q1'], ['inspection-result', 'q3'], ['traceability', 'q4'], ['traceability', 'q5']]);
  });
});

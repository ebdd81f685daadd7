'use strict';
// The Odoo JSON-RPC surface of the ERP simulator.
const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const axios = require('axios');
const { startErpSim } = require('../../dist/sim');

describe('ERP simulator, odoo surface', () => {
  let erp;
  let http;
  let id = 0;
  const rpc = async (service, method, args) => {
    const r = await http.post('/jsonrpc', { jsonrpc: '2.0', method: 'call', id: ++id, params: { service, method, args } });
    assert.equal(r.status, 200, 'Odoo answers errors with HTTP 200');
    assert.equal(r.data.id, id);
    return r.data;
  };
  const kw = (model, method, pos, opts = {}) => rpc('object', 'execute_kw', ['mfg', 2, 'admin', model, method, pos, opts]);
  const ok = async (model, method, pos, opts) => {
    const r = await kw(model, method, pos, opts);
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    return r.result;
  };
  const quant = async (code, location, lot) => {
    const rows = await ok('stock.quant', 'search_read', [[['product_id.default_code', '=', code], ['location_id', '=', location]]], { fields: ['quantity', 'lot_id'] });
    const row = rows.find((q) => (lot ? q.lot_id && q.lot_id[1] === lot : true));
    return row ? row.quantity : 0;
  };

  before(async () => {
    erp = await startErpSim({ port: 0 });
    http = axios.create({ baseURL: erp.url, validateStatus: () => true });
  });
  after(() => erp.close());
  beforeEach(() => http.post('/__sim/reset'));

  it('logs in, and answers bad credentials and unknown databases the Odoo way', async () => {
    assert.equal((await rpc('common', 'login', ['mfg', 'admin', 'admin'])).result, 2);
    assert.equal((await rpc('common', 'login', ['mfg', 'admin', 'wrong'])).result, false);
    const denied = await rpc('object', 'execute_kw', ['mfg', 2, 'wrong', 'mrp.production', 'search_read', [[]], {}]);
    assert.equal(denied.error.code, 200);
    assert.equal(denied.error.message, 'Odoo Server Error');
    assert.equal(denied.error.data.name, 'odoo.exceptions.AccessDenied');
    const db = await rpc('common', 'login', ['nodb', 'admin', 'admin']);
    assert.equal(db.error.data.name, 'psycopg2.OperationalError');
  });

  it('reads with domains and returns many2one fields as [id, name]', async () => {
    const mos = await ok('mrp.production', 'search_read', [[['state', 'in', ['confirmed', 'progress']]]], { fields: ['name', 'product_id', 'product_qty', 'origin', 'state'], limit: 50 });
    assert.equal(mos.length, 1);
    assert.deepEqual(mos[0].product_id, [1, '[FG226] Pump assembly PA-226']);
    assert.equal(mos[0].origin, '1000123');
    const either = await ok('product.product', 'search', [['|', ['default_code', '=', 'RM100'], ['default_code', '=', 'SP001']]]);
    assert.deepEqual(either, [2, 4]);
    const bad = await kw('mrp.production', 'search_read', [[]], { fields: ['nope'] });
    assert.equal(bad.error.data.name, 'builtins.ValueError');
    assert.match(bad.error.data.message, /Invalid field 'nope' on model 'mrp.production'/);
    const model = await kw('x.unknown', 'search_read', [[]]);
    assert.equal(model.error.data.name, 'builtins.KeyError');
    const priv = await kw('mrp.production', '_action_done', [[1]]);
    assert.equal(priv.error.data.name, 'odoo.exceptions.AccessError');
  });

  it('marks a manufacturing order done: backorder wizard first, then stock moves and one ledger entry', async () => {
    const lot = await ok('stock.lot', 'create', [{ name: 'B0100', product_id: 1 }]);
    await ok('mrp.production', 'write', [[1], { qty_producing: 60, lot_producing_id: lot }]);
    const wizard = await ok('mrp.production', 'button_mark_done', [[1]]);
    assert.equal(wizard.res_model, 'mrp.production.backorder');
    assert.equal(await quant('FG226', 8, 'B0100'), 0, 'the wizard books nothing');
    assert.equal(await ok('mrp.production', 'button_mark_done', [[1]], { context: { skip_backorder: true } }), true);
    assert.equal(await quant('FG226', 8, 'B0100'), 60);
    assert.equal(await quant('RM100', 9, 'RB001'), 485, 'components consumed in proportion (25 KG per 100)');
    const [mo] = await ok('mrp.production', 'read', [[1]], { fields: ['state', 'qty_produced'] });
    assert.deepEqual([mo.state, mo.qty_produced], ['done', 60]);
    const found = await ok('mrp.production', 'search_count', [[['origin', '=', '1000123'], ['state', '=', 'done']]]);
    assert.equal(found, 1);
    const l = (await http.get('/__sim/ledger')).data.entries;
    assert.deepEqual(l.map((e) => [e.kind, e.key, e.surface]), [['mrp-production-done', '1000123', 'odoo']]);
    const sap = (await http.get('/__sim/state')).data.orders.find((o) => o.order === '1000123');
    assert.equal(sap.deliveredQty, 60, 'one state model behind both surfaces');
  });

  it('validates pickings into blocked stock; shortages and missing lots are UserErrors', async () => {
    const create = (qty, lot = 1) => ok('stock.picking', 'create', [{
      picking_type_id: 5, location_id: 8, location_dest_id: 11, origin: 'hold-HX1',
      move_ids: [[0, 0, { product_id: 1, product_uom_qty: qty, quantity: qty, lot_id: lot, location_id: 8, location_dest_id: 11 }]],
    }]);
    const pick = await create(5);
    await ok('stock.picking', 'action_confirm', [[pick]]);
    assert.equal(await ok('stock.picking', 'button_validate', [[pick]]), true);
    assert.equal(await quant('FG226', 8, 'B0001'), 15);
    assert.equal(await quant('FG226', 11, 'B0001'), 5);
    assert.equal(await ok('stock.picking', 'button_validate', [[pick]]), true, 'a done picking stays done');
    const moves = await ok('stock.move', 'search_read', [[['picking_id', '=', pick]]], { fields: ['state', 'quantity', 'origin'] });
    assert.deepEqual([moves[0].state, moves[0].quantity, moves[0].origin], ['done', 5, 'hold-HX1']);
    const big = await create(500);
    const shortage = await kw('stock.picking', 'button_validate', [[big]]);
    assert.equal(shortage.error.data.name, 'odoo.exceptions.UserError');
    assert.match(shortage.error.data.message, /Deficit/);
    const nolot = await create(1, false);
    const missing = await kw('stock.picking', 'button_validate', [[nolot]]);
    assert.match(missing.error.data.message, /Lot\/Serial number/);
    const l = (await http.get('/__sim/ledger')).data.entries;
    assert.deepEqual(l.map((e) => [e.kind, e.key]), [['stock-picking', 'hold-HX1']]);
  });

  it('creates manufacturing orders with origin as the searchable idempotency reference', async () => {
    const mo = await ok('mrp.production', 'create', [{ product_id: 1, product_qty: 10, origin: 'key-1' }]);
    await ok('mrp.production', 'action_confirm', [[mo]]);
    const [rec] = await ok('mrp.production', 'search_read', [[['origin', '=', 'key-1']]], { fields: ['state', 'name', 'move_raw_ids'] });
    assert.equal(rec.state, 'confirmed');
    assert.match(rec.name, /^WH\/MO\/\d{5}$/);
    assert.equal(rec.move_raw_ids.length, 2);
    const l = (await http.get('/__sim/ledger')).data.entries;
    assert.deepEqual(l.map((e) => [e.kind, e.key]), [['mrp-production', 'key-1']]);
  });

  it('speaks JSON-2 (Odoo 19): bearer key, named arguments, HTTP statuses for errors', async () => {
    const j2 = (model, method, body, key = 'mfg-odoo-api-key') => http.post(`/json/2/${model}/${method}`, body, { headers: { Authorization: `bearer ${key}`, 'X-Odoo-Database': 'mfg' } });
    const quants = await j2('stock.quant', 'search_read', { domain: [['product_id.default_code', '=', 'FG226']], fields: ['quantity', 'location_id'] });
    assert.equal(quants.status, 200);
    assert.deepEqual(quants.data.map((q) => [q.location_id[1], q.quantity]), [['WH/Stock', 20]]);
    const pick = await j2('stock.picking', 'create', { vals_list: [{ picking_type_id: 5, location_id: 8, location_dest_id: 10, origin: 'qi-1', move_ids: [[0, 0, { product_id: 1, product_uom_qty: 2, lot_id: 1 }]] }] });
    assert.equal(pick.status, 200);
    assert.equal((await j2('stock.picking', 'button_validate', { ids: pick.data })).data, true);
    assert.equal(await quant('FG226', 10, 'B0001'), 2, 'moved to quality inspection (322)');
    assert.equal((await j2('stock.quant', 'search_read', { domain: [] }, 'wrong')).status, 401);
    const invalid = await j2('mrp.production', 'search_read', { domain: [], fields: ['nope'] });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.data.name, 'builtins.ValueError');
    const big = await j2('stock.picking', 'create', { vals_list: [{ location_id: 8, location_dest_id: 11, move_ids: [[0, 0, { product_id: 1, product_uom_qty: 999, lot_id: 1 }]] }] });
    const shortage = await j2('stock.picking', 'button_validate', { ids: big.data });
    assert.equal(shortage.status, 422);
    assert.equal(shortage.data.name, 'odoo.exceptions.UserError');
    assert.equal((await j2('stock.picking', 'read', { ids: [999] })).status, 404);
    const l = (await http.get('/__sim/ledger')).data.entries;
    assert.deepEqual(l.map((e) => [e.kind, e.key, e.surface]), [['stock-picking', 'qi-1', 'odoo']]);
  });
});

'use strict';
// The Dynamics 365 F&O surface of the ERP simulator: OAuth2 client credentials and OData v4.
const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const axios = require('axios');
const { startErpSim } = require('../../dist/sim');

describe('ERP simulator, d365 surface', () => {
  let erp;
  let http;
  const token = async (over = {}) => {
    const form = new URLSearchParams({ client_id: 'mfg-client', client_secret: 'mfg-secret', scope: 'https://usmf.example.dynamics.com/.default', grant_type: 'client_credentials', ...over });
    return http.post('/contoso.onmicrosoft.com/oauth2/v2.0/token', form.toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  };
  const bearer = async () => ({ Authorization: `Bearer ${(await token()).data.access_token}` });

  before(async () => {
    erp = await startErpSim({ port: 0 });
    http = axios.create({ baseURL: erp.url, validateStatus: () => true });
  });
  after(() => erp.close());
  beforeEach(async () => {
    await http.post('/__sim/reset');
    await http.post('/__sim/config', { tokenTtlSec: 3599 });
  });

  it('issues client-credentials tokens and answers bad requests like Entra ID', async () => {
    const ok = await token();
    assert.equal(ok.status, 200);
    assert.equal(ok.data.token_type, 'Bearer');
    assert.equal(ok.data.expires_in, 3599);
    const secret = await token({ client_secret: 'nope' });
    assert.equal(secret.status, 401);
    assert.equal(secret.data.error, 'invalid_client');
    assert.match(secret.data.error_description, /^AADSTS7000215/);
    const scope = await token({ scope: 'https://usmf.example.dynamics.com' });
    assert.equal(scope.data.error, 'invalid_scope');
    const grant = await token({ grant_type: 'password' });
    assert.equal(grant.data.error, 'unsupported_grant_type');
  });

  it('answers 401 without a token and once it expired', async () => {
    const none = await http.get('/data/ProductionOrderHeaders');
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    await http.post('/__sim/config', { tokenTtlSec: 0.2 });
    const h = await bearer();
    assert.equal((await http.get('/data/ReleasedProductsV2', { headers: h })).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await http.get('/data/ReleasedProductsV2', { headers: h })).status, 401);
  });

  it('reads entity sets with $filter, $count and keys', async () => {
    const h = await bearer();
    const orders = await http.get('/data/ProductionOrderHeaders', { headers: h, params: { $filter: "ProductionOrderStatus eq 'Released'", $count: 'true', 'cross-company': 'true' } });
    assert.equal(orders.status, 200);
    assert.equal(orders.data['@odata.count'], 1);
    assert.equal(orders.data.value[0].ProductionOrderNumber, 'P1000123');
    assert.match(orders.data.value[0]['@odata.etag'], /^W\/"/);
    const one = await http.get("/data/ReleasedProductsV2(dataAreaId='usmf',ItemNumber='FG226')", { headers: h });
    assert.equal(one.data.ProductName, 'Pump assembly PA-226');
    const missing = await http.get("/data/ReleasedProductsV2(dataAreaId='usmf',ItemNumber='NOPE')", { headers: h });
    assert.equal(missing.status, 404);
    assert.equal(typeof missing.data.error.message, 'string');
  });

  it('posts report-as-finished: on-hand grows, ledger keyed by the journal line description', async () => {
    const h = await bearer();
    const onHand = async () => (await http.get('/data/WarehousesOnHandV2', { headers: h, params: { $filter: "ItemNumber eq 'FG226' and ItemBatchNumber eq 'B0042'" } })).data.value;
    assert.equal((await onHand()).length, 0);
    const r = await http.post('/data/ProductionOrderReportAsFinishedJournalEntries', {
      dataAreaId: 'usmf', ProductionOrderNumber: 'P1000123', ReportedGoodInventoryQuantity: 40, ReportedErrorInventoryQuantity: 2,
      IsLastReportAsFinished: 'No', ItemBatchNumber: 'B0042', ProductionWarehouseId: '11', JournalLineDescription: 'key-raf-1',
    }, { headers: h });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    assert.match(r.data.JournalNumber, /^PRD-\d{6}$/);
    const rows = await onHand();
    assert.deepEqual(rows.map((x) => [x.InventoryWarehouseId, x.InventoryStatusId, x.OnHandQuantity]), [['11', 'Available', 40]]);
    const order = await http.get("/data/ProductionOrderHeaders(dataAreaId='usmf',ProductionOrderNumber='P1000123')", { headers: h });
    assert.equal(order.data.ProductionOrderStatus, 'StartedUp');
    assert.equal(order.data.ReportedFinishedQuantity, 40);
    const lookup = await http.get('/data/ProductionOrderReportAsFinishedJournalEntries', { headers: h, params: { $filter: "JournalLineDescription eq 'key-raf-1'" } });
    assert.equal(lookup.data.value.length, 1);
    const l = (await http.get('/__sim/ledger')).data.entries;
    assert.deepEqual(l.map((e) => [e.kind, e.key, e.surface]), [['report-as-finished', 'key-raf-1', 'd365']]);
  });

  it('rejects unknown properties and business errors in the OData v4 error shape', async () => {
    const h = await bearer();
    const unknown = await http.post('/data/ProductionOrderHeaders', { ItemNumber: 'FG226', ScheduledQuantity: 5, Colour: 'red' }, { headers: h });
    assert.equal(unknown.status, 400);
    assert.match(unknown.data.error.innererror.message, /The property 'Colour' does not exist/);
    const notReleased = await http.post('/data/ProductionOrderReportAsFinishedJournalEntries', { ProductionOrderNumber: 'P1000124', ReportedGoodInventoryQuantity: 1 }, { headers: h });
    assert.equal(notReleased.status, 400);
    assert.match(notReleased.data.error.message, /must be released/);
    const created = await http.post('/data/ProductionOrderHeaders', { ItemNumber: 'FG226', ScheduledQuantity: 5, ProductionOrderName: 'key-po' }, { headers: h });
    assert.equal(created.status, 201);
    assert.equal(created.data.ProductionOrderStatus, 'Created');
    assert.deepEqual((await http.get('/__sim/ledger')).data.entries.map((e) => e.kind), ['production-order']);
  });

  it('creates purchase requisitions with lines; the name is the searchable reference', async () => {
    const h = await bearer();
    const head = await http.post('/data/PurchaseRequisitionHeadersV2', { dataAreaId: 'usmf', RequisitionName: 'spare-k9' }, { headers: h });
    assert.equal(head.status, 201, JSON.stringify(head.data));
    assert.equal(head.data.RequisitionNumber, 'PR-000001');
    const line = await http.post('/data/PurchaseRequisitionLines', { RequisitionNumber: 'PR-000001', ItemNumber: 'SP001', RequestedPurchaseQuantity: 2 }, { headers: h });
    assert.equal(line.status, 201, JSON.stringify(line.data));
    assert.equal(line.data.RequisitionLineNumber, 1);
    assert.equal((await http.post('/data/PurchaseRequisitionLines', { RequisitionNumber: 'PR-000009', ItemNumber: 'SP001', RequestedPurchaseQuantity: 2 }, { headers: h })).status, 400);
    assert.equal((await http.post('/data/PurchaseRequisitionLines', { RequisitionNumber: 'PR-000001', ItemNumber: 'NOPE', RequestedPurchaseQuantity: 2 }, { headers: h })).status, 404);
    const found = await http.get('/data/PurchaseRequisitionHeadersV2', { headers: h, params: { $filter: "RequisitionName eq 'spare-k9'" } });
    assert.equal(found.data.value[0].RequisitionNumber, 'PR-000001');
    assert.deepEqual((await http.get('/__sim/ledger')).data.entries.map((e) => [e.kind, e.key]), [['purchase-requisition', 'spare-k9'], ['purchase-requisition-line', 'PR-000001/1']]);
  });

  it('throttles with 429 and Retry-After, while the token endpoint stays up', async () => {
    const h = await bearer();
    await http.post('/__sim/faults', { mode: 'throttle', retryAfter: 7 });
    const r = await http.get('/data/ReleasedProductsV2', { headers: h });
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '7');
    assert.equal(typeof r.data.error.message, 'string');
    assert.equal((await token()).status, 200);
    await http.post('/__sim/faults', { mode: 'none' });
    assert.equal((await http.get('/data/ReleasedProductsV2', { headers: h })).status, 200);
  });

  it('answers $batch with 200 even when a change set failed; that change set books nothing', async () => {
    const h = await bearer();
    const post = (body) => ['Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', 'POST ProductionOrderReportAsFinishedJournalEntries HTTP/1.1', 'Content-Type: application/json', '', JSON.stringify(body), ''].join('\r\n');
    const raf = (key, extra = {}) => post({ ProductionOrderNumber: 'P1000123', ReportedGoodInventoryQuantity: 5, ItemBatchNumber: 'B0500', JournalLineDescription: key, ...extra });
    const cs = (name, ops) => [`Content-Type: multipart/mixed; boundary=${name}`, '', ...ops.map((o) => `--${name}\r\n${o}`), `--${name}--`, ''].join('\r\n');
    const get = ['Content-Type: application/http', '', "GET WarehousesOnHandV2?$filter=ItemBatchNumber%20eq%20'B0500' HTTP/1.1", '', ''].join('\r\n');
    const body = [cs('good', [raf('k-1'), raf('k-2')]), cs('bad', [raf('k-3'), raf('k-4', { Colour: 'red' })]), get].map((p) => `--b\r\n${p}`).join('\r\n') + '\r\n--b--\r\n';
    const r = await http.post('/data/$batch', body, { headers: { ...h, 'Content-Type': 'multipart/mixed; boundary=b' }, responseType: 'text', transformResponse: (x) => x });
    assert.equal(r.status, 200);
    assert.equal((r.data.match(/HTTP\/1.1 201 Created/g) || []).length, 2);
    assert.match(r.data, /HTTP\/1.1 400 Bad Request[\s\S]*The property 'Colour' does not exist/);
    assert.match(r.data, /"OnHandQuantity":10/, 'the retrieval sees only the good change set');
    assert.deepEqual((await http.get('/__sim/ledger')).data.entries.map((e) => e.key), ['k-1', 'k-2']);
    const noToken = await http.post('/data/$batch', body, { headers: { 'Content-Type': 'multipart/mixed; boundary=b' } });
    assert.equal(noToken.status, 401);
  });
});

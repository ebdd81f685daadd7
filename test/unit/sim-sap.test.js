'use strict';
// The SAP OData v2 surface of the ERP simulator, spoken to as a real client does.
const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const axios = require('axios');
const { startErpSim } = require('../../dist/sim');

const auth = { username: 'MFG_SAP', password: 'Welcome1' };
const CONF = '/sap/opu/odata/sap/API_PROD_ORDER_CONFIRMATION_2_SRV/';
const MATDOC = '/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/';
const STOCK = '/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod';
const ORDERS = '/sap/opu/odata/sap/API_PRODUCTION_ORDER_2_SRV/';
const GUID = '6f1c2b1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f';

function confirmation(extra = {}) {
  return {
    OrderID: '1000123', Sequence: '0', OrderOperation: '0020', ConfirmationUnit: 'PC', ConfirmationYieldQuantity: '95',
    ConfirmationScrapQuantity: '5', IsFinalConfirmation: false, PostingDate: '/Date(1764201600000)/', ExternalSystemConfirmation: GUID,
    to_ProdnOrdConfMatlDocItm: [
      { Material: 'FG226', Plant: '1710', StorageLocation: '171A', Batch: 'B0002', GoodsMovementType: '101', EntryUnit: 'PC', QuantityInEntryUnit: '95' },
      { Material: 'RM100', Plant: '1710', StorageLocation: '171B', Batch: 'RB001', GoodsMovementType: '261', EntryUnit: 'KG', QuantityInEntryUnit: '25.000' },
    ],
    ...extra,
  };
}

describe('ERP simulator, sap-odata surface', () => {
  let erp;
  let http;
  let session; // {token, cookie}

  async function fetchToken(path = CONF) {
    const r = await http.head(path, { auth, headers: { 'x-csrf-token': 'Fetch', 'sap-client': '100' } });
    assert.equal(r.status, 200);
    return { token: r.headers['x-csrf-token'], cookie: r.headers['set-cookie'].map((c) => c.split(';')[0]).join('; ') };
  }
  const write = (path, body, s = session) => http.post(path, body, { auth, headers: { 'x-csrf-token': s.token, cookie: s.cookie, 'sap-client': '100' } });
  const stock = async (material) => {
    const r = await http.get(STOCK, { auth, params: { $filter: `Material eq '${material}' and Plant eq '1710'` } });
    assert.equal(r.status, 200);
    return Object.fromEntries(r.data.d.results.map((x) => [`${x.StorageLocation}/${x.Batch}/${x.InventoryStockType}`, x.MatlWrhsStkQtyInMatlBaseUnit]));
  };
  const ledger = async () => (await http.get('/__sim/ledger')).data.entries;

  before(async () => {
    erp = await startErpSim({ port: 0 });
    http = axios.create({ baseURL: erp.url, validateStatus: () => true });
  });
  after(() => erp.close());
  beforeEach(async () => {
    await http.post('/__sim/reset');
    await http.post('/__sim/config', { csrfTtlMs: 30 * 60 * 1000 });
    session = await fetchToken();
  });

  it('asks for basic auth, checks sap-client and serves the service document', async () => {
    const anon = await http.get(CONF);
    assert.equal(anon.status, 401);
    assert.match(anon.headers['www-authenticate'], /^Basic realm=/);
    const wrongClient = await http.get(CONF, { auth, headers: { 'sap-client': '200' } });
    assert.equal(wrongClient.status, 400);
    assert.match(wrongClient.data.error.message.value, /Client 200/);
    const doc = await http.get(CONF, { auth });
    assert.deepEqual(doc.data.d.EntitySets, ['ProdnOrdConf2', 'ProdnOrdConfMatlDocItm']);
  });

  it('rejects writes without a valid CSRF token and session cookie', async () => {
    const none = await http.post(CONF + 'ProdnOrdConf2', confirmation(), { auth });
    assert.equal(none.status, 403);
    assert.equal(none.headers['x-csrf-token'], 'Required');
    assert.equal(none.data, 'CSRF token validation failed');
    const noCookie = await http.post(CONF + 'ProdnOrdConf2', confirmation(), { auth, headers: { 'x-csrf-token': session.token } });
    assert.equal(noCookie.status, 403);
    const wrong = await write(CONF + 'ProdnOrdConf2', confirmation(), { ...session, token: 'forged' });
    assert.equal(wrong.status, 403);
    assert.equal((await ledger()).length, 0, 'nothing booked');
  });

  it('expires tokens on its timer; a fresh fetch works again', async () => {
    await http.post('/__sim/config', { csrfTtlMs: 150 });
    const s = await fetchToken();
    await new Promise((r) => setTimeout(r, 250));
    const stale = await write(CONF + 'ProdnOrdConf2', confirmation(), s);
    assert.equal(stale.status, 403);
    assert.equal(stale.headers['x-csrf-token'], 'Required');
    await http.post('/__sim/config', { csrfTtlMs: 60000 });
    const ok = await write(CONF + 'ProdnOrdConf2', confirmation(), await fetchToken());
    assert.equal(ok.status, 201);
  });

  it('books a confirmation with goods movements: stock, order and ledger change together', async () => {
    const before = { fg: await stock('FG226'), rm: await stock('RM100') };
    assert.equal(before.fg['171A/B0002/01'], undefined);
    assert.equal(before.rm['171B/RB001/01'], '500.000');
    const r = await write(CONF + 'ProdnOrdConf2', confirmation());
    assert.equal(r.status, 201, JSON.stringify(r.data));
    const d = r.data.d;
    assert.match(r.headers.location, /ProdnOrdConf2\(ConfirmationGroup='0000000208',ConfirmationCount='1'\)$/);
    assert.equal(d.ConfirmationYieldQuantity, '95.000');
    assert.equal(d.PostingDate, '/Date(1764201600000)/');
    assert.equal(d.ExternalSystemConfirmation, GUID);
    const items = d.to_ProdnOrdConfMatlDocItm.results;
    assert.equal(items.length, 2);
    assert.match(items[0].MaterialDocument, /^49\d{8}$/);
    assert.equal((await stock('FG226'))['171A/B0002/01'], '95.000');
    assert.equal((await stock('RM100'))['171B/RB001/01'], '475.000');
    const order = await http.get(`${ORDERS}A_ProductionOrder_2('1000123')`, { auth });
    assert.equal(order.data.d.MfgOrderConfirmedYieldQty, '95.000');
    assert.equal(order.data.d.OrderIsPartiallyConfirmed, 'X');
    const l = await ledger();
    assert.equal(l.length, 1);
    assert.deepEqual([l[0].kind, l[0].key, l[0].document, l[0].surface], ['confirmation', GUID, '0000000208/1', 'sap-odata']);
  });

  it('cancels a confirmation: goods movements reversed, order back, the reversal in the ledger', async () => {
    assert.equal((await write(CONF + 'ProdnOrdConf2', confirmation())).status, 201);
    const cancel = await write(`${CONF}CancelProdnOrdConf?ConfirmationGroup='0000000208'&ConfirmationCount='1'`, undefined);
    assert.equal(cancel.status, 200, JSON.stringify(cancel.data));
    assert.equal(cancel.data.d.IsReversal, true);
    assert.equal(cancel.data.d.ConfirmationCount, '2');
    assert.equal((await stock('FG226'))['171A/B0002/01'], undefined, 'receipt reversed (102)');
    assert.equal((await stock('RM100'))['171B/RB001/01'], '500.000', 'issue reversed (262)');
    const order = await http.get(`${ORDERS}A_ProductionOrder_2('1000123')`, { auth });
    assert.equal(order.data.d.MfgOrderConfirmedYieldQty, '0.000');
    const first = await http.get(`${CONF}ProdnOrdConf2(ConfirmationGroup='0000000208',ConfirmationCount='1')`, { auth });
    assert.equal(first.data.d.IsReversed, true);
    const twice = await write(`${CONF}CancelProdnOrdConf?ConfirmationGroup='0000000208'&ConfirmationCount='1'`, undefined);
    assert.equal(twice.status, 400);
    assert.match(twice.data.error.message.value, /already cancelled/);
    assert.deepEqual((await ledger()).map((e) => [e.kind, e.key]), [['confirmation', GUID], ['confirmation-cancel', '0000000208/1']]);
  });

  it('rejects a second confirmation with the same ExternalSystemConfirmation and lets a client find the first', async () => {
    assert.equal((await write(CONF + 'ProdnOrdConf2', confirmation())).status, 201);
    const again = await write(CONF + 'ProdnOrdConf2', confirmation());
    assert.equal(again.status, 400);
    assert.equal(again.data.error.code, 'RU/505');
    assert.match(again.data.error.message.value, /already exists \(0000000208\/1\)/);
    assert.equal(again.data.error.innererror.errordetails[0].target, "ProdnOrdConf2(ConfirmationGroup='0000000208',ConfirmationCount='1')");
    assert.equal((await stock('FG226'))['171A/B0002/01'], '95.000', 'stock moved once');
    assert.equal((await ledger()).length, 1);
    const found = await http.get(CONF + 'ProdnOrdConf2', { auth, params: { $filter: `ExternalSystemConfirmation eq guid'${GUID.toUpperCase()}'`, $expand: 'to_ProdnOrdConfMatlDocItm' } });
    assert.equal(found.status, 200);
    assert.equal(found.data.d.results.length, 1);
    assert.equal(found.data.d.results[0].to_ProdnOrdConfMatlDocItm.results.length, 2);
  });

  it('answers unknown properties, bad types and business errors in the OData v2 error shape, booking nothing', async () => {
    const unknown = await write(CONF + 'ProdnOrdConf2', confirmation({ ManufacturingOrder: '1000123' }));
    assert.equal(unknown.status, 400);
    assert.match(unknown.data.error.message.value, /Property 'ManufacturingOrder' is invalid/);
    assert.equal(unknown.data.error.message.lang, 'en');
    assert.match(unknown.data.error.innererror.transactionid, /^[0-9A-F]{32}$/);
    const number = await write(CONF + 'ProdnOrdConf2', confirmation({ ConfirmationYieldQuantity: 95 }));
    assert.equal(number.status, 400);
    assert.match(number.data.error.message.value, /Edm.Decimal expected as a string/);
    const date = await write(CONF + 'ProdnOrdConf2', confirmation({ PostingDate: '2026-11-27' }));
    assert.equal(date.status, 400);
    const deficit = await write(CONF + 'ProdnOrdConf2', confirmation({
      ExternalSystemConfirmation: undefined,
      to_ProdnOrdConfMatlDocItm: { results: [{ Material: 'RM100', Plant: '1710', StorageLocation: '171B', Batch: 'RB001', GoodsMovementType: '261', EntryUnit: 'KG', QuantityInEntryUnit: '600' }] },
    }));
    assert.equal(deficit.status, 400);
    assert.equal(deficit.data.error.code, 'M7/021');
    assert.match(deficit.data.error.message.value, /Deficit of SL Unrestricted-use 100 KG : RM100 1710 171B RB001/);
    const notReleased = await write(CONF + 'ProdnOrdConf2', confirmation({ OrderID: '1000124', ExternalSystemConfirmation: undefined, to_ProdnOrdConfMatlDocItm: [] }));
    assert.equal(notReleased.status, 400);
    assert.match(notReleased.data.error.message.value, /not released/);
    const missing = await write(CONF + 'ProdnOrdConf2', confirmation({ OrderID: '999', ExternalSystemConfirmation: undefined }));
    assert.equal(missing.status, 404);
    assert.equal((await ledger()).length, 0);
    assert.equal((await stock('RM100'))['171B/RB001/01'], '500.000');
  });

  it('moves stock to blocked (344) and back (343); duplicate header texts book twice, findable by $filter', async () => {
    const doc = (mvt, text) => ({
      GoodsMovementCode: '04', PostingDate: '/Date(1764201600000)/', MaterialDocumentHeaderText: text,
      to_MaterialDocumentItem: [{ Material: 'FG226', Plant: '1710', StorageLocation: '171A', Batch: 'B0001', GoodsMovementType: mvt, EntryUnit: 'PC', QuantityInEntryUnit: '8' }],
    });
    const block = await write(MATDOC + 'A_MaterialDocumentHeader', doc('344', 'HOLD-1'));
    assert.equal(block.status, 201, JSON.stringify(block.data));
    assert.match(block.data.d.MaterialDocument, /^49\d{8}$/);
    assert.equal(block.data.d.to_MaterialDocumentItem.results[0].GoodsMovementType, '344');
    let s = await stock('FG226');
    assert.equal(s['171A/B0001/01'], '12.000');
    assert.equal(s['171A/B0001/07'], '8.000');
    const wrongCode = await write(MATDOC + 'A_MaterialDocumentHeader', { ...doc('344', 'X'), GoodsMovementCode: '03' });
    assert.equal(wrongCode.status, 400);
    assert.equal((await write(MATDOC + 'A_MaterialDocumentHeader', doc('343', 'RELEASE-1'))).status, 201);
    assert.equal((await write(MATDOC + 'A_MaterialDocumentHeader', doc('343', 'RELEASE-1'))).status, 400, 'no blocked stock left');
    assert.equal((await write(MATDOC + 'A_MaterialDocumentHeader', doc('344', 'HOLD-2'))).status, 201);
    assert.equal((await write(MATDOC + 'A_MaterialDocumentHeader', doc('344', 'HOLD-2'))).status, 201, 'SAP does not reject a repeated header text');
    s = await stock('FG226');
    assert.equal(s['171A/B0001/07'], '16.000');
    const dup = (await ledger()).filter((e) => e.key === 'HOLD-2');
    assert.equal(dup.length, 2, 'the ledger shows the double posting');
    const found = await http.get(MATDOC + 'A_MaterialDocumentHeader', { auth, params: { $filter: "MaterialDocumentHeaderText eq 'HOLD-2'", $inlinecount: 'allpages' } });
    assert.equal(found.data.d.__count, '2');
  });

  it('creates and releases production orders and reads routing and components', async () => {
    const created = await write(ORDERS + 'A_ProductionOrder_2', { Material: 'FG226', ProductionPlant: '1710', TotalQuantity: '40', ProductionUnit: 'PC', ManufacturingOrderText: 'key-77' });
    assert.equal(created.status, 201, JSON.stringify(created.data));
    const id = created.data.d.ManufacturingOrder;
    assert.equal(created.data.d.OrderIsReleased, '');
    const rel = await write(`${ORDERS}ReleaseOrder?ManufacturingOrder='${id}'`, undefined);
    assert.equal(rel.status, 200);
    assert.equal(rel.data.d.ReleaseOrder.SystemMessageType, 'S');
    const again = await write(`${ORDERS}ReleaseOrder?ManufacturingOrder='${id}'`, undefined);
    assert.equal(again.data.d.ReleaseOrder.SystemMessageType, 'W');
    const read = await http.get(`${ORDERS}A_ProductionOrder_2('${id}')`, { auth, params: { $expand: 'to_ProductionOrderOperation,to_ProductionOrderComponent' } });
    assert.equal(read.data.d.OrderIsReleased, 'X');
    assert.deepEqual(read.data.d.to_ProductionOrderOperation.results.map((o) => o.WorkCenter), ['ASSY01', 'TEST01']);
    assert.equal(read.data.d.to_ProductionOrderComponent.results[0].RequiredQuantity, '10.000');
    const unknown = await write(`${ORDERS}ReleaseOrder?ManufacturingOrder='42'`, undefined);
    assert.equal(unknown.status, 404);
    assert.deepEqual((await ledger()).map((e) => e.kind), ['production-order', 'order-release']);
  });

  it('creates purchase requisitions and reads products', async () => {
    const pr = await write('/sap/opu/odata/sap/API_PURCHASEREQ_PROCESS_SRV/A_PurchaseRequisitionHeader', {
      PurchaseRequisitionType: 'NB', PurReqnDescription: 'spare-7f3a',
      to_PurchaseReqnItem: [{ Material: 'SP001', Plant: '1710', RequestedQuantity: '2', BaseUnit: 'PC', PurchasingGroup: '001' }],
    });
    assert.equal(pr.status, 201, JSON.stringify(pr.data));
    assert.equal(pr.data.d.PurchaseRequisition, '10000001');
    assert.equal(pr.data.d.to_PurchaseReqnItem.results[0].RequestedQuantity, '2.000');
    const product = await http.get("/sap/opu/odata/sap/API_PRODUCT_SRV/A_Product('FG226')", { auth, params: { $expand: 'to_Description' } });
    assert.equal(product.data.d.IsBatchManagementRequired, true);
    assert.equal(product.data.d.to_Description.results[0].ProductDescription, 'Pump assembly PA-226');
    const bad = await http.get(CONF + 'ProdnOrdConf2', { auth, params: { $filter: "Nope eq 'x'" } });
    assert.equal(bad.status, 400);
    assert.deepEqual((await ledger()).map((e) => [e.kind, e.key]), [['purchase-requisition', 'spare-7f3a']]);
  });

  it('runs $batch: retrievals, and change sets that book all or nothing', async () => {
    const doc = (text, qty) => JSON.stringify({ GoodsMovementCode: '04', MaterialDocumentHeaderText: text, to_MaterialDocumentItem: [{ Material: 'FG226', Plant: '1710', StorageLocation: '171A', Batch: 'B0001', GoodsMovementType: '344', EntryUnit: 'PC', QuantityInEntryUnit: qty }] });
    const post = (path, body) => ['Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', `POST ${path} HTTP/1.1`, 'Content-Type: application/json', 'Accept: application/json', '', body, ''].join('\r\n');
    const batch = (changesets, gets = []) => {
      const parts = changesets.map((ops, i) => ['Content-Type: multipart/mixed; boundary=cs' + i, '', ...ops.map((o) => `--cs${i}\r\n${o}`), `--cs${i}--`, ''].join('\r\n'));
      for (const g of gets) parts.push(['Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', `GET ${g} HTTP/1.1`, 'Accept: application/json', '', ''].join('\r\n'));
      return parts.map((p) => `--batch1\r\n${p}`).join('\r\n') + '\r\n--batch1--\r\n';
    };
    const send = (body) => http.post(MATDOC + '$batch', body, { auth, headers: { 'x-csrf-token': session.token, cookie: session.cookie, 'Content-Type': 'multipart/mixed; boundary=batch1' }, responseType: 'text', transformResponse: (x) => x });
    const ok = await send(batch([[post('A_MaterialDocumentHeader', doc('B-1', '3')), post('/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader', doc('B-2', '4'))]], ["A_MaterialDocumentHeader?$filter=MaterialDocumentHeaderText eq 'B-1'"]));
    assert.equal(ok.status, 202, ok.data);
    assert.match(ok.headers['content-type'], /^multipart\/mixed; boundary=batch_/);
    assert.equal((ok.data.match(/HTTP\/1.1 201 Created/g) || []).length, 2);
    assert.match(ok.data, /HTTP\/1.1 200 OK[\s\S]*"MaterialDocumentHeaderText":"B-1"/, 'the retrieval after the change set sees it');
    assert.equal((await stock('FG226'))['171A/B0001/07'], '7.000');
    const bad = await send(batch([[post('A_MaterialDocumentHeader', doc('B-3', '5')), post('A_MaterialDocumentHeader', doc('B-4', '500'))]]));
    assert.equal(bad.status, 202);
    assert.match(bad.data, /HTTP\/1.1 400 Bad Request[\s\S]*M7\/021/);
    assert.doesNotMatch(bad.data, /201 Created/);
    assert.equal((await stock('FG226'))['171A/B0001/07'], '7.000', 'the first posting of the failed change set was rolled back');
    assert.deepEqual((await ledger()).map((e) => e.key), ['B-1', 'B-2']);
    const noCsrf = await http.post(MATDOC + '$batch', batch([[post('A_MaterialDocumentHeader', doc('B-5', '1'))]]), { auth, headers: { 'Content-Type': 'multipart/mixed; boundary=batch1' } });
    assert.equal(noCsrf.status, 403);
  });

  it('changes an order with PATCH or MERGE guarded by its ETag (If-Match), 428 without, 412 when stale', async () => {
    const url = `${ORDERS}A_ProductionOrder_2('1000124')`;
    const read = await http.get(url, { auth });
    const etag = read.headers.etag;
    assert.match(etag, /^W\/"/);
    assert.equal(read.data.d.__metadata.etag, etag);
    const hdr = (extra) => ({ auth, headers: { 'x-csrf-token': session.token, cookie: session.cookie, ...extra } });
    assert.equal((await http.patch(url, { TotalQuantity: '60' }, hdr({}))).status, 428);
    const ok = await http.patch(url, { TotalQuantity: '60' }, hdr({ 'If-Match': etag }));
    assert.equal(ok.status, 204);
    assert.notEqual(ok.headers.etag, etag);
    const stale = await http.post(url, { ManufacturingOrderText: 'x' }, hdr({ 'If-Match': etag, 'X-HTTP-Method': 'MERGE' }));
    assert.equal(stale.status, 412);
    assert.match(stale.data.error.message.value, /ETag mismatch/);
    const merged = await http.post(url, { ManufacturingOrderText: 'rush' }, hdr({ 'If-Match': ok.headers.etag, 'X-HTTP-Method': 'MERGE' }));
    assert.equal(merged.status, 204);
    const after = await http.get(url, { auth, params: { $expand: 'to_ProductionOrderOperation' } });
    assert.deepEqual([after.data.d.TotalQuantity, after.data.d.ManufacturingOrderText, after.data.d.to_ProductionOrderOperation.results[0].OpPlannedTotalQuantity], ['60.000', 'rush', '60.000']);
    assert.equal((await http.patch(url, { Colour: 'red' }, hdr({ 'If-Match': '*' }))).status, 400);
    assert.deepEqual((await ledger()).map((e) => e.kind), ['order-change', 'order-change']);
  });
});

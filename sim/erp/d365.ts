// Dynamics 365 Finance & Operations surface: an Entra ID style client-credentials token
// endpoint and OData v4 entity sets under /data with bearer tokens, 401 on missing or
// expired tokens and the OData v4 error body.
import { randomBytes, randomUUID } from 'crypto';
import type { SimServer } from '../http/server';
import type { Ctx, Reply, SimRequest } from '../http/types';
import { HttpError } from '../http/types';
import type { ErpConfig } from './index';
import { parseKey, query } from './odata';
import { runBatch } from './sap-batch';
import { ErpError, ErpState, Order, StockType } from './state';

type Row = Record<string, unknown>;
const AREA = 'usmf';
const WAREHOUSE: Record<string, string> = { '171A': '11', '171B': '12', '171Q': '13' };
const SLOC = Object.fromEntries(Object.entries(WAREHOUSE).map(([k, v]) => [v, k]));
const STATUS_ID: Record<StockType, string> = { unrestricted: 'Available', quality: 'QC', blocked: 'Blocked' };
const ORDER_STATUS: Record<Order['status'], string> = { CRTD: 'Created', REL: 'Released', PCNF: 'StartedUp', CNF: 'ReportedFinished', TECO: 'Ended' };
const NS = 'Microsoft.Dynamics.DataEntities';

function d365Error(status: number, message: string, inner = message, type = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataException'): Reply {
  return { status, headers: { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0' }, body: { error: { code: '', message, innererror: { message: inner, type, stacktrace: '' } } } };
}

function aadError(status: number, error: string, code: number, text: string): Reply {
  const trace = randomUUID();
  return { status, body: { error, error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`, error_codes: [code], timestamp: new Date().toISOString(), trace_id: trace, correlation_id: randomUUID() } };
}

interface RafLine { JournalNumber: string; LineNumber: number; ProductionOrderNumber: string; ItemNumber: string; ReportedGoodInventoryQuantity: number; ReportedErrorInventoryQuantity: number; IsLastReportAsFinished: string; ItemBatchNumber: string; ProductionWarehouseId: string; JournalLineDescription: string; TransDate: string; VoucherNumber: string }

export function mountD365(server: SimServer, state: ErpState, cfg: ErpConfig): void {
  const tokens = new Map<string, number>();
  let raf: RafLine[] = [];
  let prHeaders: Array<Record<string, string>> = [];
  let prLines: Array<Record<string, string | number>> = [];
  let prSeq = 1;
  let journal = 1;
  let etag = 1;
  server.onReset(() => { tokens.clear(); raf = []; journal = 1; prHeaders = []; prLines = []; prSeq = 1; });
  server.surface('/data/', 'd365', (status, _code, message) => d365Error(status, message));

  server.route('POST', /^\/(?<tenant>[A-Za-z0-9.-]+)\/oauth2\/v2\.0\/token$/, (r: SimRequest): Reply => {
    const f = new URLSearchParams(r.raw.toString('utf8'));
    if (f.get('grant_type') !== 'client_credentials') return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    const id = f.get('client_id') || '';
    if (!(id in cfg.clients)) return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${id}' was not found in the directory '${r.params.tenant}'.`);
    if (cfg.clients[id] !== f.get('client_secret')) return aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    const scope = f.get('scope') || '';
    if (!scope.endsWith('/.default')) return aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
    tokens.set(token, Date.now() + cfg.tokenTtlSec * 1000);
    return { status: 200, headers: { 'Cache-Control': 'no-store, no-cache' }, body: { token_type: 'Bearer', expires_in: cfg.tokenTtlSec, ext_expires_in: cfg.tokenTtlSec, access_token: token } };
  }, { noFaults: true });

  const etagOf = () => `W/"${Buffer.from(`1,${etag++}`).toString('base64')}"`;
  const orderRow = (o: Order): Row => ({
    '@odata.etag': etagOf(), dataAreaId: AREA, ProductionOrderNumber: `P${o.order}`, ItemNumber: o.material, ProductionOrderStatus: ORDER_STATUS[o.status],
    ScheduledQuantity: o.totalQty, ProductionSiteId: '1', ProductionWarehouseId: '11', ProductionOrderName: o.text, ReportedFinishedQuantity: o.confirmedYield,
    ScheduledStartDate: new Date(o.start).toISOString().replace(/\.\d+Z$/, 'Z'), ScheduledEndDate: new Date(o.end).toISOString().replace(/\.\d+Z$/, 'Z'),
  });
  const sets: Record<string, { keys: string[]; props: string[]; list: () => Row[]; create?: (b: Row, ctx: Ctx) => Row }> = {
    ReleasedProductsV2: {
      keys: ['dataAreaId', 'ItemNumber'], props: ['dataAreaId', 'ItemNumber', 'ProductName', 'InventoryUnitSymbol', 'ProductType'],
      list: () => [...state.materials.values()].map((m) => ({ '@odata.etag': etagOf(), dataAreaId: AREA, ItemNumber: m.material, ProductName: m.description, InventoryUnitSymbol: m.baseUnit === 'PC' ? 'ea' : m.baseUnit.toLowerCase(), ProductType: 'Item' })),
    },
    ProductionOrderHeaders: {
      keys: ['dataAreaId', 'ProductionOrderNumber'],
      props: ['dataAreaId', 'ProductionOrderNumber', 'ItemNumber', 'ProductionOrderStatus', 'ScheduledQuantity', 'ProductionSiteId', 'ProductionWarehouseId', 'ProductionOrderName', 'ReportedFinishedQuantity', 'ScheduledStartDate', 'ScheduledEndDate'],
      list: () => [...state.orders.values()].map(orderRow),
      create: (b, ctx) => {
        if (!b.ItemNumber) throw new HttpError(400, 'Write failed for table row of type \'ProdTableEntity\'. Field \'Item number\' must be filled in.');
        const qty = Number(b.ScheduledQuantity);
        const o = state.createOrder({ material: String(b.ItemNumber), plant: '1710', qty, text: String(b.ProductionOrderName || '') });
        if (b.ProductionOrderStatus === 'Released') state.releaseOrder(o.order);
        ctx.book('production-order', o.text || null, `P${o.order}`);
        return orderRow(o);
      },
    },
    ProductionOrderReportAsFinishedJournalEntries: {
      keys: ['dataAreaId', 'JournalNumber', 'LineNumber'],
      props: ['dataAreaId', 'JournalNumber', 'LineNumber', 'ProductionOrderNumber', 'ItemNumber', 'ReportedGoodInventoryQuantity', 'ReportedErrorInventoryQuantity', 'IsLastReportAsFinished', 'ItemBatchNumber', 'ProductionWarehouseId', 'JournalLineDescription', 'TransDate', 'VoucherNumber'],
      list: () => raf.map((l) => ({ '@odata.etag': etagOf(), dataAreaId: AREA, ...l })),
      create: (b, ctx) => {
        const num = String(b.ProductionOrderNumber || '');
        if (!/^P\d+$/.test(num)) throw new HttpError(400, `Production order '${num}' does not exist.`);
        const o = state.order(num.slice(1));
        if (o.status === 'CRTD') throw new HttpError(400, `Production order ${num} has status Created; it must be released or started before it can be reported as finished.`);
        const good = Number(b.ReportedGoodInventoryQuantity ?? 0);
        const bad = Number(b.ReportedErrorInventoryQuantity ?? 0);
        if (!(good >= 0) || !(bad >= 0) || good + bad === 0) throw new HttpError(400, 'Quantity must be greater than zero.');
        const wh = String(b.ProductionWarehouseId || '11');
        if (!SLOC[wh]) throw new HttpError(400, `Warehouse ${wh} does not exist.`);
        const doc = good > 0 ? state.postMovements([{ material: o.material, plant: o.plant, storageLocation: SLOC[wh], batch: String(b.ItemBatchNumber || ''), movementType: '101', qty: good, unit: o.unit, order: o.order }], { code: '02', headerText: String(b.JournalLineDescription || '').slice(0, 25) }) : undefined;
        o.confirmedYield += good;
        o.confirmedScrap += bad;
        o.status = b.IsLastReportAsFinished === 'Yes' || o.confirmedYield >= o.totalQty ? 'CNF' : 'PCNF';
        const line: RafLine = {
          JournalNumber: `PRD-${String(journal++).padStart(6, '0')}`, LineNumber: 1, ProductionOrderNumber: num, ItemNumber: o.material, ReportedGoodInventoryQuantity: good,
          ReportedErrorInventoryQuantity: bad, IsLastReportAsFinished: b.IsLastReportAsFinished === 'Yes' ? 'Yes' : 'No', ItemBatchNumber: String(b.ItemBatchNumber || ''),
          ProductionWarehouseId: wh, JournalLineDescription: String(b.JournalLineDescription || ''), TransDate: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          VoucherNumber: doc ? `WMS-${doc.number}` : '',
        };
        raf.push(line);
        ctx.book('report-as-finished', line.JournalLineDescription || null, line.JournalNumber);
        return { '@odata.etag': etagOf(), dataAreaId: AREA, ...line };
      },
    },
    PurchaseRequisitionHeadersV2: {
      keys: ['dataAreaId', 'RequisitionNumber'],
      props: ['dataAreaId', 'RequisitionNumber', 'RequisitionName', 'RequisitionStatus', 'RequisitionPurpose', 'PreparerPersonnelNumber'],
      list: () => prHeaders.map((h) => ({ '@odata.etag': etagOf(), dataAreaId: AREA, ...h })),
      create: (b, ctx) => {
        if (!b.RequisitionName) throw new HttpError(400, "Field 'Name' must be filled in.");
        const h = { RequisitionNumber: `PR-${String(prSeq++).padStart(6, '0')}`, RequisitionName: String(b.RequisitionName), RequisitionStatus: 'Draft', RequisitionPurpose: String(b.RequisitionPurpose || 'Consumption'), PreparerPersonnelNumber: String(b.PreparerPersonnelNumber || '000001') };
        prHeaders.push(h);
        ctx.book('purchase-requisition', h.RequisitionName, h.RequisitionNumber);
        return { '@odata.etag': etagOf(), dataAreaId: AREA, ...h };
      },
    },
    PurchaseRequisitionLines: {
      keys: ['dataAreaId', 'RequisitionNumber', 'RequisitionLineNumber'],
      props: ['dataAreaId', 'RequisitionNumber', 'RequisitionLineNumber', 'ItemNumber', 'LineDescription', 'RequestedPurchaseQuantity', 'PurchaseUnitSymbol', 'RequestedDate', 'ReceivingSiteId', 'ReceivingWarehouseId'],
      list: () => prLines.map((l) => ({ '@odata.etag': etagOf(), dataAreaId: AREA, ...l })),
      create: (b, ctx) => {
        const num = String(b.RequisitionNumber || '');
        if (!prHeaders.some((h) => h.RequisitionNumber === num)) throw new HttpError(400, `Purchase requisition ${num} does not exist.`);
        const m = state.material(String(b.ItemNumber || ''));
        const qty = Number(b.RequestedPurchaseQuantity);
        if (!(qty > 0)) throw new HttpError(400, 'Quantity must be greater than zero.');
        const l = {
          RequisitionNumber: num, RequisitionLineNumber: prLines.filter((x) => x.RequisitionNumber === num).length + 1, ItemNumber: m.material, LineDescription: String(b.LineDescription || m.description),
          RequestedPurchaseQuantity: qty, PurchaseUnitSymbol: String(b.PurchaseUnitSymbol || (m.baseUnit === 'PC' ? 'ea' : m.baseUnit.toLowerCase())),
          RequestedDate: String(b.RequestedDate || new Date(Date.now() + 7 * 86400000).toISOString().slice(0, 10) + 'T12:00:00Z'), ReceivingSiteId: String(b.ReceivingSiteId || '1'), ReceivingWarehouseId: String(b.ReceivingWarehouseId || '12'),
        };
        prLines.push(l);
        ctx.book('purchase-requisition-line', `${num}/${l.RequisitionLineNumber}`, `${num}/${l.RequisitionLineNumber}`);
        return { '@odata.etag': etagOf(), dataAreaId: AREA, ...l };
      },
    },
    WarehousesOnHandV2: {
      keys: ['ItemNumber', 'InventorySiteId', 'InventoryWarehouseId', 'ItemBatchNumber', 'InventoryStatusId'],
      props: ['dataAreaId', 'ItemNumber', 'InventorySiteId', 'InventoryWarehouseId', 'ItemBatchNumber', 'InventoryStatusId', 'OnHandQuantity', 'AvailableOnHandQuantity'],
      list: () => state.stockRows().map((s) => ({
        '@odata.etag': etagOf(), dataAreaId: AREA, ItemNumber: s.material, InventorySiteId: '1', InventoryWarehouseId: WAREHOUSE[s.storageLocation], ItemBatchNumber: s.batch,
        InventoryStatusId: STATUS_ID[s.stockType], OnHandQuantity: s.qty, AvailableOnHandQuantity: s.stockType === 'unrestricted' ? s.qty : 0,
      })),
    },
  };

  const booked: Array<[string, string | null | undefined, string]> = [];
  server.route('*', /^\/data\/?(?<rest>.*)$/, (r: SimRequest, ctx: Ctx): Reply => {
    const auth = String(r.headers.authorization || '');
    const exp = auth.startsWith('Bearer ') ? tokens.get(auth.slice(7)) : undefined;
    if (!exp || Date.now() >= exp) {
      if (exp) tokens.delete(auth.slice(7));
      return { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } };
    }
    if (r.params.rest !== '$batch') return one(r, ctx);
    if (r.method !== 'POST') return d365Error(405, "The requested resource does not support http method '" + r.method + "'.");
    let reply: Reply;
    try {
      // D365 answers a batch with 200 even when parts failed: every part must be checked
      reply = runBatch(r.raw.toString('utf8'), String(r.headers['content-type'] || ''), '/data/', (s) => {
        const raw = Buffer.from(s.body);
        const sub: SimRequest = {
          method: s.method, path: `/data/${s.rest}`, query: s.query, headers: { ...r.headers, ...s.headers }, raw, params: { rest: s.rest }, req: r.req,
          json() {
            try { return JSON.parse(s.body); } catch (e) { throw new HttpError(400, `The request body is not valid JSON: ${(e as Error).message}`); }
          },
        };
        return one(sub, { book: (...a) => booked.push(a) });
      }, (fn) => {
        const snap = state.snapshot();
        const lens = [raf.length, prHeaders.length, prLines.length, prSeq, journal];
        const mark = booked.length;
        if (!fn()) {
          state.restore(snap);
          [raf.length, prHeaders.length, prLines.length, prSeq, journal] = lens;
          booked.length = mark;
        }
      }, { status: 200, refuse: (m) => d365Error(400, m) });
    } catch (e) {
      booked.length = 0;
      if (e instanceof HttpError) return d365Error(e.status, e.message);
      throw e;
    }
    for (const b of booked.splice(0)) ctx.book(...b);
    return reply;
  });

  function one(r: SimRequest, ctx: Ctx): Reply {
    const base = `http://${r.headers.host || '127.0.0.1'}/data/`;
    const rest = r.params.rest || '';
    const m = /^(?<set>[A-Za-z0-9_]+)(?<key>\(.*\))?$/.exec(rest);
    const set = m && sets[m.groups!.set];
    if (!m || !set) return d365Error(404, `No HTTP resource was found that matches the request URI '${base}${rest}'.`);
    const json = { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0' };
    try {
      if (r.method === 'POST' && !m.groups!.key && set.create) {
        const b = r.json() as Row;
        if (typeof b !== 'object' || b === null || Array.isArray(b)) return d365Error(400, 'An error has occurred.', 'The request body must be a JSON object.');
        for (const k of Object.keys(b)) {
          if (!k.startsWith('@odata') && !set.props.includes(k)) {
            return d365Error(400, 'An error has occurred.', `The property '${k}' does not exist on type '${NS}.${m.groups!.set.replace(/s$/, '')}'. Make sure to only use property names that are defined by the type or mark the type as open type.`, 'Microsoft.OData.ODataException');
          }
        }
        const row = set.create(b, ctx);
        const key = set.keys.map((k) => `${k}='${row[k]}'`).join(',');
        return { status: 201, headers: { ...json, Location: `${base}${m.groups!.set}(${key})` }, body: { '@odata.context': `${base}$metadata#${m.groups!.set}/$entity`, ...row } };
      }
      if (r.method !== 'GET') return d365Error(405, `The requested resource does not support http method '${r.method}'.`);
      const all = set.list();
      if (m.groups!.key) {
        const k = parseKey(m.groups!.key);
        const row = all.find((x) => Object.entries(k).every(([kk, v]) => kk === '' ? String(x[set.keys[set.keys.length - 1]]) === v : String(x[kk]) === v));
        if (!row) return d365Error(404, `No HTTP resource was found that matches the request URI '${base}${rest}'.`);
        return { status: 200, headers: json, body: { '@odata.context': `${base}$metadata#${m.groups!.set}/$entity`, ...row } };
      }
      const { rows, count } = query(all, r.query, set.props);
      const body: Row = { '@odata.context': `${base}$metadata#${m.groups!.set}` };
      if (r.query.get('$count') === 'true') body['@odata.count'] = count;
      body.value = rows;
      return { status: 200, headers: json, body };
    } catch (e) {
      if (e instanceof ErpError) return d365Error(e.kind === 'not-found' ? 404 : 400, e.message.replace(/^Order /, 'Production order '), e.message, 'Microsoft.Dynamics.Ax.Xpp.ErrorException');
      if (e instanceof HttpError) return d365Error(e.status, e.message, e.message);
      throw e;
    }
  }
}

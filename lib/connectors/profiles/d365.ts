// Dynamics 365 Finance & Operations (OData v4 data entities, OAuth2 client credentials):
// report as finished (production confirmation / goods receipt), production orders,
// released products, on-hand stock. 429 + Retry-After is honoured by the HTTP core.
// Exactly-once: JournalLineDescription carries the posting reference (looked up before a
// retry), ProductionOrderName the reference of a created order.
import { ConnectorError } from '../errors';
import type { OpInput, OpResult } from '../types';
import { availability, ItemInfo, KeyInfo, need, OpImpl, opt, OrderInfo, ProfileFactory, StockRow } from './profile';

const lit = (s: unknown) => `'${String(s).replace(/'/g, "''")}'`;
const STOCK_TYPES: Record<string, StockRow['stockType']> = { Available: 'unrestricted', QC: 'quality', Blocked: 'blocked' };
const STATUS: Record<string, string> = { Created: 'CRTD', Estimated: 'CRTD', Scheduled: 'CRTD', Released: 'REL', StartedUp: 'REL', ReportedFinished: 'CNF', Ended: 'CLSD' };

export const d365: ProfileFactory = (http, cfg) => {
  const company = cfg.company || 'usmf';
  const wh = (sloc: unknown): string | undefined => (sloc === undefined || sloc === null || sloc === '' ? undefined : (cfg.locations || {})[String(sloc)] ?? String(sloc));

  const get = async (set: string, op: string, filter?: string, extra: Record<string, string> = {}) => {
    const res = await http.request({ method: 'GET', path: `/data/${set}`, op, params: { ...(filter ? { $filter: filter } : {}), 'cross-company': 'true', ...extra } });
    return (res.data && Array.isArray(res.data.value) ? res.data.value : []) as any[];
  };
  const post = async (set: string, body: unknown, op: string) => (await http.request({ method: 'POST', path: `/data/${set}`, body, op })).data || {};

  const rafResult = (d: any): OpResult => {
    const doc = String(d.JournalNumber || d.JournalLineNumber || d.JournalLineDescription || d.ProductionOrderNumber);
    return { document: doc, references: { erpReportAsFinished: doc, erpOrder: String(d.ProductionOrderNumber) } };
  };

  async function reportAsFinished(op: string, i: OpInput, k: KeyInfo, good: number, error: number, final: boolean): Promise<OpResult> {
    const body: Record<string, unknown> = {
      dataAreaId: company, ProductionOrderNumber: need(i, 'orderId', op), ReportedGoodInventoryQuantity: good,
      ReportedErrorInventoryQuantity: error, IsLastReportAsFinished: final ? 'Yes' : 'No', JournalLineDescription: k.ref,
    };
    if (i.lot) body.ItemBatchNumber = String(i.lot);
    const w = wh(i.storageLocation);
    if (w) body.ProductionWarehouseId = w;
    return rafResult(await post('ProductionOrderReportAsFinishedJournalEntries', body, op));
  }
  async function findRaf(k: KeyInfo, op: string): Promise<OpResult | undefined> {
    const rows = await get('ProductionOrderReportAsFinishedJournalEntries', `${op} lookup`, `JournalLineDescription eq ${lit(k.ref)}`, { $top: '1' });
    return rows[0] ? rafResult(rows[0]) : undefined;
  }

  async function order(orderId: string, op: string): Promise<OrderInfo> {
    const rows = await get('ProductionOrderHeaders', op, `ProductionOrderNumber eq ${lit(orderId)} and dataAreaId eq ${lit(company)}`);
    if (!rows.length) {
      throw new ConnectorError(`production order ${orderId} not found in company ${company}`, { kind: 'not-found', retryable: false, status: 404, operation: op });
    }
    const d = rows[0];
    return {
      orderId: d.ProductionOrderNumber, material: d.ItemNumber, plant: opt(d.ProductionSiteId), quantity: { value: Number(d.ScheduledQuantity), unit: d.InventoryUnitSymbol || '' },
      status: STATUS[d.ProductionOrderStatus] || d.ProductionOrderStatus, released: ['Released', 'StartedUp', 'ReportedFinished', 'Ended'].includes(d.ProductionOrderStatus),
      description: opt(d.ProductionOrderName),
    };
  }

  /** Header (RequisitionName = posting reference) then its line; a lost reply between the two resumes at the line. */
  async function requisition(i: OpInput, k: KeyInfo, create: boolean): Promise<OpResult | undefined> {
    const op = 'requestPurchase';
    let [h] = await get('PurchaseRequisitionHeadersV2', `${op} lookup`, `RequisitionName eq ${lit(k.ref)}`, { $top: '1' });
    if (!h && !create) return undefined;
    if (!h) h = await post('PurchaseRequisitionHeadersV2', { dataAreaId: company, RequisitionName: k.ref, RequisitionPurpose: 'Consumption' }, op);
    const num = String(h.RequisitionNumber);
    const lines = await get('PurchaseRequisitionLines', `${op} lookup`, `RequisitionNumber eq ${lit(num)}`);
    if (!lines.length) {
      if (!create) return undefined;
      const line: Record<string, unknown> = { dataAreaId: company, RequisitionNumber: num, ItemNumber: need(i, 'material', op), RequestedPurchaseQuantity: Number(i.quantity.value) };
      if (i.neededBy) line.RequestedDate = new Date(i.neededBy).toISOString();
      if (i.text || i.equipment) line.LineDescription = String(i.text || `for ${i.equipment}`);
      const w = wh(i.storageLocation);
      if (w) line.ReceivingWarehouseId = w;
      await post('PurchaseRequisitionLines', line, op);
    }
    return { document: num, references: { erpPurchaseRequisition: num } };
  }

  const ops: Record<string, OpImpl> = {
    confirmProduction: {
      run: (i, k) => reportAsFinished('confirmProduction', i, k, Number(i.yield.value), Number(i.scrap?.value || 0), !!i.finalConfirmation),
      lookup: (_i, k) => findRaf(k, 'confirmProduction'),
    },
    postGoodsReceipt: {
      run: (i, k) => reportAsFinished('postGoodsReceipt', i, k, Number(i.quantity.value), 0, !!i.finalConfirmation),
      lookup: (_i, k) => findRaf(k, 'postGoodsReceipt'),
    },
    createProductionOrder: {
      async run(i, k) {
        const op = 'createProductionOrder';
        const body: Record<string, unknown> = { dataAreaId: company, ItemNumber: need(i, 'material', op), ScheduledQuantity: Number(i.quantity.value), ProductionOrderName: k.ref };
        if (i.site) body.ProductionSiteId = String(i.site);
        const w = wh(i.storageLocation);
        if (w) body.ProductionWarehouseId = w;
        const d = await post('ProductionOrderHeaders', body, op);
        return { document: d.ProductionOrderNumber, references: { erpOrder: d.ProductionOrderNumber } };
      },
      async lookup(_i, k) {
        const rows = await get('ProductionOrderHeaders', 'createProductionOrder lookup', `ProductionOrderName eq ${lit(k.ref)}`, { $top: '1' });
        return rows[0] ? { document: rows[0].ProductionOrderNumber, references: { erpOrder: rows[0].ProductionOrderNumber } } : undefined;
      },
    },
    requestPurchase: {
      run: async (i, k) => (await requisition(i, k, true))!,
      lookup: (i, k) => requisition(i, k, false),
    },
    getProductionOrder: {
      async run(i) {
        const o = await order(String(i.orderId), 'getProductionOrder');
        return { document: o.orderId, references: { erpOrder: o.orderId }, data: o };
      },
    },
    getItem: {
      async run(i) {
        const rows = await get('ReleasedProductsV2', 'getItem', `ItemNumber eq ${lit(i.material)} and dataAreaId eq ${lit(company)}`);
        if (!rows.length) {
              throw new ConnectorError(`item ${i.material} not found in company ${company}`, { kind: 'not-found', retryable: false, status: 404, operation: 'getItem' });
        }
        const d = rows[0];
        const info: ItemInfo = { material: d.ItemNumber, description: opt(d.ProductName), baseUnit: opt(d.InventoryUnitSymbol), type: opt(d.ProductType) };
        return { document: info.material, references: { erpMaterial: info.material }, data: info };
      },
    },
    checkAvailability: {
      async run(i) {
        const f = [`ItemNumber eq ${lit(i.material)}`];
        if (i.lot) f.push(`ItemBatchNumber eq ${lit(i.lot)}`);
        const w = wh(i.storageLocation);
        if (w) f.push(`InventoryWarehouseId eq ${lit(w)}`);
        const rows: StockRow[] = (await get('WarehousesOnHandV2', 'checkAvailability', f.join(' and ')))
          .filter((r) => STOCK_TYPES[r.InventoryStatusId] && Number(r.OnHandQuantity) > 0)
          .map((r) => ({ storageLocation: r.InventoryWarehouseId, lot: opt(r.ItemBatchNumber), stockType: STOCK_TYPES[r.InventoryStatusId], quantity: Number(r.OnHandQuantity), unit: r.InventoryUnitSymbol || '' }));
        return { document: String(i.material), references: {}, data: availability(String(i.material), i.plant, rows) };
      },
    },
  };
  return { name: 'd365', ops: cfg.role === 'erp' ? ops : {} };
};

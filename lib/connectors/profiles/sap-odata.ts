// SAP S/4HANA OData v2: production confirmations, production orders, material documents,
// material stock, purchase requisitions and the product master.
// Exactly-once carriers: ExternalSystemConfirmation (a GUID from the key) for
// confirmations, which SAP rejects as duplicate (RU/505); MaterialDocumentHeaderText,
// ManufacturingOrderText and PurReqnDescription for the others, looked up before a retry.
import { isConnectorError } from '../errors';
import type { OpInput, OpResult } from '../types';
import { availability, ItemInfo, KeyInfo, need, OpImpl, opt, OrderInfo, Profile, ProfileFactory, StockRow } from './profile';
import { dec, fromSapDate, lit, results, SapSession, sapDate, unwrap } from './sap-session';

const CONF = 'API_PROD_ORDER_CONFIRMATION_2_SRV';
const ORDER = 'API_PRODUCTION_ORDER_2_SRV';
const MATDOC = 'API_MATERIAL_DOCUMENT_SRV';
const STOCK = 'API_MATERIAL_STOCK_SRV';
const PURREQ = 'API_PURCHASEREQ_PROCESS_SRV';
const PRODUCT = 'API_PRODUCT_SRV';

const STOCK_TYPES: Record<string, StockRow['stockType']> = { '01': 'unrestricted', '02': 'quality', '07': 'blocked' };
// GoodsMovementCode by movement type: 02 receipt for order, 03 goods issue, 04 transfer posting
const MOVEMENT_CODE: Record<string, string> = { '101': '02', '102': '02', '261': '03', '262': '03', '343': '04', '344': '04', '321': '04', '322': '04', '311': '04' };

function confirmationResult(d: any): OpResult {
  const conf = `${d.ConfirmationGroup}/${d.ConfirmationCount}`;
  const references: Record<string, string> = { erpConfirmation: conf };
  // the goods movements' material document: on the header or on the (expanded) items
  const item = d.MaterialDocument ? d : results(d.to_ProdnOrdConfMatlDocItm).find((x) => x.MaterialDocument);
  if (item) references.erpMaterialDocument = `${item.MaterialDocument}/${item.MaterialDocumentYear}`;
  return { document: conf, references };
}

function matdocResult(d: any): OpResult {
  const doc = `${d.MaterialDocument}/${d.MaterialDocumentYear}`;
  return { document: doc, references: { erpMaterialDocument: doc } };
}

export const sapOdata: ProfileFactory = (http, cfg) => {
  const sap = new SapSession(http, cfg);

  async function stockRows(op: string, material: string, plant?: string, lot?: string, sloc?: string): Promise<StockRow[]> {
    const f = [`Material eq ${lit(material)}`];
    if (plant) f.push(`Plant eq ${lit(plant)}`);
    if (lot) f.push(`Batch eq ${lit(lot)}`);
    if (sloc) f.push(`StorageLocation eq ${lit(sloc)}`);
    const res = await sap.read(STOCK, 'A_MatlStkInAcctMod', op, { $filter: f.join(' and ') });
    return results(res.data)
      .filter((r) => STOCK_TYPES[r.InventoryStockType])
      .map((r) => ({
        storageLocation: r.StorageLocation, lot: opt(r.Batch), stockType: STOCK_TYPES[r.InventoryStockType],
        quantity: Number(r.MatlWrhsStkQtyInMatlBaseUnit), unit: r.MaterialBaseUnit,
      }));
  }

  async function postMatdoc(op: string, k: KeyInfo, movement: string, items: Record<string, unknown>[], i: OpInput): Promise<OpResult> {
    const body = {
      GoodsMovementCode: MOVEMENT_CODE[movement], PostingDate: sapDate(i.postingDate), DocumentDate: sapDate(i.documentDate),
      MaterialDocumentHeaderText: k.ref,
      to_MaterialDocumentItem: items.map((it) => ({ GoodsMovementType: movement, ...it })),
    };
    const res = await sap.write('POST', MATDOC, 'A_MaterialDocumentHeader', body, op);
    return matdocResult(unwrap(res.data));
  }

  async function findMatdoc(op: string, k: KeyInfo): Promise<OpResult | undefined> {
    const res = await sap.read(MATDOC, 'A_MaterialDocumentHeader', `${op} lookup`, { $filter: `MaterialDocumentHeaderText eq ${lit(k.ref)}`, $top: '1' });
    const d = results(res.data)[0];
    return d ? matdocResult(d) : undefined;
  }

  const item = (i: OpInput, op: string, extra: Record<string, unknown> = {}) => ({
    Material: need(i, 'material', op), Plant: need(i, 'plant', op), StorageLocation: need(i, 'storageLocation', op),
    ...(i.lot ? { Batch: String(i.lot) } : {}), EntryUnit: i.quantity.unit, QuantityInEntryUnit: dec(i.quantity.value), ...extra,
  });

  /** 344/343: the given quantity, or all of the lot's unrestricted (344) / blocked (343) stock. */
  async function holdItems(i: OpInput, op: string, from: StockRow['stockType']): Promise<Record<string, unknown>[]> {
    const base = { Material: need(i, 'material', op), Plant: need(i, 'plant', op), Batch: need(i, 'lot', op) };
    if (i.quantity) return [{ ...base, StorageLocation: need(i, 'storageLocation', op), EntryUnit: i.quantity.unit, QuantityInEntryUnit: dec(i.quantity.value) }];
    if (Array.isArray(i.stockRows) && i.stockRows.length) {
      return i.stockRows.map((r: any) => ({ ...base, StorageLocation: r.storageLocation, EntryUnit: r.quantity.unit, QuantityInEntryUnit: dec(r.quantity.value) }));
    }
    const rows = (await stockRows(op, base.Material, base.Plant, base.Batch, opt(i.storageLocation))).filter((r) => r.stockType === from && r.quantity > 0);
    if (!rows.length) throw new Error(`${op}: lot ${base.Batch} of ${base.Material} has no ${from} stock in plant ${base.Plant}`);
    return rows.map((r) => ({ ...base, StorageLocation: r.storageLocation, EntryUnit: r.unit, QuantityInEntryUnit: dec(r.quantity) }));
  }

  async function readOrder(orderId: string, op: string): Promise<OrderInfo> {
    const res = await sap.read(ORDER, `A_ProductionOrder_2(${lit(orderId)})`, op, { $expand: 'to_ProductionOrderOperation,to_ProductionOrderComponent' });
    const d = unwrap(res.data);
    const flag = (v: unknown) => v === 'X' || v === true;
    const status = flag(d.OrderIsClosed) ? 'CLSD' : flag(d.OrderIsTechnicallyCompleted) ? 'TECO' : flag(d.OrderIsDelivered) ? 'DLV'
      : flag(d.OrderIsConfirmed) ? 'CNF' : flag(d.OrderIsPartiallyConfirmed) ? 'PCNF' : flag(d.OrderIsReleased) ? 'REL' : 'CRTD';
    return {
      orderId: d.ManufacturingOrder, orderType: opt(d.ManufacturingOrderType), material: d.Material, plant: opt(d.ProductionPlant),
      quantity: { value: Number(d.TotalQuantity), unit: d.ProductionUnit }, confirmedYield: Number(d.MfgOrderConfirmedYieldQty || 0),
      status, released: flag(d.OrderIsReleased), scheduledStart: fromSapDate(d.MfgOrderPlannedStartDate),
      scheduledEnd: fromSapDate(d.MfgOrderPlannedEndDate), description: opt(d.ManufacturingOrderText),
      operations: results(d.to_ProductionOrderOperation).map((o) => ({
        operationId: o.ManufacturingOrderOperation, workCenter: opt(o.WorkCenter), costCenter: opt(o.CostCenter),
        description: opt(o.MfgOrderOperationText), plannedQuantity: Number(o.OpPlannedTotalQuantity || 0), confirmedYield: Number(o.OpTotalConfirmedYieldQty || 0),
      })),
      components: results(d.to_ProductionOrderComponent).map((c) => ({
        material: c.Material, quantity: { value: Number(c.RequiredQuantity), unit: c.BaseUnit }, storageLocation: opt(c.StorageLocation),
        lot: opt(c.Batch), reservation: opt(c.Reservation), reservationItem: opt(c.ReservationItem),
      })),
    };
  }

  const ops: Record<string, OpImpl> = {
    confirmProduction: {
      // SAP refuses a second confirmation with the same ExternalSystemConfirmation (RU/505)
      safeRetry: true,
      async run(i, k) {
        const op = 'confirmProduction';
        const unit = i.yield.unit;
        const body: Record<string, unknown> = {
          OrderID: String(i.orderId), OrderOperation: String(i.operationId), Sequence: String(i.sequence ?? '0'),
          ConfirmationUnit: unit, ConfirmationYieldQuantity: dec(i.yield.value),
          ConfirmationScrapQuantity: dec(i.scrap ? i.scrap.value : 0), ConfirmationReworkQuantity: dec(i.rework ? i.rework.value : 0),
          IsFinalConfirmation: !!i.finalConfirmation, PostingDate: sapDate(i.postingDate), ExternalSystemConfirmation: k.guid,
        };
        if (i.varianceReason?.code) body.VarianceReasonCode = String(i.varianceReason.code);
        if (i.confirmationText) body.ConfirmationText = String(i.confirmationText).slice(0, 40);
        const moves = Array.isArray(i.goodsMovements) ? i.goodsMovements : [];
        if (moves.length) {
          body.to_ProdnOrdConfMatlDocItm = moves.map((m: any) => ({
            Material: String(m.material), Plant: String(m.plant || i.plant || ''), StorageLocation: String(m.storageLocation || i.storageLocation || ''),
            ...(m.lot ? { Batch: String(m.lot) } : {}), GoodsMovementType: String(m.movementType), EntryUnit: m.quantity.unit,
            QuantityInEntryUnit: dec(m.quantity.value), OrderID: String(i.orderId),
            ...(m.reservation ? { Reservation: String(m.reservation), ReservationItem: String(m.reservationItem || '') } : {}),
          }));
        }
        try {
          const res = await sap.write('POST', CONF, 'ProdnOrdConf2', body, op);
          return confirmationResult(unwrap(res.data));
        } catch (err) {
          // SAP refuses a second confirmation with the same external id: that is our duplicate
          if (isConnectorError(err) && err.code === 'RU/505') {
            const found = await ops.confirmProduction.lookup!(i, k);
            if (found) return { ...found, replayed: true };
          }
          throw err;
        }
      },
      async lookup(_i, k) {
        const res = await sap.read(CONF, 'ProdnOrdConf2', 'confirmProduction lookup', { $filter: `ExternalSystemConfirmation eq guid'${k.guid}'`, $top: '1' });
        const d = results(res.data)[0];
        return d ? confirmationResult(d) : undefined;
      },
    },
    postGoodsIssue: {
      run: (i, k) => postMatdoc('postGoodsIssue', k, '261', [item(i, 'postGoodsIssue', {
        ManufacturingOrder: String(i.orderId), ...(i.reservation ? { Reservation: String(i.reservation) } : {}),
      })], i),
      lookup: (_i, k) => findMatdoc('postGoodsIssue', k),
    },
    postGoodsReceipt: {
      run: (i, k) => postMatdoc('postGoodsReceipt', k, '101', [item(i, 'postGoodsReceipt', { ManufacturingOrder: String(i.orderId) })], i),
      lookup: (_i, k) => findMatdoc('postGoodsReceipt', k),
    },
    placeQualityHold: {
      run: async (i, k) => postMatdoc('placeQualityHold', k, '344', await holdItems(i, 'placeQualityHold', 'unrestricted'), i),
      lookup: (_i, k) => findMatdoc('placeQualityHold', k),
    },
    releaseQualityHold: {
      run: async (i, k) => postMatdoc('releaseQualityHold', k, '343', await holdItems(i, 'releaseQualityHold', 'blocked'), i),
      lookup: (_i, k) => findMatdoc('releaseQualityHold', k),
    },
    createProductionOrder: {
      async run(i, k) {
        const op = 'createProductionOrder';
        const body: Record<string, unknown> = {
          Material: need(i, 'material', op), ProductionPlant: need(i, 'plant', op), TotalQuantity: dec(i.quantity.value),
          ProductionUnit: i.quantity.unit, ManufacturingOrderText: k.ref,
        };
        if (i.orderType) body.ManufacturingOrderType = String(i.orderType);
        if (i.scheduledStart) body.MfgOrderPlannedStartDate = sapDate(i.scheduledStart);
        if (i.scheduledEnd) body.MfgOrderPlannedEndDate = sapDate(i.scheduledEnd);
        const res = await sap.write('POST', ORDER, 'A_ProductionOrder_2', body, op);
        const d = unwrap(res.data);
        return { document: d.ManufacturingOrder, references: { erpOrder: d.ManufacturingOrder } };
      },
      async lookup(_i, k) {
        const res = await sap.read(ORDER, 'A_ProductionOrder_2', 'createProductionOrder lookup', { $filter: `ManufacturingOrderText eq ${lit(k.ref)}`, $top: '1' });
        const d = results(res.data)[0];
        return d ? { document: d.ManufacturingOrder, references: { erpOrder: d.ManufacturingOrder } } : undefined;
      },
    },
    releaseProductionOrder: {
      async run(i) {
        const op = 'releaseProductionOrder';
        const res = await sap.write('POST', ORDER, `ReleaseOrder?ManufacturingOrder=${encodeURIComponent(lit(i.orderId))}`, undefined, op);
        const d = unwrap(res.data);
        const m = d && d.ReleaseOrder ? d.ReleaseOrder : d || {};
        if (m.SystemMessageType === 'E' || m.SystemMessageType === 'A') {
          throw Object.assign(new Error(`SAP refused the release: ${m.SystemMessageLongText || m.SystemMessageNumber}`), { business: true });
        }
        const order = await readOrder(String(i.orderId), op);
        return { document: order.orderId, references: { erpOrder: order.orderId }, data: { ...order, message: m.SystemMessageLongText, messageType: m.SystemMessageType } };
      },
    },
    getProductionOrder: {
      async run(i) {
        const order = await readOrder(String(i.orderId), 'getProductionOrder');
        return { document: order.orderId, references: { erpOrder: order.orderId }, data: order };
      },
    },
    getRouting: {
      async run(i) {
        const order = await readOrder(String(i.orderId), 'getRouting');
        return { document: order.orderId, references: { erpOrder: order.orderId }, data: { orderId: order.orderId, material: order.material, plant: order.plant, operations: order.operations } };
      },
    },
    getItem: {
      async run(i) {
        const res = await sap.read(PRODUCT, `A_Product(${lit(i.material)})`, 'getItem', { $expand: 'to_Description' });
        const d = unwrap(res.data);
        const descs = results(d.to_Description);
        const en = descs.find((x) => x.Language === 'EN') || descs[0];
        const info: ItemInfo = {
          material: d.Product, description: en ? en.ProductDescription : undefined, baseUnit: opt(d.BaseUnit), type: opt(d.ProductType),
          group: opt(d.ProductGroup), batchManaged: d.IsBatchManagementRequired === true || d.IsBatchManagementRequired === 'X',
        };
        return { document: info.material, references: { erpMaterial: info.material }, data: info };
      },
    },
    checkAvailability: {
      async run(i) {
        const rows = await stockRows('checkAvailability', String(i.material), opt(i.plant), opt(i.lot), opt(i.storageLocation));
        return { document: String(i.material), references: {}, data: availability(String(i.material), opt(i.plant), rows) };
      },
    },
    requestPurchase: {
      async run(i, k) {
        const op = 'requestPurchase';
        const it: Record<string, unknown> = {
          Material: need(i, 'material', op), Plant: need(i, 'plant', op), RequestedQuantity: dec(i.quantity.value), BaseUnit: i.quantity.unit,
        };
        if (i.neededBy) it.DeliveryDate = sapDate(i.neededBy);
        if (i.storageLocation) it.StorageLocation = String(i.storageLocation);
        if (i.text || i.equipment) it.PurchaseRequisitionItemText = String(i.text || `for ${i.equipment}`).slice(0, 40);
        const body = { PurchaseRequisitionType: String(i.documentType || 'NB'), PurReqnDescription: k.ref, to_PurchaseReqnItem: [it] };
        const res = await sap.write('POST', PURREQ, 'A_PurchaseRequisitionHeader', body, op);
        const d = unwrap(res.data);
        return { document: d.PurchaseRequisition, references: { erpPurchaseRequisition: d.PurchaseRequisition } };
      },
      async lookup(_i, k) {
        const res = await sap.read(PURREQ, 'A_PurchaseRequisitionHeader', 'requestPurchase lookup', { $filter: `PurReqnDescription eq ${lit(k.ref)}`, $top: '1' });
        const d = results(res.data)[0];
        return d ? { document: d.PurchaseRequisition, references: { erpPurchaseRequisition: d.PurchaseRequisition } } : undefined;
      },
    },
  };
  const profile: Profile & { session: SapSession } = { name: 'sap-odata', ops, session: sap };
  return profile;
};


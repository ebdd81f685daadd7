// Entity shapes of the SAP services: create schemas (for strict parsing) and row
// formatters (state model -> OData v2 JSON).
import { createHash } from 'crypto';
import type { Confirmation, ErpState, MaterialDocument, Order, Requisition, StockRow } from './state';
import { date, dec, entity, flag, q, Schema } from './sap-common';

const S = (n: number): ['str', number] => ['str', n];

export const CONF_ITEM: Schema = {
  Material: S(40), Plant: S(4), StorageLocation: S(4), Batch: S(10), GoodsMovementType: S(3), EntryUnit: S(3), QuantityInEntryUnit: ['dec'],
  Reservation: S(10), ReservationItem: S(4), OrderID: S(12), OrderItem: S(4), ManufactureDate: ['date'], ShelfLifeExpirationDate: ['date'],
  InventoryStockType: S(2), InventorySpecialStockType: S(1), GoodsMovementRefDocType: S(1), IsCompletelyDelivered: ['bool'],
  MaterialDocumentItemText: S(50), ConfirmationGroup: S(10), ConfirmationCount: S(8), MaterialDocument: S(10), MaterialDocumentItem: S(4), MaterialDocumentYear: S(4),
};

export const CONF: Schema = {
  ConfirmationGroup: S(10), ConfirmationCount: S(8), OrderID: S(12), Sequence: S(6), OrderOperation: S(4), OrderSuboperation: S(4), OrderIntOperation: S(8),
  Plant: S(4), WorkCenter: S(8), Material: S(40), ConfirmationUnit: S(3), ConfirmationYieldQuantity: ['dec'], ConfirmationScrapQuantity: ['dec'],
  ConfirmationReworkQuantity: ['dec'], VarianceReasonCode: S(4), ConfirmationText: S(40), IsFinalConfirmation: ['bool'], FinalConfirmationType: S(1),
  PostingDate: ['date'], ConfirmedExecutionStartDate: ['date'], ConfirmedExecutionStartTime: ['time'], ConfirmedExecutionEndDate: ['date'],
  ConfirmedExecutionEndTime: ['time'], Personnel: S(8), ExternalSystemConfirmation: ['guid'], IsReversal: ['bool'], IsReversed: ['bool'],
  APIConfHasNoGoodsMovements: ['bool'], OpenReservationsIsCleared: ['bool'], to_ProdnOrdConfMatlDocItm: { nav: CONF_ITEM },
};

export const MATDOC_ITEM: Schema = {
  Material: S(40), Plant: S(4), StorageLocation: S(4), Batch: S(10), GoodsMovementType: S(3), InventoryStockType: S(2), InventorySpecialStockType: S(1),
  ManufacturingOrder: S(12), ManufacturingOrderItem: S(4), CostCenter: S(10), EntryUnit: S(3), QuantityInEntryUnit: ['dec'],
  IssuingOrReceivingStorageLoc: S(4), IssuingOrReceivingPlant: S(4), IssgOrRcvgBatch: S(10), IssgOrRcvgMaterial: S(40), Reservation: S(10),
  ReservationItem: S(4), GoodsMovementReasonCode: S(4), MaterialDocumentItemText: S(50), GoodsMovementRefDocType: S(1), ManufactureDate: ['date'],
  PurchaseOrder: S(10), PurchaseOrderItem: S(5), Supplier: S(10), IsCompletelyDelivered: ['bool'],
};

export const MATDOC: Schema = {
  MaterialDocumentYear: S(4), MaterialDocument: S(10), GoodsMovementCode: S(2), PostingDate: ['date'], DocumentDate: ['date'],
  MaterialDocumentHeaderText: S(25), ReferenceDocument: S(16), CreatedByUser: S(12), to_MaterialDocumentItem: { nav: MATDOC_ITEM },
};

export const PROD_ORDER: Schema = {
  ManufacturingOrder: S(12), ManufacturingOrderType: S(4), Material: S(40), ProductionPlant: S(4), TotalQuantity: ['dec'], ProductionUnit: S(3),
  MfgOrderPlannedStartDate: ['date'], MfgOrderPlannedEndDate: ['date'], ManufacturingOrderText: S(40), ProductionVersion: S(4), MRPController: S(3),
};

export const PR_ITEM: Schema = {
  PurchaseRequisition: S(10), PurchaseRequisitionItem: S(5), Material: S(40), Plant: S(4), RequestedQuantity: ['dec'], BaseUnit: S(3),
  PurchaseRequisitionItemText: S(40), DeliveryDate: ['date'], PurchasingGroup: S(3), PurchasingOrganization: S(4), StorageLocation: S(4),
  MaterialGroup: S(9), AccountAssignmentCategory: S(1), CompanyCode: S(4), PurchaseRequisitionPrice: ['dec'], PurReqnItemCurrency: S(5), RequisitionerName: S(12),
};

export const PR: Schema = {
  PurchaseRequisition: S(10), PurchaseRequisitionType: S(4), PurReqnDescription: S(40), SourceDetermination: ['bool'], to_PurchaseReqnItem: { nav: PR_ITEM },
};

const NS = (svc: string, t: string) => `${svc}.${t}`;

export function confItems(base: string, c: Confirmation, state: ErpState) {
  const doc = state.documents.find((d) => d.number === c.materialDocument);
  return (doc?.items || []).map((i) => entity(base, 'ProdnOrdConfMatlDocItm',
    `ConfirmationGroup='${c.group}',ConfirmationCount='${c.count}',MaterialDocument='${doc!.number}',MaterialDocumentItem='${i.item}',MaterialDocumentYear='${doc!.year}'`,
    NS('API_PROD_ORDER_CONFIRMATION_2_SRV', 'ProdnOrdConfMatlDocItmType'), {
      ConfirmationGroup: c.group, ConfirmationCount: c.count, MaterialDocument: doc!.number, MaterialDocumentItem: i.item, MaterialDocumentYear: doc!.year,
      OrderID: i.order || c.order, Material: i.material, Plant: i.plant, StorageLocation: i.storageLocation, Batch: i.batch,
      GoodsMovementType: i.movementType, EntryUnit: i.unit, QuantityInEntryUnit: dec(i.qty), Reservation: i.reservation || '', ReservationItem: i.reservationItem || '',
    }));
}

export function confRow(base: string, c: Confirmation) {
  return entity(base, 'ProdnOrdConf2', `ConfirmationGroup='${c.group}',ConfirmationCount='${c.count}'`, NS('API_PROD_ORDER_CONFIRMATION_2_SRV', 'ProdnOrdConf2Type'), {
    ConfirmationGroup: c.group, ConfirmationCount: c.count, OrderID: c.order, Sequence: c.sequence, OrderOperation: c.operation, OrderSuboperation: '',
    Plant: c.plant, WorkCenter: c.workCenter, Material: c.material, ConfirmationUnit: c.unit, ConfirmationYieldQuantity: dec(c.yield),
    ConfirmationScrapQuantity: dec(c.scrap), ConfirmationReworkQuantity: dec(c.rework), VarianceReasonCode: c.varianceReason, ConfirmationText: c.text,
    IsFinalConfirmation: c.final, PostingDate: date(c.postingDate), Personnel: c.personnel,
    ExternalSystemConfirmation: c.externalId || '00000000-0000-0000-0000-000000000000', IsReversal: c.isReversal, IsReversed: c.cancelled,
    APIConfHasNoGoodsMovements: !c.materialDocument,
  }, ['to_ProdnOrdConfMatlDocItm']);
}

/** Opaque weak ETag that changes with any change of the order. */
export function orderEtag(o: Order): string {
  return `W/"${createHash('sha1').update(JSON.stringify(o)).digest('base64url').slice(0, 20)}"`;
}

export const ORDER_CHANGE: Schema = { TotalQuantity: ['dec'], MfgOrderPlannedStartDate: ['date'], MfgOrderPlannedEndDate: ['date'], ManufacturingOrderText: S(40) };

export function orderRow(base: string, o: Order) {
  const st = o.status;
  const row = entity(base, 'A_ProductionOrder_2', q(o.order), NS('API_PRODUCTION_ORDER_2_SRV', 'A_ProductionOrder_2Type'), {
    ManufacturingOrder: o.order, ManufacturingOrderType: o.type, ManufacturingOrderText: o.text, Material: o.material, ProductionPlant: o.plant,
    TotalQuantity: dec(o.totalQty), ProductionUnit: o.unit, MfgOrderConfirmedYieldQty: dec(o.confirmedYield), MfgOrderConfirmedScrapQty: dec(o.confirmedScrap),
    ActualDeliveredQuantity: dec(o.deliveredQty), MfgOrderPlannedStartDate: date(o.start), MfgOrderPlannedEndDate: date(o.end), ProductionVersion: '0001', MRPController: '001',
    OrderIsCreated: flag(true), OrderIsReleased: flag(st !== 'CRTD'), OrderIsPartiallyConfirmed: flag(st === 'PCNF'), OrderIsConfirmed: flag(st === 'CNF'),
    OrderIsDelivered: flag(o.deliveredQty >= o.totalQty), OrderIsTechnicallyCompleted: flag(st === 'TECO'), OrderIsClosed: '',
  }, ['to_ProductionOrderOperation', 'to_ProductionOrderComponent']);
  (row.__metadata as Record<string, unknown>).etag = orderEtag(o);
  return row;
}

export function operationRows(base: string, o: Order) {
  return o.operations.map((op) => entity(base, 'A_ProductionOrderOperation_2', `ManufacturingOrder='${o.order}',ManufacturingOrderSequence='${op.sequence}',ManufacturingOrderOperation='${op.operation}'`,
    NS('API_PRODUCTION_ORDER_2_SRV', 'A_ProductionOrderOperation_2Type'), {
      ManufacturingOrder: o.order, ManufacturingOrderSequence: op.sequence, ManufacturingOrderOperation: op.operation, WorkCenter: op.workCenter,
      CostCenter: op.costCenter, MfgOrderOperationText: op.text, OpPlannedTotalQuantity: dec(op.plannedQty), OpTotalConfirmedYieldQty: dec(op.confirmedYield),
      OpTotalConfirmedScrapQty: dec(op.confirmedScrap), OperationUnit: o.unit, ConfirmationGroup: op.confirmationGroup, ProductionPlant: o.plant,
    }));
}

export function componentRows(base: string, o: Order) {
  return o.components.map((c) => entity(base, 'A_ProductionOrderComponent_2', `Reservation='${c.reservation}',ReservationItem='${c.reservationItem}',ReservationRecordType=''`,
    NS('API_PRODUCTION_ORDER_2_SRV', 'A_ProductionOrderComponent_2Type'), {
      Reservation: c.reservation, ReservationItem: c.reservationItem, ManufacturingOrder: o.order, Material: c.material, Plant: o.plant,
      StorageLocation: c.storageLocation, Batch: c.batch, RequiredQuantity: dec(c.requiredQty), BaseUnit: c.unit, GoodsMovementType: '261',
    }));
}

export function matDocRow(base: string, d: MaterialDocument) {
  return entity(base, 'A_MaterialDocumentHeader', `MaterialDocumentYear='${d.year}',MaterialDocument='${d.number}'`, NS('API_MATERIAL_DOCUMENT_SRV', 'A_MaterialDocumentHeaderType'), {
    MaterialDocumentYear: d.year, MaterialDocument: d.number, GoodsMovementCode: d.code, PostingDate: date(d.postingDate), DocumentDate: date(d.documentDate),
    MaterialDocumentHeaderText: d.headerText, ReferenceDocument: d.reference, CreationDate: date(d.createdAt), CreatedByUser: 'MFG_SAP',
  }, ['to_MaterialDocumentItem']);
}

const STOCK_TYPE_CODE: Record<string, string> = { unrestricted: '01', quality: '02', blocked: '07' };

export function matDocItemRows(base: string, d: MaterialDocument) {
  return d.items.map((i) => entity(base, 'A_MaterialDocumentItem', `MaterialDocumentYear='${d.year}',MaterialDocument='${d.number}',MaterialDocumentItem='${i.item}'`,
    NS('API_MATERIAL_DOCUMENT_SRV', 'A_MaterialDocumentItemType'), {
      MaterialDocumentYear: d.year, MaterialDocument: d.number, MaterialDocumentItem: i.item, Material: i.material, Plant: i.plant,
      StorageLocation: i.storageLocation, Batch: i.batch, GoodsMovementType: i.movementType, InventoryStockType: STOCK_TYPE_CODE[i.stockType || 'unrestricted'],
      ManufacturingOrder: i.order || '', CostCenter: i.costCenter || '', EntryUnit: i.unit, QuantityInEntryUnit: dec(i.qty),
      IssuingOrReceivingStorageLoc: i.toStorageLocation || '', GoodsMovementReasonCode: i.reasonCode || '0000', PostingDate: date(d.postingDate),
    }));
}

export function stockRow(base: string, s: StockRow) {
  const code = STOCK_TYPE_CODE[s.stockType];
  return entity(base, 'A_MatlStkInAcctMod', `Material='${s.material}',Plant='${s.plant}',StorageLocation='${s.storageLocation}',Batch='${s.batch}',Supplier='',Customer='',WBSElementInternalID='00000000',SDDocument='',SDDocumentItem='000000',InventorySpecialStockType='',InventoryStockType='${code}'`,
    NS('API_MATERIAL_STOCK_SRV', 'A_MatlStkInAcctModType'), {
      Material: s.material, Plant: s.plant, StorageLocation: s.storageLocation, Batch: s.batch, Supplier: '', Customer: '', WBSElementInternalID: '00000000',
      SDDocument: '', SDDocumentItem: '000000', InventorySpecialStockType: '', InventoryStockType: code, MaterialBaseUnit: s.unit,
      MatlWrhsStkQtyInMatlBaseUnit: dec(s.qty),
    });
}

export function prRow(base: string, r: Requisition) {
  return entity(base, 'A_PurchaseRequisitionHeader', q(r.number), NS('API_PURCHASEREQ_PROCESS_SRV', 'A_PurchaseRequisitionHeaderType'), {
    PurchaseRequisition: r.number, PurchaseRequisitionType: r.type, PurReqnDescription: r.description, SourceDetermination: false,
  }, ['to_PurchaseReqnItem']);
}

export function prItemRows(base: string, r: Requisition) {
  return r.items.map((i) => entity(base, 'A_PurchaseRequisitionItem', `PurchaseRequisition='${r.number}',PurchaseRequisitionItem='${i.item}'`,
    NS('API_PURCHASEREQ_PROCESS_SRV', 'A_PurchaseRequisitionItemType'), {
      PurchaseRequisition: r.number, PurchaseRequisitionItem: i.item, Material: i.material, Plant: i.plant, RequestedQuantity: dec(i.qty),
      BaseUnit: i.unit, PurchaseRequisitionItemText: i.text, DeliveryDate: date(i.deliveryDate), PurchasingGroup: i.purchasingGroup,
      StorageLocation: i.storageLocation, PurReqnReleaseStatus: '03', IsDeleted: false,
    }));
}

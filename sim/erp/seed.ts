// Seed data: what every ERP simulator starts with (and returns to on reset).
import type { Material, Order, StockRow } from './state';

export const PLANT = '1710';
export const STORAGE_LOCATIONS = ['171A', '171B', '171Q'];

export const MATERIALS: Material[] = [
  { material: 'FG226', description: 'Pump assembly PA-226', baseUnit: 'PC', type: 'FERT', batchManaged: true, group: 'L002' },
  { material: 'RM100', description: 'Steel sheet 2 mm', baseUnit: 'KG', type: 'ROH', batchManaged: true, group: 'L001' },
  { material: 'RM200', description: 'Fastener kit', baseUnit: 'PC', type: 'ROH', batchManaged: true, group: 'L001' },
  { material: 'SP001', description: 'Spare bearing 6204', baseUnit: 'PC', type: 'ERSA', batchManaged: false, group: 'L004' },
];

const BOM: Record<string, Array<{ material: string; perUnit: number; unit: string; storageLocation: string; batch: string }>> = {
  FG226: [
    { material: 'RM100', perUnit: 0.25, unit: 'KG', storageLocation: '171B', batch: 'RB001' },
    { material: 'RM200', perUnit: 1, unit: 'PC', storageLocation: '171B', batch: 'RB002' },
  ],
};

export function bomOf(material: string) {
  return BOM[material] || [];
}

const day = 86400000;
const today = () => Math.floor(Date.now() / day) * day;

export function seedOrders(): Order[] {
  const ops = (qty: number, g1: string, g2: string) => [
    { operation: '0010', sequence: '0', workCenter: 'ASSY01', costCenter: 'CC4711', text: 'Assembly', plannedQty: qty, confirmedYield: 0, confirmedScrap: 0, confirmationGroup: g1, counter: 0 },
    { operation: '0020', sequence: '0', workCenter: 'TEST01', costCenter: 'CC4712', text: 'Final test', plannedQty: qty, confirmedYield: 0, confirmedScrap: 0, confirmationGroup: g2, counter: 0 },
  ];
  const comps = (qty: number, reservation: string) => bomOf('FG226').map((b, i) => ({
    material: b.material, requiredQty: b.perUnit * qty, unit: b.unit, storageLocation: b.storageLocation, batch: b.batch,
    reservation, reservationItem: String(i + 1).padStart(4, '0'),
  }));
  return [
    {
      order: '1000123', type: 'YP01', material: 'FG226', plant: PLANT, totalQty: 100, unit: 'PC', confirmedYield: 0, confirmedScrap: 0, deliveredQty: 0,
      status: 'REL', text: 'Pump assembly PA-226', start: today(), end: today() + day, operations: ops(100, '0000000207', '0000000208'), components: comps(100, '4711'),
    },
    {
      order: '1000124', type: 'YP01', material: 'FG226', plant: PLANT, totalQty: 50, unit: 'PC', confirmedYield: 0, confirmedScrap: 0, deliveredQty: 0,
      status: 'CRTD', text: 'Pump assembly PA-226', start: today() + day, end: today() + 2 * day, operations: ops(50, '0000000209', '0000000210'), components: comps(50, '4712'),
    },
  ];
}

export function seedStock(): StockRow[] {
  return [
    { material: 'RM100', plant: PLANT, storageLocation: '171B', batch: 'RB001', stockType: 'unrestricted', qty: 500, unit: 'KG' },
    { material: 'RM200', plant: PLANT, storageLocation: '171B', batch: 'RB002', stockType: 'unrestricted', qty: 1000, unit: 'PC' },
    { material: 'FG226', plant: PLANT, storageLocation: '171A', batch: 'B0001', stockType: 'unrestricted', qty: 20, unit: 'PC' },
    { material: 'SP001', plant: PLANT, storageLocation: '171B', batch: '', stockType: 'unrestricted', qty: 4, unit: 'PC' },
  ];
}

// What a profile implements: per operation a run (one attempt), and for postings a
// look-up that finds a posting booked under the same key (after an unknown outcome).
import { shortRef, uuidFromKey } from '../keys';
import type { EndpointConfig, OpInput, OpResult, ProfileName } from '../types';
import type { HttpClient } from '../http';

export interface KeyInfo {
  key: string;
  /** name-based UUID of the key (SAP ExternalSystemConfirmation) */
  guid: string;
  /** "MFG-" + 21 characters: fits 25-character reference texts */
  ref: string;
}

/** The carriers are computed on first use: hashing costs, and most profiles need one or none. */
export function keyInfo(key: string): KeyInfo {
  let guid: string | undefined;
  let ref: string | undefined;
  return {
    key,
    get guid() { return (guid ??= uuidFromKey(key)); },
    get ref() { return (ref ??= `MFG-${shortRef(key, 21)}`); },
  };
}

export interface OpImpl {
  run(input: OpInput, k: KeyInfo): Promise<OpResult>;
  /** a posting already booked under this key, if any */
  lookup?(input: OpInput, k: KeyInfo): Promise<OpResult | undefined>;
  /** the system itself answers a repeated key with the first result (Idempotency-Key replay,
   *  SAP's duplicate external id): a blind retry is safe, no in-flight reservation needed */
  safeRetry?: boolean;
}

export interface Profile {
  readonly name: ProfileName;
  readonly ops: Readonly<Record<string, OpImpl>>;
  close?(): void;
}

export type ProfileFactory = (http: HttpClient, cfg: EndpointConfig) => Profile;

// ---- normalised query results, the same shape from every profile ----

export interface StockRow {
  storageLocation: string;
  lot?: string;
  stockType: 'unrestricted' | 'quality' | 'blocked';
  quantity: number;
  unit: string;
}

export interface Availability {
  material: string;
  plant?: string;
  unit?: string;
  totals: { unrestricted: number; quality: number; blocked: number };
  rows: StockRow[];
}

export function availability(material: string, plant: string | undefined, rows: StockRow[]): Availability {
  const totals = { unrestricted: 0, quality: 0, blocked: 0 };
  for (const r of rows) totals[r.stockType] = round3(totals[r.stockType] + r.quantity);
  return { material, plant, unit: rows[0]?.unit, totals, rows };
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export interface OrderInfo {
  orderId: string;
  orderType?: string;
  material: string;
  plant?: string;
  quantity: { value: number; unit: string };
  confirmedYield?: number;
  status: string;
  released: boolean;
  scheduledStart?: string;
  scheduledEnd?: string;
  description?: string;
  operations?: RoutingOp[];
  components?: Array<{ material: string; quantity: { value: number; unit: string }; storageLocation?: string; lot?: string; reservation?: string; reservationItem?: string }>;
}

export interface RoutingOp {
  operationId: string;
  workCenter?: string;
  costCenter?: string;
  description?: string;
  plannedQuantity?: number;
  confirmedYield?: number;
}

export interface ItemInfo {
  material: string;
  description?: string;
  baseUnit?: string;
  type?: string;
  group?: string;
  batchManaged?: boolean;
}

/** A field of the input or a default, with a clear error when neither is there. */
export function need(input: OpInput, field: string, op: string): string {
  const v = input[field];
  if (v === undefined || v === null || v === '') throw new Error(`${op}: "${field}" is required for this endpoint (set it in the event, msg.payload or the endpoint defaults)`);
  return String(v);
}

export function opt(v: unknown): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

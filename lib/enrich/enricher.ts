// Adds ERP references to an event: material master, production order -> routing ->
// work center -> cost center, lot/batch. Lookups go through a stale-if-error cache.
import { catalog, CloudEvent } from '../events';
import { StaleCache } from './cache';

/** What mfg-enrich needs from an ERP endpoint (the mfg-endpoint Connector has it). */
export interface ErpLookups {
  getItem(material: string): Promise<unknown>;
  getProductionOrder(orderId: string): Promise<unknown>;
  getRouting(orderId: string): Promise<unknown>;
  supports?(op: string): boolean;
}

export interface EnrichOptions {
  ttlMs?: number;
  maxStaleMs?: number;
  negativeTtlMs?: number;
  item?: boolean;
  order?: boolean;
  routing?: boolean;
  /** unknown references: 'error' rejects, 'warn' passes the event marked partial */
  unknown?: 'error' | 'warn';
  now?: () => number;
}

export type EnrichStatus = 'fresh' | 'stale' | 'partial';

export interface EnrichResult {
  event: CloudEvent;
  status: EnrichStatus;
  references: Record<string, string>;
  warnings: string[];
}

export class UnknownReferenceError extends Error {
  constructor(readonly reference: 'material' | 'order' | 'operation', readonly value: string, cause?: unknown) {
    super(`ERP does not know ${reference} "${value}"${cause instanceof Error ? ` (${cause.message})` : ''}`);
    this.name = 'UnknownReferenceError';
  }
}

export class EnrichmentUnavailableError extends Error {
  constructor(what: string, cause: unknown) {
    super(`ERP lookup of ${what} failed and nothing is cached: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'EnrichmentUnavailableError';
  }
}

type Obj = Record<string, any>;

export function isNotFound(err: unknown): boolean {
  const e = err as { kind?: string; status?: number } | undefined;
  return !!e && (e.kind === 'not-found' || e.status === 404);
}

export class Enricher {
  readonly cache: StaleCache<Obj>;
  readonly stats = { enriched: 0, stale: 0, partial: 0, unknown: 0, unavailable: 0 };

  constructor(private readonly erp: ErpLookups, private readonly o: EnrichOptions = {}) {
    this.cache = new StaleCache<Obj>({
      ttlMs: o.ttlMs ?? 300_000, maxStaleMs: o.maxStaleMs ?? 24 * 3600_000, negativeTtlMs: o.negativeTtlMs ?? 60_000,
      isNotFound, now: o.now,
    });
  }

  async enrich(ev: CloudEvent): Promise<EnrichResult> {
    const data: Obj = { ...(ev.data ?? {}) };
    const refs: Record<string, string> = {};
    const warnings: string[] = [];
    let stale = false;
    const lookup = async (kind: 'material' | 'order' | 'routing', key: string, load: () => Promise<unknown>): Promise<Obj | undefined> => {
      try {
        const r = await this.cache.get(`${kind}:${key}`, async () => (await load()) as Obj);
        stale ||= r.stale;
        return r.value;
      } catch (err) {
        if (isNotFound(err)) {
          const unknown = new UnknownReferenceError(kind === 'routing' ? 'order' : kind, key, err);
          if (this.o.unknown !== 'warn') throw unknown;
          warnings.push(unknown.message);
          return undefined;
        }
        throw new EnrichmentUnavailableError(`${kind} ${key}`, err);
      }
    };
    try {
      const orderId = str(data.orderId);
      let material = str(data.material);
      if (orderId && this.o.order !== false) {
        const order = await lookup('order', orderId, () => this.erp.getProductionOrder(orderId));
        if (order) {
          put(refs, 'orderMaterial', order.material);
          put(refs, 'orderType', order.orderType);
          put(refs, 'orderStatus', order.status);
          put(refs, 'plant', order.plant);
          if (!material && order.material) {
            material = String(order.material);
            if (catalog.get(ev.type)?.properties.material) data.material = material;
          }
          const operationId = str(data.operationId);
          if (operationId && this.o.routing !== false) {
            let ops: Obj[] | undefined = Array.isArray(order.operations) && order.operations.some((op: Obj) => op.costCenter) ? order.operations : undefined;
            if (!ops && (!this.erp.supports || this.erp.supports('getRouting'))) {
              const routing = await lookup('routing', orderId, () => this.erp.getRouting(orderId));
              ops = routing?.operations;
            }
            ops = ops ?? order.operations;
            const op = ops?.find((x) => String(x.operationId) === operationId);
            if (op) {
              put(refs, 'workCenter', op.workCenter);
              put(refs, 'costCenter', op.costCenter);
            } else if (ops) {
              const unknown = new UnknownReferenceError('operation', `${orderId}/${operationId}`);
              if (this.o.unknown !== 'warn') throw unknown;
              warnings.push(unknown.message);
            }
          }
          const comp = material && Array.isArray(order.components) ? order.components.find((c: Obj) => c.material === material && c.lot) : undefined;
          if (comp && !data.lot) put(refs, 'lot', comp.lot);
        }
      }
      if (material && this.o.item !== false) {
        const item = await lookup('material', material, () => this.erp.getItem(material!));
        if (item) {
          put(refs, 'materialDescription', item.description);
          put(refs, 'baseUnit', item.baseUnit);
          put(refs, 'materialType', item.type);
          if (item.batchManaged !== undefined) put(refs, 'batchManaged', String(!!item.batchManaged));
        }
      }
    } catch (err) {
      if (err instanceof UnknownReferenceError) this.stats.unknown++;
      else this.stats.unavailable++;
      throw err;
    }
    const status: EnrichStatus = stale ? 'stale' : warnings.length ? 'partial' : 'fresh';
    this.stats.enriched++;
    if (stale) this.stats.stale++;
    if (warnings.length) this.stats.partial++;
    data.references = { ...(data.references ?? {}), ...refs };
    return { event: { ...ev, data, enrichment: status }, status, references: refs, warnings };
  }
}

function put(refs: Record<string, string>, k: string, v: unknown): void {
  if (v === undefined || v === null || v === '') return;
  refs[k] = String(v).slice(0, 128);
}

const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));

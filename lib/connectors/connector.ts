// A connector to one endpoint: its HTTP client, its profile, and exactly-once posting.
//
// Posting (one attempt; the outbox retries):
//   1. claim the posting key in the idempotency store (scope connector:<endpoint>):
//      committed already -> answer with the stored document reference, send nothing;
//      in flight (an earlier attempt left without an answer) -> look the posting up first.
//      Where the system dedupes by itself (safeRetry) only the committed record is read.
//   2. on a retry (attempt > 1) look up as well: the last attempt may have been booked.
//   3. send, with the key in the profile's carrier (Idempotency-Key, ExternalSystemConfirmation, ...).
//   4. success -> commit the key with the document reference; a failure that surely booked
//      nothing -> release the key; an unknown outcome -> keep it in flight.
import type { IdempotencyStore } from '../store/types';
import { ConnectorError, isConnectorError } from './errors';
import { HttpClient } from './http';
import { operations, OperationDef, prepareInput } from './operations';
import { keyInfo, Profile } from './profiles/profile';
import { profiles } from './profiles';
import type { EndpointConfig, OpInput, OpResult, PostOutcome } from './types';

export interface ConnectorOptions {
  /** where posting records live; without one, only the system's own carriers protect */
  store?: IdempotencyStore;
  /** idempotency scope (default connector:<endpoint name>) */
  scope?: string;
  /** how long an in-flight posting record holds (default: the retention) */
  leaseMs?: number;
  /** how long a committed posting answers duplicates (default 30 days) */
  retentionMs?: number;
}

export interface PostContext {
  /** 1 for the first attempt */
  attempt?: number;
  /** posting records for this call (default: the connector's store) */
  store?: IdempotencyStore;
}

/** Any failure as a ConnectorError: input and business errors are permanent validation errors. */
export function asConnectorError(err: unknown, operation?: string): ConnectorError {
  if (isConnectorError(err)) {
    if (operation && !err.operation) err.operation = operation;
    return err;
  }
  const e = err as Error;
  return new ConnectorError(e && e.message ? e.message : String(err), { kind: 'validation', retryable: false, operation });
}

export class Connector {
  readonly http: HttpClient;
  readonly profile: Profile;
  readonly scope: string;
  private readonly store?: IdempotencyStore;
  private readonly leaseMs: number;
  private readonly retentionMs: number;

  constructor(readonly cfg: EndpointConfig, opts: ConnectorOptions = {}) {
    const factory = profiles[cfg.profile];
    if (!factory) throw new Error(`unknown profile "${cfg.profile}" (use rest, sap-odata, odoo or d365)`);
    this.http = new HttpClient(cfg);
    this.profile = factory(this.http, cfg);
    this.store = opts.store;
    this.scope = opts.scope || `connector:${cfg.name}`;
    this.retentionMs = opts.retentionMs ?? 30 * 24 * 3600_000;
    // an in-flight record means "an attempt may have been booked": it must outlive any outage
    // of this runtime (a lapsed lease would let a retry post blind); a stale one costs one look-up
    this.leaseMs = opts.leaseMs ?? this.retentionMs;
  }

  /** Operations this endpoint offers: of its role, implemented by its profile. */
  operations(): OperationDef[] {
    return operations.ofRole(this.cfg.role).filter((o) => !!this.profile.ops[o.name]);
  }

  supports(op: string): boolean {
    const def = operations.get(op);
    return !!def && def.role === this.cfg.role && !!this.profile.ops[op];
  }

  /** The operation's canonical input from event data or msg fields, with endpoint defaults filled in. */
  prepare(op: string, data: Record<string, unknown>): { def: OperationDef; input: OpInput } {
    const def = operations.get(op);
    if (!def || !this.supports(op)) {
      throw new ConnectorError(`operation "${op}" is not offered by the ${this.cfg.profile} profile for role ${this.cfg.role}`, { kind: 'validation', retryable: false, operation: op });
    }
    try {
      return { def, input: prepareInput(def, { ...(this.cfg.defaults || {}), ...stripEmpty(data) }) };
    } catch (err) {
      throw asConnectorError(err, op);
    }
  }

  /** A direct request/response call (queries; no outbox, no key). */
  async query(op: string, data: Record<string, unknown>): Promise<OpResult> {
    const { input } = this.prepare(op, data);
    try {
      return await this.profile.ops[op].run(input, keyInfo(`${op}:query`));
    } catch (err) {
      throw asConnectorError(err, op);
    }
  }

  /**
   * Fixes what a posting would otherwise read at send time, before it is persisted: a hold
   * without a quantity takes the lot's current stock. A retry after a lost reply then sends
   * the same request (servers compare it with the first) instead of reading stock the first
   * attempt already moved. Failing that (system down), the posting reads it when sent.
   */
  async resolve(op: string, input: OpInput): Promise<void> {
    const from = op === 'placeQualityHold' ? 'unrestricted' : op === 'releaseQualityHold' ? 'blocked' : undefined;
    const check = this.profile.ops.checkAvailability;
    if (!from || input.quantity || input.stockRows || !check || this.cfg.profile === 'odoo') return;
    const r = await check.run({ material: input.material, plant: input.plant, lot: input.lot, storageLocation: input.storageLocation }, keyInfo(`${op}:resolve`));
    const rows = ((r.data as { rows?: Array<{ storageLocation: string; lot?: string; stockType: string; quantity: number; unit: string }> }).rows || [])
      .filter((x) => x.stockType === from && x.quantity > 0 && (!input.lot || x.lot === String(input.lot)));
    if (rows.length) input.stockRows = rows.map((x) => ({ storageLocation: x.storageLocation, quantity: { value: x.quantity, unit: x.unit } }));
  }

  /** One attempt of a posting under `key` (see the header comment for the protocol). */
  async post(op: string, input: OpInput, key: string, ctx: PostContext = {}): Promise<PostOutcome> {
    const impl = this.profile.ops[op];
    if (!impl) throw new ConnectorError(`operation "${op}" is not offered by this endpoint`, { kind: 'validation', retryable: false, operation: op });
    const k = keyInfo(key);
    let suspicious = (ctx.attempt || 1) > 1;
    const store = ctx.store || this.store;
    if (store && impl.safeRetry) {
      // the system dedupes by itself: only answer a committed posting without a request
      const rec = await this.storeCall(op, () => store.get(this.scope, key));
      if (rec && rec.state === 'committed' && rec.result) return { ...(rec.result as OpResult), operation: op, key, duplicate: true };
    } else if (store) {
      const c = await this.storeCall(op, () => store.claim(this.scope, key, { mode: 'eager', leaseMs: this.leaseMs, retentionMs: this.retentionMs }));
      if (c.status === 'duplicate') {
        if (c.record.state === 'committed' && c.record.result) {
          return { ...(c.record.result as OpResult), operation: op, key, duplicate: true };
        }
        suspicious = true;
      }
    }
    try {
      if (suspicious && impl.lookup) {
        const found = await impl.lookup(input, k);
        if (found) {
          await this.commit(store, op, key, found);
          return { ...found, operation: op, key, duplicate: true, recovered: true };
        }
      }
      const r = await impl.run(input, k);
      // where the system dedupes by itself the local record only saves a round trip: no need to wait for its fsync
      if (impl.safeRetry) this.commit(store, op, key, r).catch(() => undefined);
      else await this.commit(store, op, key, r);
      return { ...r, operation: op, key, duplicate: r.replayed || undefined };
    } catch (err) {
      const e = asConnectorError(err, op);
      if (store && !impl.safeRetry && !e.outcomeUnknown) await store.release(this.scope, key).catch(() => undefined);
      throw e;
    }
  }

  private async commit(store: IdempotencyStore | undefined, op: string, key: string, r: OpResult): Promise<void> {
    if (!store) return;
    const record: OpResult = { document: r.document, references: r.references };
    // the posting is booked; if the record cannot be written, a retry finds it by look-up
    await this.storeCall(op, () => store.commit(this.scope, key, record, this.retentionMs), true);
  }

  private async storeCall<T>(op: string, fn: () => Promise<T>, booked = false): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new ConnectorError(`posting record store failed: ${(err as Error).message}`, { kind: 'unavailable', retryable: true, outcomeUnknown: booked, operation: op });
    }
  }

  /**
   * Reaches the system and authenticates, booking nothing: SAP fetches a CSRF token, Odoo
   * logs in, D365 gets a token and reads one product, REST reads the base URL (any answer
   * but 401/403 proves reachability). Resolves with what was checked; rejects classified.
   */
  async check(): Promise<{ profile: string; checked: string; ms: number }> {
    const t0 = Date.now();
    let checked: string;
    switch (this.cfg.profile) {
      case 'sap-odata': {
        const sap = (this.profile as unknown as { session: { write: (...a: unknown[]) => Promise<unknown> } }).session;
        await sap.write('GET', 'API_PRODUCTION_ORDER_2_SRV', '', undefined, 'check');
        checked = 'CSRF token fetched';
        break;
      }
      case 'odoo': {
        const rpc = (this.profile as unknown as { rpc: { version: () => Promise<string>; kwCheck: () => Promise<void> } }).rpc;
        await rpc.kwCheck();
        checked = `logged in (Odoo ${await rpc.version()})`;
        break;
      }
      case 'd365':
        await this.http.request({ method: 'GET', path: '/data/ReleasedProductsV2', params: { $top: 1, 'cross-company': 'true' }, op: 'check' });
        checked = 'token fetched, data entities readable';
        break;
      default: {
        const res = await this.http.request({ method: 'GET', path: '/', op: 'check', pass: [400, 404, 405] });
        checked = `reachable (HTTP ${res.status})`;
      }
    }
    return { profile: this.cfg.profile, checked, ms: Date.now() - t0 };
  }

  // ---- lookups for enrichment (material master, order -> routing -> work center -> cost center, stock) ----

  async getItem(material: string, plant?: string): Promise<unknown> {
    return (await this.query('getItem', { material, plant })).data;
  }

  async getProductionOrder(orderId: string): Promise<unknown> {
    return (await this.query('getProductionOrder', { orderId })).data;
  }

  async getRouting(orderId: string): Promise<unknown> {
    return (await this.query('getRouting', { orderId })).data;
  }

  async checkAvailability(material: string, plant?: string, lot?: string): Promise<unknown> {
    return (await this.query('checkAvailability', { material, plant, lot })).data;
  }

  close(): void {
    this.profile.close?.();
    this.http.close();
  }
}

function stripEmpty(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o || {})) if (v !== undefined && v !== null && v !== '') out[k] = v;
  return out;
}

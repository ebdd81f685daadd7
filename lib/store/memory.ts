// In-process store for tests and demos: nothing survives a restart. Idempotency keys are
// bounded by maxEntries; when full, an expired key is evicted first, else the oldest.
import { decodeResult, encodeResult, PruneOptions, record, StoreBase } from './base';
import { DEFAULT_DL_LIMIT } from './sqlite-rows';
import {
  ClaimOptions, ClaimResult, DeadLetter, DeadLetterFilter, EnqueueItem, KeyRecord, QueueFullError, QueueItem, StateStore,
} from './types';

export interface MemoryStoreOptions extends PruneOptions {
  /** most idempotency keys held at once (default 100,000) */
  maxEntries?: number;
}

export const DEFAULT_MAX_ENTRIES = 100_000;

interface Entry {
  state: 0 | 1;
  firstSeen: number;
  expiresAt: number;
  result: string | null;
}

/** how far from the oldest end eviction looks for an expired key before taking the oldest */
const EVICT_LOOKAHEAD = 64;

export class MemoryStore extends StoreBase implements StateStore {
  readonly kind = 'memory' as const;
  readonly maxEntries: number;
  /** insertion order = age, so the first entry is the oldest */
  private readonly keys = new Map<string, Entry>();
  private minExpiry = Infinity;
  private lastSweep = 0;
  private readonly queues = new Map<string, Map<number, QueueItem>>();
  private readonly dead = new Map<number, DeadLetter>();
  private nextId = 1;
  private nextDl = 1;
  /** live (unexpired) keys dropped because the store was full */
  evictions = 0;

  constructor(opts: MemoryStoreOptions = {}) {
    super(opts);
    this.maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.setState('ready');
    this.startPruning();
  }

  get size(): number {
    return this.keys.size;
  }

  private live(id: string, now: number): Entry | undefined {
    const e = this.keys.get(id);
    return e && e.expiresAt > now ? e : undefined;
  }

  private put(id: string, e: Entry, now: number): void {
    if (this.keys.has(id)) this.keys.delete(id); // re-insert: it is now the youngest
    else if (this.keys.size >= this.maxEntries) this.evict(now);
    this.keys.set(id, e);
    if (e.expiresAt < this.minExpiry) this.minExpiry = e.expiresAt;
  }

  private evict(now: number): void {
    // A full sweep only when something has expired, and at most every 100 ms.
    if (now >= this.minExpiry && now - this.lastSweep >= 100) {
      this.lastSweep = now;
      this.sweep(now, Infinity);
      if (this.keys.size < this.maxEntries) return;
    }
    let i = 0;
    for (const [id, e] of this.keys) {
      if (e.expiresAt <= now) { this.keys.delete(id); return; }
      if (++i >= EVICT_LOOKAHEAD) break;
    }
    const oldest = this.keys.keys().next();
    if (!oldest.done) { this.keys.delete(oldest.value); this.evictions++; }
  }

  private sweep(now: number, max: number): number {
    let n = 0;
    let min = Infinity;
    for (const [id, e] of this.keys) {
      if (e.expiresAt <= now && n < max) { this.keys.delete(id); n++; }
      else if (e.expiresAt < min) min = e.expiresAt;
    }
    if (n < max) this.minExpiry = min;
    return n;
  }

  async claim(scope: string, key: string, opts: ClaimOptions): Promise<ClaimResult> {
    const now = opts.now ?? Date.now();
    const id = scope + '\u0001' + key;
    const held = this.live(id, now);
    if (held) return { status: 'duplicate', record: toRecord(held) };
    const mark = opts.mode === 'mark';
    this.put(id, { state: mark ? 1 : 0, firstSeen: now, expiresAt: now + (mark ? opts.retentionMs : opts.leaseMs), result: null }, now);
    return { status: 'new', firstSeen: now };
  }

  async commit(scope: string, key: string, result: unknown, retentionMs: number): Promise<void> {
    const now = Date.now();
    const id = scope + '\u0001' + key;
    const text = encodeResult(result);
    const held = this.live(id, now);
    if (held) {
      held.state = 1;
      held.expiresAt = now + retentionMs;
      held.result = text;
      if (held.expiresAt < this.minExpiry) this.minExpiry = held.expiresAt;
    } else {
      this.put(id, { state: 1, firstSeen: now, expiresAt: now + retentionMs, result: text }, now);
    }
  }

  async release(scope: string, key: string): Promise<boolean> {
    const id = scope + '\u0001' + key;
    const e = this.keys.get(id);
    if (!e || e.state !== 0) return false;
    this.keys.delete(id);
    return true;
  }

  async forget(scope: string, key: string): Promise<boolean> {
    const id = scope + '\u0001' + key;
    const live = !!this.live(id, Date.now());
    this.keys.delete(id);
    return live;
  }

  async get(scope: string, key: string): Promise<KeyRecord | undefined> {
    const e = this.live(scope + '\u0001' + key, Date.now());
    return e ? toRecord(e) : undefined;
  }

  private queue(name: string): Map<number, QueueItem> {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = new Map()));
    return q;
  }

  async enqueue(queue: string, items: EnqueueItem[], limit?: number): Promise<number[]> {
    const q = this.queue(queue);
    if (limit !== undefined && q.size + items.length > limit) throw new QueueFullError(queue, limit);
    const now = Date.now();
    // Stored as JSON, as the durable stores do: later changes to the msg do not leak in.
    const texts = items.map((it) => it.text ?? JSON.stringify(it.payload ?? null));
    return items.map((it, i) => {
      const id = this.nextId++;
      q.set(id, { id, queue, partition: String(it.partition ?? ''), payload: texts[i], attempts: 0, createdAt: now, notBefore: now });
      return id;
    });
  }

  async heads(queue: string, max: number, now: number, busy?: ReadonlySet<string>): Promise<QueueItem[]> {
    const out: QueueItem[] = [];
    const seen = new Set<string>();
    if (max <= 0) return out;
    for (const it of this.queue(queue).values()) {
      if (seen.has(it.partition)) continue;
      seen.add(it.partition);
      if (it.notBefore > now || (busy && busy.has(it.partition))) continue;
      out.push(copyItem(it));
      if (out.length >= max) break;
    }
    return out;
  }

  async ack(queue: string, ids: number[]): Promise<void> {
    const q = this.queue(queue);
    for (const id of ids) q.delete(id);
  }

  async retryLater(queue: string, id: number, notBefore: number, lastError: string): Promise<void> {
    const it = this.queue(queue).get(id);
    if (!it) return;
    it.attempts++;
    it.notBefore = notBefore;
    it.lastError = String(lastError ?? '');
  }

  async take(queue: string, id: number): Promise<QueueItem | undefined> {
    const q = this.queue(queue);
    const it = q.get(id);
    if (!it) return undefined;
    q.delete(id);
    return copyItem(it);
  }

  async depth(queue: string): Promise<number> {
    return this.queues.get(queue)?.size ?? 0;
  }

  async addDeadLetter(dl: Omit<DeadLetter, 'id'>): Promise<number> {
    const id = this.nextDl++;
    const stored: DeadLetter = {
      id, origin: String(dl.origin ?? ''), reason: String(dl.reason ?? ''), attempts: dl.attempts ?? 0,
      at: dl.at ?? Date.now(), msg: JSON.stringify(dl.msg ?? null),
    };
    if (dl.correlationId != null) stored.correlationId = dl.correlationId;
    if (dl.eventType != null) stored.eventType = dl.eventType;
    this.dead.set(id, stored);
    return id;
  }

  async listDeadLetters(f: DeadLetterFilter = {}): Promise<{ total: number; items: DeadLetter[] }> {
    const now = Date.now();
    const reason = f.reason ? f.reason.toLowerCase() : undefined;
    let all = [...this.dead.values()].filter((d) => (f.origin === undefined || d.origin === f.origin)
      && (f.eventType === undefined || d.eventType === f.eventType)
      && (!reason || d.reason.toLowerCase().includes(reason))
      && (f.olderThanMs === undefined || d.at < now - f.olderThanMs)
      && (f.newerThanMs === undefined || d.at >= now - f.newerThanMs));
    if (f.order === 'newest') all = all.reverse();
    const offset = Math.max(0, f.offset ?? 0);
    const items = all.slice(offset, offset + Math.max(0, f.limit ?? DEFAULT_DL_LIMIT)).map(copyDl);
    return { total: all.length, items };
  }

  async getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    const d = this.dead.get(id);
    return d ? copyDl(d) : undefined;
  }

  async removeDeadLetter(id: number): Promise<boolean> {
    return this.dead.delete(id);
  }

  async prune(now = Date.now()): Promise<number> {
    let n = this.sweep(now, this.pruneBatch);
    const before = now - this.deadLetterRetentionMs;
    for (const [id, d] of this.dead) {
      if (n >= this.pruneBatch * 2) break;
      if (d.at <= before) { this.dead.delete(id); n++; }
    }
    return n;
  }

  async close(): Promise<void> {
    this.stopPruning();
    this.setState('closed');
  }
}

function toRecord(e: Entry): KeyRecord {
  return record(e.state, e.firstSeen, e.expiresAt, decodeResult(e.result));
}

function copyItem(it: QueueItem): QueueItem {
  return { ...it, payload: JSON.parse(it.payload as string) };
}

function copyDl(d: DeadLetter): DeadLetter {
  return { ...d, msg: JSON.parse(d.msg as string) };
}

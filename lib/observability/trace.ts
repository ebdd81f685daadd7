// Trace of business transactions: the steps a msg took through the package's nodes,
// kept on the msg (msg._mfgTrace, capped) and in a bounded in-memory store keyed by
// correlation id. The store holds at most `maxTransactions` correlation ids (the oldest
// started go first), `maxSteps` steps each, for `retentionMs` after their last step.
import type { Outcome } from './metrics';

export interface TraceStep {
  /** node id, type and name */
  node: string;
  type: string;
  name?: string;
  /** epoch ms */
  at: number;
  outcome: Outcome | 'done';
  port?: number;
  /** time from receipt to this outcome, ms */
  ms?: number;
  eventType?: string;
  eventId?: string;
  causationId?: string;
  error?: string;
}

export interface Transaction {
  correlationId: string;
  first: number;
  last: number;
  steps: TraceStep[];
  /** steps not kept because of maxSteps */
  dropped: number;
}

export interface TraceOptions {
  maxTransactions?: number;
  maxSteps?: number;
  retentionMs?: number;
}

export interface TransactionSummary {
  correlationId: string;
  first: number;
  last: number;
  steps: number;
  eventTypes: string[];
  failed: boolean;
  lastOutcome: string;
}

export const FAILED_OUTCOMES: ReadonlySet<string> = new Set(['invalid', 'error', 'dead-lettered']);

export class TraceStore {
  readonly maxTransactions: number;
  readonly maxSteps: number;
  readonly retentionMs: number;
  private readonly tx = new Map<string, Transaction>();
  /** transactions in the order they started: eviction takes from the head (O(1)) */
  private order: Transaction[] = [];
  private head = 0;
  /** told of every step added, after it is in its transaction (for persistence) */
  onChange?: (t: Transaction, step: TraceStep) => void;

  constructor(o: TraceOptions = {}) {
    this.maxTransactions = positive(o.maxTransactions, 10000);
    this.maxSteps = positive(o.maxSteps, 200);
    this.retentionMs = positive(o.retentionMs, 24 * 3600 * 1000);
  }

  get size(): number {
    return this.tx.size;
  }

  has(correlationId: string): boolean {
    return this.tx.has(correlationId);
  }

  /** Adds a step; `earlier` (ending with this step) seeds a transaction seen for the first time. */
  add(correlationId: string, step: TraceStep, earlier?: readonly TraceStep[]): void {
    const t = this.tx.get(correlationId);
    if (t) {
      this.push(t, step);
      this.onChange?.(t, step);
      return;
    }
    while (this.tx.size >= this.maxTransactions) this.evictOldest();
    const n: Transaction = { correlationId, first: step.at, last: step.at, steps: [], dropped: 0 };
    this.tx.set(correlationId, n);
    this.order.push(n);
    if (earlier) for (const s of earlier) if (s !== step) this.push(n, s);
    this.push(n, step);
    this.onChange?.(n, step);
  }

  private push(t: Transaction, step: TraceStep): void {
    if (t.steps.length < this.maxSteps) t.steps.push(step);
    else t.dropped++;
    if (step.at < t.first) t.first = step.at;
    if (step.at > t.last) t.last = step.at;
  }

  /** The raw transaction (no copy), for persistence. */
  peek(correlationId: string): Transaction | undefined {
    return this.tx.get(correlationId);
  }

  get(correlationId: string, now = Date.now()): Transaction | undefined {
    const t = this.tx.get(correlationId);
    if (!t) return undefined;
    if (now - t.last > this.retentionMs) {
      this.tx.delete(correlationId);
      return undefined;
    }
    return { ...t, steps: [...t.steps].sort((a, b) => a.at - b.at) };
  }

  /** Most recent transactions first; `failedOnly` keeps those with an invalid/error step. */
  recent(limit = 50, o: { failedOnly?: boolean; eventType?: string; now?: number } = {}): TransactionSummary[] {
    const now = o.now ?? Date.now();
    const out: TransactionSummary[] = [];
    const all = [...this.tx.values()].sort((a, b) => a.last - b.last);
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const t = all[i];
      if (now - t.last > this.retentionMs) continue;
      const s = summarize(t);
      if (o.failedOnly && !s.failed) continue;
      if (o.eventType && !s.eventTypes.includes(o.eventType)) continue;
      out.push(s);
    }
    return out;
  }

  /** Drops transactions idle longer than the retention; returns how many. */
  prune(now = Date.now()): number {
    let n = 0;
    for (const [id, t] of this.tx) {
      if (now - t.last > this.retentionMs) {
        this.tx.delete(id);
        n++;
      }
    }
    if (n) {
      this.order = this.order.slice(this.head).filter((t) => this.tx.get(t.correlationId) === t);
      this.head = 0;
    }
    return n;
  }

  clear(): void {
    this.tx.clear();
    this.order = [];
    this.head = 0;
  }

  private evictOldest(): void {
    while (this.head < this.order.length) {
      const t = this.order[this.head++];
      // skip entries already pruned (or pruned and started again: a newer object)
      if (this.tx.get(t.correlationId) === t) {
        this.tx.delete(t.correlationId);
        break;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }
}

function summarize(t: Transaction): TransactionSummary {
  const types = new Set<string>();
  let failed = false;
  for (const s of t.steps) {
    if (s.eventType) types.add(s.eventType);
    if (FAILED_OUTCOMES.has(s.outcome)) failed = true;
  }
  const lastStep = t.steps[t.steps.length - 1];
  return { correlationId: t.correlationId, first: t.first, last: t.last, steps: t.steps.length + t.dropped, eventTypes: [...types], failed, lastOutcome: lastStep ? lastStep.outcome : '' };
}

function positive(v: unknown, dflt: number): number {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : dflt;
}

/** Appends a step to msg._mfgTrace, keeping only the last `cap` steps. */
export function appendToMsg(msg: Record<string, unknown>, step: TraceStep, cap: number): void {
  let list = msg._mfgTrace;
  if (!Array.isArray(list)) {
    list = [];
    msg._mfgTrace = list;
  }
  const arr = list as TraceStep[];
  arr.push(step);
  if (arr.length > cap) arr.splice(0, arr.length - cap);
}

/** The correlation id a msg belongs to: msg.correlationId, else the event's correlationid or id. */
export function correlationOf(msg: Record<string, unknown>): string | undefined {
  if (typeof msg.correlationId === 'string' && msg.correlationId) return msg.correlationId;
  const p = msg.payload as Record<string, unknown> | null | undefined;
  if (p && typeof p === 'object' && p.specversion === '1.0') {
    if (typeof p.correlationid === 'string' && p.correlationid) return p.correlationid;
    if (typeof p.id === 'string' && p.id) return p.id;
  }
  return undefined;
}

/** Event type, id and causation of the msg's payload when it is a CloudEvent. */
export function eventOf(msg: Record<string, unknown>): { type?: string; id?: string; causationId?: string } {
  const p = msg.payload as Record<string, unknown> | null | undefined;
  if (!p || typeof p !== 'object' || p.specversion !== '1.0') return {};
  return {
    type: typeof p.type === 'string' ? p.type : undefined,
    id: typeof p.id === 'string' ? p.id : undefined,
    causationId: typeof p.causationid === 'string' ? p.causationid : undefined,
  };
}

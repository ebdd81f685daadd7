// Keeps the trace store's transactions in the state store too (write-behind, batched),
// so that a transaction's path can still be looked up after a restart or after it left
// the bounded in-memory store. Records expire with the trace retention.
//
// Writing every transaction costs more than the rest of a msg's path at thousands of
// msgs/s, so persistence has a budget: transactions with a failed step are always
// written; successful ones while the budget (transactions per second) lasts, decided when
// a transaction starts. Beyond it they stay in memory only and are counted. Plant event rates sit well inside the budget.
import type { IdempotencyStore } from '../store/types';
import { Budget, budgetOf } from './budget';
import { observe } from './metrics';
import { FAILED_OUTCOMES, TraceStep, TraceStore, Transaction } from './trace';

export const TRACE_SCOPE = 'mfg-trace';

// Admission is decided once per transaction and kept on it under a symbol (JSON leaves it
// out): a side table of every transaction would cost the garbage collector at
// thousands of msgs/s.
const ADMITTED = Symbol('mfgTraceAdmitted');
type Marked = Transaction & { [ADMITTED]?: boolean };

export interface TracePersistOptions {
  /** write-behind interval, ms */
  flushMs?: number;
  /** successful transactions started per second that are written (0: all) */
  perSecond?: number;
  /** transactions written together, before the next are handed to the store */
  slice?: number;
  now?: () => number;
}

export class TracePersistence {
  private dirty = new Map<string, Transaction>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private readonly flushMs: number;
  private readonly slice: number;
  private readonly budget: Budget;
  /** successful transactions kept in memory only, because the budget was used up */
  unpersisted = 0;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly traces: TraceStore,
    o: TracePersistOptions = {},
  ) {
    this.flushMs = o.flushMs ?? 1000;
    this.slice = Number(o.slice) >= 1 ? Math.floor(Number(o.slice)) : 25;
    this.budget = new Budget(budgetOf(o.perSecond, 200), o.now);
    traces.onChange = (t, step) => this.mark(t, step);
  }

  /** true: written; false: kept in memory only unless a step fails; undefined: not decided */
  private admit(t: Marked, step: TraceStep): boolean {
    const a = t[ADMITTED];
    if (a) return true;
    if (FAILED_OUTCOMES.has(step.outcome) || (a === undefined && this.budget.take())) {
      t[ADMITTED] = true;
      return true;
    }
    if (a === undefined) {
      t[ADMITTED] = false;
      this.unpersisted++;
      observe.traceUnpersisted();
    }
    return false;
  }

  private mark(t: Transaction, step: TraceStep): void {
    if (!this.admit(t, step)) return;
    this.dirty.set(t.correlationId, t);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /**
   * Writes every changed transaction, `slice` at a time: the msgs' own writes share the
   * store (and its thread), and a second's worth of traces in one transaction would hold
   * them up for milliseconds.
   */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    const changed = [...this.dirty.values()];
    this.dirty.clear();
    this.flushing = this.write(changed);
    await this.flushing;
  }

  private async write(changed: Transaction[]): Promise<void> {
    for (let i = 0; i < changed.length; i += this.slice) {
      const writes = changed.slice(i, i + this.slice).map((t) => this.store.commit(TRACE_SCOPE, t.correlationId, { ...t, steps: [...t.steps] }, this.traces.retentionMs));
      await Promise.allSettled(writes);
    }
  }

  /** The transaction from memory, else from the state store. */
  async get(correlationId: string, now = Date.now()): Promise<Transaction | undefined> {
    const mem = this.traces.get(correlationId, now);
    if (mem) return mem;
    const rec = await this.store.get(TRACE_SCOPE, correlationId);
    const t = rec?.result as Transaction | undefined;
    if (!t || !Array.isArray(t.steps) || rec!.expiresAt < now) return undefined;
    return { ...t, steps: [...t.steps].sort((a, b) => a.at - b.at) };
  }

  stop(): void {
    this.traces.onChange = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

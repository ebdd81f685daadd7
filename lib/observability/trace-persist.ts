// Keeps the trace store's transactions in the state store too (write-behind, batched),
// so that a transaction's path can still be looked up after a restart or after it left
// the bounded in-memory store. Records expire with the trace retention.
import type { IdempotencyStore } from '../store/types';
import type { TraceStore, Transaction } from './trace';

export const TRACE_SCOPE = 'mfg-trace';

export class TracePersistence {
  private dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly traces: TraceStore,
    private readonly flushMs = 1000,
  ) {
    traces.onChange = (id) => this.mark(id);
  }

  private mark(id: string): void {
    this.dirty.add(id);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes every changed transaction (one group-committed batch for the sqlite store). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    const ids = [...this.dirty];
    this.dirty.clear();
    const writes = ids.map((id) => {
      const t = this.traces.peek(id);
      return t ? this.store.commit(TRACE_SCOPE, id, { ...t, steps: [...t.steps] }, this.traces.retentionMs) : undefined;
    });
    this.flushing = Promise.allSettled(writes).then(() => undefined);
    await this.flushing;
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

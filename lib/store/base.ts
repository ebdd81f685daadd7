// What every store shares: the 'state' event, a scheduled prune in small batches,
// and the record encoding of idempotency keys.
import { EventEmitter } from 'events';
import type { KeyRecord, StoreState } from './types';

export interface PruneOptions {
  /** how often expired keys and old dead letters are deleted (ms, 0 = never) */
  pruneIntervalMs?: number;
  /** rows deleted per batch; batches are separated by a turn of the event loop */
  pruneBatch?: number;
  /** dead letters older than this are deleted (ms) */
  deadLetterRetentionMs?: number;
}

export const DEFAULT_PRUNE_INTERVAL_MS = 60_000;
export const DEFAULT_PRUNE_BATCH = 2_000;
export const DEFAULT_DEAD_LETTER_RETENTION_MS = 30 * 24 * 3600_000;
/** at most this many batches per scheduled run, so a huge backlog never hogs the loop */
const MAX_BATCHES_PER_RUN = 500;

export abstract class StoreBase extends EventEmitter {
  private stateNow: StoreState = 'connecting';
  private pruneTimer?: NodeJS.Timeout;
  private pruning = false;
  protected readonly pruneBatch: number;
  protected readonly deadLetterRetentionMs: number;

  constructor(protected readonly pruneOpts: PruneOptions = {}) {
    super();
    this.pruneBatch = Math.max(1, pruneOpts.pruneBatch ?? DEFAULT_PRUNE_BATCH);
    this.deadLetterRetentionMs = pruneOpts.deadLetterRetentionMs ?? DEFAULT_DEAD_LETTER_RETENTION_MS;
    // A store without 'error' listeners must not throw on an emitted error.
    this.on('error', () => undefined);
  }

  get state(): StoreState {
    return this.stateNow;
  }

  protected setState(state: StoreState, detail?: string): void {
    if (state === this.stateNow && state !== 'error') return;
    this.stateNow = state;
    this.emit('state', state, detail);
  }

  abstract prune(now?: number): Promise<number>;

  protected startPruning(): void {
    const every = this.pruneOpts.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS;
    if (!every) return;
    this.pruneTimer = setInterval(() => void this.pruneAll(), every);
    this.pruneTimer.unref();
  }

  protected stopPruning(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
  }

  /** Whether the last prune() call stopped short of the end of its work. */
  protected hasMorePruneWork(deleted: number): boolean {
    return deleted >= this.pruneBatch;
  }

  /** Prunes batch after batch, yielding to the event loop in between. */
  async pruneAll(now?: number): Promise<number> {
    if (this.pruning) return 0;
    this.pruning = true;
    let total = 0;
    try {
      for (let i = 0; i < MAX_BATCHES_PER_RUN && this.state !== 'closed'; i++) {
        const n = await this.prune(now);
        total += n;
        if (!this.hasMorePruneWork(n)) break;
        await new Promise((r) => setImmediate(r));
      }
    } catch (err) {
      this.emit('error', err);
    } finally {
      this.pruning = false;
    }
    return total;
  }
}

/** JSON text of a stored result; undefined stays absent. */
export function encodeResult(result: unknown): string | null {
  return result === undefined ? null : JSON.stringify(result);
}

export function decodeResult(text: string | null | undefined): unknown {
  return text === null || text === undefined ? undefined : JSON.parse(text);
}

export function record(state: 0 | 1, firstSeen: number, expiresAt: number, result: unknown): KeyRecord {
  const r: KeyRecord = { state: state === 1 ? 'committed' : 'in-flight', firstSeen, expiresAt };
  if (result !== undefined) r.result = result;
  return r;
}

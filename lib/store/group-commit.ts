// Group commit: store operations arriving within the same tick (or a few ms of each
// other under load) run in ONE transaction; each caller's promise settles only after
// that transaction is durable. With synchronous=FULL a transaction costs an fsync, so
// one transaction per msg would cap a node at a few thousand msgs/s.

import { QueueFullError } from './types';

/** An error that belongs to one operation (e.g. a full queue), not to the batch. */
export function isOperationError(err: unknown): boolean {
  if (err instanceof QueueFullError) return true;
  return !!err && typeof err === 'object' && (err as { operationError?: boolean }).operationError === true;
}

interface Op {
  run: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** outcome inside the transaction, settled only after the commit */
  failed?: boolean;
  value?: unknown;
}

export interface GroupCommitOptions {
  /** under load, wait at most this long after the previous commit to gather more (ms) */
  windowMs?: number;
  /** commit at once when this many operations are waiting */
  maxBatch?: number;
}

/** Told after each transaction: undefined when it committed, else why it rolled back. */
export type CommitListener = (err?: Error) => void;

/** a batch this large is committed after the current tick, without waiting for the window */
const GATHERED = 256;

export class GroupCommit {
  private ops: Op[] = [];
  private scheduled = false;
  private timer?: NodeJS.Timeout;
  private lastCommit = 0;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  /** number of transactions and operations committed, for tests and benchmarks */
  readonly stats = { transactions: 0, operations: 0 };

  constructor(private readonly transaction: (body: () => void) => void, opts: GroupCommitOptions = {}, private readonly onCommit?: CommitListener) {
    this.windowMs = opts.windowMs ?? 2;
    this.maxBatch = opts.maxBatch ?? 4000;
  }

  /** Queues `run` to execute inside the next transaction; resolves with its result after commit.
   *  `run` must either complete its writes or throw an operation error before writing. */
  submit<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.ops.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (this.ops.length >= this.maxBatch) this.flush();
      else if (this.timer && this.ops.length >= GATHERED) {
        // Enough gathered to make the fsync worth it: waiting out the window only adds latency.
        clearTimeout(this.timer);
        this.timer = undefined;
        setImmediate(() => this.flush());
      } else this.schedule();
    });
  }

  get pending(): number {
    return this.ops.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Idle: commit right after the current tick. Busy (last commit just now): wait a
    // little so the msgs of the next few ms share the fsync.
    const wait = this.windowMs - (Date.now() - this.lastCommit);
    if (wait > 0) this.timer = setTimeout(() => this.flush(), wait);
    else setImmediate(() => this.flush());
  }

  /** Runs everything queued in one transaction now (also used on close). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduled = false;
    const ops = this.ops;
    if (!ops.length) return;
    this.ops = [];
    try {
      this.transaction(() => {
        for (let i = 0; i < ops.length; i++) {
          const op = ops[i];
          try {
            op.value = op.run();
          } catch (err) {
            if (!isOperationError(err)) throw err;
            op.failed = true;
            op.value = err;
          }
        }
      });
    } catch (err) {
      // The transaction rolled back: nothing of this batch is stored.
      this.lastCommit = Date.now();
      for (const op of ops) op.reject(err);
      this.onCommit?.(err as Error);
      return;
    }
    this.lastCommit = Date.now();
    this.stats.transactions++;
    this.stats.operations += ops.length;
    this.onCommit?.();
    for (const op of ops) {
      if (op.failed) op.reject(op.value);
      else op.resolve(op.value);
    }
    if (this.ops.length) this.schedule();
  }
}

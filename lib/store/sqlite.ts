// The embedded default store: one SQLite file (WAL, synchronous=FULL) under the Node-RED
// user directory. It runs SQLite inline under group commit, or (option thread, a file
// only) in its own thread (sqlite-thread). Either way all calls, reads too, go
// through one ordered queue, so every caller sees the effects of the calls it made before.
import fs from 'fs';
import path from 'path';
import { encodeResult, PruneOptions, StoreBase } from './base';
import { GroupCommit, GroupCommitOptions } from './group-commit';
import { Sync } from './sqlite-schema';
import { EngineOptions, OpName, SqliteEngine, openDatabase } from './sqlite-engine';
import { SqliteThread } from './sqlite-thread';
import {
  ClaimOptions, ClaimResult, DeadLetter, DeadLetterFilter, EnqueueItem, KeyRecord, QueueItem, StateStore,
} from './types';

export interface SqliteStoreOptions extends PruneOptions, GroupCommitOptions {
  path: string;
  /** 'full' (default): durable on power loss; 'normal': durable on process kill only */
  synchronous?: Sync;
  /** run SQLite in the store's own thread (default: no; a file only) */
  thread?: boolean;
  /** how long a write waits for another process's lock before it fails (ms) */
  busyTimeoutMs?: number;
}

/** In its own thread a write can wait out another process's lock without holding up
 *  the flows; inline the wait blocks the event loop, so it is kept short. */
const BUSY_MS_THREAD = 5000;
const BUSY_MS_INLINE = 1000;

export class SqliteStore extends StoreBase implements StateStore {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  private readonly thread?: SqliteThread;
  private readonly engine?: SqliteEngine;
  private readonly group?: GroupCommit;
  private closed = false;
  private pruneMore = false;

  constructor(opts: SqliteStoreOptions) {
    super(opts);
    if (!opts.path) throw new Error('sqlite store: a file path is required');
    this.path = opts.path === ':memory:' ? opts.path : path.resolve(opts.path);
    const inMemory = this.path === ':memory:';
    if (!inMemory) {
      fs.mkdirSync(path.dirname(this.path), { recursive: true });
      // Business data: readable by the Node-RED user only (SQLite gives -wal and -shm the same mode).
      if (!fs.existsSync(this.path)) fs.closeSync(fs.openSync(this.path, 'a', 0o600));
    }
    const threaded = opts.thread ?? false;
    if (threaded && inMemory) throw new Error('sqlite store: an in-memory database cannot run in its own thread');
    const eo: EngineOptions = { path: this.path, sync: opts.synchronous ?? 'full', busyMs: opts.busyTimeoutMs ?? (threaded ? BUSY_MS_THREAD : BUSY_MS_INLINE) };
    // A failed transaction (disk full, I/O error, locked file) shows in the state, so node
    // status tells the operator; the next commit that succeeds clears it.
    const onCommit = (err?: Error) => {
      if (err) this.setState('error', err.message);
      else if (this.state === 'error') this.setState('ready');
    };
    if (threaded) {
      // Opened here once as well, so a bad path or a file that is not a database fails
      // the constructor with its reason rather than the first call.
      openDatabase(eo).close();
      this.thread = new SqliteThread(eo, opts.maxBatch ?? 4000, onCommit);
    } else {
      const engine = new SqliteEngine(eo);
      this.engine = engine;
      this.group = new GroupCommit((body) => engine.transaction(body), opts, onCommit);
    }
    this.setState('ready');
    this.startPruning();
  }

  /** transactions and operations committed so far (group commit at work) */
  get commitStats(): { transactions: number; operations: number } {
    return { ...(this.thread ? this.thread.stats : this.group!.stats) };
  }

  private run<T>(name: OpName, ...args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`sqlite store ${this.path} is closed`));
    if (this.thread) return this.thread.submit(name, args) as Promise<T>;
    return this.group!.submit(() => this.engine!.call(name, args)) as Promise<T>;
  }

  claim(scope: string, key: string, opts: ClaimOptions): Promise<ClaimResult> {
    const now = opts.now ?? Date.now();
    const mark = opts.mode === 'mark';
    return this.run('claim', scope, key, mark, now, now + (mark ? opts.retentionMs : opts.leaseMs));
  }

  async commit(scope: string, key: string, result: unknown, retentionMs: number): Promise<void> {
    const now = Date.now();
    const text = encodeResult(result); // a bad result fails this call alone, before the batch
    return this.run('commit', scope, key, now, now + retentionMs, text);
  }

  release(scope: string, key: string): Promise<boolean> {
    return this.run('release', scope, key);
  }

  forget(scope: string, key: string): Promise<boolean> {
    return this.run('forget', scope, key);
  }

  get(scope: string, key: string): Promise<KeyRecord | undefined> {
    return this.run('get', scope, key, Date.now());
  }

  async enqueue(queue: string, items: EnqueueItem[], limit?: number): Promise<number[]> {
    const rows = items.map((it) => [String(it.partition ?? ''), it.text ?? JSON.stringify(it.payload ?? null)]);
    return this.run('enqueue', queue, rows, Date.now(), limit);
  }

  heads(queue: string, max: number, now: number, busy?: ReadonlySet<string>): Promise<QueueItem[]> {
    return this.run('heads', queue, max, now, busy && busy.size ? busy : undefined);
  }

  ack(queue: string, ids: number[]): Promise<void> {
    return this.run('ack', queue, ids);
  }

  retryLater(queue: string, id: number, notBefore: number, lastError: string): Promise<void> {
    return this.run('retryLater', queue, id, notBefore, String(lastError ?? ''));
  }

  take(queue: string, id: number): Promise<QueueItem | undefined> {
    return this.run('take', queue, id);
  }

  depth(queue: string): Promise<number> {
    return this.run('depth', queue);
  }

  async addDeadLetter(dl: Omit<DeadLetter, 'id'>): Promise<number> {
    const msg = JSON.stringify(dl.msg ?? null);
    return this.run('addDeadLetter', String(dl.origin ?? ''), String(dl.reason ?? ''), dl.attempts ?? 0,
      dl.correlationId ?? null, dl.eventType ?? null, dl.at ?? Date.now(), msg);
  }

  listDeadLetters(filter: DeadLetterFilter = {}): Promise<{ total: number; items: DeadLetter[] }> {
    return this.run('listDeadLetters', filter, Date.now());
  }

  getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.run('getDeadLetter', id);
  }

  removeDeadLetter(id: number): Promise<boolean> {
    return this.run('removeDeadLetter', id);
  }

  /** Deletes the expired keys of the next window of pruneBatch keys (walking the whole
   *  table over successive calls) and up to pruneBatch dead letters past retention. */
  async prune(now = Date.now()): Promise<number> {
    const r = await this.run<{ n: number; more: boolean }>('prune', now, this.pruneBatch, now - this.deadLetterRetentionMs);
    this.pruneMore = r.more;
    return r.n;
  }

  protected override hasMorePruneWork(): boolean {
    return this.pruneMore;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopPruning();
    try {
      if (this.thread) await this.thread.close();
      else this.group!.flush();
    } finally {
      this.engine?.close();
      this.setState('closed');
    }
  }
}

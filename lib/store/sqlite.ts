// The embedded default store: one SQLite file (WAL, synchronous=FULL) under the Node-RED
// user directory. All writes go through group commit; reads go through the same queue so
// every caller sees the effects of the calls it made before.
import fs from 'fs';
import path from 'path';
import Database from 'better-sqlite3';
import { decodeResult, encodeResult, PruneOptions, record, StoreBase } from './base';
import { GroupCommit, GroupCommitOptions } from './group-commit';
import { openSchema, statements, Sync } from './sqlite-schema';
import { deadLetterQuery, rowToDeadLetter, rowToItem } from './sqlite-rows';
import { headIds, headStatements } from './sqlite-heads';
import {
  ClaimOptions, ClaimResult, DeadLetter, DeadLetterFilter, EnqueueItem, KeyRecord, QueueFullError, QueueItem, StateStore,
} from './types';

export interface SqliteStoreOptions extends PruneOptions, GroupCommitOptions {
  path: string;
  /** 'full' (default): durable on power loss; 'normal': durable on process kill only */
  synchronous?: Sync;
}

export class SqliteStore extends StoreBase implements StateStore {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  private readonly db: Database.Database;
  private readonly s: ReturnType<typeof statements>;
  private readonly h: ReturnType<typeof headStatements>;
  private readonly group: GroupCommit;
  private readonly depths = new Map<string, number>();
  private closed = false;
  private pruneCursor?: [string, string];
  private pruneMore = false;

  constructor(opts: SqliteStoreOptions) {
    super(opts);
    if (!opts.path) throw new Error('sqlite store: a file path is required');
    this.path = opts.path === ':memory:' ? opts.path : path.resolve(opts.path);
    if (this.path !== ':memory:') {
      fs.mkdirSync(path.dirname(this.path), { recursive: true });
      // Business data: readable by the Node-RED user only (SQLite gives -wal and -shm the same mode).
      if (!fs.existsSync(this.path)) fs.closeSync(fs.openSync(this.path, 'a', 0o600));
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(this.path);
      openSchema(db, opts.synchronous ?? 'full');
    } catch (err) {
      db?.close();
      throw new Error(`sqlite store: cannot open ${this.path}: ${(err as Error).message}`);
    }
    this.db = db;
    this.s = statements(this.db);
    this.h = headStatements(this.db);
    const txn = this.db.transaction((body: () => void) => body());
    // A failed transaction (disk full, I/O error, locked file) shows in the state, so node
    // status tells the operator; the next commit that succeeds clears it.
    this.group = new GroupCommit((body) => txn.immediate(body), opts, (err) => {
      if (err) {
        this.depths.clear(); // counts changed inside the rolled-back transaction are void
        this.setState('error', err.message);
      }
      else if (this.state === 'error') this.setState('ready');
    });
    this.setState('ready');
    this.startPruning();
  }

  /** transactions and operations committed so far (group commit at work) */
  get commitStats(): { transactions: number; operations: number } {
    return { ...this.group.stats };
  }

  private run<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`sqlite store ${this.path} is closed`));
    return this.group.submit(fn);
  }

  claim(scope: string, key: string, opts: ClaimOptions): Promise<ClaimResult> {
    const now = opts.now ?? Date.now();
    const mark = opts.mode === 'mark';
    const expires = now + (mark ? opts.retentionMs : opts.leaseMs);
    return this.run(() => {
      if (this.s.claim.run(scope, key, mark ? 1 : 0, now, expires, now).changes > 0) {
        return { status: 'new', firstSeen: now } as ClaimResult;
      }
      const r = this.s.getKey.get(scope, key, now) as KeyRow;
      return { status: 'duplicate', record: toRecord(r) } as ClaimResult;
    });
  }

  async commit(scope: string, key: string, result: unknown, retentionMs: number): Promise<void> {
    const now = Date.now();
    const text = encodeResult(result); // a bad result fails this call alone, before the batch
    return this.run(() => {
      this.s.commit.run(scope, key, now, now + retentionMs, text);
    });
  }

  release(scope: string, key: string): Promise<boolean> {
    return this.run(() => this.s.release.run(scope, key).changes > 0);
  }

  forget(scope: string, key: string): Promise<boolean> {
    return this.run(() => this.s.forget.run(scope, key).changes > 0);
  }

  get(scope: string, key: string): Promise<KeyRecord | undefined> {
    const now = Date.now();
    return this.run(() => {
      const r = this.s.getKey.get(scope, key, now) as KeyRow | undefined;
      return r ? toRecord(r) : undefined;
    });
  }

  private depthOf(queue: string): number {
    let n = this.depths.get(queue);
    if (n === undefined) {
      n = (this.s.count.get(queue) as { n: number }).n;
      this.depths.set(queue, n);
    }
    return n;
  }

  private changeDepth(queue: string, by: number): void {
    const n = this.depths.get(queue);
    if (n !== undefined) this.depths.set(queue, n + by);
  }

  async enqueue(queue: string, items: EnqueueItem[], limit?: number): Promise<number[]> {
    const now = Date.now();
    const rows = items.map((it) => [String(it.partition ?? ''), it.text ?? JSON.stringify(it.payload ?? null)]);
    return this.run(() => {
      const depth = this.depthOf(queue);
      if (limit !== undefined && depth + rows.length > limit) throw new QueueFullError(queue, limit);
      const ids = rows.map(([partition, payload]) => Number(this.s.insert.run(queue, partition, payload, now, now).lastInsertRowid));
      this.depths.set(queue, depth + ids.length);
      return ids;
    });
  }

  heads(queue: string, max: number, now: number, busy?: ReadonlySet<string>): Promise<QueueItem[]> {
    return this.run(() => headIds(this.h, queue, max, now, busy).map((id) => rowToItem(this.s.item.get(id, queue) as never)));
  }

  ack(queue: string, ids: number[]): Promise<void> {
    return this.run(() => {
      let n = 0;
      for (const id of ids) n += this.s.del.run(id, queue).changes;
      this.changeDepth(queue, -n);
    });
  }

  retryLater(queue: string, id: number, notBefore: number, lastError: string): Promise<void> {
    return this.run(() => {
      this.s.retry.run(String(lastError ?? ''), notBefore, id, queue);
    });
  }

  take(queue: string, id: number): Promise<QueueItem | undefined> {
    return this.run(() => {
      const row = this.s.item.get(id, queue);
      if (!row) return undefined;
      this.s.del.run(id, queue);
      this.changeDepth(queue, -1);
      return rowToItem(row as never);
    });
  }

  depth(queue: string): Promise<number> {
    return this.run(() => this.depthOf(queue));
  }

  async addDeadLetter(dl: Omit<DeadLetter, 'id'>): Promise<number> {
    const msg = JSON.stringify(dl.msg ?? null);
    const at = dl.at ?? Date.now();
    return this.run(() => Number(this.s.addDl.run(
      String(dl.origin ?? ''), String(dl.reason ?? ''), dl.attempts ?? 0, dl.correlationId ?? null, dl.eventType ?? null, at, msg,
    ).lastInsertRowid));
  }

  listDeadLetters(filter: DeadLetterFilter = {}): Promise<{ total: number; items: DeadLetter[] }> {
    const now = Date.now();
    return this.run(() => {
      const q = deadLetterQuery(filter, now);
      const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM dead_letters ${q.where}`).get(...q.args) as { n: number }).n;
      const rows = this.db.prepare(`SELECT * FROM dead_letters ${q.where} ${q.order} LIMIT ? OFFSET ?`).all(...q.args, q.limit, q.offset);
      return { total, items: rows.map((r) => rowToDeadLetter(r as never)) };
    });
  }

  getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.run(() => {
      const r = this.s.getDl.get(id);
      return r ? rowToDeadLetter(r as never) : undefined;
    });
  }

  removeDeadLetter(id: number): Promise<boolean> {
    return this.run(() => this.s.delDl.run(id).changes > 0);
  }

  /** Deletes the expired keys of the next window of pruneBatch keys (walking the whole
   *  table over successive calls) and up to pruneBatch dead letters past retention. */
  prune(now = Date.now()): Promise<number> {
    const batch = this.pruneBatch;
    const dlBefore = now - this.deadLetterRetentionMs;
    return this.run(() => {
      const c = this.pruneCursor;
      const rows = (c ? this.s.pruneNext.all(c[0], c[1], batch) : this.s.pruneFirst.all(batch)) as [string, string, number][];
      let n = 0;
      for (const [scope, key, exp] of rows) if (exp <= now) n += this.s.pruneKey.run(scope, key, now).changes;
      const last = rows[rows.length - 1];
      this.pruneCursor = rows.length === batch ? [last[0], last[1]] : undefined;
      const dl = this.s.pruneDl.run(dlBefore, batch).changes;
      this.pruneMore = this.pruneCursor !== undefined || dl === batch;
      return n + dl;
    });
  }

  protected override hasMorePruneWork(): boolean {
    return this.pruneMore;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopPruning();
    try {
      this.group.flush();
    } finally {
      this.db.close();
      this.setState('closed');
    }
  }
}

interface KeyRow {
  state: 0 | 1;
  first_seen: number;
  expires_at: number;
  result: string | null;
}

function toRecord(r: KeyRow): KeyRecord {
  return record(r.state, r.first_seen, r.expires_at, decodeResult(r.result));
}

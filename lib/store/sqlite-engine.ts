// The SQLite side of the embedded store: one connection and the operations on it, run
// in batches of one transaction each. It runs in the store's own thread (sqlite-worker)
// or, for an in-memory database, inline; so its inputs and results are plain data.
import Database from 'better-sqlite3';
import { decodeResult, record } from './base';
import { isOperationError } from './group-commit';
import { openSchema, statements, Sync } from './sqlite-schema';
import { deadLetterQuery, rowToDeadLetter, rowToItem } from './sqlite-rows';
import { headIds, headStatements } from './sqlite-heads';
import { ClaimResult, DeadLetterFilter, KeyRecord, QueueFullError } from './types';

export interface EngineOptions {
  path: string;
  sync: Sync;
  /** how long a write waits for a lock held by another process (ms) */
  busyMs: number;
}

/** One call: the operation's name and its arguments. */
export type OpCall = [name: OpName, args: unknown[]];
/** The outcome of one call: its value, or the error that failed it alone. */
export type OpResult = { v: unknown } | { e: OpError };
export interface OpError { name: string; message: string; queue?: string; limit?: number }

/** Opens (creating if needed) the file and its schema; throws a clear reason. */
export function openDatabase(opts: EngineOptions): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(opts.path);
    openSchema(db, opts.sync, opts.busyMs);
    return db;
  } catch (err) {
    db?.close();
    throw new Error(`sqlite store: cannot open ${opts.path}: ${(err as Error).message}`);
  }
}

export class SqliteEngine {
  private readonly db: Database.Database;
  private readonly s: ReturnType<typeof statements>;
  private readonly h: ReturnType<typeof headStatements>;
  private readonly txn: Database.Transaction<(body: () => void) => void>;
  private readonly depths = new Map<string, number>();
  private pruneCursor?: [string, string];

  constructor(opts: EngineOptions) {
    this.db = openDatabase(opts);
    this.s = statements(this.db);
    this.h = headStatements(this.db);
    this.txn = this.db.transaction((body: () => void) => body());
  }

  /** Runs body in one write transaction; on any error it rolls back and rethrows. */
  transaction(body: () => void): void {
    try {
      this.txn.immediate(body);
    } catch (err) {
      this.depths.clear(); // counts changed inside the rolled-back transaction are void
      throw err;
    }
  }

  /** Runs one call; it must be inside transaction(). */
  call(name: OpName, args: unknown[]): unknown {
    return (this.ops[name] as (...a: unknown[]) => unknown)(...args);
  }

  /** Runs the calls in one transaction. A call that fails with an operation error (a full
   *  queue), as group commit counts them, fails alone;
   *  any other error rolls the whole batch back and is thrown. */
  exec(calls: OpCall[]): OpResult[] {
    const out: OpResult[] = new Array(calls.length);
    this.transaction(() => {
      for (let i = 0; i < calls.length; i++) {
        try {
          out[i] = { v: this.call(calls[i][0], calls[i][1]) };
        } catch (err) {
          if (!isOperationError(err)) throw err;
          const e = err as Error & { queue?: string; limit?: number };
          out[i] = { e: { name: e.name, message: e.message, queue: e.queue, limit: e.limit } };
        }
      }
    });
    return out;
  }

  close(): void {
    this.db.close();
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

  readonly ops = {
    claim: (scope: string, key: string, mark: boolean, now: number, expires: number): ClaimResult => {
      if (this.s.claim.run(scope, key, mark ? 1 : 0, now, expires, now).changes > 0) return { status: 'new', firstSeen: now };
      return { status: 'duplicate', record: toRecord(this.s.getKey.get(scope, key, now) as KeyRow) };
    },
    commit: (scope: string, key: string, now: number, expires: number, text: string | null): void => {
      this.s.commit.run(scope, key, now, expires, text);
    },
    release: (scope: string, key: string): boolean => this.s.release.run(scope, key).changes > 0,
    forget: (scope: string, key: string): boolean => this.s.forget.run(scope, key).changes > 0,
    get: (scope: string, key: string, now: number): KeyRecord | undefined => {
      const r = this.s.getKey.get(scope, key, now) as KeyRow | undefined;
      return r ? toRecord(r) : undefined;
    },
    enqueue: (queue: string, rows: [string, string][], now: number, limit: number | undefined): number[] => {
      const depth = this.depthOf(queue);
      if (limit !== undefined && limit !== null && depth + rows.length > limit) throw new QueueFullError(queue, limit);
      const ids = rows.map(([partition, payload]) => Number(this.s.insert.run(queue, partition, payload, now, now).lastInsertRowid));
      this.depths.set(queue, depth + ids.length);
      return ids;
    },
    heads: (queue: string, max: number, now: number, busy?: ReadonlySet<string>) =>
      headIds(this.h, queue, max, now, busy).map((id) => rowToItem(this.s.item.get(id, queue) as never)),
    ack: (queue: string, ids: number[]): void => {
      let n = 0;
      for (const id of ids) n += this.s.del.run(id, queue).changes;
      this.changeDepth(queue, -n);
    },
    retryLater: (queue: string, id: number, notBefore: number, lastError: string): void => {
      this.s.retry.run(lastError, notBefore, id, queue);
    },
    take: (queue: string, id: number) => {
      const row = this.s.item.get(id, queue);
      if (!row) return undefined;
      this.s.del.run(id, queue);
      this.changeDepth(queue, -1);
      return rowToItem(row as never);
    },
    depth: (queue: string): number => this.depthOf(queue),
    addDeadLetter: (origin: string, reason: string, attempts: number, corr: string | null, type: string | null, at: number, msg: string): number =>
      Number(this.s.addDl.run(origin, reason, attempts, corr, type, at, msg).lastInsertRowid),
    listDeadLetters: (filter: DeadLetterFilter, now: number) => {
      const q = deadLetterQuery(filter, now);
      const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM dead_letters ${q.where}`).get(...q.args) as { n: number }).n;
      const rows = this.db.prepare(`SELECT * FROM dead_letters ${q.where} ${q.order} LIMIT ? OFFSET ?`).all(...q.args, q.limit, q.offset);
      return { total, items: rows.map((r) => rowToDeadLetter(r as never)) };
    },
    getDeadLetter: (id: number) => {
      const r = this.s.getDl.get(id);
      return r ? rowToDeadLetter(r as never) : undefined;
    },
    removeDeadLetter: (id: number): boolean => this.s.delDl.run(id).changes > 0,
    /** Deletes the expired keys of the next window of `batch` keys (walking the whole table
     *  over successive calls) and up to `batch` dead letters from before dlBefore. */
    prune: (now: number, batch: number, dlBefore: number): { n: number; more: boolean } => {
      const c = this.pruneCursor;
      const rows = (c ? this.s.pruneNext.all(c[0], c[1], batch) : this.s.pruneFirst.all(batch)) as [string, string, number][];
      let n = 0;
      for (const [scope, key, exp] of rows) if (exp <= now) n += this.s.pruneKey.run(scope, key, now).changes;
      const last = rows[rows.length - 1];
      this.pruneCursor = rows.length === batch ? [last[0], last[1]] : undefined;
      const dl = this.s.pruneDl.run(dlBefore, batch).changes;
      return { n: n + dl, more: this.pruneCursor !== undefined || dl === batch };
    },
  };
}

export type OpName = keyof SqliteEngine['ops'];

/** The error an OpError stands for, with its class restored. */
export function opError(e: OpError): Error {
  if (e.name === 'QueueFullError' && e.queue !== undefined && e.limit !== undefined) return new QueueFullError(e.queue, e.limit);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
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

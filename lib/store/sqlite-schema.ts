// Tables of the embedded store. One file holds idempotency keys, outbox queues and dead
// letters, so one fsync commits all three together.
import type Database from 'better-sqlite3';

export const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS idem (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  state INTEGER NOT NULL,          -- 0 in-flight, 1 committed
  first_seen INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  result TEXT,                     -- JSON
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
-- No index on expires_at: it would cost a second b-tree write per key (a quarter of the
-- throughput). Prune walks the primary key in bounded windows instead.
DROP INDEX IF EXISTS idem_expiry;

CREATE TABLE IF NOT EXISTS queue_items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL,
  partition TEXT NOT NULL,
  payload TEXT NOT NULL,           -- JSON
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  not_before INTEGER NOT NULL,
  last_error TEXT
);
-- covers the heads() scan in id order without touching the payloads
CREATE INDEX IF NOT EXISTS queue_scan ON queue_items (queue, id, partition, not_before);
-- the first item of each partition, when the front of the queue is one long backlog
CREATE INDEX IF NOT EXISTS queue_parts ON queue_items (queue, partition, id);

CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  origin TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  correlation_id TEXT,
  event_type TEXT,
  at INTEGER NOT NULL,
  msg TEXT NOT NULL                -- JSON
);
CREATE INDEX IF NOT EXISTS dead_letters_at ON dead_letters (at);
`;

export type Sync = 'full' | 'normal';

/**
 * WAL journal: readers never block the writer and a commit is one sequential append.
 * synchronous=FULL (default): the WAL is fsynced at every commit, so a committed key or
 * outbox entry survives power loss, not only a process kill. NORMAL survives kill -9 but
 * may lose the last commits on power loss. busy_timeout lets a second process (a CLI,
 * a backup) hold the lock for a while without failing our writes.
 */
export function openSchema(db: Database.Database, sync: Sync, busyMs: number): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyMs))}`);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`state store ${db.name} has schema version ${version}, newer than this package understands (${SCHEMA_VERSION})`);
  }
  db.exec(DDL);
  if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

export function statements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    // A free or expired key is taken in one statement; changes === 0 means it is held.
    claim: p(`INSERT INTO idem (scope, key, state, first_seen, expires_at, result) VALUES (?, ?, ?, ?, ?, NULL)
      ON CONFLICT (scope, key) DO UPDATE SET state = excluded.state, first_seen = excluded.first_seen,
      expires_at = excluded.expires_at, result = NULL WHERE idem.expires_at <= ?`),
    commit: p(`INSERT INTO idem (scope, key, state, first_seen, expires_at, result) VALUES (?, ?, 1, ?, ?, ?)
      ON CONFLICT (scope, key) DO UPDATE SET state = 1,
      first_seen = CASE WHEN idem.expires_at <= excluded.first_seen THEN excluded.first_seen ELSE idem.first_seen END,
      expires_at = excluded.expires_at, result = excluded.result`),
    release: p('DELETE FROM idem WHERE scope = ? AND key = ? AND state = 0'),
    forget: p('DELETE FROM idem WHERE scope = ? AND key = ?'),
    getKey: p('SELECT state, first_seen, expires_at, result FROM idem WHERE scope = ? AND key = ? AND expires_at > ?'),
    pruneFirst: p('SELECT scope, key, expires_at FROM idem ORDER BY scope, key LIMIT ?').raw(true),
    pruneNext: p('SELECT scope, key, expires_at FROM idem WHERE (scope, key) > (?, ?) ORDER BY scope, key LIMIT ?').raw(true),
    pruneKey: p('DELETE FROM idem WHERE scope = ? AND key = ? AND expires_at <= ?'),

    count: p('SELECT COUNT(*) AS n FROM queue_items WHERE queue = ?'),
    insert: p('INSERT INTO queue_items (queue, partition, payload, attempts, created_at, not_before) VALUES (?, ?, ?, 0, ?, ?)'),
    item: p('SELECT * FROM queue_items WHERE id = ? AND queue = ?'),
    del: p('DELETE FROM queue_items WHERE id = ? AND queue = ?'),
    retry: p('UPDATE queue_items SET attempts = attempts + 1, last_error = ?, not_before = ? WHERE id = ? AND queue = ?'),

    addDl: p('INSERT INTO dead_letters (origin, reason, attempts, correlation_id, event_type, at, msg) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    getDl: p('SELECT * FROM dead_letters WHERE id = ?'),
    delDl: p('DELETE FROM dead_letters WHERE id = ?'),
    pruneDl: p('DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE at <= ? LIMIT ?)'),
  };
}

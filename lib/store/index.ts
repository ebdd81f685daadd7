// State stores behind idempotency keys, outboxes and dead letters, and their factory.
import type { SqliteStoreOptions } from './sqlite';
import type { MemoryStoreOptions } from './memory';
import { MemoryStore } from './memory';
import { SqliteStore } from './sqlite';
import type { StateStore, StoreKind } from './types';

export * from './types';
export { SqliteStore, MemoryStore };
export { GroupCommit } from './group-commit';

export interface StoreOptions extends Omit<SqliteStoreOptions, 'path'>, MemoryStoreOptions {
  kind: StoreKind;
  /** sqlite: the database file; redis: the local file holding queues and dead letters */
  path?: string;
  redisUrl?: string;
  redisPassword?: string;
  /** prefix of every Redis key (default 'mfg:idem:') */
  redisPrefix?: string;
}

export function createStore(opts: StoreOptions): StateStore {
  switch (opts.kind) {
    case 'memory':
      return new MemoryStore(opts);
    case 'sqlite':
      if (!opts.path) throw new Error('sqlite store: a file path is required');
      return new SqliteStore({ ...opts, path: opts.path });
    case 'redis': {
      // Loaded on demand: ioredis is needed only by plants that share keys through Redis.
      const { RedisStore } = require('./redis') as typeof import('./redis');
      return new RedisStore(opts);
    }
    default:
      throw new Error(`unknown state store kind "${(opts as { kind: unknown }).kind}" (use sqlite, memory or redis)`);
  }
}

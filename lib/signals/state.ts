// Where the engine keeps what must survive a restart: counter marks and work contexts.
import type { IdempotencyStore } from '../store/types';

export interface SignalStateStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export class MemoryStateStore implements SignalStateStore {
  private readonly m = new Map<string, unknown>();
  async get(key: string): Promise<unknown> {
    return this.m.get(key);
  }
  async set(key: string, value: unknown): Promise<void> {
    this.m.set(key, JSON.parse(JSON.stringify(value)));
  }
}

/** Years: the marks must outlive any downtime of the flow. */
export const STATE_RETENTION_MS = 10 * 365 * 24 * 3600_000;

/** Keeps state as committed keys of an mfg-store (sqlite, memory or redis) under one scope. */
export function storeState(store: IdempotencyStore, scope: string): SignalStateStore {
  return {
    async get(key) {
      const rec = await store.get(scope, key);
      return rec?.state === 'committed' ? rec.result : undefined;
    },
    set: (key, value) => store.commit(scope, key, value, STATE_RETENTION_MS),
  };
}

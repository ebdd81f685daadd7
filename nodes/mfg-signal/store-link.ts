// The mfg-store registry (nodes/shared/store), loaded when present; without it the
// marks are kept in memory for the life of the flow.
import type { NodeAPI } from 'node-red';
import { MemoryStore } from '../../lib/store';
import type { StateStore } from '../../lib/store/types';

interface StoreApi {
  acquireStore(RED: NodeAPI, id?: string): Promise<StateStore>;
  releaseStore(store: StateStore): Promise<void> | void;
}

function api(): StoreApi | undefined {
  try {
    return require('../shared/store') as StoreApi;
  } catch {
    return undefined;
  }
}

export async function acquireStore(RED: NodeAPI, id?: string): Promise<StateStore> {
  const a = api();
  return a ? a.acquireStore(RED, id) : new MemoryStore({});
}

export async function releaseStore(store: StateStore): Promise<void> {
  const a = api();
  if (a) await a.releaseStore(store);
  else await store.close();
}

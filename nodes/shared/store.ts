// Shared access to state stores: a node names an mfg-store config node, or gets the ONE
// default embedded SQLite store of this runtime (<userDir>/mfg-connect/state.db), so that
// every node of the package shares one file and one fsync per group commit.
import os from 'os';
import path from 'path';
import type { NodeAPI } from 'node-red';
import { createStore, StateStore } from '../../lib/store';
import { adminRoute, PERMISSION_READ } from './red';

interface Entry {
  store: StateStore;
  refs: number;
  key: string;
}

// Stores by identity ('sqlite:<file>', 'memory:<node id>', ...): one SQLite file is opened
// once per runtime even when the default and a config node both name it.
const byKey = new Map<string, Entry>();
const entries = new Map<StateStore, Entry>();

/** Takes a reference on the store known by `key`, creating it on first use. */
export function sharedStore(key: string, create: () => StateStore): StateStore {
  let e = byKey.get(key);
  if (!e) {
    e = { store: create(), refs: 0, key };
    byKey.set(key, e);
    entries.set(e.store, e);
  }
  e.refs++;
  return e.store;
}

/** What an mfg-store config node exposes to the nodes that use it. */
export interface StoreConfigNode {
  store?: StateStore;
  openError?: string;
  retentionMs: number;
  leaseMs: number;
}

export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;
export const DEFAULT_LEASE_MS = 5 * 60_000;

/** The default store's file: settings.mfgConnect.stateFile, else under the user directory. */
export function defaultStatePath(RED: NodeAPI): string {
  const settings = RED.settings as unknown as { userDir?: string; mfgConnect?: { stateFile?: string } };
  if (settings.mfgConnect?.stateFile) return path.resolve(settings.mfgConnect.stateFile);
  // Without a user directory (an embedded test runtime) the file lives for this process only.
  const dir = settings.userDir || path.join(os.tmpdir(), `mfg-connect-${process.pid}`);
  return path.join(dir, 'mfg-connect', 'state.db');
}

/**
 * The store of config node `id`, or the runtime's default SQLite store when `id` is
 * empty or 'default' (as in msg.idempotency.store). Each call must be paired with releaseStore() in the node's close handler.
 * Throws with the reason when the config node is missing or its store did not open.
 */
export function acquireStore(RED: NodeAPI, id?: string): StateStore {
  if (id && id !== 'default') {
    const cfg = RED.nodes.getNode(id) as unknown as StoreConfigNode | null;
    if (!cfg) throw new Error(`state store config node "${id}" not found (deleted or not deployed)`);
    if (!cfg.store) throw new Error(`state store "${id}" is not available: ${cfg.openError || 'not opened'}`);
    const e = entries.get(cfg.store);
    if (!e) throw new Error(`state store "${id}" is closed`);
    e.refs++;
    return cfg.store;
  }
  const file = defaultStatePath(RED);
  return sharedStore(`sqlite:${file}`, () => createStore({ kind: 'sqlite', path: file, thread: storeThread(RED) }));
}

/**
 * Whether SQLite stores run in their own thread: yes unless settings.mfgConnect.storeThread
 * is false (then each flush to disk and each lock wait holds up the flows).
 */
export function storeThread(RED: NodeAPI): boolean {
  return (RED.settings as unknown as { mfgConnect?: { storeThread?: boolean } }).mfgConnect?.storeThread !== false;
}

/** Gives back a store from acquireStore() or sharedStore(); the last holder closes it. */
export async function releaseStore(store: StateStore | undefined): Promise<void> {
  const e = store && entries.get(store);
  if (!e) return;
  e.refs--;
  if (e.refs > 0) return;
  entries.delete(e.store);
  byKey.delete(e.key);
  await e.store.close();
}

/** The config id of an acquired store for msg.idempotency.store ('default' for the shared file). */
export function storeRef(id?: string): string {
  return id || 'default';
}

/** Short status text of a store state, for node status. */
export function storeStatus(store: StateStore | undefined): { fill: 'green' | 'yellow' | 'red' | 'grey'; text: string } {
  if (!store) return { fill: 'red', text: 'no store' };
  switch (store.state) {
    case 'ready': return { fill: 'green', text: store.kind };
    case 'connecting': return { fill: 'yellow', text: `${store.kind} connecting` };
    case 'reconnecting': return { fill: 'yellow', text: `${store.kind} reconnecting` };
    case 'error': return { fill: 'red', text: `${store.kind} error` };
    default: return { fill: 'grey', text: `${store.kind} ${store.state}` };
  }
}

/** GET /mfg-connect/stores: the open stores, their state and users, for operators. */
export function registerStoresRoute(RED: NodeAPI): void {
  adminRoute(RED, 'stores', () => {
    RED.httpAdmin.get('/mfg-connect/stores', RED.auth.needsPermission(PERMISSION_READ), (_req, res) => {
      res.json([...byKey.values()].map((e) => ({
        id: e.key, kind: e.store.kind, state: e.store.state, users: e.refs,
        // the file of a sqlite store; never a redis URL, which may carry a password
        path: e.store.kind === 'sqlite' ? (e.store as unknown as { path: string }).path : undefined,
      })));
    });
  });
}

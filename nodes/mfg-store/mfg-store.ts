// Config node: the state store behind idempotency keys, outboxes and dead letters.
import path from 'path';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { createStore, StateStore, StoreKind } from '../../lib/store';
import { DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS, defaultStatePath, registerStoresRoute, releaseStore, sharedStore, StoreConfigNode, storeThread } from '../shared/store';

interface StoreDef extends NodeDef {
  kind: StoreKind;
  path: string;
  maxEntries: string | number;
  retentionHours: string | number;
  leaseSeconds: string | number;
  deadLetterDays: string | number;
}

interface StoreCreds {
  url?: string;
  password?: string;
}

type StoreNode = Node<StoreCreds> & StoreConfigNode;

function num(v: unknown, fallback: number): number {
  const n = Number(v);
  return v === '' || v === undefined || v === null || !Number.isFinite(n) || n <= 0 ? fallback : n;
}

export = (RED: NodeAPI) => {
  registerStoresRoute(RED);
  function MfgStore(this: StoreNode, config: StoreDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.retentionMs = num(config.retentionHours, DEFAULT_RETENTION_MS / 3600_000) * 3600_000;
    node.leaseMs = num(config.leaseSeconds, DEFAULT_LEASE_MS / 1000) * 1000;
    const kind = config.kind || 'sqlite';
    const dflt = defaultStatePath(RED);
    const file = (p: string) => (config.path ? path.resolve(((RED.settings as { userDir?: string }).userDir) || '.', config.path) : p);
    let onState: ((state: string, detail?: string) => void) | undefined;
    try {
      const common = { deadLetterRetentionMs: num(config.deadLetterDays, 30) * 24 * 3600_000 };
      let store: StateStore;
      if (kind === 'memory') {
        store = sharedStore(`memory:${node.id}`, () => createStore({ kind, maxEntries: num(config.maxEntries, 100_000), ...common }));
      } else if (kind === 'redis') {
        // queues and dead letters of a redis store stay local to this instance
        const local = file(path.join(path.dirname(dflt), 'redis-local.db'));
        store = sharedStore(`redis:${node.id}`, () => createStore({
          kind, ...common, path: local,
          // credentials first; else the instance's environment, so one exported flow fits every plant
          redisUrl: node.credentials?.url || process.env.MFG_REDIS_URL || 'redis://127.0.0.1:6379',
          redisPassword: node.credentials?.password || process.env.MFG_REDIS_PASSWORD || undefined,
        }));
      } else {
        const f = file(dflt);
        store = sharedStore(`sqlite:${f}`, () => createStore({ kind: 'sqlite', path: f, thread: storeThread(RED), ...common }));
      }
      node.store = store;
      onState = (state: string, detail?: string) => {
        if (state === 'error' || state === 'reconnecting') node.warn(`state store ${kind}: ${state}${detail ? ` (${detail})` : ''}`);
        else if (state === 'ready') node.log(`state store ${kind}: ready`);
      };
      store.on('state', onState);
    } catch (err) {
      node.openError = (err as Error).message;
      node.error(`state store ${kind}: ${node.openError}`);
    }
    node.on('close', (_removed: boolean, done: () => void) => {
      const s = node.store;
      node.store = undefined;
      if (!s) return done();
      if (onState) s.off('state', onState);
      releaseStore(s).then(() => done(), (err) => { node.error(`closing the state store: ${(err as Error).message}`); done(); });
    });
  }
  RED.nodes.registerType('mfg-store', MfgStore as never, {
    credentials: { url: { type: 'text' }, password: { type: 'password' } },
  });
};

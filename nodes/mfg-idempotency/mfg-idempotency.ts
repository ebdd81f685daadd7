// Idempotent Consumer: outputs new / duplicate by event id or business key; a msg with
// msg.idempotency.action = commit | release settles a reservation.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { IdempotencyGuard, scopeOf, toKey } from '../../lib/idempotency';
import type { StateStore } from '../../lib/store';
import { DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS, acquireStore, registerStoresRoute, releaseStore, storeRef, storeStatus, StoreConfigNode } from '../shared/store';
import { Msg, onInput, StatusThrottle, toError } from '../shared/red';
import { guards, registerIdempotencyRoutes } from './routes';

interface IdemDef extends NodeDef {
  store: string;
  key: string;
  keyType: string;
  scope: string;
  mode: 'eager' | 'mark';
  leaseSeconds: string | number;
  retentionHours: string | number;
}

function positive(v: unknown): number | undefined {
  const n = Number(v);
  return v === '' || v === undefined || v === null || !Number.isFinite(n) || n <= 0 ? undefined : n;
}

export = (RED: NodeAPI) => {
  registerStoresRoute(RED);
  registerIdempotencyRoutes(RED);
  function MfgIdempotency(this: Node, config: IdemDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const ref = storeRef(config.store);
    let store: StateStore | undefined;
    let guard: IdempotencyGuard | undefined;
    let failure: string | undefined;
    let keyOf: (msg: Msg) => Promise<unknown> = async () => undefined;
    try {
      keyOf = keyReader(RED, node, config); // an invalid JSONata expression fails here, once
      store = acquireStore(RED, config.store || undefined);
      const cfg = config.store ? (RED.nodes.getNode(config.store) as unknown as StoreConfigNode) : undefined;
      guard = new IdempotencyGuard(store, {
        scope: scopeOf(config.scope, node.id),
        mode: config.mode === 'mark' ? 'mark' : 'eager',
        leaseMs: (positive(config.leaseSeconds) ?? 0) * 1000 || cfg?.leaseMs || DEFAULT_LEASE_MS,
        retentionMs: (positive(config.retentionHours) ?? 0) * 3600_000 || cfg?.retentionMs || DEFAULT_RETENTION_MS,
        // a per-node scope is this node's alone: its in-flight keys from before this start died with the old run
        takeOverBefore: (config.scope || '').trim() ? undefined : Date.now(),
      });
    } catch (err) {
      failure = (err as Error).message;
      node.error(`mfg-idempotency: ${failure}`);
    }

    const render = () => {
      if (!guard) return { fill: 'red', shape: 'ring', text: failure ? failure.slice(0, 40) : 'no store' };
      const st = storeStatus(store);
      const c = guard.counts;
      return { fill: st.fill, shape: st.fill === 'green' ? 'dot' : 'ring', text: `${c.new} new, ${c.duplicate} dup · ${st.text}` };
    };
    if (store && guard) guards.set(node.id, { node, store, guard });
    const onState = () => status.set(render);
    store?.on('state', onState);
    node.status(render() as never);

    onInput(node, async (msg, send) => {
      if (!guard) throw new Error(`mfg-idempotency: no state store (${failure || 'not configured'})`);
      const idem = msg.idempotency as Settle | undefined;
      if (idem && idem.action !== undefined) {
        await settle(RED, guard, ref, idem);
        status.set(render);
        return;
      }
      const key = toKey(await keyOf(msg), keySource(config));
      const v = await guard.check(key);
      const out: Record<string, unknown> = {
        key: v.key, scope: v.scope, store: ref, state: v.state, firstSeen: v.firstSeen, retentionMs: guard.opts.retentionMs,
      };
      if (v.status === 'duplicate' && v.result !== undefined) out.result = v.result;
      msg.idempotency = out;
      status.set(render);
      send(v.status === 'new' ? [msg, null] : [null, msg]);
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      status.stop();
      if (guards.get(node.id)?.node === node) guards.delete(node.id);
      store?.off('state', onState);
      releaseStore(store).then(() => done(), (err) => { node.error(toError(err).message); done(); });
    });
  }
  RED.nodes.registerType('mfg-idempotency', MfgIdempotency);
};

type Settle = { action?: unknown; key?: unknown; scope?: unknown; store?: unknown; result?: unknown };

/** Commits or releases the reservation a msg carries, in the store that made it. */
async function settle(RED: NodeAPI, guard: IdempotencyGuard, ref: string, idem: Settle): Promise<void> {
  const action = String(idem.action).toLowerCase();
  if (action !== 'commit' && action !== 'release') {
    throw new Error(`mfg-idempotency: msg.idempotency.action must be "commit" or "release", not "${String(idem.action)}"`);
  }
  if (typeof idem.key !== 'string' || !idem.key) throw new Error(`mfg-idempotency: ${action} needs msg.idempotency.key (as set on the "new" output)`);
  const scope = typeof idem.scope === 'string' && idem.scope ? idem.scope : undefined;
  const other = typeof idem.store === 'string' && idem.store && idem.store !== ref ? acquireStore(RED, idem.store) : undefined;
  try {
    const g = other ? new IdempotencyGuard(other, guard.opts) : guard;
    if (action === 'commit') await g.commit(idem.key, idem.result, scope);
    else await g.release(idem.key, scope);
    if (g !== guard) guard.counts[action === 'commit' ? 'committed' : 'released']++;
  } finally {
    if (other) await releaseStore(other);
  }
}

function keySource(config: IdemDef): string {
  if (!config.keyType || config.keyType === 'eventid') return 'the event id (msg.payload.id)';
  return config.keyType === 'msg' ? `msg.${config.key}` : `the ${config.keyType} key "${config.key}"`;
}

/** Reads the key value of a msg: event id, a msg property, JSONata (prepared once) or other TypedInputs. */
function keyReader(RED: NodeAPI, node: Node, config: IdemDef): (msg: Msg) => Promise<unknown> {
  const type = config.keyType || 'eventid';
  if (type === 'eventid') {
    return async (msg) => {
      const p = msg.payload as { id?: unknown } | string | undefined;
      if (typeof p === 'string' || Buffer.isBuffer(p)) {
        try { return (JSON.parse(String(p)) as { id?: unknown }).id; } catch { return undefined; }
      }
      return p && typeof p === 'object' ? p.id : undefined;
    };
  }
  if (type === 'msg') return async (msg) => RED.util.getMessageProperty(msg, config.key);
  if (type === 'jsonata') {
    let expr: ReturnType<NodeAPI['util']['prepareJSONataExpression']>;
    try {
      expr = RED.util.prepareJSONataExpression(config.key, node);
    } catch (err) {
      throw new Error(`invalid key expression "${config.key}": ${(err as Error).message}`);
    }
    return (msg) => new Promise((resolve, reject) => {
      RED.util.evaluateJSONataExpression(expr, msg, (err: Error | null, v: unknown) => (err ? reject(new Error(`key expression failed: ${err.message}`)) : resolve(v)));
    });
  }
  return (msg) => new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(config.key, type, node, msg, (err: Error | null, v: unknown) => (err ? reject(err) : resolve(v)));
  });
}

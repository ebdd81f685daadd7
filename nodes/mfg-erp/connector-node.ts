// The node behind mfg-erp, mfg-wms and mfg-qms: a named business operation against an
// mfg-endpoint. Queries answer directly; postings are persisted in the node's durable
// outbox before done(), delivered with exactly-once effect (lib/connectors Connector.post)
// and removed only after the system confirmed them (or moved to the dead letters).
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { isCloudEvent } from '../../lib/events';
import { ConnectorError, operations, postingKey, PostOutcome, Role } from '../../lib/connectors';
import { observe } from '../../lib/observability';
import { Outbox, OutboxState } from '../../lib/outbox';
import type { QueueItem, StateStore } from '../../lib/store/types';
import { acquireStore, releaseStore } from '../shared/store';
import { Msg, onInput, StatusThrottle } from '../shared/red';
import type { EndpointNode } from '../mfg-endpoint/endpoint-config';
import { commitReservation, failureMsg, fromOutbox, releaseReservation, Stored, successMsg, toOutbox } from './messages';

interface ConnectorDef extends NodeDef {
  endpoint: string;
  operation: string;
  store: string;
  plant: string;
  limit: string | number;
}

export function registerConnectorNode(RED: NodeAPI, type: 'mfg-erp' | 'mfg-wms' | 'mfg-qms', role: Role): void {
  function ConnectorNode(this: Node, config: ConnectorDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const ep = RED.nodes.getNode(config.endpoint) as EndpointNode | null;
    const status = new StatusThrottle(node, 250);
    let ob: OutboxState | undefined;
    let store: StateStore | undefined;
    let outbox: Outbox | undefined;
    let closing = false;
    let lastError = '';
    // the classified error of each item's last attempt, for the failure output of a dead letter
    const lastErrors = new Map<number, ConnectorError>();

    const client = ep?.client;
    const problem = !ep ? `${type}: no mfg-endpoint configured`
      : !client ? ep.configError || `${type}: endpoint not usable`
        : ep.config!.role !== role ? `${type}: endpoint "${ep.config!.name}" has role ${ep.config!.role}, not ${role}` : undefined;
    if (problem) node.error(problem);

    const render = () => {
      if (problem) return { fill: 'red', shape: 'ring', text: problem.replace(`${type}: `, '') };
      if (ob?.full) return { fill: 'red', shape: 'dot', text: `outbox full (${ob.depth}), refusing msgs` };
      if (ob?.breaker === 'open') return { fill: 'red', shape: 'ring', text: `breaker open, ${ob.depth} queued` };
      const paused = client && client.http.load.pausedUntil > Date.now();
      const q = ob && ob.depth ? `${ob.depth} queued` : '';
      if (paused) return { fill: 'yellow', shape: 'ring', text: q ? `throttled, ${q}` : 'throttled' };
      if (ob && ob.depth > 0 && lastError) return { fill: 'yellow', shape: 'dot', text: `${q}, ${lastError.slice(0, 40)}` };
      return { fill: 'green', shape: 'dot', text: q || 'ready' };
    };
    const show = () => status.set(render);
    show();

    const deliver = async (item: QueueItem, ctx: { attempt: number }): Promise<void> => {
      const s = fromOutbox(item.payload);
      let out: PostOutcome;
      try {
        out = await client!.post(s.op, s.input, s.key, { attempt: ctx.attempt, store });
      } catch (err) {
        lastError = (err as Error).message;
        lastErrors.set(item.id, err as ConnectorError);
        if ((err as ConnectorError).retryable) observe.message(node.id, type, eventType(s), 'retried');
        throw err;
      }
      lastError = '';
      lastErrors.delete(item.id);
      observe.message(node.id, type, eventType(s), out.duplicate ? 'duplicate' : 'posted');
      const msg = successMsg(RED, s, out, config.plant, (w) => node.warn(`${type}: ${w}`));
      await commitReservation(RED, msg, store, out);
      node.send([msg, null]);
    };

    const ready = (async () => {
      if (problem) return;
      store = await acquireStore(RED, config.store || undefined);
      if (closing) return;
      const p = ep!.policy;
      outbox = new Outbox({
        queue: `${type}:${node.id}`, store, deliver,
        limit: Number(config.limit) || 100_000,
        maxInFlight: Math.max(1, ep!.config!.maxConcurrency || 8),
        maxAttempts: p.maxAttempts,
        backoff: { initialMs: p.initialMs, maxMs: p.maxMs },
        breaker: { failureThreshold: p.breakerThreshold, openMs: p.breakerOpenMs },
      });
      outbox.on('state', (st: OutboxState) => { ob = st; show(); });
      outbox.on('dead', (item: QueueItem, reason: string) => {
        const s = fromOutbox(item.payload);
        observe.message(node.id, type, eventType(s), 'dead-lettered');
        const last = lastErrors.get(item.id);
        lastErrors.delete(item.id);
        const msg = failureMsg(s, last || reason, item.attempts + 1);
        (msg.error as Record<string, unknown>).reason = reason;
        void releaseReservation(RED, msg, store).finally(() => {
          node.send([null, msg]);
          node.error(`${type}: ${s.op} ${s.key} moved to the dead letters: ${reason}`, msg);
        });
      });
      outbox.on('error', (err: Error) => node.warn(`${type}: ${err.message}`));
      await outbox.start();
      ob = outbox.state();
      show();
    })();
    ready.catch((err) => {
      node.status({ fill: 'red', shape: 'ring', text: `store: ${err.message}` });
      node.error(`${type}: cannot open the outbox store: ${err.message}`);
    });

    onInput(node, async (msg, send) => {
      if (problem) throw new Error(problem);
      const op = config.operation === 'msg' ? String(msg.operation || '') : config.operation;
      const def = operations.get(op);
      const ev = isCloudEvent(msg.payload) ? msg.payload : undefined;
      const data = (ev ? ev.data : msg.payload) as Record<string, unknown>;
      let prepared;
      try {
        if (!def) throw new ConnectorError(`${type}: unknown operation "${op}"`, { kind: 'validation', retryable: false });
        if (typeof data !== 'object' || data === null || Array.isArray(data)) {
          throw new ConnectorError(`${type}: msg.payload must be a canonical event or an object of ${op} fields`, { kind: 'validation', retryable: false, operation: op });
        }
        prepared = client!.prepare(op, data);
      } catch (err) {
        observe.message(node.id, type, ev?.type, 'invalid');
        send([null, failureMsg({ op, msg }, err as ConnectorError, 0)]);
        throw err;
      }
      const { input } = prepared;
      if (def!.kind === 'query') {
        try {
          const r = await client!.query(op, input);
          observe.message(node.id, type, ev?.type, 'out');
          send([successMsg(RED, { op, key: '', input, msg }, { ...r, operation: op, key: '' }, config.plant, () => undefined), null]);
        } catch (err) {
          observe.message(node.id, type, ev?.type, 'error');
          send([null, failureMsg({ op, msg }, err as ConnectorError, 1)]);
          throw err;
        }
        return;
      }
      let key: string;
      try {
        // without business identity, event id, postingKey or postingId each msg is its own posting
        const explicit = (msg.postingKey as string | undefined) || (input.postingId ? `${op}:${input.postingId}` : undefined);
        key = postingKey(op, def!.identity?.map((f) => input[f]), ev?.id || `msg:${msg._msgid}`, explicit);
      } catch (err) {
        const e = new ConnectorError((err as Error).message, { kind: 'validation', retryable: false, operation: op });
        send([null, failureMsg({ op, msg }, e, 0)]);
        throw e;
      }
      await ready;
      if (!outbox) throw new Error(`${type}: the outbox store is not available`);
      // bounded: an unreachable system must not hold the msg; the posting then reads stock when sent
      const probe = { ...input };
      const resolved = await Promise.race([client!.resolve(op, probe).then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref())]);
      if (resolved && probe.stockRows) input.stockRows = probe.stockRows;
      const partition = String(ev?.partitionkey || input.orderId || input.lot || input.material || 'default');
      const { req: _req, res: _res, ...rest } = msg as Msg & { req?: unknown; res?: unknown };
      await outbox.add(toOutbox({ op, key, input, msg: rest }), partition);
      observe.message(node.id, type, ev?.type, 'in');
      show();
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      status.stop();
      ready
        .catch(() => undefined)
        .then(() => outbox?.close())
        .then(() => store && releaseStore(store))
        .catch((err) => node.warn(`${type}: close: ${err.message}`))
        .then(() => done());
    });
  }
  RED.nodes.registerType(type, ConnectorNode);
}

function eventType(s: Stored): string | undefined {
  const p = s.msg && (s.msg as Msg).payload;
  return isCloudEvent(p) ? p.type : undefined;
}


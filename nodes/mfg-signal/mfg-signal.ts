// Contextualizes OPC UA / MQTT signals into business events (glue over lib/signals).
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { isCloudEvent } from '../../lib/events';
import { decode, Output, Result, SignalEngine, storeState, WorkContext } from '../../lib/signals';
import type { StateStore } from '../../lib/store/types';
import { plantOf } from '../shared/plant';
import { evaluate, onInput, StatusThrottle } from '../shared/red';
import { acquireStore, releaseStore } from '../shared/store';

interface SignalDef extends NodeDef {
  plant: string;
  store: string;
  persist: boolean;
  rules: Record<string, unknown>[];
  codes: string;
  minStopSec: string | number;
  shifts: string;
  ctx: string;
  ctxType: string;
}

export = (RED: NodeAPI) => {
  function MfgSignal(this: Node, config: SignalDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    let engine: SignalEngine | undefined;
    let store: StateStore | undefined;
    let closing = false;
    let ignored = 0;
    let clock = { signal: 0, wall: 0 };

    const ready = (async () => {
      if (config.persist !== false) store = await acquireStore(RED, config.store || undefined);
      if (closing) return;
      const e = new SignalEngine({
        rules: config.rules || [],
        plant: plantOf(RED, config.plant),
        codes: config.codes || undefined,
        minStopSec: config.minStopSec === '' || config.minStopSec === undefined ? undefined : Number(config.minStopSec),
        shifts: config.shifts || '',
        store: store ? storeState(store, `mfg-signal:${node.id}`) : undefined,
      });
      await e.load();
      engine = e;
      show();
    })();
    ready.catch((err: Error) => {
      node.status({ fill: 'red', shape: 'ring', text: 'configuration error' });
      node.error(`mfg-signal: ${err.message}`);
    });

    function show(): void {
      status.set(() => {
        const s = engine!.stats;
        const dropped = engine!.dropped;
        const text = `${s.signals} signals, ${s.events} events${dropped ? `, ${dropped} dropped` : ''}${s.noContext ? ', no order' : ''}`;
        return { fill: dropped || s.noContext ? 'yellow' : 'green', shape: 'dot', text };
      });
    }

    function toMsgs(outs: Output[], correlationId?: unknown): NodeMessage[] {
      return outs.map((o) => ({ topic: o.topic, payload: o.event, correlationId: correlationId ?? o.event.correlationid }) as NodeMessage);
    }

    async function deliver(r: Result, send: (m: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void, extra: NodeMessage[] = []): Promise<void> {
      let failure: Error | undefined;
      await r.written.catch((err: Error) => (failure = err));
      // quantities of the work that ends go before the event that ends it
      const msgs = [...toMsgs(r.events), ...extra];
      if (msgs.length) send([msgs]);
      // the events are real either way; the mark that was not saved is reported
      if (failure) throw new Error(`mfg-signal: state not saved, a restart may count these parts again: ${failure.message}`);
    }

    onInput(node, async (msg, send) => {
      await ready;
      if (!engine) throw new Error('mfg-signal: not configured (see the earlier error)');
      const e = engine;
      if (msg.flush === true || msg.topic === 'flush') {
        await deliver(e.flush(typeof msg.equipment === 'string' ? msg.equipment : undefined), send);
        return show();
      }
      if (isCloudEvent(msg.payload)) {
        // order.released / operation.started set the context; every event passes on
        await deliver(e.onEvent(msg.payload), send, [msg]);
        return show();
      }
      const results: Result[] = [];
      if (config.ctxType && config.ctxType !== 'none' && config.ctx) {
        const c = (await evaluate(RED, node, config.ctx, config.ctxType, msg)) as (WorkContext & { equipment?: string }) | undefined;
        if (c && typeof c === 'object' && (c.orderId || c.operationId)) {
          results.push(e.applyContext(c.equipment, { orderId: str(c.orderId), operationId: str(c.operationId), material: str(c.material) }));
        }
      }
      const samples = decode(msg as Record<string, unknown>);
      if (!samples.length) ignored++;
      for (const s of samples) {
        if (Number.isFinite(s.time) && s.time > clock.signal) clock = { signal: s.time, wall: Date.now() };
      }
      results.push(e.ingest(samples));
      let failure: unknown;
      for (const r of results) await deliver(r, send).catch((err) => (failure ??= err));
      show();
      if (failure) throw failure;
    });

    // "every T seconds" also fires when signals stop coming, on the signal clock
    const timer = setInterval(() => {
      if (!engine || !clock.wall) return;
      const r = engine.tick(clock.signal + (Date.now() - clock.wall));
      if (!r.events.length) return;
      r.written.then(() => node.send([toMsgs(r.events)] as never), (err: Error) => node.error(`mfg-signal: state not saved: ${err.message}`));
      show();
    }, 1000);

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      clearInterval(timer);
      status.stop();
      if (ignored) node.log(`mfg-signal: ${ignored} msgs without a signal id were ignored`);
      ready
        .catch(() => undefined)
        .then(() => store && releaseStore(store))
        .catch((err: Error) => node.warn(`mfg-signal: close: ${err.message}`))
        .then(() => done());
    });
  }

  RED.nodes.registerType('mfg-signal', MfgSignal);
};

const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));

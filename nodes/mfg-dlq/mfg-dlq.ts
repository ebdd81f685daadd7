// Dead letters in, replays out. Stores any error-output or Catch msg in the store's dead
// letters (redacted), and serves the admin API (routes.ts) to list, replay and discard.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { letterFromMsg, replayMsg } from '../../lib/dlq';
import { observe } from '../../lib/observability';
import type { DeadLetter, StateStore } from '../../lib/store/types';
import { onInput, StatusThrottle } from '../shared/red';
import { acquireStore, releaseStore } from '../shared/store';
import { DlqHandle, handles, registerDlqRoutes } from './routes';

interface DlqDef extends NodeDef {
  store: string;
  retentionDays: number | string;
}

const RETENTION_SWEEP_MS = 10 * 60_000;

export = (RED: NodeAPI) => {
  registerDlqRoutes(RED);

  function MfgDlq(this: Node, config: DlqDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node, 250);
    const retentionMs = (Number(config.retentionDays) || 0) * 86_400_000;
    const origin = `mfg-dlq:${node.id}`;
    let store: StateStore | undefined;
    let total = 0;
    let sweepTimer: NodeJS.Timeout | undefined;

    const show = () => status.set(() => ({ fill: total ? 'yellow' : 'green', shape: total ? 'dot' : 'ring', text: `${total} dead letter${total === 1 ? '' : 's'}` }));
    const recount = async () => {
      if (!store) return;
      total = (await store.listDeadLetters({ limit: 0 })).total;
      observe.deadLetters(origin, total);
      show();
    };

    const ready = (async () => {
      store = await acquireStore(RED, config.store || undefined);
      await recount();
      if (retentionMs > 0) {
        void sweep();
        sweepTimer = setInterval(() => void sweep(), RETENTION_SWEEP_MS);
      }
    })();
    ready.catch((err) => {
      node.status({ fill: 'red', shape: 'ring', text: `store: ${err.message}` });
      node.error(`mfg-dlq: cannot open the store: ${err.message}`);
    });

    /** Deletes letters past retention, a bounded batch per sweep. */
    async function sweep(): Promise<void> {
      try {
        const old = await store!.listDeadLetters({ olderThanMs: retentionMs, limit: 500 });
        for (const l of old.items) await store!.removeDeadLetter(l.id);
        if (old.items.length) await recount();
      } catch (err) {
        node.warn(`mfg-dlq: retention sweep: ${(err as Error).message}`);
      }
    }

    const handle: DlqHandle = {
      node,
      store: async () => {
        await ready;
        if (!store) throw new Error('store not available');
        return store;
      },
      /** Sends the letter's msg, then removes the letter (a crash in between replays it twice, never loses it). */
      replay: async (letter: DeadLetter) => {
        node.send(replayMsg(letter) as never);
        await store!.removeDeadLetter(letter.id);
        observe.message(node.id, 'mfg-dlq', letter.eventType, 'out');
      },
      changed: () => void recount().catch(() => undefined),
    };
    handles.set(node.id, handle);

    onInput(node, async (msg) => {
      await ready;
      if (!store) throw new Error('mfg-dlq: the store is not available');
      const letter = letterFromMsg(msg as Record<string, unknown>, origin);
      await store.addDeadLetter(letter);
      observe.message(node.id, 'mfg-dlq', letter.eventType, 'dead-lettered');
      total++;
      observe.deadLetters(origin, total);
      show();
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      handles.delete(node.id);
      status.stop();
      if (sweepTimer) clearInterval(sweepTimer);
      ready
        .catch(() => undefined)
        .then(() => store && releaseStore(store))
        .catch((err) => node.warn(`mfg-dlq: close: ${err.message}`))
        .then(() => done());
    });
  }
  RED.nodes.registerType('mfg-dlq', MfgDlq);
};

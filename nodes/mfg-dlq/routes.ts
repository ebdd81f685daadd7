// Admin HTTP API of the dead letters, on RED.httpAdmin under /mfg-connect/dlq.
// Reads need mfg-connect.read, replay and discard need mfg-connect.write.
import type { Node, NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { filterFromQuery, summary } from '../../lib/dlq';
import type { DeadLetter, DeadLetterFilter, StateStore } from '../../lib/store/types';
import { adminRoute, PERMISSION_READ, PERMISSION_WRITE } from '../shared/red';

export interface DlqHandle {
  node: Node;
  store(): Promise<StateStore>;
  replay(letter: DeadLetter): Promise<void>;
  changed(): void;
}

/** Deployed mfg-dlq nodes by id. */
export const handles = new Map<string, DlqHandle>();

const MAX_BATCH = 1000;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

type Handler = (req: Request, h: DlqHandle) => Promise<unknown>;

function route(fn: Handler) {
  return (req: Request, res: Response) => {
    const h = handles.get(String(req.params.node));
    if (!h) {
      res.status(404).json({ error: `no deployed mfg-dlq node "${req.params.node}"` });
      return;
    }
    fn(req, h).then(
      (body) => res.json(body),
      (err: Error & { status?: number }) => res.status(err instanceof HttpError ? err.status : /must|limit|offset|age/.test(err.message) ? 400 : 500).json({ error: err.message }),
    );
  };
}

function letterId(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id <= 0) throw new HttpError(400, `dead letter id "${req.params.id}" is not a positive integer`);
  return id;
}

/** Ids from the body ({ids:[...]}) or all letters matching a filter ({filter:{...}}), at most MAX_BATCH. */
async function selected(req: Request, store: StateStore): Promise<{ letters: DeadLetter[]; missing: number[] }> {
  const body = (req.body || {}) as { ids?: unknown; filter?: Record<string, unknown> };
  if (Array.isArray(body.ids)) {
    if (body.ids.length > MAX_BATCH) throw new HttpError(400, `at most ${MAX_BATCH} ids per call`);
    const letters: DeadLetter[] = [];
    const missing: number[] = [];
    for (const raw of body.ids) {
      const id = Number(raw);
      const l = Number.isInteger(id) ? await store.getDeadLetter(id) : undefined;
      if (l) letters.push(l);
      else missing.push(id);
    }
    return { letters, missing };
  }
  if (body.filter && typeof body.filter === 'object') {
    const f: DeadLetterFilter = { ...filterFromQuery(body.filter), offset: 0 };
    f.limit = Math.min(Number(body.filter.limit) || MAX_BATCH, MAX_BATCH);
    return { letters: (await store.listDeadLetters(f)).items, missing: [] };
  }
  throw new HttpError(400, 'body must hold "ids": [..] or "filter": {type, reason, origin, olderThan, newerThan}');
}

export function registerDlqRoutes(RED: NodeAPI): void {
  adminRoute(RED, 'dlq', () => {
    const app = RED.httpAdmin;
    const read = RED.auth.needsPermission(PERMISSION_READ);
    const write = RED.auth.needsPermission(PERMISSION_WRITE);
    const base = '/mfg-connect/dlq';

    app.get(base, read, async (_req: Request, res: Response) => {
      const nodes = await Promise.all([...handles.values()].map(async (h) => {
        const total = await h.store().then((s) => s.listDeadLetters({ limit: 0 })).then((r) => r.total, () => null);
        return { id: h.node.id, name: h.node.name || '', z: h.node.z, total };
      }));
      res.json({ nodes });
    });

    app.get(`${base}/:node/letters`, read, route(async (req, h) => {
      const r = await (await h.store()).listDeadLetters(filterFromQuery(req.query as Record<string, unknown>));
      return { total: r.total, items: r.items.map(summary) };
    }));

    app.get(`${base}/:node/letters/:id`, read, route(async (req, h) => {
      const l = await (await h.store()).getDeadLetter(letterId(req));
      if (!l) throw new HttpError(404, `no dead letter ${req.params.id}`);
      return { ...l, time: new Date(l.at).toISOString() };
    }));

    app.post(`${base}/:node/letters/:id/replay`, write, route(async (req, h) => {
      const store = await h.store();
      const l = await store.getDeadLetter(letterId(req));
      if (!l) throw new HttpError(404, `no dead letter ${req.params.id}`);
      await h.replay(l);
      h.changed();
      return { replayed: [l.id], missing: [] };
    }));

    app.post(`${base}/:node/replay`, write, route(async (req, h) => {
      const store = await h.store();
      const { letters, missing } = await selected(req, store);
      // Optional pacing so a large replay does not flood the flow or the ERP behind it.
      const rate = Number((req.body || {}).ratePerSec) || 0;
      const replayed: number[] = [];
      for (const l of letters) {
        await h.replay(l);
        replayed.push(l.id);
        if (rate > 0) await new Promise((r) => setTimeout(r, 1000 / rate));
      }
      h.changed();
      return { replayed, missing };
    }));

    app.delete(`${base}/:node/letters/:id`, write, route(async (req, h) => {
      const ok = await (await h.store()).removeDeadLetter(letterId(req));
      if (!ok) throw new HttpError(404, `no dead letter ${req.params.id}`);
      h.changed();
      return { discarded: [Number(req.params.id)] };
    }));

    app.post(`${base}/:node/discard`, write, route(async (req, h) => {
      const store = await h.store();
      const { letters, missing } = await selected(req, store);
      const discarded: number[] = [];
      for (const l of letters) if (await store.removeDeadLetter(l.id)) discarded.push(l.id);
      h.changed();
      return { discarded, missing };
    }));
  });
}


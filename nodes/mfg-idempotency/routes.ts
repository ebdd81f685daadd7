// Admin API of the idempotency guards: look up a key (why was this posting held back?)
// and forget one (an ERP document was reversed and the posting must go through again).
import type { Node, NodeAPI } from 'node-red';
import { hashKey, IdempotencyGuard } from '../../lib/idempotency';
import type { StateStore } from '../../lib/store';
import { adminRoute, PERMISSION_READ, PERMISSION_WRITE } from '../shared/red';

interface Guarded {
  node: Node;
  store: StateStore;
  guard: IdempotencyGuard;
}

export const guards = new Map<string, Guarded>();

export function registerIdempotencyRoutes(RED: NodeAPI): void {
  adminRoute(RED, 'idempotency', () => {
    const base = '/mfg-connect/idempotency/:node/keys/:key';
    const param = (req: { params: unknown }, name: string) => String((req.params as Record<string, unknown>)[name] ?? '');
    const find = (req: { params: unknown }) => guards.get(param(req, 'node'));
    RED.httpAdmin.get(base, RED.auth.needsPermission(PERMISSION_READ), (req, res) => {
      const g = find(req);
      if (!g) return void res.status(404).json({ error: `no idempotency node "${param(req, 'node')}" is running` });
      const key = hashKey(param(req, 'key'));
      g.store.get(g.guard.opts.scope, key).then((r) => {
        if (!r) res.status(404).json({ error: `key "${key}" is not held in scope "${g.guard.opts.scope}"` });
        else res.json({ key, scope: g.guard.opts.scope, ...r });
      }, (err) => res.status(503).json({ error: `state store: ${(err as Error).message}` }));
    });
    RED.httpAdmin.delete(base, RED.auth.needsPermission(PERMISSION_WRITE), (req, res) => {
      const g = find(req);
      if (!g) return void res.status(404).json({ error: `no idempotency node "${param(req, 'node')}" is running` });
      if (!g.store.forget) return void res.status(501).json({ error: `the ${g.store.kind} store cannot forget keys` });
      const key = hashKey(param(req, 'key'));
      g.store.forget(g.guard.opts.scope, key).then((gone) => {
        if (!gone) return void res.status(404).json({ error: `key "${key}" is not held in scope "${g.guard.opts.scope}"` });
        g.node.warn(`idempotency key "${key}" forgotten through the admin API: the next msg with it passes as new`);
        res.json({ key, scope: g.guard.opts.scope, forgotten: true });
      }, (err) => res.status(503).json({ error: `state store: ${(err as Error).message}` }));
    });
  });
}

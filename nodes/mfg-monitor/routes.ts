// Admin endpoints of the monitor, all behind the package's read permission:
//   GET /mfg-connect/metrics                Prometheus text
//   GET /mfg-connect/trace                  recent transactions (?failed=1&eventType=&limit=)
//   GET /mfg-connect/trace/:correlationId   one transaction's path
//   GET /mfg-connect/governance/catalog     event types with deployed producers/consumers
//   GET /mfg-connect/asyncapi               AsyncAPI 3.0 of the deployed flows
//   GET /mfg-connect/monitor/summary        figures and history for the sidebar charts
//   GET /mfg-connect/monitor/audit          operator actions on dead letters
//   POST /mfg-connect/dlq/:node/letters/:id/replay-edited   (write) replays an edited dead
//        letter through its mfg-dlq node after checking it against the current schema
// and an audit recorder in front of the dead-letter API (/mfg-connect/dlq).
import fs from 'fs';
import path from 'path';
import type { NodeAPI } from 'node-red';
import type { Request, Response, NextFunction } from 'express';
import { observedEventTypes, prometheusText, registry, Sampler, summary, TracePersistence, TraceStore } from '../../lib/observability';
import { AuditLog, dlqAction } from '../../lib/governance/audit';
import { generateAsyncApi, governanceCatalog, NodeConfig } from '../../lib/governance';
import { EventValidator } from '../../lib/validation';
import type { DlqHandle } from '../mfg-dlq/routes';
import { adminRoute, PERMISSION_READ, PERMISSION_WRITE } from '../shared/red';

interface Deps {
  store: TraceStore;
  persist?: TracePersistence;
  sampler: Sampler;
  audit: AuditLog;
}

/** Node configs of the deployed flows, without disabled nodes and nodes on disabled tabs. */
function deployedNodes(RED: NodeAPI): NodeConfig[] {
  const all: NodeConfig[] = [];
  (RED.nodes as unknown as { eachNode(cb: (n: NodeConfig) => void): void }).eachNode((n) => all.push(n));
  const offTabs = new Set(all.filter((n) => n.type === 'tab' && n.disabled === true).map((n) => n.id));
  return all.filter((n) => n.d !== true && !(n.z && offTabs.has(n.z)));
}

/** The deployed mfg-dlq nodes (shared module state of the mfg-dlq node set). */
function dlqNodes(): Map<string, DlqHandle> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../mfg-dlq/routes') as { handles: Map<string, DlqHandle> }).handles;
  } catch {
    return new Map();
  }
}
const dlqNode = (id: string) => dlqNodes().get(id);

/** Dead letters by reason (digits folded, so "HTTP 503 after 5 attempts" groups), newest 500 per node. */
async function deadLetterReasons(): Promise<{ reason: string; count: number }[]> {
  const counts = new Map<string, number>();
  for (const h of dlqNodes().values()) {
    try {
      const { items } = await (await h.store()).listDeadLetters({ limit: 500 });
      for (const l of items) {
        const key = String(l.reason || 'no reason given').replace(/\d+/g, 'N').slice(0, 80);
        counts.set(key, (counts.get(key) || 0) + 1);
      }
    } catch {
      // a store that is not open yet has nothing to show
    }
  }
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count).slice(0, 10);
}

function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')).version || '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const clamp = (v: unknown, dflt: number, max: number) => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), max) : dflt;
};

/** Express handler that turns a thrown or rejected error into a 500 with its reason. */
function handle(fn: (req: Request, res: Response) => unknown) {
  return (req: Request, res: Response) => {
    Promise.resolve()
      .then(() => fn(req, res))
      .catch((err) => {
        if (!res.headersSent) res.status(500).json({ error: (err as Error).message });
      });
  };
}

export function registerMonitorRoutes(RED: NodeAPI, d: Deps): void {
  adminRoute(RED, 'monitor', () => {
    const app = RED.httpAdmin;
    const read = RED.auth.needsPermission(PERMISSION_READ);

    // registered before the DLQ routes (plugins load first): sees every change request
    app.use('/mfg-connect/dlq', (req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
        const sub = req.path; // below the mount point; Express restores req.path afterwards
        res.on('finish', () => {
          try {
            const user = (req as unknown as { user?: { username?: string } }).user;
            const a = dlqAction(req.method, sub, req.body);
            d.audit.record({ user: user?.username || 'anonymous', method: req.method, path: `/mfg-connect/dlq${sub}`, status: res.statusCode, ...a });
          } catch (err) {
            RED.log.warn(`mfg-connect monitor: audit record failed: ${(err as Error).message}`);
          }
        });
      }
      next();
    });

    app.get('/mfg-connect/metrics', read, handle(async (_req, res) => {
      res.set('Content-Type', registry.contentType);
      res.send(await prometheusText());
    }));

    app.get('/mfg-connect/trace', read, handle((req, res) => {
      const q = req.query as Record<string, string>;
      res.json({
        size: d.store.size, maxTransactions: d.store.maxTransactions, retentionMs: d.store.retentionMs,
        items: d.store.recent(clamp(q.limit, 50, 1000), { failedOnly: q.failed === '1' || q.failed === 'true', eventType: q.eventType || undefined }),
      });
    }));

    app.get('/mfg-connect/trace/:correlationId', read, handle(async (req, res) => {
      const id = String(req.params.correlationId);
      const t = d.persist ? await d.persist.get(id) : d.store.get(id);
      if (!t) res.status(404).json({ error: `no trace for correlation id "${req.params.correlationId}" (unknown, older than the retention, or passed over by the trace budget while it succeeded)` });
      else res.json(t);
    }));

    app.get('/mfg-connect/governance/catalog', read, handle(async (_req, res) => {
      res.json(governanceCatalog(deployedNodes(RED), await observedEventTypes()));
    }));

    app.get('/mfg-connect/asyncapi', read, handle(async (_req, res) => {
      res.json(generateAsyncApi(deployedNodes(RED), await observedEventTypes(), { version: packageVersion() }));
    }));

    app.get('/mfg-connect/monitor/summary', read, handle(async (_req, res) => {
      const s = await summary(d.sampler.history, d.sampler.intervalMs);
      res.json({ ...s, deadLetterReasons: await deadLetterReasons(), trace: { transactions: d.store.size } });
    }));

    let validator: EventValidator | undefined;
    const check = (payload: unknown) => {
      validator ??= new EventValidator();
      const r = validator.validate(payload);
      return r.valid ? { valid: true as const } : { valid: false as const, errors: r.errors };
    };
    app.post('/mfg-connect/dlq/:node/letters/:id/replay-edited', RED.auth.needsPermission(PERMISSION_WRITE), handle(async (req, res) => {
      const h = dlqNode(String(req.params.node));
      if (!h) return res.status(404).json({ error: `no deployed mfg-dlq node "${req.params.node}"` });
      const body = (req.body || {}) as { msg?: unknown; force?: boolean };
      const msg = body.msg;
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return res.status(400).json({ error: 'body must hold "msg": the edited message object' });
      const id = Number(req.params.id);
      const store = await h.store();
      const letter = Number.isInteger(id) && id > 0 ? await store.getDeadLetter(id) : undefined;
      if (!letter) return res.status(404).json({ error: `no dead letter ${req.params.id}` });
      const payload = (msg as Record<string, unknown>).payload as Record<string, unknown> | undefined;
      if (payload && typeof payload === 'object' && payload.specversion !== undefined) {
        const v = check(payload);
        if (!v.valid && !body.force) return res.status(422).json({ error: 'the edited event does not match its current schema', errors: v.errors });
      }
      await h.replay({ ...letter, msg });
      h.changed();
      res.json({ replayed: [letter.id], edited: true });
    }));

    app.get('/mfg-connect/monitor/audit', read, handle((req, res) => {
      const q = req.query as Record<string, string>;
      res.json({ items: d.audit.list(clamp(q.limit, 100, 1000), { user: q.user || undefined, action: q.action || undefined }), error: d.audit.lastError });
    }));
  });
}

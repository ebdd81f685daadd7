// Receives SaaS webhooks on RED.httpNode, verifies their signature over the raw bytes
// (Standard Webhooks or X-Hub-Signature-256), drops replays and outputs a canonical event.
import type { IncomingMessage } from 'http';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { catalog, EventBuildError, EventBuilder, setPath, topicOf } from '../../lib/events';
import { ReplayGuard, verify, WebhookStyle } from '../../lib/webhooks';
import { registerCatalogRoute } from '../shared/catalog-route';
import { plantOf } from '../shared/plant';
import { evaluate, Msg, StatusThrottle, toError } from '../shared/red';
import { keepRawBody, MAX_BYTES } from './raw-body';
import { msgId } from '../shared/msgid';

interface Mapping { field: string; v: string; vt: string }
interface WebhookDef extends NodeDef {
  url: string;
  plant: string;
  eventType: string;
  style: WebhookStyle | 'auto';
  toleranceSec: number | string;
  dataPath: string;
  mappings: Mapping[];
  maxIds: number | string;
}
interface Creds { secret?: string }
type Req = IncomingMessage & { body?: unknown; _body?: boolean; rawBody?: Buffer };
interface Res { status(n: number): Res; json(b: unknown): void; set(h: string, v: string): Res; headersSent: boolean }

const SPECIAL = new Set(['$time', '$subject', '$partitionkey']);

/** The raw request bytes: the Buffer kept by keepRawBody, else read from the stream. */
function rawBody(req: Req): Promise<Buffer> {
  if (Buffer.isBuffer(req.body)) return Promise.resolve(req.body);
  if (Buffer.isBuffer(req.rawBody)) return Promise.resolve(req.rawBody);
  if (req._body || req.readableEnded) return Promise.reject(Object.assign(new Error('the request body was already parsed by a middleware; the raw bytes needed for the signature are gone'), { status: 500 }));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BYTES) {
        reject(Object.assign(new Error(`body larger than ${MAX_BYTES} bytes`), { status: 413 }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const MAX_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than max (iterative: the value may be very deep). */
function depthOver(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (d >= max) return true;
    for (const k of Object.keys(v)) stack.push([(v as Record<string, unknown>)[k], d + 1]);
  }
  return false;
}

function getPath(obj: unknown, path: string): unknown {
  if (!path) return obj;
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** settings.httpNodeMiddleware, applied as the core http-in node applies it. */
function nodeMiddleware(RED: NodeAPI): never[] {
  let mw: unknown;
  try {
    mw = (RED.settings as unknown as Record<string, unknown>).httpNodeMiddleware;
  } catch {
    mw = undefined;
  }
  return (typeof mw === 'function' || Array.isArray(mw) ? [mw] : []) as never[];
}

export = (RED: NodeAPI) => {
  registerCatalogRoute(RED);

  function MfgWebhookIn(this: Node<Creds>, config: WebhookDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const counts = { accepted: 0, rejected: 0, duplicates: 0 };
    let lastWarn = 0;
    const show = (fill: string) => status.set(() => ({ fill, shape: 'dot', text: `${counts.accepted} in, ${counts.rejected} rejected, ${counts.duplicates} dup` }));
    const url = '/' + String(config.url || '').trim().replace(/^\/+/, '');
    const secret = node.credentials?.secret || '';
    const tolerance = Number(config.toleranceSec) > 0 ? Number(config.toleranceSec) : 300;
    const guard = new ReplayGuard(Number(config.maxIds) > 0 ? Number(config.maxIds) : 10000, Math.max(2 * tolerance * 1000, 60000));
    const entry = catalog.get(config.eventType);
    const mappings = (config.mappings || []).filter((m) => m && m.field);
    let plant;
    try {
      plant = plantOf(RED, config.plant);
    } catch (e) {
      node.error(`mfg-webhook-in: ${toError(e).message}`);
    }
    const problem = !entry ? `unknown event type "${config.eventType}"` : url === '/' ? 'no path configured' : !secret ? 'no secret configured' : !plant ? 'invalid plant profile' : '';
    if (problem) {
      node.status({ fill: 'red', shape: 'ring', text: problem });
      node.error(`mfg-webhook-in: ${problem}`);
      return;
    }
    const builder = new EventBuilder(entry!.type);

    async function handle(req: Req, res: Res): Promise<void> {
      const body = await rawBody(req);
      const v = verify(config.style || 'auto', secret, req.headers, body, tolerance);
      if (!v.ok) {
        counts.rejected++;
        show('yellow');
        // a flood of forged requests must not flood the log
        const now = Date.now();
        if (now - lastWarn > 10000) {
          node.warn(`mfg-webhook-in ${url}: rejected: ${v.reason}${counts.rejected > 1 ? ` (${counts.rejected} rejected so far)` : ''}`);
          lastWarn = now;
        }
        res.status(401).json({ error: 'invalid signature', reason: v.reason });
        return;
      }
      if (v.id && guard.check(v.id)) {
        counts.duplicates++;
        show('green');
        res.status(200).json({ status: 'duplicate', id: v.id });
        return;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString('utf8'));
        // no real webhook nests this deep; deeper bodies overflow the stack when a Catch node clones the msg
        if (depthOver(payload, MAX_DEPTH)) throw new Error(`JSON nests deeper than ${MAX_DEPTH} levels`);
      } catch (e) {
        if (v.id) guard.forget(v.id);
        counts.rejected++;
        show('yellow');
        res.status(400).json({ error: 'body is not JSON', reason: (e as Error).message });
        return;
      }
      const msg: Msg = { _msgid: msgId(), payload, webhook: { id: v.id, style: v.style, timestamp: v.timestamp, path: url, event: req.headers['x-github-event'] } };
      try {
        const base = getPath(payload, config.dataPath ?? 'data');
        // SaaS payloads send null for absent optional fields; the schemas mean "absent"
        const data: Record<string, unknown> = base && typeof base === 'object' && !Array.isArray(base) ? JSON.parse(JSON.stringify(base), (_k, v) => (v === null ? undefined : v)) : {};
        const extra: Record<string, unknown> = {};
        for (const m of mappings) {
          const value = await evaluate(RED, node, m.v, m.vt, msg);
          if (value === undefined) continue;
          if (SPECIAL.has(m.field)) extra[m.field.slice(1)] = value;
          else setPath(data, m.field, value);
        }
        const ev = builder.build(data, plant!, { correlationid: v.id || undefined }, extra as { time?: unknown; subject?: string; partitionkey?: string });
        msg.payload = ev;
        msg.topic = topicOf(plant!, entry!.domain, entry!.object, entry!.action);
        msg.correlationId = ev.correlationid;
        counts.accepted++;
        show('green');
        res.status(202).json({ status: 'accepted', id: v.id, event: ev.id });
        node.send(msg);
      } catch (err) {
        if (v.id) guard.forget(v.id);
        counts.rejected++;
        show('red');
        if (err instanceof EventBuildError) msg.validationErrors = err.errors;
        if (!res.headersSent) res.status(422).json({ error: 'payload does not map to the event type', reason: toError(err).message });
        node.error(`mfg-webhook-in ${url}: ${toError(err).message}`, msg);
      }
    }

    const route = (req: Req, res: Res) => {
      handle(req, res).catch((err) => {
        const e = toError(err) as Error & { status?: number };
        if (!res.headersSent) res.status(e.status || 500).json({ error: e.message });
        node.error(`mfg-webhook-in ${url}: ${e.message}`);
      });
    };
    const release = keepRawBody(RED, url);
    if (!release) {
      node.status({ fill: 'red', shape: 'ring', text: `${url} already in use` });
      node.error(`mfg-webhook-in: another webhook node already listens on ${url}`);
      return;
    }
    RED.httpNode.post(url, ...nodeMiddleware(RED), route as never);
    node.status({ fill: 'grey', shape: 'ring', text: `listening on ${url}` });

    node.on('close', (_removed: boolean, done: () => void) => {
      status.stop();
      release();
      const router = (RED.httpNode as unknown as { _router?: { stack: Array<{ route?: { path: string; stack: Array<{ handle: unknown }> } }> } })._router;
      if (router) {
        for (let i = router.stack.length - 1; i >= 0; i--) {
          const r = router.stack[i].route;
          if (r && r.path === url && r.stack.some((l) => l.handle === route)) router.stack.splice(i, 1);
        }
      }
      done();
    });
  }

  RED.nodes.registerType('mfg-webhook-in', MfgWebhookIn as never, { credentials: { secret: { type: 'password' } } } as never);
};

// Keeps the raw bytes of webhook requests. With the default settings Node-RED mounts its
// admin app (which parses JSON for every request) in front of the node app, so by the
// time a route on RED.httpNode runs, the bytes that were signed are gone. Like the core
// "http in" node, a middleware at the top of the root app reads the body of our paths
// into a Buffer first; body parsers then skip the request (req._body is set).
import type { IncomingMessage, ServerResponse } from 'http';
import type { NodeAPI } from 'node-red';

type Req = IncomingMessage & { body?: unknown; _body?: boolean; rawBody?: Buffer; _parsedUrl?: { pathname?: string } };
interface App { parent?: App; use(fn: unknown): void; path(): string; _router?: { stack: Array<{ handle: unknown }> } }

export const MAX_BYTES = 1024 * 1024;
const paths = new Set<string>();
const installed = new WeakSet<object>();

function rootOf(app: App): App {
  return app.parent ? rootOf(app.parent) : app;
}

function norm(p: string): string {
  return p.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
}

function capture(req: Req, res: unknown, next: (err?: unknown) => void): void {
  const pathname = req._parsedUrl?.pathname ?? new URL(req.url || '/', 'http://x').pathname;
  if (req.method !== 'POST' || !paths.has(norm(pathname)) || req._body) return next();
  const chunks: Buffer[] = [];
  let size = 0;
  let failed = false;
  req.on('data', (c: Buffer) => {
    if (failed) return;
    size += c.length;
    if (size > MAX_BYTES) {
      failed = true;
      // answered here in JSON: Express's default error page would show a stack trace
      const r = res as ServerResponse;
      if (!r.headersSent) {
        r.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' });
        r.end(JSON.stringify({ error: 'payload too large', reason: `webhook body larger than ${MAX_BYTES} bytes` }));
      }
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => {
    if (failed) return;
    req.rawBody = Buffer.concat(chunks);
    req.body = req.rawBody;
    req._body = true;
    next();
  });
  req.on('error', (e) => { if (!failed) { failed = true; next(e); } });
}

/** Registers a path (under httpNodeRoot) whose raw body must be kept; returns its unregister,
 * or undefined when another webhook node already listens there. */
export function keepRawBody(RED: NodeAPI, url: string): (() => void) | undefined {
  const nodeApp = RED.httpNode as unknown as App;
  const full = norm((typeof nodeApp.path === 'function' ? nodeApp.path() : '') + url);
  const root = rootOf(nodeApp);
  if (!installed.has(root) && typeof root.use === 'function') {
    installed.add(root);
    root.use(capture);
    const stack = root._router?.stack;
    if (stack) {
      const i = stack.findIndex((l) => l.handle === capture);
      if (i > 0) stack.unshift(stack.splice(i, 1)[0]);
    }
  }
  if (paths.has(full)) return undefined;
  paths.add(full);
  return () => paths.delete(full);
}

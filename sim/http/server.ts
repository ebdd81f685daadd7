// A small HTTP server for simulators on node:http: routing, raw bodies, the ledger,
// faults, Idempotency-Key handling and the /__sim control routes.
import http, { IncomingMessage, ServerResponse } from 'http';
import https from 'https';
import type { AddressInfo } from 'net';
import { Faults, FaultSpec } from './faults';
import { IdempotencyStore } from './idempotency';
import { errorReply, faultReply, makeRequest, readBody, restFormat, send, sleep } from './io';
import { Ledger } from './ledger';
import { problem } from './json';
import { Ctx, ErrorFormat, Handler, HttpError, Reply, SimRequest } from './types';

export interface RouteOptions {
  /** POSTs carry an Idempotency-Key (Stripe / IETF semantics). */
  idempotent?: boolean;
  /** Not subject to faults (e.g. the OAuth2 token endpoint, another system in reality). */
  noFaults?: boolean;
}

/** One business request as the simulator saw it (status null: connection dropped). */
export interface RequestLogEntry { at: string; method: string; path: string; status: number | null; fault?: string; key?: string }

interface Route {
  method: string;
  re: RegExp;
  keys: string[];
  handler: Handler;
  opts: RouteOptions;
}

export class SimServer {
  readonly ledger = new Ledger();
  readonly faults = new Faults();
  readonly idempotency = new IdempotencyStore();
  requireIdempotencyKey = true;
  readonly requests: RequestLogEntry[] = [];
  private readonly routes: Route[] = [];
  private readonly surfaces: Array<{ prefix: string; name: string; format: ErrorFormat }> = [];
  private readonly resets: Array<() => void> = [];
  private http: http.Server = http.createServer((req, res) => void this.handle(req, res));
  stateDump: () => unknown = () => ({});
  configure: (body: Record<string, unknown>) => unknown = () => ({});

  constructor(readonly name: string) {
    this.http.keepAliveTimeout = 5000;
  }

  /** Route pattern: '/api/v1/tasks/:id/confirm' or a RegExp with named groups. */
  route(method: string, pattern: string | RegExp, handler: Handler, opts: RouteOptions = {}): void {
    let re: RegExp;
    const keys: string[] = [];
    if (typeof pattern === 'string') {
      const src = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\/:([A-Za-z]+)/g, (_m, k: string) => {
        keys.push(k);
        return '/([^/]+)';
      });
      re = new RegExp(`^${src}/?$`);
    } else re = pattern;
    this.routes.push({ method: method.toUpperCase(), re, keys, handler, opts });
  }

  /** Error shape for every path under prefix (fault replies, thrown HttpErrors, 404s). */
  surface(prefix: string, name: string, format: ErrorFormat): void {
    this.surfaces.push({ prefix, name, format });
    this.surfaces.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  onReset(fn: () => void): void {
    this.resets.push(fn);
  }

  reset(): void {
    this.requests.length = 0;
    this.ledger.clear();
    this.faults.clear();
    this.idempotency.clear();
    for (const fn of this.resets) fn();
  }

  /** Listens on port; with tls ({key, cert} in PEM) it serves HTTPS instead of HTTP. */
  listen(port: number, host: string, tls?: { key: string | Buffer; cert: string | Buffer }): Promise<{ url: string; port: number; close: () => Promise<void> }> {
    if (tls) {
      this.http = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => void this.handle(req, res));
      this.http.keepAliveTimeout = 5000;
    }
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        const p = (this.http.address() as AddressInfo).port;
        resolve({ url: `${tls ? 'https' : 'http'}://${host}:${p}`, port: p, close: () => this.close() });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private surfaceOf(path: string) {
    return this.surfaces.find((s) => path.startsWith(s.prefix)) ?? { prefix: '', name: 'rest', format: restFormat };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url || '/', 'http://sim');
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        req.resume();
        return send(res, problem(400, 'Bad request', `Malformed percent-encoding in ${url.pathname}`));
      }
      const method = (req.method || 'GET').toUpperCase();
      const raw = await readBody(req);
      const r = makeRequest(req, method, path, url.searchParams, raw);
      if (path.startsWith('/__sim/')) return send(res, await this.control(r));
      const at = Date.now();
      const out = await this.serve(r);
      this.log({ at: new Date(at).toISOString(), method, path, status: out.reply ? out.reply.status : null, fault: out.fault, key: r.params.__idempotencyKey });
      if (!out.reply) req.socket.destroy();
      else send(res, out.reply);
    } catch (err) {
      if (!res.headersSent) send(res, errorReply(err, restFormat));
    }
  }

  /** The reply to a business request, or none when the connection is to be dropped. */
  private async serve(r: SimRequest): Promise<{ reply?: Reply; fault?: string }> {
    const { method, path, req, raw } = r;
    const surface = this.surfaceOf(path);
    let route: Route | undefined;
    let m: RegExpExecArray | null = null;
    for (const rt of this.routes) {
      if (rt.method !== method && rt.method !== '*') continue;
      m = rt.re.exec(path);
      if (m) { route = rt; break; }
    }
    const fault: FaultSpec | undefined = route?.opts.noFaults ? undefined : this.faults.draw();
    const hit = fault?.mode;
    if (fault && (fault.mode === 'maintenance' || fault.mode === 'throttle' || fault.mode === 'error' || fault.mode === 'html')) return { reply: faultReply(fault, surface.format, r), fault: hit };
    if (fault && fault.mode === 'reset') return { fault: hit };
    if (!route || !m) return { reply: surface.format(404, 'NOT_FOUND', `No resource for ${method} ${path}`, r), fault: hit };
    route.keys.forEach((k, i) => (r.params[k] = m![i + 1]));
    Object.assign(r.params, m.groups || {});
    let booked = false;
    const ctx: Ctx = { book: (kind, key, doc) => { booked = true; this.ledger.book(surface.name, kind, key, doc); } };

    let idemKey: string | undefined;
    if (route.opts.idempotent && method === 'POST') {
      const k = req.headers['idempotency-key'];
      idemKey = Array.isArray(k) ? k[0] : k;
      if (idemKey === undefined || idemKey === '') {
        idemKey = undefined;
        if (this.requireIdempotencyKey) return { reply: problem(400, 'Idempotency-Key missing', 'This operation requires an Idempotency-Key header.', path), fault: hit };
      } else if (idemKey.length > 255) {
        return { reply: problem(400, 'Idempotency-Key too long', 'An Idempotency-Key has at most 255 characters.', path), fault: hit };
      } else {
        r.params.__idempotencyKey = idemKey;
        const claim = this.idempotency.claim(idemKey, IdempotencyStore.fingerprint(method, path, raw));
        if (claim.kind === 'mismatch') return { reply: problem(422, 'Idempotency-Key reused', `Idempotency-Key "${idemKey}" was used for another request.`, path), fault: hit };
        if (claim.kind === 'in-flight') return { reply: problem(409, 'Request in progress', `A request with Idempotency-Key "${idemKey}" is still being processed.`, path), fault: hit };
        if (claim.kind === 'replay') return { reply: { ...claim.reply, headers: { ...(claim.reply.headers || {}), 'Idempotent-Replayed': 'true' } }, fault: hit };
      }
    }
    if (fault && fault.mode === 'latency') await sleep(fault.latencyMs);
    let reply: Reply;
    try {
      reply = await route.handler(r, ctx);
    } catch (err) {
      reply = errorReply(err, surface.format, r);
    }
    if (idemKey) this.idempotency.settle(idemKey, reply);
    if (fault && fault.mode === 'drop-after-commit' && booked) return { fault: hit };
    if (fault && fault.mode === 'truncate' && reply.body !== undefined && reply.body !== null) {
      const full = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      const headers = { ...(reply.headers || {}) };
      if (typeof reply.body === 'object' && !Buffer.isBuffer(reply.body) && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json; charset=utf-8';
      return { reply: { ...reply, headers, body: full.subarray(0, Math.floor(full.length / 2)) }, fault: hit };
    }
    return { reply, fault: booked || !fault || fault.mode !== 'drop-after-commit' ? hit : undefined };
  }

  private log(e: RequestLogEntry): void {
    this.requests.push(e);
    if (this.requests.length > 5000) this.requests.splice(0, this.requests.length - 5000);
  }

  private async control(r: SimRequest): Promise<Reply> {
    const route = `${r.method} ${r.path.replace(/\/$/, '')}`;
    try {
      switch (route) {
        case 'GET /__sim/health': return { status: 200, body: { ok: true, name: this.name } };
        case 'GET /__sim/ledger': {
          const kind = r.query.get('kind');
          return { status: 200, body: { entries: kind ? this.ledger.entries.filter((e) => e.kind === kind) : this.ledger.entries } };
        }
        case 'GET /__sim/requests': {
          const since = r.query.get('since');
          const t = since ? (/^\d+$/.test(since) ? Number(since) : Date.parse(since)) : 0;
          return { status: 200, body: { requests: this.requests.filter((e) => Date.parse(e.at) >= t) } };
        }
        case 'GET /__sim/faults': return { status: 200, body: this.faults.current() };
        case 'POST /__sim/faults': return { status: 200, body: this.faults.set(r.json()) };
        case 'POST /__sim/reset': this.reset(); return { status: 204 };
        case 'GET /__sim/state': return { status: 200, body: this.stateDump() };
        case 'POST /__sim/config': {
          const b = r.json();
          if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new HttpError(400, 'body must be a JSON object');
          return { status: 200, body: this.configure(b as Record<string, unknown>) };
        }
      }
      for (const rt of this.routes) {
        if (!rt.re.source.startsWith('^\\/__sim') || (rt.method !== r.method && rt.method !== '*')) continue;
        const m = rt.re.exec(r.path);
        if (m) {
          rt.keys.forEach((k, i) => (r.params[k] = m[i + 1]));
          return await rt.handler(r, { book: () => undefined });
        }
      }
      return problem(404, 'Not found', `No control route ${route}`, r.path);
    } catch (err) {
      // control routes fail only on bad input
      return err instanceof HttpError ? errorReply(err, restFormat, r) : problem(400, 'Bad request', err instanceof Error ? err.message : String(err), r.path);
    }
  }
}


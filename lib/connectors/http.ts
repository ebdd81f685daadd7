// The HTTP core of every connector: axios over keep-alive agents, auth, TLS, timeout,
// rate limit and concurrency cap per endpoint, Retry-After honoured for every request,
// and every failure turned into a classified ConnectorError (never an unhandled throw,
// whatever the server sends: HTML pages, truncated JSON, reset connections).
import http from 'http';
import https from 'https';
import axios, { AxiosInstance, AxiosResponse } from 'axios';
import { observe } from '../observability';
import { staticAuthHeaders, TokenSource } from './auth';
import { ConnectorError, httpError, reasonOf, transportError } from './errors';
import { RateLimiter, Semaphore } from './limits';
import type { EndpointConfig } from './types';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: Method;
  /** path below the base URL (or an absolute URL) */
  path: string;
  params?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** JSON body */
  body?: unknown;
  /** operation name for metrics and errors */
  op?: string;
  /** statuses handed back to the caller instead of thrown (e.g. SAP's 403 CSRF) */
  pass?: number[];
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: any;
  text: string;
}

function parseBody(res: AxiosResponse): { data: unknown; text: string; bad: boolean } {
  const text = res.data == null ? '' : String(res.data);
  const ct = String(res.headers['content-type'] || '');
  if (!text) return { data: undefined, text, bad: false };
  const looksJson = /json/i.test(ct) || /^\s*[[{]/.test(text);
  if (!looksJson) return { data: undefined, text, bad: false };
  try {
    return { data: JSON.parse(text), text, bad: false };
  } catch {
    return { data: undefined, text, bad: /json/i.test(ct) };
  }
}

export class HttpClient {
  readonly axios: AxiosInstance;
  readonly tokens?: TokenSource;
  private readonly sem: Semaphore;
  private readonly limiter: RateLimiter;
  private readonly staticHeaders: Record<string, string>;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly base: string;
  private closed = false;

  constructor(readonly cfg: EndpointConfig) {
    if (!/^https?:\/\//i.test(cfg.baseUrl || '')) throw new Error(`endpoint "${cfg.name}": base URL must start with http:// or https:// (got "${cfg.baseUrl || ''}")`);
    this.base = cfg.baseUrl.replace(/\/+$/, '');
    const max = Math.max(1, cfg.maxConcurrency || 8);
    const tls = cfg.tls || {};
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: max, maxFreeSockets: max }),
      https: new https.Agent({
        keepAlive: true, maxSockets: max, maxFreeSockets: max,
        ca: tls.ca || undefined, cert: tls.cert || undefined, key: tls.key || undefined, passphrase: tls.passphrase || undefined,
        rejectUnauthorized: tls.verify !== false,
      }),
    };
    this.axios = axios.create({
      httpAgent: this.agents.http, httpsAgent: this.agents.https, timeout: cfg.timeoutMs || 30000,
      responseType: 'text', transformResponse: [(x: unknown) => x], validateStatus: () => true,
      maxRedirects: 0, proxy: false,
    });
    this.sem = new Semaphore(max);
    this.limiter = new RateLimiter(cfg.rateLimit || 0);
    this.staticHeaders = { Accept: 'application/json', ...(cfg.headers || {}), ...staticAuthHeaders(cfg.auth) };
    if (cfg.auth.type === 'oauth2') this.tokens = new TokenSource(cfg.auth, this.axios, cfg.timeoutMs || 30000);
  }

  /** Requests waiting for a slot or in flight (back-pressure, status). */
  get load(): { inFlight: number; waiting: number; pausedUntil: number } {
    return { inFlight: this.sem.inUse, waiting: this.sem.waiting, pausedUntil: this.limiter.pausedUntil };
  }

  /** Holds all requests until ms from now. */
  pause(ms: number): void {
    this.limiter.pauseFor(ms);
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const first = await this.once(req);
    if (first.status === 401 && this.tokens) {
      // the token may have been revoked or expired early: fetch a new one, try once more
      this.tokens.invalidate();
      return this.finish(req, await this.once(req));
    }
    return this.finish(req, first);
  }

  private finish(req: HttpRequest, r: HttpResponse & { bad?: boolean }): HttpResponse {
    if (r.status >= 200 && r.status < 300) {
      if (r.text && r.data === undefined && !r.bad && req.method !== 'HEAD' && /^\s*</.test(r.text)) {
        // a proxy, gateway or login page answered in place of the system
        throw new ConnectorError(`HTTP ${r.status} with ${reasonOf(undefined, r.text).reason} instead of JSON (a proxy or login page?); the outcome is unknown`, {
          kind: 'transport', status: r.status, retryable: true, outcomeUnknown: true, operation: req.op,
        });
      }
      if (r.bad) {
        throw new ConnectorError(`HTTP ${r.status} with an unreadable JSON body (${r.text.length} bytes, truncated or malformed); the outcome is unknown`, {
          kind: 'transport', status: r.status, retryable: true, outcomeUnknown: true, operation: req.op,
        });
      }
      return r;
    }
    if (req.pass && req.pass.includes(r.status)) return r;
    const err = httpError(r.status, r.headers, r.data, r.text, req.op);
    if ((r.status === 429 || r.status === 503) && err.retryAfterMs) this.limiter.pauseFor(err.retryAfterMs);
    throw err;
  }

  private async once(req: HttpRequest): Promise<HttpResponse & { bad?: boolean }> {
    if (this.closed) throw new ConnectorError(`endpoint "${this.cfg.name}" is closed`, { kind: 'transport', retryable: true, operation: req.op });
    const wait1 = this.limiter.acquire();
    if (wait1) await wait1;
    const wait2 = this.sem.acquire();
    if (wait2) await wait2;
    const t0 = performance.now();
    let status: number | string = 'error';
    try {
      const headers: Record<string, string> = { ...this.staticHeaders, ...(req.headers || {}) };
      if (this.tokens) headers.Authorization = await this.tokens.header();
      let data: string | undefined;
      if (req.body !== undefined) {
        data = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
        if (!headers['Content-Type']) headers['Content-Type'] = 'application/json';
      }
      let res: AxiosResponse;
      try {
        res = await this.axios.request({
          method: req.method, url: /^https?:/i.test(req.path) ? req.path : this.base + req.path,
          params: req.params, headers, data,
        });
      } catch (err) {
        // refused/unresolvable/TLS codes mean nothing left; any other failure may follow the server's commit
        const e = err as Error & { code?: string };
        status = e.code || 'error';
        throw transportError(e, true, req.op);
      }
      status = res.status;
      const body = parseBody(res);
      return { status: res.status, headers: res.headers as HttpResponse['headers'], data: body.data, text: body.text, bad: body.bad };
    } finally {
      this.sem.release();
      observe.endpoint(this.cfg.name, req.op || req.method, status, performance.now() - t0);
    }
  }

  close(): void {
    this.closed = true;
    this.limiter.close();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

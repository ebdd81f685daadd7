// SAP OData v2 plumbing: service paths, sap-client, {"d":...} unwrapping, Edm literals,
// and the CSRF token with its session cookies (fetched once, replayed on every write,
// fetched again and the write retried once on 403 "x-csrf-token: Required").
import { ConnectorError, httpError } from '../errors';
import type { HttpClient, HttpResponse, Method } from '../http';
import type { EndpointConfig } from '../types';

export const sapDate = (t?: unknown): string => {
  const ms = t === undefined || t === null || t === '' ? Date.now() : new Date(t as string).getTime();
  if (Number.isNaN(ms)) throw new Error(`not a date: "${String(t)}"`);
  return `/Date(${ms})/`;
};

/** /Date(ms)/ or /Date(ms+0000)/ to RFC 3339. */
export function fromSapDate(v: unknown): string | undefined {
  const m = typeof v === 'string' ? /\/Date\((-?\d+)/.exec(v) : null;
  return m ? new Date(Number(m[1])).toISOString() : undefined;
}

/** Edm.Decimal: a string with at most 3 decimals. */
export const dec = (n: unknown): string => {
  const v = Number(n);
  if (!Number.isFinite(v)) throw new Error(`not a number: "${String(n)}"`);
  return String(Math.round(v * 1000) / 1000);
};

/** OData v2 string literal. */
export const lit = (s: unknown): string => `'${String(s).replace(/'/g, "''")}'`;

export function unwrap(data: any): any {
  const d = data && typeof data === 'object' && 'd' in data ? data.d : data;
  // a success without an entity: SAP did something, we cannot tell what
  if (!d || typeof d !== 'object') throw new ConnectorError('SAP answered without an OData entity; the outcome is unknown', { kind: 'transport', retryable: true, outcomeUnknown: true });
  return d;
}

export function results(data: any): any[] {
  const d = data && typeof data === 'object' && 'd' in data ? data.d : data;
  if (Array.isArray(d)) return d;
  if (d && Array.isArray(d.results)) return d.results;
  return [];
}

interface Session {
  token?: string;
  cookie?: string;
  pending?: Promise<void>;
}

export class SapSession {
  private readonly sessions = new Map<string, Session>();
  /** CSRF tokens fetched (status, tests) */
  fetches = 0;

  constructor(private readonly http: HttpClient, private readonly cfg: EndpointConfig) {}

  service(name: string): string {
    const custom = this.cfg.sapServices && this.cfg.sapServices[name];
    return (custom || `/sap/opu/odata/sap/${name}`).replace(/\/+$/, '');
  }

  private headers(extra?: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { ...(extra || {}) };
    if (this.cfg.sapClient) h['sap-client'] = this.cfg.sapClient;
    return h;
  }

  read(service: string, path: string, op: string, params?: Record<string, string>): Promise<HttpResponse> {
    return this.http.request({ method: 'GET', path: `${this.service(service)}/${path}`, params, headers: this.headers(), op });
  }

  async write(method: Method, service: string, path: string, body: unknown, op: string): Promise<HttpResponse> {
    const root = this.service(service);
    for (let attempt = 1; ; attempt++) {
      const s = await this.session(root, op);
      const headers = this.headers({ 'x-csrf-token': s.token || '' });
      if (s.cookie) headers.Cookie = s.cookie;
      const res = await this.http.request({ method, path: `${root}/${path}`, body, headers, op, pass: [403] });
      if (res.status !== 403) return res;
      const required = String(res.headers['x-csrf-token'] || '').toLowerCase() === 'required';
      if (!required || attempt > 1) {
        const e = httpError(res.status, res.headers, res.data, res.text, op);
        if (required) e.message = `${e.message} (CSRF token refused right after a fresh fetch)`;
        throw e;
      }
      // token expired or session gone: fetch a new one, then the write once more
      this.sessions.delete(root);
    }
  }

  private async session(root: string, op: string): Promise<Session> {
    let s = this.sessions.get(root);
    if (s && s.token) return s;
    if (!s) {
      s = {};
      this.sessions.set(root, s);
    }
    if (!s.pending) {
      const target = s;
      target.pending = this.fetch(root, target, op).finally(() => { target.pending = undefined; });
    }
    await s.pending;
    return s;
  }

  private async fetch(root: string, s: Session, op: string): Promise<void> {
    const res = await this.http.request({ method: 'HEAD', path: `${root}/`, headers: this.headers({ 'x-csrf-token': 'Fetch' }), op: `${op} csrf` });
    const token = res.headers['x-csrf-token'];
    if (!token || typeof token !== 'string' || /required/i.test(token)) {
      this.sessions.delete(root);
      throw new ConnectorError('SAP answered the CSRF fetch without a token', { kind: 'auth', retryable: true, status: res.status, operation: op });
    }
    const set = res.headers['set-cookie'];
    const cookies = (Array.isArray(set) ? set : set ? [set] : []).map((c) => String(c).split(';')[0].trim()).filter(Boolean);
    s.token = token;
    s.cookie = cookies.join('; ');
    this.fetches++;
  }
}

// SAP Gateway behaviour shared by the OData v2 services: basic auth or session cookie,
// sap-client, CSRF tokens bound to a session cookie, the OData v2 error body, typed
// property parsing (unknown properties are rejected) and value formatting.
import { randomBytes } from 'crypto';
import type { Reply, SimRequest } from '../http/types';
import { HttpError } from '../http/types';

export const CLIENT = '100';
const SESSION_COOKIE = `SAP_SESSIONID_S4H_${CLIENT}`;

export interface SapConfig { user: string; password: string; csrfTtlMs: number }

export class SapSessions {
  private readonly sessions = new Map<string, { token: string; expires: number }>();
  constructor(private readonly cfg: SapConfig) {}

  clear(): void {
    this.sessions.clear();
  }

  private sessionOf(r: SimRequest): { id: string; token: string; expires: number } | undefined {
    const m = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(String(r.headers.cookie || ''));
    if (!m) return undefined;
    const s = this.sessions.get(m[1]);
    if (!s) return undefined;
    if (Date.now() >= s.expires) { this.sessions.delete(m[1]); return undefined; }
    return { id: m[1], ...s };
  }

  /** 401 unless basic auth is right or the request carries a live session cookie. */
  authenticate(r: SimRequest): Reply | undefined {
    const auth = String(r.headers.authorization || '');
    if (auth.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      if (u.toUpperCase() === this.cfg.user.toUpperCase() && p.join(':') === this.cfg.password) return undefined;
    } else if (this.sessionOf(r)) return undefined;
    return {
      status: 401,
      headers: { 'WWW-Authenticate': `Basic realm="SAP NetWeaver Application Server [S4H/${CLIENT}]"`, 'Content-Type': 'text/html' },
      body: '<html><head><title>Logon Error Message</title></head><body>Anmeldung fehlgeschlagen / Logon failed</body></html>',
    };
  }

  /** Answers x-csrf-token: Fetch: same token for a live session, else a new session. */
  fetch(r: SimRequest): Record<string, string | string[]> {
    let s = this.sessionOf(r);
    const headers: Record<string, string | string[]> = {};
    if (!s) {
      const id = randomBytes(24).toString('base64url');
      s = { id, token: randomBytes(18).toString('base64'), expires: Date.now() + this.cfg.csrfTtlMs };
      this.sessions.set(id, { token: s.token, expires: s.expires });
      headers['Set-Cookie'] = [`${SESSION_COOKIE}=${id}; path=/; HttpOnly`, `sap-usercontext=sap-client=${CLIENT}; path=/`];
    }
    headers['x-csrf-token'] = s.token;
    return headers;
  }

  /** 403 "CSRF token validation failed" unless token and session cookie match. */
  checkCsrf(r: SimRequest): Reply | undefined {
    const s = this.sessionOf(r);
    const token = r.headers['x-csrf-token'];
    if (s && typeof token === 'string' && token === s.token) return undefined;
    return { status: 403, headers: { 'x-csrf-token': 'Required', 'Content-Type': 'text/plain' }, body: 'CSRF token validation failed' };
  }
}

export function sapError(status: number, code: string, message: string, details: Array<{ code?: string; message: string; target?: string; propertyref?: string }> = []): Reply {
  const ts = new Date().toISOString().replace(/[-:T]/g, '').replace(/\.(\d{3})Z$/, '.$10000');
  return {
    status,
    headers: { 'Content-Type': 'application/json' },
    body: {
      error: {
        code,
        message: { lang: 'en', value: message },
        innererror: {
          application: { component_id: 'PP-SFC', service_namespace: '/SAP/', service_id: '', service_version: '0001' },
          transactionid: randomBytes(16).toString('hex').toUpperCase(),
          timestamp: ts,
          Error_Resolution: { SAP_Transaction: 'For backend administrators: use ADT feed reader "SAP Gateway Error Log" or run transaction /IWFND/ERROR_LOG on SAP Gateway hub system and search for entries with the timestamp above for more details', SAP_Note: 'See SAP Note 1797736 for error analysis (https://service.sap.com/sap/support/notes/1797736)' },
          errordetails: details.map((d) => ({ code: d.code || code, message: d.message, propertyref: d.propertyref || '', severity: 'error', target: d.target || '', transition: false })),
        },
      },
    },
  };
}

export const dec = (n: number, scale = 3) => n.toFixed(scale);
export const date = (ms: number) => `/Date(${Math.round(ms)})/`;
export const flag = (b: boolean) => (b ? 'X' : '');

export type FieldType = 'str' | 'dec' | 'date' | 'bool' | 'guid' | 'time';
export type Schema = Record<string, [FieldType, number?] | { nav: Schema }>;

/** Parses a create body against the entity's properties: unknown or ill-typed -> 400. */
export function parseEntity(body: unknown, schema: Schema, entity: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, `The request body is not a valid ${entity} entry`, '/IWBEP/CM_MGW_RT/000');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === '__metadata') continue;
    const def = schema[k];
    if (!def) throw new HttpError(400, `Property '${k}' is invalid`, '/IWBEP/CM_MGW_RT/020', [{ message: `Property '${k}' is invalid`, target: k, propertyref: `${entity}/${k}` }]);
    if (v === null || v === undefined) continue;
    if (!Array.isArray(def)) {
      const list = Array.isArray(v) ? v : Array.isArray((v as { results?: unknown[] }).results) ? (v as { results: unknown[] }).results : undefined;
      if (!list) throw new HttpError(400, `Navigation property '${k}' expects an array of entries`, '/IWBEP/CM_MGW_RT/000');
      out[k] = list.map((x) => parseEntity(x, def.nav, k));
      continue;
    }
    const [type, max] = def;
    const bad = (why: string) => new HttpError(400, `Invalid value for property '${k}': ${why}`, '/IWBEP/CM_MGW_RT/000', [{ message: `Invalid value for property '${k}': ${why}`, target: k, propertyref: `${entity}/${k}` }]);
    switch (type) {
      case 'str':
        if (typeof v !== 'string') throw bad('Edm.String expected');
        if (max && v.length > max) throw bad(`at most ${max} characters`);
        out[k] = v;
        break;
      case 'dec':
        if (typeof v !== 'string' || !/^-?\d+(\.\d+)?$/.test(v.trim())) throw bad('Edm.Decimal expected as a string such as "95.000"');
        out[k] = Number(v);
        break;
      case 'date': {
        const m = typeof v === 'string' ? /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(v) : null;
        if (!m) throw bad('Edm.DateTime expected as "/Date(<ms>)/"');
        out[k] = Number(m[1]);
        break;
      }
      case 'bool':
        if (typeof v !== 'boolean') throw bad('Edm.Boolean expected');
        out[k] = v;
        break;
      case 'guid':
        if (typeof v !== 'string' || !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(v)) throw bad('Edm.Guid expected');
        out[k] = v.toLowerCase();
        break;
      case 'time':
        if (typeof v !== 'string' || !/^PT(\d+H)?(\d+M)?(\d+S)?$/.test(v)) throw bad('Edm.Time expected as "PT11H16M37S"');
        out[k] = v;
        break;
    }
  }
  return out;
}

/** Adds __metadata and deferred navigations to a row. */
export function entity(base: string, set: string, key: string, type: string, props: Record<string, unknown>, navs: string[] = []): Record<string, unknown> {
  const uri = `${base}${set}(${key})`;
  const row: Record<string, unknown> = { __metadata: { id: uri, uri, type } , ...props };
  for (const n of navs) row[n] = { __deferred: { uri: `${uri}/${n}` } };
  return row;
}

export const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

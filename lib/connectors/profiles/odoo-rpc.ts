// Odoo external JSON-RPC: common.login once (uid cached), object.execute_kw for model
// calls; errors come back with HTTP 200 and an "error" member and are classified by the
// exception class; an expired session or a refused uid logs in again once.
import { ConnectorError } from '../errors';
import type { HttpClient } from '../http';
import type { EndpointConfig } from '../types';

export function odooError(e: any, op: string): ConnectorError {
  const name: string = (e && e.data && e.data.name) || '';
  const msg: string = (e && e.data && e.data.message) || (e && e.message) || 'Odoo error';
  const text = `Odoo ${name || 'error'}: ${msg}`;
  if (e && e.code === 100) return new ConnectorError(text, { kind: 'auth', retryable: true, code: name, operation: op });
  if (/AccessDenied|AccessError/.test(name)) return new ConnectorError(text, { kind: 'auth', retryable: false, code: name, operation: op });
  if (/MissingError/.test(name)) return new ConnectorError(text, { kind: 'not-found', retryable: false, code: name, operation: op });
  if (/SerializationFailure|LockNotAvailable|OperationalError/.test(name) && !/does not exist/i.test(msg)) {
    return new ConnectorError(text, { kind: 'unavailable', retryable: true, code: name, operation: op });
  }
  return new ConnectorError(text, { kind: 'validation', retryable: false, code: name, operation: op });
}

export class OdooRpc {
  private uid?: number;
  private login?: Promise<number>;
  private seq = 0;

  constructor(private readonly http: HttpClient, private readonly cfg: EndpointConfig) {
    if (!cfg.odooDb) throw new Error('odoo profile: the database name is required');
  }

  private get password(): string {
    return this.cfg.auth.password || this.cfg.auth.apiKey || '';
  }

  async call(service: string, method: string, args: unknown[], op: string): Promise<any> {
    const body = { jsonrpc: '2.0', method: 'call', id: ++this.seq, params: { service, method, args } };
    const res = await this.http.request({ method: 'POST', path: '/jsonrpc', body, op });
    const d = res.data;
    if (d && typeof d === 'object' && d.error) throw odooError(d.error, op);
    if (!d || typeof d !== 'object' || !('result' in d)) {
      throw new ConnectorError(`Odoo answered without a JSON-RPC result (${res.text.slice(0, 80) || 'empty body'})`, {
        kind: 'transport', retryable: true, outcomeUnknown: true, status: res.status, operation: op,
      });
    }
    return d.result;
  }

  private uidOf(op: string): Promise<number> {
    if (this.uid !== undefined) return Promise.resolve(this.uid);
    if (!this.login) {
      this.login = this.call('common', 'login', [this.cfg.odooDb, this.cfg.auth.username || '', this.password], `${op} login`)
        .then((uid) => {
          if (typeof uid !== 'number' || !uid) throw new ConnectorError(`Odoo refused the login of "${this.cfg.auth.username}" on database "${this.cfg.odooDb}"`, { kind: 'auth', retryable: false, operation: op });
          this.uid = uid;
          return uid;
        })
        .finally(() => { this.login = undefined; });
    }
    return this.login;
  }

  /** object.execute_kw on a model; logs in again once when the session is refused. */
  async kw(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>, op: string): Promise<any> {
    for (let attempt = 1; ; attempt++) {
      const uid = await this.uidOf(op);
      try {
        return await this.call('object', 'execute_kw', [this.cfg.odooDb, uid, this.password, model, method, args, kwargs], op);
      } catch (err) {
        const e = err as ConnectorError;
        if (attempt === 1 && e.kind === 'auth' && e.status === undefined) {
          this.uid = undefined;
          continue;
        }
        throw err;
      }
    }
  }

  /** Logs in and reads one product: proves database, credentials and access. */
  async kwCheck(): Promise<void> {
    await this.kw('product.product', 'search', [[]], { limit: 1 }, 'check');
  }

  async version(): Promise<string> {
    const v = await this.call('common', 'version', [], 'check');
    return String((v && v.server_version) || '?');
  }

  searchRead(model: string, domain: unknown[], fields: string[], op: string, limit = 0): Promise<any[]> {
    return this.kw(model, 'search_read', [domain], { fields, ...(limit ? { limit } : {}) }, op);
  }
}

/** many2one [id, "name"] -> id */
export const m2o = (v: unknown): number | undefined => (Array.isArray(v) ? Number(v[0]) : typeof v === 'number' ? v : undefined);
/** many2one [id, "name"] -> name */
export const m2oName = (v: unknown): string | undefined => (Array.isArray(v) ? String(v[1]) : undefined);

// Classified connector errors: what went wrong, whether a retry can help, and whether the
// request may have taken effect although no answer came back (outcome unknown).
import { parseRetryAfter } from '../outbox/policy';

export type ErrorKind = 'validation' | 'auth' | 'not-found' | 'conflict' | 'transport' | 'throttled' | 'unavailable';

export interface ErrorInfo {
  kind: ErrorKind;
  /** HTTP status, when a response came */
  status?: number;
  /** a retry (later) may succeed */
  retryable: boolean;
  /** the request left and no trustworthy answer came: it may have been booked */
  outcomeUnknown?: boolean;
  /** wait at least this long before the next request to this endpoint */
  retryAfterMs?: number;
  /** the system's own error code, e.g. an SAP message class/number */
  code?: string;
  /** further messages of the system (OData errordetails, problem details) */
  details?: string[];
  operation?: string;
}

export class ConnectorError extends Error implements ErrorInfo {
  kind: ErrorKind;
  status?: number;
  retryable: boolean;
  outcomeUnknown?: boolean;
  retryAfterMs?: number;
  code?: string;
  details?: string[];
  operation?: string;

  constructor(message: string, info: ErrorInfo) {
    super(message);
    this.name = 'ConnectorError';
    this.kind = info.kind;
    this.status = info.status;
    this.retryable = info.retryable;
    this.outcomeUnknown = info.outcomeUnknown;
    this.retryAfterMs = info.retryAfterMs;
    this.code = info.code;
    this.details = info.details;
    this.operation = info.operation;
  }

  /** Plain object for msg.error (JSON-serialisable). */
  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = { message: this.message, kind: this.kind, retryable: this.retryable };
    for (const k of ['status', 'outcomeUnknown', 'retryAfterMs', 'code', 'details', 'operation'] as const) {
      if (this[k] !== undefined) o[k] = this[k];
    }
    return o;
  }
}

export function isConnectorError(e: unknown): e is ConnectorError {
  return e instanceof ConnectorError;
}

// One Retry-After reading (capped at an hour) for the outbox and the connectors.
export { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../outbox/policy';

/** Kind and retryability of an HTTP status. */
export function kindOfStatus(status: number): { kind: ErrorKind; retryable: boolean } {
  if (status === 401 || status === 403) return { kind: 'auth', retryable: false };
  if (status === 404 || status === 410) return { kind: 'not-found', retryable: false };
  if (status === 409 || status === 412) return { kind: 'conflict', retryable: false };
  if (status === 429) return { kind: 'throttled', retryable: true };
  if (status === 408) return { kind: 'transport', retryable: true };
  if (status >= 500) return { kind: 'unavailable', retryable: true };
  return { kind: 'validation', retryable: false };
}

// Network error codes raised before the request reached the server: nothing was sent.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO']);

/** An error without a response (socket reset, timeout, refused, TLS) as a ConnectorError. */
export function transportError(err: { code?: string; message?: string }, sent: boolean, operation?: string): ConnectorError {
  const code = err.code || 'ERR';
  const notSent = NOT_SENT.has(code) || !sent;
  // UNABLE_TO_VERIFY_LEAF_SIGNATURE (untrusted CA) names no CERT: a retry cannot fix any of these
  const tls = /CERT|SSL|TLS|EPROTO|UNABLE_TO_VERIFY|SELF_SIGNED|ISSUER/.test(code);
  const what = code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timed out' : tls ? 'TLS handshake failed' : 'connection failed';
  const tail = notSent ? 'the request was not sent' : 'the request was sent, its outcome is unknown';
  return new ConnectorError(`${what} (${code}: ${err.message || 'no detail'}); ${tail}`, {
    kind: 'transport',
    retryable: !tls,
    outcomeUnknown: !notSent,
    code,
    operation,
  });
}

function first(s: string, n = 300): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}...` : t;
}

/**
 * A readable reason from any error body the supported systems send: OData v2
 * (error.message.value + errordetails), OData v4 (error.message), RFC 9457 problem
 * details, Odoo JSON-RPC errors, OAuth2 errors, an HTML page (its title) or plain text.
 */
export function reasonOf(data: unknown, text: string): { reason: string; code?: string; details?: string[] } {
  if (data && typeof data === 'object') {
    const d = data as Record<string, any>;
    const e = d.error;
    if (e && typeof e === 'object') {
      if (e.data && typeof e.data === 'object' && (e.data.message || e.data.name)) {
        return { reason: `${e.data.name ? `${e.data.name}: ` : ''}${e.data.message || e.message}`, code: String(e.code ?? '') || undefined };
      }
      const msg = typeof e.message === 'string' ? e.message : e.message && typeof e.message.value === 'string' ? e.message.value : undefined;
      const inner = e.innererror || {};
      const det = Array.isArray(inner.errordetails) ? inner.errordetails : Array.isArray(e.details) ? e.details : [];
      const details = det
        .map((x: any) => (x && (typeof x.message === 'string' ? x.message : x.message?.value)) || '')
        .filter((s: string) => s && s !== msg);
      const innerMsg = typeof inner.message === 'string' && inner.message !== msg ? inner.message : undefined;
      if (innerMsg) details.push(innerMsg);
      if (msg) return { reason: msg, code: e.code ? String(e.code) : undefined, details: details.length ? details : undefined };
    }
    if (typeof e === 'string') return { reason: d.error_description ? `${e}: ${d.error_description}` : e };
    if (typeof d.title === 'string' || typeof d.detail === 'string') {
      const errs = Array.isArray(d.errors) ? d.errors.map((x: any) => (typeof x === 'string' ? x : x?.detail || x?.message || JSON.stringify(x))) : undefined;
      return { reason: [d.title, d.detail].filter(Boolean).join(': '), code: typeof d.type === 'string' ? d.type : undefined, details: errs };
    }
    if (typeof d.message === 'string') return { reason: d.message };
  }
  if (/<html|<!doctype/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text);
    const h1 = /<h1[^>]*>([^<]*)<\/h1>/i.exec(text);
    return { reason: `HTML page: ${first((title && title[1]) || (h1 && h1[1]) || text.replace(/<[^>]+>/g, ' '), 120)}` };
  }
  return { reason: text ? first(text) : 'no body' };
}

/** A ConnectorError from a non-success HTTP response. */
export function httpError(status: number, headers: Record<string, unknown>, data: unknown, text: string, operation?: string): ConnectorError {
  const { kind, retryable } = kindOfStatus(status);
  const { reason, code, details } = reasonOf(data, text);
  if (status >= 300 && status < 400) {
    const to = headers.location ? ` to ${String(headers.location)}` : '';
    return new ConnectorError(`HTTP ${status}: redirected${to}; set the endpoint's base URL to the final address`, { kind: 'validation', status, retryable: false, operation });
  }
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  // A 5xx may come after the system booked the posting (gateway timeout, crash late in the request).
  const outcomeUnknown = status === 500 || status === 502 || status === 504;
  return new ConnectorError(`HTTP ${status}: ${reason}`, { kind, status, retryable, retryAfterMs, outcomeUnknown, code, details, operation });
}

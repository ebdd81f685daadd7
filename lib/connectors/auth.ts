// Authorization headers per auth type; OAuth2 client-credentials tokens are cached,
// fetched again shortly before expiry, shared by concurrent requests, and dropped on a 401.
import type { AxiosInstance } from 'axios';
import { ConnectorError, httpError, transportError } from './errors';
import type { AuthConfig } from './types';

interface Token {
  value: string;
  type: string;
  expiresAt: number;
}

export class TokenSource {
  private token?: Token;
  private pending?: Promise<Token>;
  /** how many tokens were fetched (status, tests) */
  fetched = 0;

  constructor(private readonly cfg: AuthConfig, private readonly http: AxiosInstance, private readonly timeoutMs: number) {
    if (!cfg.tokenUrl) throw new Error('OAuth2 client credentials need a token URL');
    if (!cfg.clientId || !cfg.clientSecret) throw new Error('OAuth2 client credentials need a client id and a client secret');
  }

  async header(now = Date.now()): Promise<string> {
    const t = this.token && this.token.expiresAt > now ? this.token : await this.fetch();
    return `${/^bearer$/i.test(t.type) ? 'Bearer' : t.type} ${t.value}`;
  }

  invalidate(): void {
    this.token = undefined;
  }

  private fetch(): Promise<Token> {
    if (!this.pending) {
      this.pending = this.request().finally(() => { this.pending = undefined; });
    }
    return this.pending;
  }

  private async request(): Promise<Token> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.cfg.clientId!, client_secret: this.cfg.clientSecret! });
    if (this.cfg.scope) form.set('scope', this.cfg.scope);
    let res;
    try {
      res = await this.http.request({
        method: 'POST', url: this.cfg.tokenUrl, data: form.toString(), timeout: this.timeoutMs,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        responseType: 'text', transformResponse: [(x: unknown) => x], validateStatus: () => true,
      });
    } catch (err) {
      throw transportError(err as Error & { code?: string }, false, 'oauth2 token');
    }
    let data: any;
    try {
      data = JSON.parse(String(res.data));
    } catch {
      data = undefined;
    }
    if (res.status < 200 || res.status >= 300) {
      const e = httpError(res.status, res.headers as Record<string, unknown>, data, String(res.data ?? ''), 'oauth2 token');
      // a refused client is an auth problem, whatever status the identity provider chose
      if (res.status === 400 || res.status === 401) e.kind = 'auth';
      e.message = `OAuth2 token request failed: ${e.message}`;
      e.outcomeUnknown = false;
      throw e;
    }
    if (!data || typeof data.access_token !== 'string') {
      throw new ConnectorError('OAuth2 token response carries no access_token', { kind: 'auth', retryable: true, status: res.status, operation: 'oauth2 token' });
    }
    const life = Number(data.expires_in) > 0 ? Number(data.expires_in) * 1000 : 3600_000;
    // refresh before expiry: a tenth of the lifetime early, at least 5 s, at most 5 min
    const early = Math.min(300_000, Math.max(5_000, life / 10));
    this.fetched++;
    this.token = { value: data.access_token, type: data.token_type || 'Bearer', expiresAt: Date.now() + Math.max(1000, life - early) };
    return this.token;
  }
}

/** Static headers for none/basic/bearer/apikey. */
export function staticAuthHeaders(cfg: AuthConfig): Record<string, string> {
  switch (cfg.type) {
    case 'basic':
      return { Authorization: `Basic ${Buffer.from(`${cfg.username || ''}:${cfg.password || ''}`).toString('base64')}` };
    case 'bearer':
      if (!cfg.token) throw new Error('bearer auth needs a token');
      return { Authorization: `Bearer ${cfg.token}` };
    case 'apikey':
      if (!cfg.apiKey) throw new Error('API key auth needs a key');
      return { [cfg.apiKeyHeader || 'X-API-Key']: cfg.apiKey };
    default:
      return {};
  }
}

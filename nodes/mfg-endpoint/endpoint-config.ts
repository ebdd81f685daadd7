// The mfg-endpoint config node's properties turned into an EndpointConfig, and the
// shape other nodes see: `(RED.nodes.getNode(id) as EndpointNode).client` is the
// endpoint's shared Connector (lookups: getItem, getProductionOrder, getRouting,
// checkAvailability; see lib/connectors/index.ts).
import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { Connector, EndpointConfig, ProfileName, Role } from '../../lib/connectors';

export interface EndpointDef extends NodeDef {
  role: Role;
  profile: ProfileName;
  baseUrl: string;
  authType: EndpointConfig['auth']['type'];
  apiKeyHeader: string;
  tokenUrl: string;
  scope: string;
  tlsVerify: boolean;
  ca: string;
  cert: string;
  timeoutMs: string | number;
  rateLimit: string | number;
  maxConcurrency: string | number;
  retryMax: string | number;
  retryBaseMs: string | number;
  retryMaxMs: string | number;
  breakerThreshold: string | number;
  breakerOpenMs: string | number;
  sapClient: string;
  odooDb: string;
  company: string;
  defaults: string;
  locations: string;
  paths: string;
}

export interface EndpointCreds {
  username?: string;
  password?: string;
  token?: string;
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
  tlsKey?: string;
  tlsPassphrase?: string;
}

export interface EndpointNode extends Node<EndpointCreds> {
  /** the resolved configuration (secrets included: never log or send it) */
  config?: EndpointConfig;
  /** the shared connector; undefined when the configuration is invalid (see configError) */
  client?: Connector;
  configError?: string;
  /** outbox retry and breaker settings for the connector nodes */
  policy: { maxAttempts: number; initialMs: number; maxMs: number; breakerThreshold: number; breakerOpenMs: number };
}

export const num = (v: unknown, dflt: number): number => {
  const n = Number(v);
  return v === '' || v === undefined || v === null || !Number.isFinite(n) ? dflt : n;
};

function json(text: string, what: string): Record<string, string> | undefined {
  if (!text || !String(text).trim()) return undefined;
  const o = JSON.parse(text);
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`${what} must be a JSON object`);
  return o;
}

/** The endpoint configuration from node properties and credentials (env vars resolved). */
export function endpointConfig(RED: NodeAPI, node: Node, c: EndpointDef, cr: EndpointCreds): EndpointConfig {
  const env = (v: string | undefined) => (v ? String(RED.util.evaluateNodeProperty(v, 'env', node, {} as never) ?? v) : v);
  const res = (v: string | undefined) => (v && /\$\{/.test(v) ? env(v) : v);
  return {
    name: c.name || c.id, role: c.role || 'erp', profile: c.profile || 'rest', baseUrl: res(c.baseUrl) || '',
    auth: {
      type: c.authType || 'none', username: cr.username, password: cr.password, token: cr.token, apiKey: cr.apiKey,
      apiKeyHeader: c.apiKeyHeader || undefined, tokenUrl: res(c.tokenUrl) || undefined, clientId: cr.clientId,
      clientSecret: cr.clientSecret, scope: res(c.scope) || undefined,
    },
    tls: { verify: c.tlsVerify !== false, ca: c.ca || undefined, cert: c.cert || undefined, key: cr.tlsKey || undefined, passphrase: cr.tlsPassphrase || undefined },
    timeoutMs: num(c.timeoutMs, 30000), rateLimit: num(c.rateLimit, 0), maxConcurrency: num(c.maxConcurrency, 8),
    sapClient: res(c.sapClient) || undefined, odooDb: res(c.odooDb) || undefined, company: res(c.company) || undefined,
    defaults: json(c.defaults, 'defaults'), locations: json(c.locations, 'locations'), paths: json(c.paths, 'paths'),
  };
}


// Endpoint configuration and the shapes operations take and return.

export type Role = 'erp' | 'wms' | 'qms';
export type ProfileName = 'rest' | 'sap-odata' | 'odoo' | 'd365';
export type AuthType = 'none' | 'basic' | 'bearer' | 'apikey' | 'oauth2';

export interface AuthConfig {
  type: AuthType;
  username?: string;
  password?: string;
  token?: string;
  /** header that carries the API key (default X-API-Key) */
  apiKeyHeader?: string;
  apiKey?: string;
  /** OAuth2 client credentials */
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
}

export interface TlsConfig {
  /** PEM text */
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  /** verify the server certificate (default true) */
  verify?: boolean;
}

export interface RetryPolicy {
  /** attempts in all, first one included (0: unlimited until dead-lettered by age) */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export interface EndpointConfig {
  /** a name for metrics and status (the config node id or its name) */
  name: string;
  role: Role;
  profile: ProfileName;
  baseUrl: string;
  auth: AuthConfig;
  tls?: TlsConfig;
  timeoutMs?: number;
  /** requests per second (0: unlimited) */
  rateLimit?: number;
  /** concurrent requests (default 8) */
  maxConcurrency?: number;
  retry?: RetryPolicy;
  /** extra headers on every request */
  headers?: Record<string, string>;
  /** SAP: client number (sap-client header) */
  sapClient?: string;
  /** SAP: service paths by service name, default /sap/opu/odata/sap/<SERVICE> */
  sapServices?: Partial<Record<string, string>>;
  /** Odoo: database name */
  odooDb?: string;
  /** D365: legal entity (dataAreaId) */
  company?: string;
  /** values used when the event or msg lacks them (plant, storageLocation, ...) */
  defaults?: Record<string, string>;
  /** Odoo: location ids, D365: warehouse ids, by storage location code */
  locations?: Record<string, string>;
  /** REST: per operation "METHOD /path/{field}" templates overriding the defaults */
  paths?: Record<string, string>;
}

export type Quantity = { value: number; unit: string };

/** The canonical input of an operation, mapped from an event or from explicit msg fields. */
export type OpInput = Record<string, any>;

/** What a posting or query returns. */
export interface OpResult {
  /** the main document reference, e.g. "207/1" for a confirmation or "4900000123/2026" */
  document: string;
  /** named references, e.g. {erpConfirmation: "207/1", erpMaterialDocument: "4900000123"} */
  references: Record<string, string>;
  /** the system's reply, mapped to plain fields (queries) */
  data?: unknown;
  /** the system answered from its own idempotency record (nothing new booked) */
  replayed?: boolean;
}

export interface PostOutcome extends OpResult {
  operation: string;
  key: string;
  /** answered from the posting record or found by look-up: nothing new was booked */
  duplicate?: boolean;
  /** found by a look-up after an attempt whose outcome was unknown */
  recovered?: boolean;
}

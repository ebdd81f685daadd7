// Idempotency keys: from an event id or a business key value to the string a store keeps.
import { createHash } from 'crypto';

/** Keys longer than this are stored as their SHA-256, which keeps rows and Redis keys small. */
export const MAX_KEY_LENGTH = 512;
const HASHED = /^sha256:[0-9a-f]{64}$/;

export class IdempotencyKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyKeyError';
  }
}

/** Canonical JSON with sorted object keys, so {a,b} and {b,a} give one key. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Turns a key value into the stored key: strings as they are, numbers and booleans as
 * text, objects and arrays as canonical JSON; over 512 characters, `sha256:<hex>`.
 * `source` names where the value came from, for the error of a missing key.
 */
export function toKey(value: unknown, source: string): string {
  let key: string;
  if (value === undefined || value === null) throw new IdempotencyKeyError(`idempotency key missing: ${source} is ${value === null ? 'null' : 'undefined'}`);
  if (typeof value === 'string') key = value;
  else if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new IdempotencyKeyError(`idempotency key invalid: ${source} is ${value}`);
    key = String(value);
  } else if (typeof value === 'boolean') key = String(value);
  else if (typeof value === 'object') {
    if (Buffer.isBuffer(value)) key = value.toString('hex');
    else key = canonical(value);
  } else throw new IdempotencyKeyError(`idempotency key invalid: ${source} is a ${typeof value}`);
  if (!key.trim()) throw new IdempotencyKeyError(`idempotency key missing: ${source} is an empty string`);
  return hashKey(key);
}

/** Hashes keys over MAX_KEY_LENGTH; a key that is already a hash stays as it is. */
export function hashKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH || HASHED.test(key)) return key;
  return 'sha256:' + createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The store scope of a guard: a named shared scope, or one private to the node. */
export function scopeOf(shared: string | undefined, nodeId: string): string {
  const name = (shared || '').trim();
  return name ? `shared:${name}` : `node:${nodeId}`;
}

// Deterministic posting identities: the same business posting always yields the same key,
// and from it the carriers each system can store (a GUID, a short reference text).
import { createHash } from 'crypto';

// Namespace of the package's name-based UUIDs (a fixed random UUID).
const NAMESPACE = Buffer.from('6f1c2a9e4b7d4e0f8a3c5d2e1f0a9b8c', 'hex');

/** Name-based UUID (RFC 9562 version 5: SHA-1 of namespace + name). */
export function uuidFromKey(key: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(key, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** A short uppercase reference of `len` characters (base32 of SHA-1) for fixed-width text fields. */
export function shortRef(key: string, len = 16): string {
  const h = createHash('sha1').update(key, 'utf8').digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of h) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < len) {
      out += alphabet[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= len) break;
  }
  return out;
}

function part(v: unknown): string {
  return v === undefined || v === null || v === '' ? '_' : String(v).replace(/[:\s]/g, '_');
}

/**
 * The business key of a posting: operation plus the fields that identify it, e.g.
 * confirmProduction:1000123:0010:3. When the identifying fields are incomplete the event
 * id stands in (a redelivered event keeps its id), and failing that, the caller's key.
 */
export function postingKey(operation: string, identity: unknown[] | undefined, eventId?: string, explicit?: string): string {
  if (explicit) return String(explicit);
  if (identity && identity.length && identity.every((v) => v !== undefined && v !== null && v !== '')) {
    return [operation, ...identity.map(part)].join(':');
  }
  if (eventId) return eventId.startsWith('msg:') ? `${operation}:${eventId}` : `${operation}:event:${eventId}`;
  throw new Error(`${operation}: cannot derive a posting key (no business identity, no event id, no msg.postingKey)`);
}

// Makes a JSON-safe copy of a msg for storage as a dead letter: secrets are replaced,
// live objects (HTTP req/res, sockets, functions) dropped, cycles and depth bounded.

export const REDACTED = '[redacted]';

/** Keys whose values are secrets wherever they appear (headers, credentials, configs). */
const SECRET_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|password|passwd|pwd|passphrase|secret|client[-_]?secret|token|access[-_]?token|refresh[-_]?token|id[-_]?token|credentials|private[-_]?key|x-csrf-token)$/i;
/** Keys that hold live runtime objects rather than data. */
const DROPPED_KEY = new Set(['req', 'res', '_msgid_parent', 'socket']);
/** "Bearer xyz" / "Basic xyz" inside free text, e.g. an error message quoting a header. */
const AUTH_IN_TEXT = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || /(password|secret|token)$/i.test(key);
}

export function redactText(s: string): string {
  return s.replace(AUTH_IN_TEXT, `$1 ${REDACTED}`);
}

export function redact(value: unknown, maxDepth = 32): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
    if (typeof v === 'string') return redactText(v);
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object') return undefined; // functions, symbols, undefined
    if (Buffer.isBuffer(v)) return { type: 'Buffer', data: Array.from(v) };
    if (v instanceof Date) return v.toISOString();
    if (v instanceof Error) return { name: v.name, message: redactText(v.message) };
    if (seen.has(v)) return '[circular]';
    if (depth >= maxDepth) return '[too deep]';
    seen.add(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1) ?? null);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (DROPPED_KEY.has(k)) continue;
      if (isSecretKey(k)) {
        out[k] = REDACTED;
        continue;
      }
      const r = walk(x, depth + 1);
      if (r !== undefined) out[k] = r;
    }
    seen.delete(v);
    return out;
  };
  return walk(value, 0);
}

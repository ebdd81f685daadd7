// Strips secrets from anything the monitor keeps or serves (trace steps, audit records):
// Authorization/Cookie/API-key headers, credential-like fields and user:password in URLs.
const SECRET_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|password|passwd|secret|client[-_]?secret|token|access[-_]?token|refresh[-_]?token|credentials|x-csrf-token)$/i;

export const REDACTED = '[redacted]';

export function redactText(s: string): string {
  return s
    .replace(/\b(Bearer|Basic|Digest)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ' + REDACTED)
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1' + REDACTED + '@')
    .replace(/\b(authorization|api[-_]?key|password|token|secret)(["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi, '$1$2' + REDACTED);
}

/** A deep copy with secrets replaced; cycles and depth beyond `maxDepth` are cut. */
export function redact(value: unknown, maxDepth = 12): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redactText(v);
    if (typeof v !== 'object' || v === null) return v;
    if (seen.has(v) || depth > maxDepth) return '[cut]';
    seen.add(v);
    if (Buffer.isBuffer(v)) return `[buffer ${v.length} bytes]`;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) ? REDACTED : walk(x, depth + 1);
    return out;
  };
  return walk(value, 0);
}

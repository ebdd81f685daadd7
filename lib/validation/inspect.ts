// One cheap walk over untrusted JSON: prototype-pollution keys, nesting depth and an
// approximate size, before any schema runs on it. No allocation on the good path: the
// path of a problem is put together only while unwinding from it.

export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface InspectLimits {
  maxDepth: number;
  maxBytes: number;
}

interface Problem {
  kind: 'key' | 'depth' | 'size';
  key?: string;
  path: string[];
}

const has = Object.prototype.hasOwnProperty;

// Returns the running size, or a Problem.
function walk(v: unknown, depth: number, size: number, limits: InspectLimits): number | Problem {
  if (typeof v === 'string') size += v.length + 2;
  else if (typeof v !== 'object' || v === null) size += 8;
  else {
    if (depth > limits.maxDepth) return { kind: 'depth', path: [] };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const r = walk(v[i], depth + 1, size, limits);
        if (typeof r !== 'number') return (r.path.push(`[${i}]`), r);
        size = r;
      }
    } else {
      for (const k in v) {
        if (!has.call(v, k)) continue;
        if (k === '__proto__' || k === 'constructor' || k === 'prototype') return { kind: 'key', key: k, path: [] };
        const r = walk((v as Record<string, unknown>)[k], depth + 1, size + k.length + 4, limits);
        if (typeof r !== 'number') return (r.path.push(`.${k}`), r);
        size = r;
      }
    }
  }
  if (size > limits.maxBytes) return { kind: 'size', path: [] };
  return size;
}

/** Returns a reason when the value must be refused, else undefined. */
export function inspectValue(value: unknown, limits: InspectLimits): string | undefined {
  const r = walk(value, 0, 0, limits);
  if (typeof r === 'number') return undefined;
  const path = '$' + r.path.reverse().join('');
  if (r.kind === 'key') return `forbidden key "${r.key}" at ${path}`;
  if (r.kind === 'depth') return `nested deeper than ${limits.maxDepth} levels at ${path}`;
  return `payload larger than ${limits.maxBytes} bytes`;
}

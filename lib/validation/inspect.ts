// One cheap walk over untrusted JSON: prototype-pollution keys, nesting depth and an
// approximate size, before any schema runs on it.

export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface InspectLimits {
  maxDepth: number;
  maxBytes: number;
}

/** Returns a reason when the value must be refused, else undefined. */
export function inspectValue(value: unknown, limits: InspectLimits): string | undefined {
  let size = 0;
  const walk = (v: unknown, depth: number, path: string): string | undefined => {
    if (typeof v === 'string') {
      size += v.length + 2;
    } else if (typeof v === 'object' && v !== null) {
      if (depth > limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels at ${path}`;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const r = walk(v[i], depth + 1, path);
          if (r) return r;
        }
      } else {
        for (const k in v) {
          if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
          if (FORBIDDEN_KEYS.has(k)) return `forbidden key "${k}" at ${path}`;
          size += k.length + 4;
          const r = walk((v as Record<string, unknown>)[k], depth + 1, `${path}.${k}`);
          if (r) return r;
        }
      }
    } else {
      size += 8;
    }
    if (size > limits.maxBytes) return `payload larger than ${limits.maxBytes} bytes`;
    return undefined;
  };
  return walk(value, 0, '$');
}

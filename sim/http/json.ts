// Reply helpers shared by the simulators.
import http from 'http';
import type { Reply } from './types';
import { HttpError } from './types';

/** RFC 9457 problem details. */
export function problem(status: number, title: string, detail: string, instance?: string, extra: Record<string, unknown> = {}): Reply {
  return {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
    body: { type: 'about:blank', title: title || http.STATUS_CODES[status] || 'Error', status, detail, ...(instance ? { instance } : {}), ...extra },
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body, headers };
}

/** Body as a JSON object or a 400 naming the problem. */
export function objectBody(r: { json(): unknown }): Record<string, unknown> {
  const b = r.json();
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new HttpError(400, 'Request body must be a JSON object', 'BODY');
  return b as Record<string, unknown>;
}

/** Validation helper for REST bodies: collects field errors and throws one 400. */
export class Fields {
  readonly errors: Array<{ field: string; message: string }> = [];
  constructor(private readonly b: Record<string, unknown>, private readonly prefix = '') {}
  str(name: string, required = true, max = 255): string | undefined {
    const v = this.b[name];
    if (v === undefined || v === null || v === '') {
      if (required) this.errors.push({ field: this.prefix + name, message: 'is required' });
      return undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number') { this.errors.push({ field: this.prefix + name, message: 'must be a string' }); return undefined; }
    const s = String(v);
    if (s.length > max) { this.errors.push({ field: this.prefix + name, message: `must have at most ${max} characters` }); return undefined; }
    return s;
  }
  num(name: string, required = true, min = 0): number | undefined {
    const v = this.b[name];
    if (v === undefined || v === null || v === '') {
      if (required) this.errors.push({ field: this.prefix + name, message: 'is required' });
      return undefined;
    }
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n) || n < min) { this.errors.push({ field: this.prefix + name, message: `must be a number >= ${min}` }); return undefined; }
    return n;
  }
  bool(name: string): boolean | undefined {
    const v = this.b[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') { this.errors.push({ field: this.prefix + name, message: 'must be true or false' }); return undefined; }
    return v;
  }
  qty(name: string, required = true): { value: number; unit: string } | undefined {
    const v = this.b[name];
    if (v === undefined || v === null) {
      if (required) this.errors.push({ field: this.prefix + name, message: 'is required' });
      return undefined;
    }
    if (typeof v !== 'object' || Array.isArray(v)) { this.errors.push({ field: this.prefix + name, message: 'must be {value, unit}' }); return undefined; }
    const f = new Fields(v as Record<string, unknown>, `${this.prefix}${name}.`);
    const value = f.num('value', true, 0);
    const unit = f.str('unit', true, 6);
    this.errors.push(...f.errors);
    return value !== undefined && unit !== undefined ? { value, unit } : undefined;
  }
  unknown(allowed: string[]): void {
    for (const k of Object.keys(this.b)) if (!allowed.includes(k)) this.errors.push({ field: this.prefix + k, message: 'is not a known field' });
  }
  check(): void {
    if (this.errors.length) {
      throw new HttpError(400, `Invalid request: ${this.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, 'VALIDATION', this.errors);
    }
  }
}

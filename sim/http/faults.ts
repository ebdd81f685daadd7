// Fault injection: one fault in force at a time, hitting a share of requests, optionally
// ending by itself.
export type FaultMode = 'maintenance' | 'throttle' | 'latency' | 'drop-after-commit' | 'error' | 'none' | 'reset' | 'html' | 'truncate';
const MODES: FaultMode[] = ['maintenance', 'throttle', 'latency', 'drop-after-commit', 'error', 'none', 'reset', 'html', 'truncate'];

export interface FaultSpec {
  mode: FaultMode;
  rate: number;
  forMs?: number;
  retryAfter?: number;
  latencyMs: number;
  /** Retry-After as delta seconds (default) or as an HTTP date. */
  retryAfterFormat: 'seconds' | 'date';
}

export class Faults {
  private spec: FaultSpec = { mode: 'none', rate: 1, latencyMs: 1000, retryAfterFormat: 'seconds' };
  private until = 0;

  /** Validates and installs a fault; throws with a readable reason on a bad body. */
  set(body: unknown): FaultSpec {
    if (typeof body !== 'object' || body === null) throw new Error('body must be a JSON object');
    const b = body as Record<string, unknown>;
    const mode = b.mode as FaultMode;
    if (!MODES.includes(mode)) throw new Error(`mode must be one of ${MODES.join(', ')}`);
    const num = (k: string, min: number, max: number): number | undefined => {
      if (b[k] === undefined || b[k] === null) return undefined;
      const v = Number(b[k]);
      if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${k} must be a number in ${min}..${max}`);
      return v;
    };
    const spec: FaultSpec = {
      mode,
      rate: num('rate', 0, 1) ?? 1,
      forMs: num('forMs', 0, 86400000),
      retryAfter: num('retryAfter', 0, 86400),
      latencyMs: num('latencyMs', 0, 600000) ?? 1000,
      retryAfterFormat: b.retryAfterFormat === 'date' ? 'date' : 'seconds',
    };
    if (b.retryAfterFormat !== undefined && b.retryAfterFormat !== 'date' && b.retryAfterFormat !== 'seconds') throw new Error('retryAfterFormat must be "seconds" or "date"');
    this.spec = spec;
    this.until = spec.forMs !== undefined ? Date.now() + spec.forMs : 0;
    return this.current();
  }

  current(): FaultSpec & { remainingMs?: number } {
    this.expire();
    const out: FaultSpec & { remainingMs?: number } = { ...this.spec };
    if (this.until) out.remainingMs = Math.max(0, this.until - Date.now());
    return out;
  }

  /** The fault that hits this request, or 'none'. */
  draw(): FaultSpec | undefined {
    this.expire();
    if (this.spec.mode === 'none') return undefined;
    if (this.spec.rate < 1 && Math.random() >= this.spec.rate) return undefined;
    return this.spec;
  }

  clear(): void {
    this.spec = { mode: 'none', rate: 1, latencyMs: 1000, retryAfterFormat: 'seconds' };
    this.until = 0;
  }

  private expire(): void {
    if (this.until && Date.now() >= this.until) this.clear();
  }
}

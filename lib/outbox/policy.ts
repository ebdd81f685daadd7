// Retry policy pieces of the outbox: backoff with jitter, error classification,
// circuit breaker and a token-bucket rate limit. Pure and clock-injected for tests.

export interface BackoffOptions {
  /** first retry delay (ms) */
  initialMs: number;
  /** cap on any delay (ms) */
  maxMs: number;
  factor: number;
  /** share of the delay randomised, 0..1 ("equal jitter": delay*(1-j) + rand*delay*j) */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 60_000, factor: 2, jitter: 0.3 };

/** Delay before attempt number `attempt + 1` after `attempt` failures (attempt >= 1). */
export function backoffDelay(attempt: number, o: BackoffOptions = DEFAULT_BACKOFF, rand = Math.random): number {
  const exp = Math.min(o.maxMs, o.initialMs * Math.pow(o.factor, Math.max(0, attempt - 1)));
  const j = Math.min(1, Math.max(0, o.jitter));
  return Math.round(exp * (1 - j) + rand() * exp * j);
}

export interface Classified {
  retryable: boolean;
  /** short human reason, goes into lastError and dead letters */
  reason: string;
  /** the destination asked us to wait this long (Retry-After) */
  retryAfterMs?: number;
}

/**
 * Default classifier: an error with `permanent: true` (or `retryable: false`) is permanent,
 * `retryAfterMs` is honoured, everything else is retryable (transport errors are transient).
 */
export function defaultClassify(err: unknown): Classified {
  const e = (err ?? {}) as { message?: string; permanent?: boolean; retryable?: boolean; retryAfterMs?: number };
  const reason = e.message || String(err);
  const permanent = e.permanent === true || e.retryable === false;
  const retryAfterMs = typeof e.retryAfterMs === 'number' && e.retryAfterMs >= 0 ? e.retryAfterMs : undefined;
  return { retryable: !permanent, reason, retryAfterMs };
}

/** A server's Retry-After is honoured up to this (a misbehaving gateway must not stall a destination for days). */
export const MAX_RETRY_AFTER_MS = 3600e3;

/** Retry-After in seconds or as an HTTP date, to ms from now (undefined when absent or bad), at most an hour. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (Array.isArray(value)) value = value[0];
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const s = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.min(Math.round(Number(s) * 1000), MAX_RETRY_AFTER_MS);
  const t = Date.parse(s);
  if (Number.isNaN(t)) return undefined;
  return Math.min(Math.max(0, t - now), MAX_RETRY_AFTER_MS);
}

/** Error a deliver function throws to mark a failure permanent (goes to the dead letters). */
export class PermanentError extends Error {
  readonly permanent = true;
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

/** Error a deliver function throws to ask for a later retry, optionally after a given delay. */
export class RetryableError extends Error {
  readonly retryable = true;
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'RetryableError';
  }
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** consecutive retryable failures that open the breaker (0 = never) */
  failureThreshold: number;
  /** how long it stays open before one probe is let through (ms) */
  openMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, openMs: 15_000 };

export class CircuitBreaker {
  state: BreakerState = 'closed';
  failures = 0;
  openUntil = 0;
  constructor(private readonly o: BreakerOptions = DEFAULT_BREAKER) {}

  /** May a delivery start now? Moves open -> half-open when the open time is over. */
  allows(now: number): boolean {
    if (this.state === 'open' && now >= this.openUntil) this.state = 'half-open';
    return this.state !== 'open';
  }
  success(): void {
    this.failures = 0;
    this.state = 'closed';
  }
  /** A retryable failure; returns true when it (re)opened the breaker. */
  failure(now: number, retryAfterMs = 0): boolean {
    this.failures++;
    if (this.o.failureThreshold <= 0) return false;
    if (this.state === 'half-open' || this.failures >= this.o.failureThreshold) {
      this.state = 'open';
      this.openUntil = now + Math.max(this.o.openMs, retryAfterMs);
      return true;
    }
    return false;
  }
}

/** Token bucket: `ratePerSec` tokens a second, bursts of up to `burst`. 0 = unlimited. */
export class RateLimiter {
  private tokens: number;
  private last: number;
  readonly burst: number;
  constructor(readonly ratePerSec: number, now: number, burst?: number) {
    this.burst = burst ?? Math.max(1, Math.ceil(ratePerSec / 10));
    this.tokens = this.burst;
    this.last = now;
  }
  available(now: number): number {
    if (this.ratePerSec <= 0) return Infinity;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
    this.last = now;
    return Math.floor(this.tokens);
  }
  take(n = 1): void {
    if (this.ratePerSec > 0) this.tokens -= n;
  }
  /** ms until one token is there */
  waitMs(now: number): number {
    if (this.ratePerSec <= 0) return 0;
    this.available(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000);
  }
}

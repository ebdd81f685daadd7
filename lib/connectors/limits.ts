// Per-endpoint concurrency cap and rate limit (token bucket), plus a pause gate that
// holds every request until a Retry-After has passed.

export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(private readonly max: number) {}
  get inUse(): number {
    return this.active;
  }
  get waiting(): number {
    return this.waiters.length;
  }
  acquire(): Promise<void> | void {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    return new Promise((resolve) => this.waiters.push(() => { this.active++; resolve(); }));
  }
  release(): void {
    this.active--;
    const next = this.waiters.shift();
    if (next) next();
  }
}

/** Token bucket: `rate` requests per second with a burst of max(1, rate). */
export class RateLimiter {
  private tokens: number;
  private last = Date.now();
  private readonly burst: number;
  private readonly queue: Array<() => void> = [];
  private timer?: NodeJS.Timeout;
  private notBefore = 0;

  constructor(private readonly rate: number) {
    this.burst = Math.max(1, rate);
    this.tokens = this.burst;
  }

  /** Holds every request until `ms` from now (Retry-After of a 429/503). */
  pauseFor(ms: number): void {
    this.notBefore = Math.max(this.notBefore, Date.now() + ms);
  }

  get pausedUntil(): number {
    return this.notBefore;
  }

  acquire(): Promise<void> | void {
    if (!this.queue.length && this.take()) return;
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.schedule();
    });
  }

  private take(): boolean {
    const now = Date.now();
    if (now < this.notBefore) return false;
    if (this.rate <= 0) return true;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  private schedule(): void {
    if (this.timer) return;
    const now = Date.now();
    let wait = Math.max(0, this.notBefore - now);
    if (!wait && this.rate > 0) wait = Math.ceil(((1 - this.tokens) / this.rate) * 1000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      while (this.queue.length && this.take()) this.queue.shift()!();
      if (this.queue.length) this.schedule();
    }, Math.max(1, wait));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // let waiters go so that nothing hangs on close; their requests then fail fast
    while (this.queue.length) this.queue.shift()!();
  }
}

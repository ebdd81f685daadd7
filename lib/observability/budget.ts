// A token bucket of `perSecond` tokens: what tracing may spend per second at most.
export class Budget {
  private tokens: number;
  private refilledAt: number;

  /** perSecond 0: no limit */
  constructor(readonly perSecond: number, private readonly now: () => number = Date.now) {
    this.tokens = perSecond;
    this.refilledAt = now();
  }

  take(): boolean {
    if (this.perSecond === 0) return true;
    const now = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}

/** A budget setting: a number >= 0, else the default. */
export function budgetOf(v: unknown, dflt: number): number {
  return v !== undefined && v !== null && v !== '' && Number(v) >= 0 ? Number(v) : dflt;
}

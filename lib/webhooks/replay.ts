// Remembers delivery ids for a while so a replayed or redelivered webhook is dropped.
// Bounded: the oldest ids go first when the limit is reached.
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly maxIds = 10000, private readonly ttlMs = 10 * 60 * 1000) {}

  /** True when the id was seen within the window (and records it otherwise). */
  check(id: string, now = Date.now()): boolean {
    const at = this.seen.get(id);
    if (at !== undefined && now - at < this.ttlMs) return true;
    if (at !== undefined) this.seen.delete(id);
    this.seen.set(id, now);
    while (this.seen.size > this.maxIds) this.seen.delete(this.seen.keys().next().value as string);
    return false;
  }

  /** Forgets an id (a delivery that failed downstream may come again). */
  forget(id: string): void {
    this.seen.delete(id);
  }

  get size(): number {
    return this.seen.size;
  }
}

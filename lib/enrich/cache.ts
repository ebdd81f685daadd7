// A TTL cache with stale-if-error and single flight: a fresh entry is served as is; an
// expired one is reloaded, and if the source fails for a reason that may pass (down,
// throttled, timeout), the old value is served marked stale for up to maxStaleMs.
// "Not found" answers are cached too (for negativeTtlMs) so an unknown reference does not
// hammer the source.

export interface CacheOptions {
  ttlMs: number;
  /** how long past its TTL an entry may still be served when the source fails */
  maxStaleMs: number;
  negativeTtlMs?: number;
  /** most entries kept (oldest dropped first) */
  maxEntries?: number;
  /** is this error a "does not exist" answer (cached) rather than a failure (stale served)? */
  isNotFound?: (err: unknown) => boolean;
  now?: () => number;
}

export interface Lookup<T> {
  value: T;
  stale: boolean;
  /** epoch ms the value was loaded */
  loadedAt: number;
}

interface Entry<T> {
  value?: T;
  notFound?: unknown;
  loadedAt: number;
}

export class StaleCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly flights = new Map<string, Promise<Lookup<T>>>();
  readonly stats = { hits: 0, loads: 0, stale: 0, errors: 0, notFound: 0 };

  constructor(private readonly o: CacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, load: () => Promise<T>): Promise<Lookup<T>> {
    const now = (this.o.now ?? Date.now)();
    const e = this.entries.get(key);
    if (e) {
      const ttl = e.notFound !== undefined ? this.o.negativeTtlMs ?? 60_000 : this.o.ttlMs;
      if (now - e.loadedAt < ttl) {
        this.stats.hits++;
        if (e.notFound !== undefined) return Promise.reject(e.notFound);
        return Promise.resolve({ value: e.value as T, stale: false, loadedAt: e.loadedAt });
      }
    }
    const inFlight = this.flights.get(key);
    if (inFlight) return inFlight;
    const p = this.load(key, load, e).finally(() => this.flights.delete(key));
    this.flights.set(key, p);
    return p;
  }

  private async load(key: string, load: () => Promise<T>, old: Entry<T> | undefined): Promise<Lookup<T>> {
    this.stats.loads++;
    try {
      const value = await load();
      const loadedAt = (this.o.now ?? Date.now)();
      this.put(key, { value, loadedAt });
      return { value, stale: false, loadedAt };
    } catch (err) {
      if (this.o.isNotFound?.(err)) {
        this.stats.notFound++;
        this.put(key, { notFound: err, loadedAt: (this.o.now ?? Date.now)() });
        throw err;
      }
      this.stats.errors++;
      const now = (this.o.now ?? Date.now)();
      if (old && old.notFound === undefined && now - old.loadedAt < this.o.ttlMs + this.o.maxStaleMs) {
        this.stats.stale++;
        return { value: old.value as T, stale: true, loadedAt: old.loadedAt };
      }
      throw err;
    }
  }

  private put(key: string, e: Entry<T>): void {
    this.entries.delete(key);
    this.entries.set(key, e);
    const max = this.o.maxEntries ?? 10_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }
}

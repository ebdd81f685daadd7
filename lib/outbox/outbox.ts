// Durable outbox: store-and-forward over a QueueStore + DeadLetterStore.
//
//   const ob = new Outbox({ queue: 'mfg-publish:<node id>', store, deliver: async (item, ctx) => {...} });
//   await ob.start();
//   await ob.add(payload);      // resolves once persisted (group commit) -> then call done()
//   ob.on('state', (s: OutboxState) => ...);   // depth, inFlight, breaker, paused, full, lastError
//   ob.on('delivered', (item, info) => ...); ob.on('dead', (item, reason, info) => ...);  // info: describe(item)
//   ob.pause('broker offline'); ob.resume();   // stop/start dispatching (e.g. while disconnected)
//   await ob.close();           // stops; undelivered items stay in the store for the next start
//
// Guarantees: add() resolves only after the store made the item durable, or rejects
// (QueueFullError beyond `limit`: nothing is dropped silently). Items leave the store only
// after deliver() resolved (ack) or as a dead letter. FIFO per partition, partitions
// independent: one item in flight per partition, or with `pipeline` (a transport that keeps
// send order, like one MQTT connection) many, sent in order. deliver() rejects ->
// classify(): permanent -> dead letter; retryable -> backoff with jitter (Retry-After wins
// when longer) until maxAttempts or maxAgeMs, then dead letter; the partition waits meanwhile.
// Consecutive retryable failures open the circuit breaker.
//
// Dispatching runs from an in-memory mirror of the queue while every stored item is in it
// (up to `memoryLimit` items); a backlog left by an earlier run, or one beyond the mirror,
// is read back from the store partition head by partition head until the queue is empty.
import { EventEmitter } from 'events';
import type { QueueItem } from '../store/types';
import { QueueFullError } from '../store/types';
import { redact } from '../dlq/redact';
import { MirroredItem, PartitionQueues } from './partitions';
import { observe } from '../observability';
import { backoffDelay, BackoffOptions, CircuitBreaker, DEFAULT_BACKOFF, DEFAULT_BREAKER, defaultClassify, RateLimiter } from './policy';
import { defaultDescribe, defaultPartition, DeliveryContext, OutboxOptions, OutboxState, PendingAdd } from './types';

/** how long acks are gathered while dispatching from the mirror */
const ACK_WINDOW_MS = 20;

export class Outbox extends EventEmitter {
  readonly queue: string;
  readonly limit: number;
  private readonly o: Required<Omit<OutboxOptions, 'backoff' | 'breaker'>> & { backoff: BackoffOptions };
  private readonly breaker: CircuitBreaker;
  private readonly rate: RateLimiter;
  private depth = 0;
  private inFlight = 0;
  /** items per partition dispatched and not yet acked, requeued or dead-lettered */
  private readonly busy = new Map<string, number>();
  /** true while every stored item is mirrored in `mem` */
  private mirrored = false;
  // Store mode: new items still go to `mem` (the tail) while it has room; once the `older`
  // stored items are all gone, mem holds everything again and dispatch returns to it.
  private older = 0;
  private tailOk = true;
  /** dispatched in store mode and not yet settled */
  private readonly storeOut = new Map<number, QueueItem>();
  /** delivered, partition already let go, ack not yet committed */
  private readonly freed = new Set<number>();
  /** failed and being rescheduled in the store */
  private readonly retrying = new Set<number>();
  private readonly mem = new PartitionQueues();
  /** store mode: partitions met so far */
  private readonly seen = new Set<string>();
  private discoveredAt = -Infinity;
  private kickScheduled = false;
  private pendingAdds: PendingAdd[] = [];
  private addTimer?: NodeJS.Timeout;
  private addImmediate?: NodeJS.Immediate;
  /** store writes under way (they commit in submission order) and the items they hold */
  private readonly writes = new Set<Promise<void>>();
  private reserved = 0;
  private acks: QueueItem[] = [];
  private ackTimer?: NodeJS.Timeout;
  private readonly acking = new Set<Promise<void>>();
  private pumping = false;
  private again = false;
  private wakeTimer?: NodeJS.Timeout;
  private wakeAt = Infinity;
  private stateTimer?: NodeJS.Timeout;
  private ready?: Promise<void>;
  private closed = false;
  /** set after close(): late delivery results are left to the next start */
  private finished = false;
  private paused = false;
  /** when the last pause ended: items stored before it waited for the way to open */
  private resumedAt = 0;
  private pausedReason?: string;
  private lastError?: string;
  private delivered = 0;
  private deadLettered = 0;

  constructor(opts: OutboxOptions) {
    super();
    const now = opts.now ?? Date.now;
    this.o = {
      classify: defaultClassify, limit: 100_000, maxInFlight: 256, ratePerSec: 0, maxAttempts: 20,
      maxAgeMs: 7 * 24 * 3600_000, pipeline: false, memoryLimit: 50_000, groupCommitMs: 0, maxBatch: 1000, bufferedAfterMs: 1000,
      partitionOf: defaultPartition, describe: defaultDescribe, now,
      ...opts,
      backoff: { ...DEFAULT_BACKOFF, ...opts.backoff },
    } as Outbox['o'];
    this.queue = opts.queue;
    this.limit = this.o.limit;
    this.breaker = new CircuitBreaker({ ...DEFAULT_BREAKER, ...opts.breaker });
    this.rate = new RateLimiter(this.o.ratePerSec, now());
  }

  /** Reads the backlog left by an earlier run and starts dispatching it. */
  start(): Promise<void> {
    if (!this.ready) {
      this.ready = this.o.store.depth(this.queue).then((d) => {
        this.depth = d;
        this.mirrored = d === 0;
        this.older = d;
        this.changed();
        this.kick();
      });
    }
    return this.ready;
  }

  /**
   * Persists one payload (stored as `text` when given: its JSON); resolves with its id once
   * durable. `memo` stays with the item while it is held in memory (item.memo), e.g. what
   * the sender derived from the payload already.
   */
  add(payload: unknown, partition?: string, text?: string, memo?: unknown): Promise<number> {
    if (this.closed) return Promise.reject(new Error(`outbox "${this.queue}" is closed`));
    return new Promise((resolve, reject) => {
      this.pendingAdds.push({ payload, text, memo, partition: partition ?? this.o.partitionOf(payload), resolve, reject });
      if (this.pendingAdds.length >= this.o.maxBatch) this.flushAdds();
      else if (this.addTimer || this.addImmediate) return;
      // The store's group commit gathers writes too: by default only this tick's adds are
      // gathered here, so no second window adds to the latency.
      else if (this.o.groupCommitMs > 0) this.addTimer = setTimeout(() => this.flushAdds(), this.o.groupCommitMs);
      else this.addImmediate = setImmediate(() => this.flushAdds());
    });
  }

  pause(reason: string): void {
    this.paused = true;
    this.pausedReason = reason;
    this.changed();
  }

  resume(): void {
    if (this.paused) this.resumedAt = this.o.now();
    this.paused = false;
    this.pausedReason = undefined;
    this.changed();
    this.kick();
  }

  state(): OutboxState {
    return {
      depth: this.depth, inFlight: this.inFlight, breaker: this.breaker.state, paused: this.paused,
      pausedReason: this.pausedReason, full: this.depth >= this.limit, limit: this.limit,
      lastError: this.lastError, delivered: this.delivered, deadLettered: this.deadLettered,
      mode: this.mirrored ? 'memory' : 'store',
    };
  }

  /**
   * Stops dispatching; persists pending adds, gives deliveries in flight up to `waitMs` to
   * finish (fewer repeats after a redeploy), writes their acks. Undelivered items stay stored.
   */
  async close(waitMs = 2000): Promise<void> {
    if (this.closed) return;
    this.flushAdds();
    this.closed = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (this.stateTimer) clearTimeout(this.stateTimer);
    await Promise.all([...this.writes]);
    const until = Date.now() + waitMs;
    while (this.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await this.flushAcks();
    await Promise.all([...this.acking]);
    this.finished = true;
    this.removeAllListeners();
  }

  private fail(err: unknown): void {
    if (this.listenerCount('error')) this.emit('error', err);
  }

  // --- persistence (group commit) ---------------------------------------------------

  private flushAdds(): void {
    if (this.addTimer) clearTimeout(this.addTimer);
    if (this.addImmediate) clearImmediate(this.addImmediate);
    this.addTimer = undefined;
    this.addImmediate = undefined;
    if (!this.pendingAdds.length) return;
    const batch = this.pendingAdds;
    this.pendingAdds = [];
    // Not serialised here: the store commits in submission order, and overlapping writes
    // let the next batch fill while the previous one is being synced.
    const w = this.write(batch);
    this.writes.add(w);
    void w.finally(() => this.writes.delete(w));
  }

  private async write(batch: PendingAdd[]): Promise<void> {
    await this.start().catch(() => undefined);
    const room = Math.max(0, this.limit - this.depth - this.reserved);
    const accepted = batch.slice(0, room);
    for (const p of batch.slice(room)) p.reject(new QueueFullError(this.queue, this.limit));
    if (batch.length > room) this.changed();
    if (!accepted.length) return;
    this.reserved += accepted.length;
    try {
      // Serialised once: the store writes this text and the mirror keeps it.
      const texts = accepted.map((p) => p.text ?? JSON.stringify(p.payload ?? null));
      const ids = await this.o.store.enqueue(this.queue, accepted.map((p, i) => ({ partition: p.partition, payload: p.payload, text: texts[i] })), this.limit);
      this.reserved -= accepted.length;
      this.depth += ids.length;
      const n = ids.length;
      if (this.mirrored && this.mem.size + n > this.o.memoryLimit) {
        // Too many to hold: the store becomes the source until the older items are gone.
        // Acks of delivered items go to the store first, so no head read meets them again.
        void this.flushAcks();
        this.mirrored = false;
        this.mem.clear();
        this.older = this.depth - n;
        this.tailOk = true;
      }
      if (!this.mirrored) {
        for (const p of accepted) this.seen.add(p.partition);
        if (this.tailOk && this.mem.size + n > this.o.memoryLimit) {
          this.tailOk = false;
          this.mem.clear();
          this.older = this.depth - n;
        }
        if (!this.tailOk) this.older += n;
      }
      if (this.mirrored || this.tailOk) {
        const now = this.o.now();
        // A head read may have met (and dispatched) an item before this line ran.
        accepted.forEach((p, i) => {
          if (!this.storeOut.has(ids[i])) this.mem.put(new MirroredItem(ids[i], this.queue, p.partition, texts[i], now, p.memo));
        });
      }
      accepted.forEach((p, i) => p.resolve(ids[i]));
      this.changed();
      this.kick();
    } catch (err) {
      this.reserved -= accepted.length;
      for (const p of accepted) p.reject(err as Error);
    }
  }

  // --- dispatching --------------------------------------------------------------------

  private kick(): void {
    if (this.closed || !this.ready || this.kickScheduled) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      if (!this.closed) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        if (this.closed || this.paused) break;
        const now = this.o.now();
        if (!this.breaker.allows(now)) {
          this.wake(this.breaker.openUntil);
          break;
        }
        let slots = this.o.maxInFlight - this.inFlight;
        if (this.breaker.state === 'half-open') slots = this.inFlight === 0 ? 1 : 0;
        const tokens = this.rate.available(now);
        if (tokens < 1) this.wake(now + this.rate.waitMs(now));
        slots = Math.min(slots, tokens);
        if (slots <= 0) break;
        if (this.mirrored) {
          const per = this.o.pipeline ? 64 : 1;
          const { items, nextDue } = this.mem.take(slots, now, per, (p) => !this.o.pipeline && !!this.busy.get(p));
          for (const item of items) this.dispatch(item, now);
          if (nextDue < Infinity) this.wake(nextDue);
          if (items.length >= slots && this.mem.size) this.again = true;
          continue;
        }
        if (this.depth - this.busy.size <= 0) break;
        // Ask for as many heads as there are idle partitions we know: the store's scan then
        // stops near the front of the queue. A full scan (to meet partitions whose head was
        // not due, or is new) runs at most once a second.
        const discover = now - this.discoveredAt >= 1000;
        const idle = Math.max(0, this.seen.size - this.busy.size);
        const max = discover ? slots : Math.min(slots, idle);
        if (max <= 0) {
          this.wake(this.discoveredAt + 1000);
          break;
        }
        if (discover) this.discoveredAt = now;
        const busyNow = new Set(this.busy.keys());
        const items = await this.o.store.heads(this.queue, max, now, busyNow);
        for (const item of items) this.seen.add(item.partition);
        if (items.length < max) {
          // Idle partitions that gave nothing are empty (or waiting): forget them until the next full scan.
          const got = new Set(items.map((i) => i.partition));
          for (const p of this.seen) if (!busyNow.has(p) && !got.has(p)) this.seen.delete(p);
        }
        if (this.closed || this.paused || this.mirrored) break;
        for (const item of items) if (!this.busy.get(item.partition)) this.dispatch(item, now);
        if (items.length >= max && items.length > 0) this.again = true;
        else if (this.depth > this.busy.size) this.wake(Math.min(this.wakeAt, now + 1000)); // not due yet
      } while (this.again);
    } catch (err) {
      this.lastError = `store: ${(err as Error).message}`;
      this.fail(err);
      this.wake(this.o.now() + 1000);
    } finally {
      this.pumping = false;
    }
  }

  /** Pumps again at `at` (earliest wins). */
  private wake(at: number): void {
    if (this.closed || at >= this.wakeAt) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAt = Infinity;
      this.kick();
    }, Math.max(1, at - this.o.now()));
  }

  private dispatch(item: QueueItem, now: number): void {
    this.busy.set(item.partition, (this.busy.get(item.partition) || 0) + 1);
    if (!this.mirrored) this.storeOut.set(item.id, item);
    if (this.o.maxAgeMs > 0 && now - item.createdAt > this.o.maxAgeMs) {
      void this.deadLetter(item, `expired: not delivered within ${Math.round(this.o.maxAgeMs / 1000)} s (${item.attempts} attempts${item.lastError ? `, last error: ${item.lastError}` : ''})`, item.attempts);
      return;
    }
    this.inFlight++;
    this.rate.take();
    const ctx: DeliveryContext = { attempt: item.attempts + 1, buffered: item.attempts > 0 || now - item.createdAt > this.o.bufferedAfterMs || item.createdAt <= this.resumedAt };
    let p: Promise<void>;
    try {
      p = this.o.deliver(item, ctx);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(() => this.succeeded(item), (err) => this.failed(item, err));
  }

  private succeeded(item: QueueItem): void {
    if (this.finished) return;
    this.inFlight--;
    this.breaker.success();
    // The partition's next item may go now: its order of effects is kept, and a crash
    // before the ack commits only repeats this one (acks commit in order, so never a later
    // one without it). From the mirror nothing can meet it again; a head read from the
    // store could until the ack is submitted (flushAcks lets go then).
    if (this.mirrored && !this.storeOut.has(item.id)) this.release(item);
    this.acks.push(item);
    this.kick();
    if (this.acks.length >= 1000) this.flushAcks();
    else if (!this.ackTimer) {
      // From the mirror nothing waits for the ack, so gather acks for a while: one store
      // commit (fsync) for hundreds of them. In store mode the partition waits: flush soon.
      this.ackTimer = setTimeout(() => void this.flushAcks(), this.mirrored ? ACK_WINDOW_MS : 0);
    }
  }

  /** One store write for the acks gathered (group commit); writes may overlap. */
  private flushAcks(): Promise<void> {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (!this.acks.length) return Promise.all([...this.acking]).then(() => undefined);
    const items = this.acks;
    this.acks = [];
    // Submitted before any later head read, which therefore cannot meet these items.
    let acked: Promise<void>;
    try {
      acked = this.o.store.ack(this.queue, items.map((i) => i.id));
    } catch (err) {
      acked = Promise.reject(err);
    }
    let freed = false;
    for (const i of items) {
      if (!this.freed.has(i.id)) {
        this.release(i);
        freed = true;
      }
    }
    if (freed) this.kick();
    const w = (async () => {
      try {
        await acked;
      } catch (err) {
        // Not acked: the items stay stored and are sent again later (at-least-once); the
        // mirror must hold them again for that.
        this.lastError = `store: ${(err as Error).message}`;
        this.fail(err);
        for (const i of items) {
          this.settle(i);
          if (this.mirrored) this.mem.put(i);
        }
        this.wake(this.o.now() + 1000);
        return;
      }
      this.depth -= items.length;
      this.delivered += items.length;
      for (const i of items) this.forget(i);
      this.maybeMirror();
      const now = this.o.now();
      for (const i of items) {
        const info = this.o.describe(i);
        observe.lag(this.queue, info.eventType, info.time, now);
        this.settle(i);
        this.emit('delivered', i, info);
      }
      this.changed();
      this.kick();
    })();
    this.acking.add(w);
    void w.finally(() => this.acking.delete(w));
    return w;
  }

  /** An item left the store (acked or dead-lettered). */
  private forget(item: QueueItem): void {
    if (!this.mirrored && !this.mem.remove(item.partition, item.id)) this.older--;
  }

  private maybeMirror(): void {
    if (this.mirrored || (this.depth > 0 && !(this.tailOk && this.older <= 0))) return;
    // What store mode has in flight is not for dispatch from the mirror (a retry is: its
    // rescheduled copy is already back in the mirror).
    for (const it of this.storeOut.values()) if (!this.retrying.has(it.id)) this.mem.remove(it.partition, it.id);
    this.mirrored = true;
    this.older = 0;
    this.tailOk = true;
    this.seen.clear();
    this.discoveredAt = -Infinity;
  }

  /** The item lets go of its partition ahead of being settled. */
  private release(item: QueueItem): void {
    this.freed.add(item.id);
    this.letGo(item.partition);
  }

  /** The item is done with: acked, rescheduled or dead-lettered (or its ack failed). */
  private settle(item: QueueItem): void {
    this.storeOut.delete(item.id);
    if (!this.freed.delete(item.id)) this.letGo(item.partition);
  }

  private letGo(partition: string): void {
    const n = (this.busy.get(partition) || 1) - 1;
    if (n > 0) this.busy.set(partition, n);
    else this.busy.delete(partition);
  }

  private async failed(item: QueueItem, err: unknown): Promise<void> {
    if (this.finished) return;
    this.inFlight--;
    const c = this.o.classify(err);
    const attempts = item.attempts + 1;
    this.lastError = c.reason;
    const now = this.o.now();
    if (!c.retryable) return this.deadLetter(item, `permanent failure: ${c.reason}`, attempts);
    if (this.breaker.failure(now, c.retryAfterMs)) {
      observe.breaker(this.queue, 'open');
      this.emit('breaker', 'open', c.reason);
    }
    if (this.o.maxAttempts > 0 && attempts >= this.o.maxAttempts) {
      return this.deadLetter(item, `gave up after ${attempts} attempts: ${c.reason}`, attempts);
    }
    const delay = Math.max(backoffDelay(attempts, this.o.backoff), c.retryAfterMs ?? 0);
    // Back to the head of its partition (in id order) at once, so nothing queued behind it
    // overtakes it; the partition waits until it is due.
    const again: QueueItem = {
      id: item.id, queue: item.queue, partition: item.partition, payload: item.payload, attempts,
      createdAt: item.createdAt, notBefore: now + delay, lastError: c.reason,
    };
    if (this.mirrored) this.mem.put(again);
    else this.mem.replace(again);
    this.retrying.add(item.id);
    try {
      await this.o.store.retryLater(this.queue, item.id, now + delay, c.reason);
    } catch (e) {
      this.fail(e);
    }
    this.retrying.delete(item.id);
    this.emit('retry', item, c.reason, delay);
    this.settle(item);
    this.changed();
    this.wake(now + delay);
  }

  private async deadLetter(item: QueueItem, reason: string, attempts: number): Promise<void> {
    const info = this.o.describe(item);
    try {
      // Stored as a dead letter before it leaves the queue: a crash between the two
      // writes leaves a copy in both, never in neither.
      await this.o.store.addDeadLetter({
        origin: this.queue, reason, attempts, correlationId: info.correlationId, eventType: info.eventType,
        at: this.o.now(), msg: redact(item.payload),
      });
      await this.o.store.ack(this.queue, [item.id]);
      this.depth--;
      this.deadLettered++;
      this.forget(item);
      this.maybeMirror();
      this.emit('dead', item, reason, info);
    } catch (err) {
      this.lastError = `store: ${(err as Error).message}`;
      this.fail(err);
      // still stored: the mirror must hold it again, to try once the store recovers
      if (this.mirrored) {
        const { id, queue, partition, payload, createdAt, lastError } = item;
        this.mem.put({ id, queue, partition, payload, attempts, createdAt, lastError, notBefore: this.o.now() + 1000 });
      }
    }
    this.settle(item);
    this.changed();
    this.kick();
  }

  /** Coalesced 'state' events (status and metrics read them, not every msg needs one). */
  private changed(): void {
    if (this.stateTimer || this.closed) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      const s = this.state();
      observe.outboxDepth(this.queue, s.depth);
      observe.breaker(this.queue, s.breaker);
      this.emit('state', s);
    }, 50);
  }
}

// The one state-store interface behind idempotency keys, outboxes and dead letters.
// Implementations: sqlite (embedded default), memory (bounded), redis (shared keys).
// Every method that writes resolves only once the write is durable for that backend,
// so a caller may call Node-RED's done() after the promise settles.

export type KeyState = 'in-flight' | 'committed';

export interface KeyRecord {
  state: KeyState;
  /** epoch ms when the key was first claimed */
  firstSeen: number;
  /** epoch ms after which the record is gone (lease for in-flight, retention for committed) */
  expiresAt: number;
  /** whatever was stored at commit, e.g. an ERP document number */
  result?: unknown;
}

export interface ClaimOptions {
  /** eager: reserve (in-flight, lease) now, commit later; mark: commit at once */
  mode: 'eager' | 'mark';
  leaseMs: number;
  retentionMs: number;
  now?: number;
}

export type ClaimResult =
  | { status: 'new'; firstSeen: number }
  | { status: 'duplicate'; record: KeyRecord };

export interface IdempotencyStore {
  /** Atomic check-and-set: a free or expired key is taken and 'new' returned, else 'duplicate'. */
  claim(scope: string, key: string, opts: ClaimOptions): Promise<ClaimResult>;
  /** Turns a key committed (creating it if absent), keeping firstSeen; stores result. */
  commit(scope: string, key: string, result: unknown, retentionMs: number): Promise<void>;
  /** Frees an in-flight key so that a retry goes through; committed keys stay. Returns whether a key was freed. */
  release(scope: string, key: string): Promise<boolean>;
  get(scope: string, key: string): Promise<KeyRecord | undefined>;
  /** Deletes a key whatever its state (an operator allowing a reversed posting again). */
  forget?(scope: string, key: string): Promise<boolean>;
}

/** An outbox entry to persist; `text`, when given, is the payload already serialised as JSON (stored as is). */
export interface EnqueueItem {
  partition: string;
  payload: unknown;
  text?: string;
}

/** One persisted outbox entry. */
export interface QueueItem {
  id: number;
  queue: string;
  /** FIFO holds per partition; partitions are independent */
  partition: string;
  /** the msg (or event) as stored, JSON-serialisable */
  payload: unknown;
  /** the payload's stored JSON text, when at hand (a sender may pass it on unparsed) */
  readonly text?: string;
  /** what the caller of Outbox.add() kept beside the payload, in memory only: absent on an
   *  item read back from the store */
  readonly memo?: unknown;
  attempts: number;
  /** epoch ms the item was persisted */
  createdAt: number;
  /** epoch ms before which the item must not be tried again */
  notBefore: number;
  lastError?: string;
}

export interface QueueStore {
  /** Persists items durably, in the given order, and returns their ids. Rejects with
   *  a QueueFullError (nothing written) when the queue would exceed `limit` items. */
  enqueue(queue: string, items: EnqueueItem[], limit?: number): Promise<number[]>;
  /** Head items (the oldest of each partition) that are due at `now`, skipping the
   *  partitions in `busy`; at most `max` items, oldest first. Does not remove them. */
  heads(queue: string, max: number, now: number, busy?: ReadonlySet<string>): Promise<QueueItem[]>;
  /** Removes delivered items. */
  ack(queue: string, ids: number[]): Promise<void>;
  /** Records a failed attempt: attempts+1, lastError, next due time. */
  retryLater(queue: string, id: number, notBefore: number, lastError: string): Promise<void>;
  /** Removes an item and returns it (to move it to the dead letters). */
  take(queue: string, id: number): Promise<QueueItem | undefined>;
  depth(queue: string): Promise<number>;
}

export interface DeadLetter {
  id: number;
  /** queue or node the msg came from */
  origin: string;
  reason: string;
  attempts: number;
  correlationId?: string;
  eventType?: string;
  /** epoch ms */
  at: number;
  /** the original msg, credentials and Authorization headers already redacted */
  msg: unknown;
}

export interface DeadLetterFilter {
  origin?: string;
  eventType?: string;
  /** substring match on reason, case-insensitive */
  reason?: string;
  /** only letters older than this many ms */
  olderThanMs?: number;
  /** only letters younger than this many ms */
  newerThanMs?: number;
  /** at most this many items (default 100) */
  limit?: number;
  offset?: number;
  /** 'oldest' first (default, the order they failed in) or 'newest' first */
  order?: 'oldest' | 'newest';
}

export interface DeadLetterStore {
  addDeadLetter(dl: Omit<DeadLetter, 'id'>): Promise<number>;
  listDeadLetters(filter?: DeadLetterFilter): Promise<{ total: number; items: DeadLetter[] }>;
  getDeadLetter(id: number): Promise<DeadLetter | undefined>;
  removeDeadLetter(id: number): Promise<boolean>;
}

export type StoreKind = 'sqlite' | 'memory' | 'redis';

export type StoreState = 'connecting' | 'ready' | 'reconnecting' | 'error' | 'closed';

export interface StateStore extends IdempotencyStore, QueueStore, DeadLetterStore {
  readonly kind: StoreKind;
  readonly state: StoreState;
  /** 'state' events carry (state, detail?) for node status */
  on(event: 'state', listener: (state: StoreState, detail?: string) => void): this;
  off(event: 'state', listener: (state: StoreState, detail?: string) => void): this;
  /** Deletes expired keys and dead letters past retention; bounded work per call. */
  prune(now?: number): Promise<number>;
  close(): Promise<void>;
}

export class QueueFullError extends Error {
  constructor(public readonly queue: string, public readonly limit: number) {
    super(`outbox "${queue}" is full (${limit} messages buffered); new messages are refused until it drains`);
    this.name = 'QueueFullError';
  }
}

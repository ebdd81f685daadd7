// Options, state and payload helpers of the outbox.
import { isCloudEvent, partitionOf as eventPartition } from '../events/envelope';
import type { DeadLetterStore, QueueItem, QueueStore } from '../store/types';
import type { BackoffOptions, BreakerOptions, BreakerState, Classified } from './policy';

export interface DeliveryContext {
  /** 1 for the first attempt */
  attempt: number;
  /** the item waited (retried, stored during a pause, or older than bufferedAfterMs): stamp recordedtime */
  buffered: boolean;
}

export interface ItemInfo {
  correlationId?: string;
  eventType?: string;
  /** RFC 3339 event time, for the lag metric */
  time?: string;
}

export interface OutboxOptions {
  /** queue name in the store; also the metrics destination and dead-letter origin */
  queue: string;
  store: QueueStore & DeadLetterStore;
  deliver: (item: QueueItem, ctx: DeliveryContext) => Promise<void>;
  classify?: (err: unknown) => Classified;
  /** back-pressure: most items buffered (default 100,000) */
  limit?: number;
  /** deliveries at once (default 256) */
  maxInFlight?: number;
  /** deliveries started per second, 0 = unlimited (default) */
  ratePerSec?: number;
  backoff?: Partial<BackoffOptions>;
  breaker?: Partial<BreakerOptions>;
  /** attempts before dead-lettering, 0 = unlimited (default 20) */
  maxAttempts?: number;
  /** age after which an undelivered item is dead-lettered, 0 = never (default 7 days) */
  maxAgeMs?: number;
  /** the transport keeps send order: several items of a partition may be in flight (default false) */
  pipeline?: boolean;
  /** most items mirrored in memory for fast dispatch (default 50,000) */
  memoryLimit?: number;
  /** how long add() gathers items into one store write (default 0: the adds of one tick) */
  groupCommitMs?: number;
  /** most items per store write (default 1000) */
  maxBatch?: number;
  /** an item older than this when sent counts as buffered (default 1000 ms) */
  bufferedAfterMs?: number;
  partitionOf?: (payload: unknown) => string;
  describe?: (item: QueueItem) => ItemInfo;
  now?: () => number;
}

export interface OutboxState {
  depth: number;
  inFlight: number;
  breaker: BreakerState;
  paused: boolean;
  pausedReason?: string;
  full: boolean;
  limit: number;
  lastError?: string;
  delivered: number;
  deadLettered: number;
  /** memory: dispatching from the in-memory mirror; store: reading heads back from the store */
  mode: 'memory' | 'store';
}

export interface PendingAdd {
  payload: unknown;
  /** the payload's JSON, when the caller made it */
  text?: string;
  memo?: unknown;
  partition: string;
  resolve: (id: number) => void;
  reject: (err: Error) => void;
}

/** The event inside a payload: the payload itself or its `payload` (a stored msg). */
export function eventIn(payload: unknown): Record<string, unknown> | undefined {
  if (isCloudEvent(payload)) return payload as Record<string, unknown>;
  const inner = (payload as { payload?: unknown } | null)?.payload;
  return isCloudEvent(inner) ? (inner as Record<string, unknown>) : undefined;
}

export function defaultPartition(payload: unknown): string {
  const ev = eventIn(payload);
  return ev ? eventPartition(ev) : 'default';
}

export function defaultDescribe(item: QueueItem): ItemInfo {
  const payload = item.payload;
  const ev = eventIn(payload);
  const msgCorr = (payload as { correlationId?: unknown } | null)?.correlationId;
  return {
    correlationId: (ev?.correlationid as string) || (typeof msgCorr === 'string' ? msgCorr : undefined),
    eventType: ev?.type as string | undefined,
    time: ev?.time as string | undefined,
  };
}

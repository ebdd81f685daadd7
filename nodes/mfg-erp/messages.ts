// The msgs a connector node sends: success (msg.result + the follow-up canonical event)
// and failure (msg.error, classified); and the mfg-idempotency reservation a msg carries,
// committed on success and released on a permanent failure.
import type { NodeAPI } from 'node-red';
import { ConnectorError, isConnectorError, operations, OpInput, PostOutcome } from '../../lib/connectors';
import { CloudEvent, contextOf, EventBuilder, isCloudEvent, topicOf, catalog } from '../../lib/events';
import type { StateStore } from '../../lib/store/types';
import { acquireStore, releaseStore } from '../shared/store';
import { plantOf } from '../shared/plant';
import type { Msg } from '../shared/red';

/** What the outbox keeps per posting. */
export interface Stored {
  op: string;
  key: string;
  input: OpInput;
  /** the incoming msg (without req/res), its payload the event or the explicit fields */
  msg: Msg | Record<string, unknown>;
}

/**
 * The outbox item is the msg itself (so that a dead letter replays as the original msg)
 * with the posting under msg.posting and its key in msg.postingKey (a replay keeps it).
 */
export function toOutbox(s: Stored): Record<string, unknown> {
  const msg = JSON.parse(JSON.stringify(s.msg));
  const own = msg.postingKey === undefined;
  return { ...msg, postingKey: s.key, posting: { operation: s.op, key: s.key, input: s.input, own } };
}

export function fromOutbox(payload: unknown): Stored {
  const { posting, ...msg } = payload as { posting: { operation: string; key: string; input: OpInput; own?: boolean } } & Record<string, unknown>;
  // a key this node derived stays here: a node further down must derive its own
  if (posting.own) delete msg.postingKey;
  return { op: posting.operation, key: posting.key, input: posting.input, msg };
}

const builders = new Map<string, EventBuilder>();

/** The follow-up canonical event of a successful operation, or undefined when there is none. */
export function followUp(RED: NodeAPI, plantId: string, s: Pick<Stored, 'op' | 'input' | 'msg'>, out: PostOutcome): CloudEvent | undefined {
  const def = operations.get(s.op);
  if (!def || !def.followUp || !def.followUpData) return undefined;
  const type = def.followUp(s.input);
  const incoming = (s.msg as Msg).payload;
  // the incoming event already says it: repeating it would echo, not follow up
  if (!type || (isCloudEvent(incoming) && incoming.type === type)) return undefined;
  let b = builders.get(type);
  if (!b) builders.set(type, (b = new EventBuilder(type)));
  const plant = plantOf(RED, plantId);
  return b.build(def.followUpData(s.input, out), plant, contextOf(incoming, (s.msg as Msg).correlationId));
}

export function successMsg(RED: NodeAPI, s: Pick<Stored, 'op' | 'key' | 'input' | 'msg'>, out: PostOutcome, plantId: string, warn: (w: string) => void): Msg {
  const msg = { ...(s.msg as Msg) } as Msg;
  const result: Record<string, unknown> = { operation: s.op, document: out.document, references: out.references };
  if (s.key) result.key = s.key;
  if (out.duplicate) result.duplicate = true;
  if (out.recovered) result.recovered = true;
  if (out.data !== undefined) result.data = out.data;
  msg.result = result;
  const def = operations.get(s.op);
  if (def?.kind === 'query') {
    msg.payload = out.data;
    return msg;
  }
  try {
    const ev = followUp(RED, plantId, s, out);
    if (ev) {
      const entry = catalog.get(ev.type)!;
      msg.payload = ev;
      msg.topic = topicOf(plantOf(RED, plantId), entry.domain, entry.object, entry.action);
      msg.correlationId = ev.correlationid;
    }
  } catch (err) {
    // the posting is booked; a follow-up that cannot be built must not undo that
    warn(`${s.op} ${out.document}: no follow-up event: ${(err as Error).message}`);
    result.followUpError = (err as Error).message;
  }
  return msg;
}

export function failureMsg(s: { op: string; msg: Msg | Record<string, unknown> }, err: ConnectorError | Error | string, attempts: number): Msg {
  const msg = { ...(s.msg as Msg) } as Msg;
  const e = isConnectorError(err) ? err.toJSON()
    : typeof err === 'string' ? { message: err, kind: /permanent failure: HTTP 4|validation/i.test(err) ? 'validation' : 'unavailable' }
      : { message: err.message, kind: 'validation', retryable: false };
  msg.error = { ...e, operation: s.op, attempts };
  return msg;
}

interface Reservation {
  key?: string;
  scope?: string;
  store?: string;
  retentionMs?: number;
}

async function withStore(RED: NodeAPI, idem: Reservation, own: StateStore | undefined, fn: (s: StateStore) => Promise<unknown>): Promise<void> {
  if (idem.store) {
    const s = await acquireStore(RED, idem.store);
    try {
      await fn(s);
    } finally {
      await releaseStore(s);
    }
  } else if (own) await fn(own);
}

/** Commits the mfg-idempotency reservation of a msg with the document reference. */
export async function commitReservation(RED: NodeAPI, msg: Msg, own: StateStore | undefined, out: PostOutcome): Promise<void> {
  const idem = msg.idempotency as Reservation | undefined;
  if (!idem || !idem.key || !idem.scope) return;
  await withStore(RED, idem, own, (s) => s.commit(idem.scope!, idem.key!, { document: out.document, references: out.references }, idem.retentionMs || 7 * 24 * 3600_000));
}

/** Releases it after a permanent failure, so that a corrected retry can go through. */
export async function releaseReservation(RED: NodeAPI, msg: Msg, own: StateStore | undefined): Promise<void> {
  const idem = msg.idempotency as Reservation | undefined;
  if (!idem || !idem.key || !idem.scope) return;
  await withStore(RED, idem, own, (s) => s.release(idem.scope!, idem.key!)).catch(() => undefined);
}

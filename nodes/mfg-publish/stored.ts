// What the outbox stores per msg: a small head (topic, flags, type, time) and then the
// event, last. The event's own JSON text can then be sent as stored, with no parse and
// no second serialisation, and metrics read the head alone.
import type { CloudEvent } from '../../lib/events';
import { defaultDescribe, ItemInfo } from '../../lib/outbox/types';
import type { QueueItem } from '../../lib/store/types';

export interface Head {
  topic: string;
  retain?: boolean;
  /** the event already has a recordedtime */
  rt: boolean;
  type: string;
  time?: string;
  correlationId?: string;
}

export interface Stored extends Partial<Head> {
  topic: string;
  payload: CloudEvent;
}

const MARK = ',"payload":';

export interface Split {
  head: Head;
  event: string;
}

// The split a delivery made, kept on its item so that describing it after the ack does
// not parse the head again (a symbol: no JSON, no side table).
const SPLIT = Symbol('mfgSplit');
type WithSplit = QueueItem & { [SPLIT]?: Split };

/**
 * The split an item was added with (its memo: mfg-publish's outbox holds only what
 * storedRecord() made), else splitStored() of its text, once per item.
 */
export function splitItem(item: QueueItem): Split | undefined {
  const it = item as WithSplit;
  return (item.memo as Split | undefined) ?? it[SPLIT] ?? (it[SPLIT] = splitStored(item.text));
}

/** The record to store and its split, made together: a fresh item needs no parse to be sent. */
export function storedRecord(topic: string, ev: CloudEvent, retain: boolean): { text: string; split: Split } {
  const head: Head = { topic, rt: ev.recordedtime !== undefined, type: ev.type };
  if (retain) head.retain = true;
  if (typeof ev.time === 'string') head.time = ev.time;
  if (typeof ev.correlationid === 'string') head.correlationId = ev.correlationid;
  // One serialisation of head and event together, payload last: joining two JSON texts
  // would copy the event's text once more, per msg. The head's fields are listed in a
  // literal because spreading the head into a new object costs about a third as much as
  // serialising the event; undefined ones are left out, as the head leaves them out.
  const text = JSON.stringify({ topic, rt: head.rt, type: head.type, retain: head.retain, time: head.time, correlationId: head.correlationId, payload: ev });
  // The event's text as a slice of the record: no second copy held beside it in memory.
  return { text, split: { head, event: text.slice(text.indexOf(MARK) + MARK.length, -1) } };
}

/**
 * The head and the event's text of a record written by storedRecord(). Undefined for any
 * other layout (records of earlier versions): the caller then parses the whole.
 * The first `,"payload":` is the key itself: inside the head's JSON strings a quote is
 * always escaped.
 */
export function splitStored(text: string | undefined): Split | undefined {
  if (text === undefined || !text.endsWith('}}')) return undefined;
  const i = text.indexOf(MARK);
  if (i < 0) return undefined;
  let head: Head;
  try {
    head = JSON.parse(`${text.slice(0, i)}}`);
  } catch {
    return undefined;
  }
  if (typeof head?.rt !== 'boolean' || typeof head.topic !== 'string') return undefined;
  return { head, event: text.slice(i + MARK.length, -1) };
}

/** The event's type, time and correlation, from the head when there is one (no parse of the event). */
export function describeStored(item: QueueItem): ItemInfo {
  const s = splitItem(item);
  if (s) return { eventType: s.head.type, time: s.head.time, correlationId: s.head.correlationId };
  return defaultDescribe(item);
}

/** Adds recordedtime to an event's JSON text (it has none: the head says so). */
export function withRecordedTime(event: string, at: number): string {
  return `${event.slice(0, -1)},"recordedtime":"${new Date(at).toISOString()}"}`;
}

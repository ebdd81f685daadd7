// Dead letters from Node-RED msgs (error outputs, Catch msgs) and back to msgs for replay.
// Origins follow one convention everywhere: "<node type>:<node id>" (outboxes use their
// queue name, e.g. "mfg-publish:<id>"), so a letter says which node gave up on it.
import type { DeadLetter, DeadLetterFilter } from '../store/types';
import { redact, redactText } from './redact';

type Obj = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The event a msg carries (its payload when that is a CloudEvent). */
function eventOf(msg: Obj): Obj | undefined {
  const p = msg.payload as Obj | undefined;
  return p && typeof p === 'object' && p.specversion === '1.0' ? p : undefined;
}

/** Why the msg failed, from the usual places: Catch (msg.error), error outputs, validators. */
export function reasonOf(msg: Obj): string {
  const err = msg.error as Obj | undefined;
  if (err && str(err.message)) return redactText(String(err.message));
  if (str(msg.reason)) return redactText(String(msg.reason));
  const dl = msg.deadLetter as Obj | undefined;
  if (dl && str(dl.reason)) return redactText(String(dl.reason));
  const ve = msg.validationErrors;
  if (Array.isArray(ve) && ve.length) return 'invalid: ' + ve.slice(0, 5).map((e: Obj) => `${e.path} ${e.message}`).join('; ');
  if (typeof msg.statusCode === 'number') return `HTTP ${msg.statusCode}`;
  return 'no reason given';
}

export function letterFromMsg(msg: Obj, receiver: string, now = Date.now()): Omit<DeadLetter, 'id'> {
  const err = (msg.error || {}) as Obj;
  const src = (err.source || {}) as Obj;
  const dl = (msg.deadLetter || {}) as Obj;
  const ev = eventOf(msg);
  const attempts = [msg.attempts, dl.attempts, err.attempts].find((a) => typeof a === 'number' && a >= 0) as number | undefined;
  const origin = str(dl.origin) ?? (str(src.id) ? `${str(src.type) ?? 'node'}:${src.id}` : receiver);
  return {
    origin,
    reason: reasonOf(msg),
    attempts: attempts ?? 0,
    correlationId: str(msg.correlationId) ?? str(ev?.correlationid) ?? str(ev?.id),
    eventType: str(ev?.type),
    at: now,
    msg: redact(msg),
  };
}

/** The msg a replay sends: the stored msg without its error, with where it came from. */
export function replayMsg(letter: DeadLetter): Obj {
  const msg = { ...((letter.msg && typeof letter.msg === 'object' ? letter.msg : { payload: letter.msg }) as Obj) };
  delete msg.error;
  delete msg._msgid;
  delete msg.deadLetter;
  msg.replay = { deadLetterId: letter.id, origin: letter.origin, reason: letter.reason, attempts: letter.attempts, at: new Date(letter.at).toISOString() };
  if (letter.correlationId && !msg.correlationId) msg.correlationId = letter.correlationId;
  return msg;
}

/** "90000", "90s", "15m", "12h", "7d" -> ms; undefined when empty; throws on nonsense. */
export function parseAge(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(String(v).trim());
  if (!m) throw new Error(`age "${v}" must be a number of ms or like 30s, 15m, 12h, 7d`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[(m[2] || 'ms') as 'ms'];
  return Math.round(Number(m[1]) * unit);
}

/** Filter from admin query parameters: type, reason, origin, olderThan, newerThan, limit, offset, order. */
export function filterFromQuery(q: Record<string, unknown>): DeadLetterFilter {
  const f: DeadLetterFilter = {};
  if (str(q.type)) f.eventType = String(q.type);
  if (str(q.reason)) f.reason = String(q.reason);
  if (str(q.origin)) f.origin = String(q.origin);
  f.olderThanMs = parseAge(q.olderThan);
  f.newerThanMs = parseAge(q.newerThan);
  const limit = q.limit === undefined || q.limit === '' ? 100 : Number(q.limit);
  const offset = q.offset === undefined || q.offset === '' ? 0 : Number(q.offset);
  if (!Number.isInteger(limit) || limit < 0 || limit > 1000) throw new Error('limit must be an integer from 0 to 1000');
  if (!Number.isInteger(offset) || offset < 0) throw new Error('offset must be a non-negative integer');
  f.limit = limit;
  f.offset = offset;
  if (q.order !== undefined && q.order !== '') {
    if (q.order !== 'oldest' && q.order !== 'newest') throw new Error('order must be "oldest" or "newest"');
    (f as { order?: string }).order = q.order;
  }
  return f;
}

/** A letter without its msg, for lists. */
export function summary(l: DeadLetter): Omit<DeadLetter, 'msg'> & { time: string } {
  const { msg: _msg, ...rest } = l;
  return { ...rest, time: new Date(l.at).toISOString() };
}

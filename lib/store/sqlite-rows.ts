// Row mapping and the dead-letter filter query of the sqlite store.
import type { DeadLetter, DeadLetterFilter, QueueItem } from './types';

interface ItemRow {
  id: number; queue: string; partition: string; payload: string; attempts: number;
  created_at: number; not_before: number; last_error: string | null;
}

export function rowToItem(r: ItemRow): QueueItem {
  const item: QueueItem = {
    id: r.id, queue: r.queue, partition: r.partition, payload: JSON.parse(r.payload), text: r.payload,
    attempts: r.attempts, createdAt: r.created_at, notBefore: r.not_before,
  };
  if (r.last_error !== null) item.lastError = r.last_error;
  return item;
}

interface DlRow {
  id: number; origin: string; reason: string; attempts: number; correlation_id: string | null;
  event_type: string | null; at: number; msg: string;
}

export function rowToDeadLetter(r: DlRow): DeadLetter {
  const dl: DeadLetter = { id: r.id, origin: r.origin, reason: r.reason, attempts: r.attempts, at: r.at, msg: JSON.parse(r.msg) };
  if (r.correlation_id !== null) dl.correlationId = r.correlation_id;
  if (r.event_type !== null) dl.eventType = r.event_type;
  return dl;
}

export const DEFAULT_DL_LIMIT = 100;

export function deadLetterQuery(f: DeadLetterFilter, now: number) {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.origin !== undefined) { where.push('origin = ?'); args.push(f.origin); }
  if (f.eventType !== undefined) { where.push('event_type = ?'); args.push(f.eventType); }
  if (f.reason) { where.push('instr(lower(reason), lower(?)) > 0'); args.push(f.reason); }
  if (f.olderThanMs !== undefined) { where.push('at < ?'); args.push(now - f.olderThanMs); }
  if (f.newerThanMs !== undefined) { where.push('at >= ?'); args.push(now - f.newerThanMs); }
  return {
    where: where.length ? `WHERE ${where.join(' AND ')}` : '',
    args,
    order: f.order === 'newest' ? 'ORDER BY id DESC' : 'ORDER BY id',
    limit: Math.max(0, f.limit ?? DEFAULT_DL_LIMIT),
    offset: Math.max(0, f.offset ?? 0),
  };
}

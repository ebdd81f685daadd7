// Head items of an outbox queue in SQLite: the oldest item of each partition that is due
// and not busy, oldest first.
import type Database from 'better-sqlite3';

/** Rows the front scan reads before it switches to walking the partitions. */
const FRONT_SCAN_ROWS = 500;

export function headStatements(db: Database.Database) {
  return {
    scan: db.prepare('SELECT id, partition, not_before FROM queue_items INDEXED BY queue_scan WHERE queue = ? ORDER BY id LIMIT ?').raw(true),
    firstPart: db.prepare('SELECT partition FROM queue_items INDEXED BY queue_parts WHERE queue = ? ORDER BY partition LIMIT 1').pluck(),
    nextPart: db.prepare('SELECT partition FROM queue_items INDEXED BY queue_parts WHERE queue = ? AND partition > ? ORDER BY partition LIMIT 1').pluck(),
    headOf: db.prepare('SELECT id, not_before FROM queue_items INDEXED BY queue_parts WHERE queue = ? AND partition = ? ORDER BY id LIMIT 1').raw(true),
  };
}

/**
 * Ids of up to `max` heads. A draining outbox finds its heads near the front, so the
 * queue is first read in id order. When the front is one long partition that is busy or
 * waiting (a backlog behind a retry), reading on would cost the whole backlog: after
 * FRONT_SCAN_ROWS rows it visits each partition's first item through the
 * (queue, partition, id) index instead, which costs per partition, not per item.
 */
export function headIds(s: ReturnType<typeof headStatements>, queue: string, max: number, now: number, busy?: ReadonlySet<string>): number[] {
  if (max <= 0) return [];
  const seen = new Set<string>();
  const ids: number[] = [];
  const front = s.scan.all(queue, FRONT_SCAN_ROWS + max) as [number, string, number][];
  for (const [id, partition, notBefore] of front) {
    if (seen.has(partition)) continue;
    seen.add(partition);
    if (notBefore > now || (busy && busy.has(partition))) continue;
    ids.push(id);
    if (ids.length >= max) return ids;
  }
  const complete = front.length < FRONT_SCAN_ROWS + max;
  if (complete) return ids;
  const more: number[] = [];
  for (let p = s.firstPart.get(queue) as string | undefined; p !== undefined; p = s.nextPart.get(queue, p) as string | undefined) {
    if (seen.has(p) || (busy && busy.has(p))) continue;
    const [id, notBefore] = s.headOf.get(queue, p) as [number, number];
    if (notBefore <= now) more.push(id);
  }
  more.sort((a, b) => a - b);
  return ids.concat(more.slice(0, max - ids.length)).sort((a, b) => a - b);
}

// In-memory mirror of an outbox queue: the undispatched items per partition, in id order.
// While every stored item is mirrored here, dispatching needs no store read at all.
import type { QueueItem } from '../store/types';

/**
 * A mirrored item keeps the JSON text it was stored as and parses it only when asked: a
 * fraction of the heap of the parsed object, which matters with tens of thousands of
 * items waiting. It is also exactly what a restart would read back from the store, and a
 * sender may pass it on as it is.
 */
export class MirroredItem implements QueueItem {
  attempts = 0;
  notBefore = 0;
  private parsed = false;
  private value?: unknown;

  constructor(readonly id: number, readonly queue: string, readonly partition: string, readonly text: string, readonly createdAt: number, readonly memo?: unknown) {}

  get payload(): unknown {
    if (!this.parsed) {
      this.value = JSON.parse(this.text);
      this.parsed = true;
    }
    return this.value;
  }
}

export class PartitionQueues {
  private readonly parts = new Map<string, QueueItem[]>();
  size = 0;

  /** Appends (or, for a retried item, inserts in id order). */
  put(item: QueueItem): void {
    let q = this.parts.get(item.partition);
    if (!q) this.parts.set(item.partition, (q = []));
    if (!q.length || q[q.length - 1].id < item.id) q.push(item);
    else {
      let i = q.length;
      while (i > 0 && q[i - 1].id > item.id) i--;
      q.splice(i, 0, item);
    }
    this.size++;
  }

  /** Removes an item by id (for the store mode's tail: usually its partition's head). */
  remove(partition: string, id: number): boolean {
    const q = this.parts.get(partition);
    const i = q ? q.findIndex((x) => x.id === id) : -1;
    if (!q || i < 0) return false;
    q.splice(i, 1);
    if (!q.length) this.parts.delete(partition);
    this.size--;
    return true;
  }

  /** Replaces an item (same id) if it is held. */
  replace(item: QueueItem): void {
    if (this.remove(item.partition, item.id)) this.put(item);
  }

  clear(): void {
    this.parts.clear();
    this.size = 0;
  }

  /**
   * Takes up to `max` due items, round robin over partitions, at most `perPartition` from
   * each (1 when only one item per partition may be in flight). A partition whose head is
   * not due, or that `blocked` says is busy, gives nothing. Returns the items and the
   * earliest time a waiting head becomes due.
   */
  take(max: number, now: number, perPartition: number, blocked: (p: string) => boolean): { items: QueueItem[]; nextDue: number } {
    const items: QueueItem[] = [];
    const served: string[] = [];
    let nextDue = Infinity;
    for (const [p, q] of this.parts) {
      if (items.length >= max) break;
      if (q[0].notBefore > now) {
        nextDue = Math.min(nextDue, q[0].notBefore);
        continue;
      }
      if (blocked(p)) continue;
      let k = 0;
      while (q.length && k < perPartition && items.length < max && q[0].notBefore <= now) {
        items.push(q.shift()!);
        k++;
      }
      served.push(p);
    }
    // Served partitions go to the back of the round robin; emptied ones leave it.
    for (const p of served) {
      const q = this.parts.get(p)!;
      this.parts.delete(p);
      if (q.length) this.parts.set(p, q);
    }
    this.size -= items.length;
    return { items, nextDue };
  }
}

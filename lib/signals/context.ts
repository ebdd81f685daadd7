// The current work (order, operation, material) of each piece of equipment, and the work
// before it: a signal stamped before the current work began belongs to the previous one.
import { catalog, isCloudEvent } from '../events';

export interface WorkContext {
  orderId?: string;
  operationId?: string;
  material?: string;
}

export interface ContextRecord {
  ctx: WorkContext;
  /** signal time the context began */
  since?: number;
  prev?: WorkContext;
}

export class WorkContexts {
  private readonly m = new Map<string, ContextRecord>();

  get(eq: string): WorkContext {
    return this.m.get(eq)?.ctx ?? {};
  }

  /** The context at signal time t. */
  at(eq: string, t: number | undefined): WorkContext {
    const rec = this.m.get(eq);
    if (!rec) return {};
    return this.isLate(eq, t) ? rec.prev! : rec.ctx;
  }

  /** A time before the current context began, with a previous context to give it to. */
  isLate(eq: string, t: number | undefined): boolean {
    const rec = this.m.get(eq);
    return !!rec?.prev && t !== undefined && rec.since !== undefined && t < rec.since;
  }

  restore(eq: string, rec: unknown): void {
    if (rec && typeof rec === 'object' && (rec as ContextRecord).ctx) this.m.set(eq, rec as ContextRecord);
  }

  /** Starts a new context; returns its record (to persist), or undefined when nothing changed. */
  change(eq: string, next: WorkContext, since?: number): ContextRecord | undefined {
    const cur = this.get(eq);
    if (cur.orderId === next.orderId && cur.operationId === next.operationId && cur.material === next.material) return undefined;
    const rec: ContextRecord = { ctx: next, since, prev: cur.orderId ? cur : undefined };
    this.m.set(eq, rec);
    return rec;
  }
}

/**
 * The work an event announces, by work center: operation.started starts it now;
 * order.released names the operations, taken only by equipment without work (ifIdle).
 */
export function workFromEvent(ev: unknown): { workCenter: string; ctx: WorkContext; since?: number; ifIdle: boolean }[] {
  if (!isCloudEvent(ev) || !ev.data) return [];
  const d = ev.data as Record<string, unknown>;
  const name = catalog.get(ev.type)?.name;
  if (name === 'operation.started') {
    const t = typeof d.startedAt === 'string' ? Date.parse(d.startedAt) : NaN;
    return [{ workCenter: String(d.workCenter ?? ''), ctx: { orderId: str(d.orderId), operationId: str(d.operationId), material: str(d.material) }, since: Number.isFinite(t) ? t : undefined, ifIdle: false }];
  }
  if (name === 'order.released' && Array.isArray(d.operations)) {
    return (d.operations as Record<string, unknown>[]).map((op) => ({
      workCenter: String(op.workCenter ?? ''), ctx: { orderId: str(d.orderId), operationId: str(op.operationId), material: str(d.material) }, ifIdle: true,
    }));
  }
  return [];
}

const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));

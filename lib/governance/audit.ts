// Audit trail of operator actions (dead-letter replay, edit, discard): who did what,
// when, on which letters, with what result. Kept in memory (bounded) and appended as
// JSON lines to a file when one is given, rotated at `maxFileBytes`.
import fs from 'fs';
import { redact } from '../observability/redact';

export interface AuditRecord {
  at: string;
  user: string;
  action: string;
  method: string;
  path: string;
  status: number;
  /** dead-letter ids the action named */
  ids?: Array<string | number>;
  /** the operator changed the msg before replay */
  edited?: boolean;
  detail?: unknown;
}

export interface AuditOptions {
  file?: string;
  keep?: number;
  maxFileBytes?: number;
}

export class AuditLog {
  private readonly records: AuditRecord[] = [];
  private readonly keep: number;
  private readonly maxFileBytes: number;
  private writeError?: string;

  constructor(private readonly o: AuditOptions = {}) {
    this.keep = Number(o.keep) > 0 ? Number(o.keep) : 1000;
    this.maxFileBytes = Number(o.maxFileBytes) > 0 ? Number(o.maxFileBytes) : 10 * 1024 * 1024;
    if (o.file) this.loadTail(o.file);
  }

  get file(): string | undefined {
    return this.o.file;
  }

  /** Last write failure, for the monitor to show (the action itself is not blocked). */
  get lastError(): string | undefined {
    return this.writeError;
  }

  record(r: Omit<AuditRecord, 'at'> & { at?: string }): AuditRecord {
    const rec = redact({ ...r, at: r.at || new Date().toISOString() }) as AuditRecord;
    this.records.push(rec);
    if (this.records.length > this.keep) this.records.splice(0, this.records.length - this.keep);
    if (this.o.file) this.append(this.o.file, rec);
    return rec;
  }

  /** Newest first. */
  list(limit = 100, filter: { user?: string; action?: string } = {}): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (let i = this.records.length - 1; i >= 0 && out.length < limit; i--) {
      const r = this.records[i];
      if (filter.user && r.user !== filter.user) continue;
      if (filter.action && r.action !== filter.action) continue;
      out.push(r);
    }
    return out;
  }

  private append(file: string, rec: AuditRecord): void {
    try {
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (st && st.size > this.maxFileBytes) fs.renameSync(file, `${file}.1`);
      fs.appendFileSync(file, JSON.stringify(rec) + '\n', { mode: 0o600 });
      this.writeError = undefined;
    } catch (err) {
      this.writeError = `audit log ${file}: ${(err as Error).message}`;
    }
  }

  private loadTail(file: string): void {
    try {
      const text = fs.readFileSync(file, 'utf8');
      const lines = text.split('\n').filter(Boolean).slice(-this.keep);
      for (const l of lines) {
        try {
          this.records.push(JSON.parse(l));
        } catch {
          // a torn last line after a power cut is skipped
        }
      }
    } catch {
      // no file yet
    }
  }
}

/**
 * The audited action of a dead-letter admin request, from its method and path below
 * /mfg-connect/dlq: /:node/letters/:id/replay, /:node/replay, /:node/letters/:id (DELETE),
 * /:node/discard, and the monitor's own /:node/letters/:id/replay-edited.
 */
export function dlqAction(method: string, path: string, body: unknown): { action: string; ids?: Array<string | number>; edited?: boolean; detail?: unknown } {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const segs = path.split('?')[0].split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  const [node, second, id, verb] = segs;
  const detail: Record<string, unknown> = { node };
  let ids: Array<string | number> | undefined;
  if (second === 'letters' && id) ids = [/^\d+$/.test(id) ? Number(id) : id];
  else if (Array.isArray(b.ids)) ids = (b.ids as Array<string | number>).slice(0, 1000);
  if (!ids && b.filter && typeof b.filter === 'object') detail.filter = b.filter;
  let action = `${method.toLowerCase()} ${segs.slice(1).join('/')}`;
  if (second === 'letters' && verb === 'replay') action = 'replay';
  else if (second === 'letters' && verb === 'replay-edited') action = 'edit-replay';
  else if (second === 'letters' && method === 'DELETE') action = 'discard';
  else if (second === 'replay') action = 'replay-many';
  else if (second === 'discard') action = 'discard-many';
  return { action, ids, edited: action === 'edit-replay' || undefined, detail };
}

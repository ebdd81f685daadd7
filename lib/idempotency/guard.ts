// The Idempotent Consumer: claim a key on arrival (eager: in-flight with a lease; mark:
// committed at once), commit on downstream success, release on failure so a retry passes.
import type { ClaimResult, IdempotencyStore, KeyState } from '../store/types';
import { hashKey } from './key';

export interface GuardOptions {
  scope: string;
  mode: 'eager' | 'mark';
  leaseMs: number;
  retentionMs: number;
  /**
   * For a scope only this guard uses: an in-flight key claimed before this time belongs to
   * an earlier run of this guard that died with the msg (e.g. a killed process). A
   * redelivery of that msg takes the key over instead of being dropped as a duplicate.
   */
  takeOverBefore?: number;
}

export interface Verdict {
  status: 'new' | 'duplicate';
  key: string;
  scope: string;
  state: KeyState;
  firstSeen: number;
  /** duplicates: what was stored at commit */
  result?: unknown;
}

export class IdempotencyGuard {
  readonly counts = { new: 0, duplicate: 0, committed: 0, released: 0, takenOver: 0 };

  constructor(private readonly store: IdempotencyStore, readonly opts: GuardOptions) {
    if (!(opts.leaseMs > 0)) throw new Error('idempotency lease must be a positive number of ms');
    if (!(opts.retentionMs > 0)) throw new Error('idempotency retention must be a positive number of ms');
  }

  async check(key: string, now?: number): Promise<Verdict> {
    const { scope, mode, leaseMs, retentionMs } = this.opts;
    let r: ClaimResult = await this.store.claim(scope, key, { mode, leaseMs, retentionMs, now });
    const before = this.opts.takeOverBefore;
    if (r.status === 'duplicate' && r.record.state === 'in-flight' && before !== undefined && r.record.firstSeen < before) {
      await this.store.release(scope, key);
      r = await this.store.claim(scope, key, { mode, leaseMs, retentionMs, now });
      if (r.status === 'new') this.counts.takenOver++;
    }
    if (r.status === 'new') {
      this.counts.new++;
      return { status: 'new', key, scope, state: mode === 'mark' ? 'committed' : 'in-flight', firstSeen: r.firstSeen };
    }
    this.counts.duplicate++;
    const v: Verdict = { status: 'duplicate', key, scope, state: r.record.state, firstSeen: r.record.firstSeen };
    if (r.record.result !== undefined) v.result = r.record.result;
    return v;
  }

  async commit(key: string, result?: unknown, scope = this.opts.scope): Promise<void> {
    await this.store.commit(scope, hashKey(key), result, this.opts.retentionMs);
    this.counts.committed++;
  }

  async release(key: string, scope = this.opts.scope): Promise<boolean> {
    const freed = await this.store.release(scope, hashKey(key));
    if (freed) this.counts.released++;
    return freed;
  }
}

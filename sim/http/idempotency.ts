// Idempotency-Key store with Stripe / IETF draft semantics: the first response is kept
// and replayed for the same key and request; another request under the same key is 422;
// a repeat while the first is still in flight is 409.
import { createHash } from 'crypto';
import type { Reply } from './types';

interface Slot {
  fingerprint: string;
  reply?: Reply;
  at: number;
}

const TTL_MS = 24 * 3600 * 1000;

export type Claim = { kind: 'new' } | { kind: 'replay'; reply: Reply } | { kind: 'mismatch' } | { kind: 'in-flight' };

export class IdempotencyStore {
  private readonly slots = new Map<string, Slot>();

  static fingerprint(method: string, path: string, body: Buffer): string {
    return createHash('sha256').update(method).update('\0').update(path).update('\0').update(body).digest('hex');
  }

  claim(key: string, fingerprint: string): Claim {
    this.sweep();
    const s = this.slots.get(key);
    if (!s) {
      this.slots.set(key, { fingerprint, at: Date.now() });
      return { kind: 'new' };
    }
    if (s.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (!s.reply) return { kind: 'in-flight' };
    return { kind: 'replay', reply: s.reply };
  }

  /** Keeps the reply for replays, or frees the key when the outcome is not worth keeping. */
  settle(key: string, reply: Reply | undefined): void {
    const s = this.slots.get(key);
    if (!s) return;
    if (!reply || !storable(reply.status)) this.slots.delete(key);
    else s.reply = reply;
  }

  clear(): void {
    this.slots.clear();
  }

  private sweep(): void {
    if (this.slots.size < 10000) return;
    const old = Date.now() - TTL_MS;
    for (const [k, s] of this.slots) if (s.at < old) this.slots.delete(k);
  }
}

// 400 (the request was malformed), 409/429 and 5xx are not kept: a retry may succeed.
function storable(status: number): boolean {
  return status < 400 || (status < 500 && status !== 400 && status !== 409 && status !== 429);
}

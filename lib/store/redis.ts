// Redis store: idempotency keys live in a Redis server shared by several Node-RED
// instances (atomic Lua scripts, expiry by Redis itself). Queues and dead letters stay
// in a local SQLite file: an outbox belongs to the instance that accepted the msg and
// must survive that instance's restarts even when Redis is unreachable.
import Redis from 'ioredis';
import { encodeResult, PruneOptions, StoreBase } from './base';
import { SqliteStore } from './sqlite';
import type {
  ClaimOptions, ClaimResult, DeadLetter, DeadLetterFilter, EnqueueItem, KeyRecord, KeyState, QueueItem, StateStore,
} from './types';

export interface RedisStoreOptions extends PruneOptions {
  redisUrl?: string;
  redisPassword?: string;
  redisPrefix?: string;
  /** local SQLite file for queues and dead letters (':memory:' when not given) */
  path?: string;
  /** a command fails after this many reconnect attempts instead of waiting forever */
  maxRetriesPerRequest?: number;
}

// Values are "<i|c>:<firstSeen>:<result JSON>"; Redis expires them (lease or retention).
// A claim is SET NX GET (Redis >= 7; these scripts on older servers); commit and release
// are Lua scripts, so each check-and-set is atomic on the server.
const CLAIM = `local v = redis.call('GET', KEYS[1])
if v then return {v, redis.call('PTTL', KEYS[1])} end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2] .. ':', 'PX', ARGV[3])
return false`;
const COMMIT = `local v = redis.call('GET', KEYS[1])
local first = ARGV[1]
if v then first = string.match(v, '^%a:(%d+):') or ARGV[1] end
redis.call('SET', KEYS[1], 'c:' .. first .. ':' .. ARGV[3], 'PX', ARGV[2])
return 1`;
const RELEASE = `local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 1) == 'i' then redis.call('DEL', KEYS[1]) return 1 end
return 0`;
const GET = `local v = redis.call('GET', KEYS[1])
if v then return {v, redis.call('PTTL', KEYS[1])} end
return false`;

type Reply = [string, number] | null;
const MAX_REMEMBERED = 100_000;
interface Scripts {
  mfgClaim(k: string, state: string, now: number, ttl: number): Promise<Reply>;
  mfgCommit(k: string, now: number, ttl: number, result: string): Promise<number>;
  mfgRelease(k: string): Promise<number>;
  mfgGet(k: string): Promise<Reply>;
}

export class RedisStore extends StoreBase implements StateStore {
  readonly kind = 'redis' as const;
  readonly redis: Redis;
  private readonly cmd: Scripts;
  private readonly local: SqliteStore;
  private readonly prefix: string;
  private lastError?: string;
  private closing = false;
  private setNxGet = true;
  private readonly reserved = new Map<string, number>();
  /** key prefix per scope (a flow has few scopes) */
  private readonly scopes = new Map<string, string>();

  constructor(opts: RedisStoreOptions) {
    super(opts);
    this.prefix = opts.redisPrefix ?? 'mfg:idem:';
    this.local = new SqliteStore({ path: opts.path || ':memory:', pruneIntervalMs: 0, deadLetterRetentionMs: opts.deadLetterRetentionMs, pruneBatch: opts.pruneBatch });
    this.redis = new Redis(opts.redisUrl || 'redis://127.0.0.1:6379', {
      password: opts.redisPassword || undefined,
      enableAutoPipelining: true, // commands of one tick go out in one write
      maxRetriesPerRequest: opts.maxRetriesPerRequest ?? 2,
      connectTimeout: 5000,
      // Exponential backoff with jitter, capped at 5 s; never gives up.
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 5000) + Math.floor(Math.random() * 100),
    });
    this.redis.on('ready', () => { this.lastError = undefined; this.setState('ready'); });
    this.redis.on('error', (err: Error) => {
      this.lastError = err.message;
      if (/NOAUTH|WRONGPASS|ERR/.test(err.message)) this.setState('error', err.message);
    });
    this.redis.on('reconnecting', (ms: number) => {
      if (!this.closing) this.setState('reconnecting', `${this.lastError ? this.lastError + '; ' : ''}retry in ${ms} ms`);
    });
    this.redis.on('end', () => this.setState('closed'));
    this.redis.defineCommand('mfgClaim', { numberOfKeys: 1, lua: CLAIM });
    this.redis.defineCommand('mfgCommit', { numberOfKeys: 1, lua: COMMIT });
    this.redis.defineCommand('mfgRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis.defineCommand('mfgGet', { numberOfKeys: 1, lua: GET });
    this.cmd = this.redis as unknown as Scripts;
    this.startPruning();
  }

  private k(scope: string, key: string): string {
    let p = this.scopes.get(scope);
    if (p === undefined) {
      p = this.prefix + encodeURIComponent(scope) + ':';
      if (this.scopes.size < 1000) this.scopes.set(scope, p);
    }
    return p + key;
  }

  async claim(scope: string, key: string, opts: ClaimOptions): Promise<ClaimResult> {
    const now = opts.now ?? Date.now();
    const mark = opts.mode === 'mark';
    const k = this.k(scope, key);
    const state = mark ? 'c' : 'i';
    const ttl = mark ? opts.retentionMs : opts.leaseMs;
    let r: Reply;
    if (this.setNxGet) {
      // One plain command (Redis >= 7): set if absent, else return what is there.
      try {
        const held = await (this.redis as unknown as { set(...a: unknown[]): Promise<string | null> }).set(k, `${state}:${now}:`, 'PX', ttl, 'NX', 'GET');
        r = held === null ? null : [held, await this.redis.pttl(k)];
      } catch (err) {
        if (!/syntax error/i.test((err as Error).message)) throw err;
        this.setNxGet = false; // an older server: the Lua script does the same
        return this.claim(scope, key, { ...opts, now });
      }
    } else r = await this.cmd.mfgClaim(k, state, now, ttl);
    if (r) return { status: 'duplicate', record: parse(r, now) };
    if (!mark) this.remember(k, now);
    return { status: 'new', firstSeen: now };
  }

  /** firstSeen of keys this instance reserved, so their commit is one plain SET. */
  private remember(k: string, firstSeen: number): void {
    this.reserved.set(k, firstSeen);
    if (this.reserved.size > MAX_REMEMBERED) this.reserved.delete(this.reserved.keys().next().value as string);
  }

  async commit(scope: string, key: string, result: unknown, retentionMs: number): Promise<void> {
    const k = this.k(scope, key);
    const text = encodeResult(result) ?? '';
    const first = this.reserved.get(k);
    if (first !== undefined) {
      this.reserved.delete(k);
      await this.redis.set(k, `c:${first}:${text}`, 'PX', retentionMs);
    } else await this.cmd.mfgCommit(k, Date.now(), retentionMs, text);
  }

  async release(scope: string, key: string): Promise<boolean> {
    const k = this.k(scope, key);
    this.reserved.delete(k);
    return (await this.cmd.mfgRelease(k)) === 1;
  }

  async forget(scope: string, key: string): Promise<boolean> {
    const k = this.k(scope, key);
    this.reserved.delete(k);
    return (await this.redis.del(k)) === 1;
  }

  async get(scope: string, key: string): Promise<KeyRecord | undefined> {
    const r = await this.cmd.mfgGet(this.k(scope, key));
    return r ? parse(r, Date.now()) : undefined;
  }

  enqueue(queue: string, items: EnqueueItem[], limit?: number): Promise<number[]> {
    return this.local.enqueue(queue, items, limit);
  }
  heads(queue: string, max: number, now: number, busy?: ReadonlySet<string>): Promise<QueueItem[]> {
    return this.local.heads(queue, max, now, busy);
  }
  ack(queue: string, ids: number[]): Promise<void> {
    return this.local.ack(queue, ids);
  }
  retryLater(queue: string, id: number, notBefore: number, lastError: string): Promise<void> {
    return this.local.retryLater(queue, id, notBefore, lastError);
  }
  take(queue: string, id: number): Promise<QueueItem | undefined> {
    return this.local.take(queue, id);
  }
  depth(queue: string): Promise<number> {
    return this.local.depth(queue);
  }
  addDeadLetter(dl: Omit<DeadLetter, 'id'>): Promise<number> {
    return this.local.addDeadLetter(dl);
  }
  listDeadLetters(filter?: DeadLetterFilter): Promise<{ total: number; items: DeadLetter[] }> {
    return this.local.listDeadLetters(filter);
  }
  getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.local.getDeadLetter(id);
  }
  removeDeadLetter(id: number): Promise<boolean> {
    return this.local.removeDeadLetter(id);
  }

  /** Redis expires keys by itself; only the local dead letters need pruning. */
  prune(now?: number): Promise<number> {
    return this.local.prune(now);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.stopPruning();
    try {
      await Promise.race([this.redis.quit(), new Promise((r) => setTimeout(r, 2000).unref())]);
    } catch {
      // already disconnected
    }
    this.redis.disconnect();
    await this.local.close();
    this.setState('closed');
  }
}

function parse([v, pttl]: [string, number], now: number): KeyRecord {
  const a = v.indexOf(':');
  const b = v.indexOf(':', a + 1);
  const state: KeyState = v[0] === 'c' ? 'committed' : 'in-flight';
  const rec: KeyRecord = { state, firstSeen: Number(v.slice(a + 1, b)), expiresAt: now + Math.max(0, pttl) };
  const text = v.slice(b + 1);
  if (text) rec.result = JSON.parse(text);
  return rec;
}

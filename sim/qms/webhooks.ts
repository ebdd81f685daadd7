// Outgoing webhooks of the QMS simulator: signed deliveries with retries, the same id on
// every attempt (fresh timestamp and signature), and a log tests can read.
import { randomUUID } from 'crypto';
import http from 'http';
import https from 'https';
import { signGithub, signStandard, standardKey } from '../../lib/webhooks/signature';

export interface Subscription { id: string; url: string; secret: string; style: 'standard' | 'github'; event?: string }
export interface Delivery { id: string; subscription: string; url: string; event: string; attempt: number; status: number | null; error?: string; at: string }

const RETRY_MS = [200, 1000, 5000];

export class WebhookSender {
  subscriptions: Subscription[] = [];
  deliveries: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly bodies = new Map<string, Buffer>();

  subscribe(b: Record<string, unknown>): Subscription {
    const url = String(b.url || '');
    if (!/^https?:\/\//.test(url)) throw new Error('url must be an http(s) URL');
    const style = (b.style || 'standard') as Subscription['style'];
    if (style !== 'standard' && style !== 'github') throw new Error('style must be "standard" or "github"');
    const secret = String(b.secret || '');
    if (!secret) throw new Error('secret is required');
    if (style === 'standard') standardKey(secret);
    const s: Subscription = { id: `sub_${randomUUID()}`, url, secret, style, event: b.event ? String(b.event) : undefined };
    this.subscriptions.push(s);
    return s;
  }

  /** Sends an event to every matching subscription; resolves when first attempts are done. */
  async emit(event: string, data: unknown): Promise<void> {
    const body = Buffer.from(JSON.stringify({ type: event, timestamp: new Date().toISOString(), data }));
    await Promise.all(this.subscriptions.filter((s) => !s.event || s.event === event).map((s) => this.attempt(s, `msg_${randomUUID()}`, event, body, 1)));
  }

  /** Sends a delivery again under its id (fresh timestamp and signature), as a "redeliver" button does. */
  async redeliver(id: string): Promise<Delivery | undefined> {
    const first = this.deliveries.find((d) => d.id === id);
    const sub = first && this.subscriptions.find((s) => s.id === first.subscription);
    if (!first || !sub || !this.bodies.has(id)) return undefined;
    await this.attempt(sub, id, first.event, this.bodies.get(id)!, 1, false);
    return this.deliveries[this.deliveries.length - 1];
  }

  private async attempt(s: Subscription, id: string, event: string, body: Buffer, n: number, retry = true): Promise<void> {
    this.bodies.set(id, body);
    if (this.bodies.size > 1000) this.bodies.delete(this.bodies.keys().next().value as string);
    const ts = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Content-Length': String(body.length), 'User-Agent': 'mfg-qms-sim/1' };
    if (s.style === 'standard') Object.assign(headers, { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandard(s.secret, id, ts, body) });
    else Object.assign(headers, { 'X-Hub-Signature-256': signGithub(s.secret, body), 'X-GitHub-Delivery': id, 'X-GitHub-Event': event });
    const d: Delivery = { id, subscription: s.id, url: s.url, event, attempt: n, status: null, at: new Date().toISOString() };
    this.deliveries.push(d);
    try {
      d.status = await post(s.url, headers, body);
    } catch (e) {
      d.error = (e as Error).message;
    }
    const okay = d.status !== null && d.status >= 200 && d.status < 300;
    if (!okay && retry && n <= RETRY_MS.length && this.subscriptions.includes(s)) {
      const t = setTimeout(() => { this.timers.delete(t); void this.attempt(s, id, event, body, n + 1); }, RETRY_MS[n - 1]);
      this.timers.add(t);
    }
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.subscriptions = [];
    this.deliveries = [];
    this.bodies.clear();
  }
}

function post(url: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? https : http).request(url, { method: 'POST', headers, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode || 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

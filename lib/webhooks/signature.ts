// Webhook signatures: Standard Webhooks (webhook-id / webhook-timestamp /
// webhook-signature "v1,<base64 HMAC-SHA256>" over "<id>.<timestamp>.<body>", whsec_
// secrets) and GitHub style (X-Hub-Signature-256 "sha256=<hex HMAC-SHA256>" over the
// body). Both compare in constant time over the raw bytes received.
import { createHmac, timingSafeEqual } from 'crypto';

export type WebhookStyle = 'standard' | 'github';
export type Headers = Record<string, string | string[] | undefined>;

export interface Verified {
  ok: true;
  style: WebhookStyle;
  id: string;
  timestamp?: number;
}
export interface Rejected {
  ok: false;
  reason: string;
}

/** Key bytes of a Standard Webhooks secret ("whsec_<base64>"; a bare base64 string is accepted too). */
export function standardKey(secret: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  const key = Buffer.from(b64, 'base64');
  if (!key.length) throw new Error('webhook secret is empty or not base64 (expected "whsec_<base64>")');
  return key;
}

export function signStandard(secret: string, id: string, timestamp: number, body: Buffer | string): string {
  const mac = createHmac('sha256', standardKey(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

export function signGithub(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function header(h: Headers, name: string): string | undefined {
  const v = h[name] ?? h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Verifies a Standard Webhooks delivery; timestamps more than toleranceSec off are rejected. */
export function verifyStandard(secret: string, h: Headers, body: Buffer, toleranceSec = 300, nowSec = Math.floor(Date.now() / 1000)): Verified | Rejected {
  const id = header(h, 'webhook-id');
  const ts = header(h, 'webhook-timestamp');
  const sig = header(h, 'webhook-signature');
  if (!id || !ts || !sig) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'webhook-timestamp is not a unix time in seconds' };
  const t = Number(ts);
  if (Math.abs(nowSec - t) > toleranceSec) return { ok: false, reason: `webhook-timestamp is ${nowSec - t} s off (tolerance ${toleranceSec} s)` };
  const expected = Buffer.from(signStandard(secret, id, t, body).slice(3), 'base64');
  for (const part of sig.split(' ')) {
    const [version, value] = part.split(',', 2);
    if (version !== 'v1' || !value) continue;
    if (safeEqual(Buffer.from(value, 'base64'), expected)) return { ok: true, style: 'standard', id, timestamp: t };
  }
  return { ok: false, reason: 'no matching v1 signature' };
}

/** Verifies X-Hub-Signature-256; the delivery id comes from X-GitHub-Delivery (or webhook-id). */
export function verifyGithub(secret: string, h: Headers, body: Buffer): Verified | Rejected {
  const sig = header(h, 'x-hub-signature-256');
  if (!sig) return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
  if (!/^sha256=[0-9a-fA-F]{64}$/.test(sig)) return { ok: false, reason: 'X-Hub-Signature-256 is not "sha256=<64 hex digits>"' };
  const expected = Buffer.from(signGithub(secret, body).slice(7), 'hex');
  if (!safeEqual(Buffer.from(sig.slice(7), 'hex'), expected)) return { ok: false, reason: 'signature does not match' };
  const id = header(h, 'x-github-delivery') || header(h, 'webhook-id') || '';
  return { ok: true, style: 'github', id };
}

/** Picks the scheme from the headers present when style is 'auto'. */
export function verify(style: WebhookStyle | 'auto', secret: string, h: Headers, body: Buffer, toleranceSec = 300): Verified | Rejected {
  const s = style === 'auto' ? (header(h, 'webhook-signature') ? 'standard' : header(h, 'x-hub-signature-256') ? 'github' : undefined) : style;
  if (!s) return { ok: false, reason: 'no webhook-signature or X-Hub-Signature-256 header' };
  return s === 'standard' ? verifyStandard(secret, h, body, toleranceSec) : verifyGithub(secret, h, body);
}

// OData $batch (v2 for SAP, v4 multipart for D365): multipart/mixed with change sets (all
// or nothing) and retrievals.
// Sub-request paths may be relative to the service root, absolute, or full URLs.
import { randomUUID } from 'crypto';
import type { Reply } from '../http/types';
import { HttpError } from '../http/types';
import { STATUS_CODES } from 'http';

export interface SubRequest {
  method: string;
  rest: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
}

interface Part { headers: Record<string, string>; body: string }

function boundaryOf(contentType: string): string {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!m) throw new HttpError(400, 'The batch request has no multipart boundary', '/IWFND/CM_MGW/021');
  return m[1] || m[2];
}

function parseHeaders(block: string): Record<string, string> {
  const h: Record<string, string> = {};
  for (const line of block.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) h[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return h;
}

function splitParts(body: string, boundary: string): Part[] {
  // a delimiter is a whole line "--<boundary>" (or "--<boundary>--" at the end)
  const lines = body.replace(/\r\n/g, '\n').split('\n');
  const chunks: string[][] = [];
  let cur: string[] | undefined;
  let closed = false;
  for (const line of lines) {
    const t = line.trimEnd();
    if (t === `--${boundary}--`) { if (cur) chunks.push(cur); closed = true; break; }
    if (t === `--${boundary}`) { if (cur) chunks.push(cur); cur = []; continue; }
    if (cur) cur.push(line);
  }
  if (!closed) throw new HttpError(400, `The batch request does not end with --${boundary}--`, '/IWFND/CM_MGW/021');
  return chunks.map((c) => {
    const s = c.join('\n');
    const blank = s.indexOf('\n\n');
    const head = blank < 0 ? s : s.slice(0, blank);
    const rest = blank < 0 ? '' : s.slice(blank + 2);
    return { headers: parseHeaders(head), body: rest.replace(/\n$/, '') };
  });
}

function parseHttp(part: Part, serviceRoot: string): SubRequest {
  const blank = part.body.indexOf('\n\n');
  const head = blank < 0 ? part.body : part.body.slice(0, blank);
  const body = blank < 0 ? '' : part.body.slice(blank + 2).trim();
  const [line, ...hl] = head.split('\n');
  const m = /^([A-Z]+)\s+(.+?)\s+HTTP\/1\.[01]$/.exec(line.trim());
  if (!m) throw new HttpError(400, `Invalid request line in batch: "${line.trim()}"`, '/IWFND/CM_MGW/021');
  let url = m[2];
  if (/^https?:\/\//.test(url)) url = new URL(url).pathname + new URL(url).search;
  if (url.startsWith('/')) {
    const at = url.indexOf(serviceRoot);
    if (at < 0) throw new HttpError(400, `Batch sub-request ${url} is not in this service`, '/IWFND/CM_MGW/021');
    url = url.slice(at + serviceRoot.length);
  }
  const q = url.indexOf('?');
  return { method: m[1], rest: decodeURIComponent(q < 0 ? url : url.slice(0, q)), query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)), headers: parseHeaders(hl.join('\n')), body };
}

function httpPart(reply: Reply): string {
  const body = reply.body === undefined || reply.body === null ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const headers = { 'Content-Type': 'application/json', ...(reply.headers || {}), 'Content-Length': String(Buffer.byteLength(body)), dataserviceversion: '2.0' };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
  const inner = [`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] || ''}`, ...lines, '', body].join('\r\n');
  return ['Content-Type: application/http', `Content-Length: ${Buffer.byteLength(inner)}`, 'content-transfer-encoding: binary', '', inner].join('\r\n');
}

/**
 * Runs a $batch. exec answers one sub-request; changeset runs its function all-or-nothing
 * (it returns false to roll back). Returns the multipart/mixed reply (202).
 */
export function runBatch(raw: string, contentType: string, serviceRoot: string, exec: (s: SubRequest) => Reply, changeset: (fn: () => boolean) => void, opts: { status?: number; refuse?: (message: string) => Reply } = {}): Reply {
  const refuse = opts.refuse || ((message: string) => ({ status: 400, body: { error: { code: '/IWFND/CM_MGW/022', message: { lang: 'en', value: message } } } }));
  const outer = `batch_${randomUUID()}`;
  const out: string[] = [];
  for (const part of splitParts(raw, boundaryOf(contentType))) {
    const ct = part.headers['content-type'] || '';
    if (/^multipart\/mixed/i.test(ct)) {
      const subs = splitParts(part.body, boundaryOf(ct)).map((p) => parseHttp(p, serviceRoot));
      const replies: Reply[] = [];
      let failed: Reply | undefined;
      changeset(() => {
        for (const s of subs) {
          const reply = s.method === 'GET' ? refuse('GET requests are not allowed in a change set') : exec(s);
          if (reply.status >= 400) { failed = reply; return false; }
          replies.push(reply);
        }
        return true;
      });
      if (failed) out.push(httpPart(failed));
      else {
        const cs = `changeset_${randomUUID()}`;
        const inner = replies.map((r) => `--${cs}\r\n${httpPart(r)}\r\n`).join('') + `--${cs}--`;
        out.push(`Content-Type: multipart/mixed; boundary=${cs}\r\nContent-Length: ${Buffer.byteLength(inner)}\r\n\r\n${inner}`);
      }
    } else {
      const s = parseHttp(part, serviceRoot);
      if (s.method !== 'GET') throw new HttpError(400, 'Modifying requests must be inside a change set', '/IWFND/CM_MGW/022');
      out.push(httpPart(exec(s)));
    }
  }
  const body = out.map((p) => `--${outer}\r\n${p}\r\n`).join('') + `--${outer}--\r\n`;
  return { status: opts.status ?? 202, headers: { 'Content-Type': `multipart/mixed; boundary=${outer}` }, body };
}

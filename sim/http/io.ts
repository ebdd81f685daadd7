// Request and reply plumbing of SimServer: body reading, JSON replies, fault replies.
import http, { IncomingMessage, ServerResponse } from 'http';
import type { FaultSpec } from './faults';
import { problem } from './json';
import { ErrorFormat, HttpError, Reply, SimRequest } from './types';

const MAX_BODY = 5 * 1024 * 1024;

function retryAfter(f: FaultSpec, seconds: number): string {
  return f.retryAfterFormat === 'date' ? new Date(Date.now() + seconds * 1000).toUTCString() : String(seconds);
}

export function faultReply(f: FaultSpec, format: ErrorFormat, r: SimRequest): Reply {
  if (f.mode === 'throttle') {
    const reply = format(429, 'THROTTLED', 'Too many requests: the service is throttling this client.', r);
    const secs = f.retryAfter ?? 1;
    reply.headers = { ...(reply.headers || {}), 'Retry-After': retryAfter(f, secs), 'RateLimit-Policy': '"default";q=100;w=60', RateLimit: `"default";r=0;t=${Math.ceil(secs)}` };
    return reply;
  }
  if (f.mode === 'maintenance') {
    const reply = format(503, 'MAINTENANCE', 'The service is unavailable: planned maintenance.', r);
    if (f.retryAfter !== undefined) reply.headers = { ...(reply.headers || {}), 'Retry-After': retryAfter(f, f.retryAfter) };
    return reply;
  }
  if (f.mode === 'html') {
    // what a reverse proxy or load balancer answers when the backend is gone
    return { status: 502, headers: { 'Content-Type': 'text/html' }, body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n' };
  }
  return format(500, 'INTERNAL', 'Internal server error.', r);
}

export function errorReply(err: unknown, format: ErrorFormat, r?: SimRequest): Reply {
  if (err instanceof HttpError) return format(err.status, err.code, err.message, r, err.details);
  return format(500, 'INTERNAL', err instanceof Error ? err.message : String(err), r);
}

export const restFormat: ErrorFormat = (status, _code, message, r, details) => {
  const p = problem(status, titleOf(status), message, r?.path);
  if (Array.isArray(details)) (p.body as Record<string, unknown>).errors = details;
  return p;
};

export function titleOf(status: number): string {
  return http.STATUS_CODES[status] || 'Error';
}

export function makeRequest(req: IncomingMessage, method: string, path: string, query: URLSearchParams, raw: Buffer): SimRequest {
  let parsed: unknown;
  let done = false;
  return {
    method, path, query, headers: req.headers, raw, params: {}, req,
    json() {
      if (!done) {
        done = true;
        if (!raw.length) throw new HttpError(400, 'Request body is empty; a JSON document is expected', 'BODY');
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch (e) {
          throw new HttpError(400, `Request body is not valid JSON: ${(e as Error).message}`, 'BODY');
        }
      }
      return parsed;
    },
  };
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { reject(new HttpError(413, 'Request body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | string[]> = { ...(reply.headers || {}) };
  let body: Buffer | undefined;
  if (reply.body === undefined || reply.body === null) body = undefined;
  else if (Buffer.isBuffer(reply.body)) body = reply.body;
  else if (typeof reply.body === 'string') body = Buffer.from(reply.body);
  else {
    body = Buffer.from(JSON.stringify(reply.body));
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json; charset=utf-8';
  }
  if (body) headers['Content-Length'] = String(body.length);
  res.writeHead(reply.status, headers);
  res.end(body);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

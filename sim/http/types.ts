import type { IncomingMessage } from 'http';

export interface Reply {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Objects are sent as JSON; strings and Buffers as they are; undefined: no body. */
  body?: unknown;
}

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  params: Record<string, string>;
  req: IncomingMessage;
  /** Parsed JSON body (throws HttpError 400 when it is not JSON). */
  json(): unknown;
}

export interface Ctx {
  /** Books a business posting in the ledger (and marks the request as a posting). */
  book(kind: string, key: string | null | undefined, document: string): void;
}

export type Handler = (r: SimRequest, ctx: Ctx) => Promise<Reply> | Reply;

/** Formats an error reply in a surface's own shape. */
export type ErrorFormat = (status: number, code: string, message: string, r?: SimRequest, details?: unknown) => Reply;

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code = '', readonly details?: unknown) {
    super(message);
  }
}

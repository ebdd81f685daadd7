// Small helpers shared by the node files: property evaluation, safe input handling,
// throttled status and the package's admin routes.
import type { Node, NodeAPI, NodeMessage } from 'node-red';

export type Msg = NodeMessage & Record<string, unknown>;
export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type Done = (err?: Error) => void;

export const PERMISSION_READ = 'mfg-connect.read';
export const PERMISSION_WRITE = 'mfg-connect.write';

/** Evaluates a TypedInput value (msg, flow, global, env, jsonata, str, num, ...) for a msg. */
export function evaluate(RED: NodeAPI, node: Node, value: string, type: string, msg: Msg): Promise<unknown> {
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(value, type, node, msg, (err: Error | null, res: unknown) => (err ? reject(err) : resolve(res)));
  });
}

/**
 * Registers an async input handler that always calls done() once: a thrown error or a
 * rejected promise becomes done(err), so Catch nodes see it and the runtime never crashes.
 */
export function onInput(node: Node, handler: (msg: Msg, send: Send, done: Done) => Promise<void> | void): void {
  node.on('input', (msg: NodeMessage, send: Send, done: Done) => {
    let settled = false;
    const once: Done = (err) => {
      if (settled) return;
      settled = true;
      done(err);
    };
    try {
      const r = handler(msg as Msg, send, once);
      if (r && typeof (r as Promise<void>).then === 'function') {
        (r as Promise<void>).then(() => once(), (err) => once(toError(err)));
      } else once();
    } catch (err) {
      once(toError(err));
    }
  });
}

export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Status at most every `ms` (status goes to every open editor; per msg it costs). */
export class StatusThrottle {
  private timer?: NodeJS.Timeout;
  private pending?: () => object;
  constructor(private readonly node: Node, private readonly ms = 500) {}
  set(render: () => object): void {
    this.pending = render;
    if (this.timer) return;
    this.flush();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending) this.flush();
    }, this.ms);
  }
  private flush(): void {
    const r = this.pending;
    this.pending = undefined;
    if (r) this.node.status(r() as never);
  }
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

const registered = new WeakSet<object>();

/** Registers an admin route once per runtime. */
export function adminRoute(RED: NodeAPI, key: string, register: () => void): void {
  const http = RED.httpAdmin as unknown as Record<string, unknown>;
  const tag = `__mfgConnect_${key}`;
  if (registered.has(http) && http[tag]) return;
  registered.add(http);
  http[tag] = true;
  register();
}

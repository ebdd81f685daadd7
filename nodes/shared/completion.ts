// Knows when a msg has been handled by the whole flow: every node it reached (or a clone
// of it, same _msgid) has called done(). Counts deliveries (preDeliver, and direct
// receives such as Catch and Complete nodes) against completions (onComplete), through
// Node-RED's message hooks. mfg-subscribe acknowledges a broker msg only then, so a
// msg still in the flow when Node-RED dies is redelivered, not lost.
import type { NodeAPI } from 'node-red';
import { listen } from './msg-hooks';

/** Told once per msg; `arg` is what whenHandled() was given with it. */
export type Handled<T> = (timedOut: boolean, arg: T) => void;

interface Entry {
  id: string;
  count: number;
  /** routed deliveries whose receive is still to come */
  pending: number;
  delivered: boolean;
  /** epoch ms after which handled(true) is called */
  deadline: number;
  handled: Handled<unknown>;
  arg: unknown;
}

const entries = new Map<string, Entry>();
let installed = false;
let warn: (text: string) => void = () => undefined;

// Per msg, no timer, no setImmediate and no closure of its own: thousands of msgs/s would
// each allocate several. One sweep timer serves the deadlines, and one setImmediate runs
// the checks queued in a tick, in the order they were queued (a kind and an entry each).
let sweepTimer: NodeJS.Timeout | undefined;
let sweepAt = Infinity;
const DELIVERED_CHECK = 0;
const COMPLETED = 1;
let kinds: number[] = [];
let queued: Entry[] = [];

function later(kind: number, e: Entry): void {
  kinds.push(kind);
  queued.push(e);
  if (kinds.length === 1) setImmediate(runChecks);
}

function runChecks(): void {
  const k = kinds;
  const q = queued;
  kinds = [];
  queued = [];
  for (let i = 0; i < k.length; i++) {
    const e = q[i];
    if (k[i] === DELIVERED_CHECK) {
      // Nothing wired (or a hook of another package made delivery asynchronous): no
      // delivery by the next turn means there is nothing to wait for.
      if (!e.delivered) finish(e, false);
    } else {
      e.count--;
      if (e.count <= 0 && e.pending === 0) finish(e, false);
    }
  }
}

function armSweep(at: number): void {
  if (at >= sweepAt) return;
  if (sweepTimer) clearTimeout(sweepTimer);
  sweepAt = at;
  sweepTimer = setTimeout(sweep, Math.max(1, at - Date.now()));
  sweepTimer.unref();
}

function sweep(): void {
  sweepTimer = undefined;
  sweepAt = Infinity;
  const now = Date.now();
  let next = Infinity;
  for (const e of entries.values()) {
    if (e.deadline <= now) finish(e, true);
    else if (e.deadline < next) next = e.deadline;
  }
  if (next < Infinity) armSweep(next);
}

type MsgEvent = { msg?: { _msgid?: string } };

function finish(e: Entry, timedOut: boolean): void {
  if (entries.get(e.id) !== e) return;
  entries.delete(e.id);
  try {
    e.handled(timedOut, e.arg);
  } catch (err) {
    // the msgs after it still get their answer; the runtime carries on
    warn(`mfg-connect: acknowledging a handled msg failed: ${(err as Error).message}`);
  }
}

function install(RED: NodeAPI): void {
  if (installed) return;
  installed = true;
  warn = (text) => RED.log.warn(text);
  // Counted synchronously as the runtime routes the msg; the shared hooks never stop it.
  const ok = listen(RED, 'message completion', {
    preDeliver: (ev: MsgEvent) => {
      const e = ev.msg?._msgid ? entries.get(ev.msg._msgid) : undefined;
      if (e) { e.count++; e.pending++; e.delivered = true; }
    },
    onReceive: (ev: MsgEvent) => {
      const e = ev.msg?._msgid ? entries.get(ev.msg._msgid) : undefined;
      if (!e) return;
      if (e.pending > 0) e.pending--;
      else e.count++;
      e.delivered = true;
    },
    onComplete: (ev: MsgEvent) => {
      const id = ev.msg?._msgid;
      const e = id ? entries.get(id) : undefined;
      if (!e) return;
      // A failing node hands the msg to Catch nodes right after this hook: count that first.
      later(COMPLETED, e);
    },
  });
  if (!ok) RED.log.warn('mfg-connect: message hooks are not available; events are acknowledged on receipt');
}

/**
 * Calls handled(timedOut, arg) once the msg has been through the flow (or after timeoutMs,
 * with timedOut true). Call before node.send(msg); msg._msgid must be set. `handled` may
 * be one function for all msgs, with what is particular to a msg in `arg`.
 */
export function whenHandled<T>(RED: NodeAPI, msgId: string, timeoutMs: number, handled: Handled<T>, arg?: T): void {
  try {
    install(RED);
  } catch (err) {
    RED.log.warn(`mfg-connect: cannot track message completion: ${(err as Error).message}`);
  }
  const e: Entry = { id: msgId, count: 0, pending: 0, delivered: false, handled: handled as Handled<unknown>, arg, deadline: Date.now() + timeoutMs };
  entries.set(msgId, e);
  armSweep(e.deadline);
  later(DELIVERED_CHECK, e);
}

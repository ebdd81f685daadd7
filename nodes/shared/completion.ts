// Knows when a msg has been handled by the whole flow: every node it reached (or a clone
// of it, same _msgid) has called done(). Counts deliveries (preDeliver, and direct
// receives such as Catch and Complete nodes) against completions (onComplete), through
// Node-RED's message hooks. mfg-subscribe acknowledges a broker msg only then, so a
// msg still in the flow when Node-RED dies is redelivered, not lost.
import type { NodeAPI } from 'node-red';
import { listen } from './msg-hooks';

interface Entry {
  count: number;
  /** routed deliveries whose receive is still to come */
  pending: number;
  delivered: boolean;
  /** epoch ms after which handled(true) is called */
  deadline: number;
  handled: (timedOut: boolean) => void;
}

const entries = new Map<string, Entry>();
let installed = false;

// Per msg, no timer and no setImmediate of its own: thousands of msgs/s would each
// allocate several. One sweep timer serves the deadlines, and one setImmediate runs the
// checks queued in a tick, in the order they were queued.
let sweepTimer: NodeJS.Timeout | undefined;
let sweepAt = Infinity;
type Check = () => void;
let checks: Check[] = [];

function later(check: Check): void {
  checks.push(check);
  if (checks.length === 1) setImmediate(runChecks);
}

function runChecks(): void {
  const list = checks;
  checks = [];
  for (let i = 0; i < list.length; i++) {
    try {
      list[i]();
    } catch (err) {
      // the checks after it belong to other msgs: they still run, next turn
      const rest = list.slice(i + 1);
      if (rest.length) {
        if (!checks.length) setImmediate(runChecks);
        checks = rest.concat(checks);
      }
      throw err;
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
  for (const [id, e] of entries) {
    if (e.deadline <= now) finish(id, e, true);
    else if (e.deadline < next) next = e.deadline;
  }
  if (next < Infinity) armSweep(next);
}

type MsgEvent = { msg?: { _msgid?: string } };

function finish(id: string, e: Entry, timedOut: boolean): void {
  if (entries.get(id) !== e) return;
  entries.delete(id);
  e.handled(timedOut);
}

function install(RED: NodeAPI): void {
  if (installed) return;
  installed = true;
  // Hooks take one argument (synchronous) and return nothing (never stop a msg).
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
      later(() => {
        e.count--;
        if (e.count <= 0 && e.pending === 0) finish(id!, e, false);
      });
    },
  });
  if (!ok) RED.log.warn('mfg-connect: message hooks are not available; events are acknowledged on receipt');
}

/**
 * Calls handled() once the msg has been through the flow (or after timeoutMs, with
 * timedOut true). Call before node.send(msg); msg._msgid must be set.
 */
export function whenHandled(RED: NodeAPI, msgId: string, timeoutMs: number, handled: (timedOut: boolean) => void): void {
  try {
    install(RED);
  } catch (err) {
    RED.log.warn(`mfg-connect: cannot track message completion: ${(err as Error).message}`);
  }
  const e: Entry = { count: 0, pending: 0, delivered: false, handled, deadline: Date.now() + timeoutMs };
  entries.set(msgId, e);
  armSweep(e.deadline);
  // Nothing wired (or a hook of another package made delivery asynchronous): no
  // delivery by the next turn means there is nothing to wait for.
  later(() => {
    if (!e.delivered) finish(msgId, e, false);
  });
}

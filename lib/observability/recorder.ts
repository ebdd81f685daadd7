// Turns Node-RED message-routing hook events into trace steps and message metrics for
// the package's nodes. Plain data in, no Node-RED import: the plugin wires it to the
// hooks onReceive / onSend / onComplete.
import { TYPE_PATTERN } from '../events/catalog';
import { Budget, budgetOf } from './budget';
import { observe, Outcome } from './metrics';
import { isPackageType, portOutcome, SELF_COUNTING } from './outcomes';
import { redactText } from './redact';
import { appendToMsg, correlationOf, eventOf, TraceStep, TraceStore } from './trace';

export interface HookNode {
  id: string;
  type: string;
  name?: string;
}
type Msg = Record<string, unknown>;
export interface SendEventLike {
  msg: Msg;
  source?: { id?: string; node?: HookNode; port?: number };
}

export interface RecorderOptions {
  /** steps kept on msg._mfgTrace */
  msgSteps?: number;
  /** distinct event-type label values before new ones count as "other" */
  maxEventTypes?: number;
  /** msgs per second whose path is traced step by step (0: every msg); default 1000 */
  perSecond?: number;
  now?: () => number;
}

const FAILED = new Set<string>(['error', 'invalid']);
/** outcomes traced whatever the budget says: what someone looking for an event needs */
const ALWAYS = new Set<string>(['error', 'invalid', 'dead-lettered', 'duplicate']);

/** Where a msg is being handled: the node that received it last, when, and its step. */
interface Pending {
  node: string;
  at: number;
  step?: TraceStep;
}
// A symbol-keyed property on the msg: ignored by JSON and structuredClone, deep-copied with
// a msg clone, and no side table for the garbage collector to trace.
const PENDING = Symbol('mfgPending');
// Whether a msg's path is traced step by step, decided where it meets the first node
// of the package (or taken over from the _mfgTrace it brings along).
const TRACED = Symbol('mfgTraced');
type Tagged = Msg & { [PENDING]?: Pending; [TRACED]?: boolean };

function sentBefore(events: SendEventLike[], i: number, msg: Msg, port: number): boolean {
  for (let j = 0; j < i; j++) if (events[j].msg === msg && (events[j].source?.port ?? 0) === port) return true;
  return false;
}

function pendingOf(msg: Msg, nodeId: string): Pending | undefined {
  const p = (msg as Tagged)[PENDING];
  return p && p.node === nodeId ? p : undefined;
}

export class Recorder {
  private readonly msgSteps: number;
  private readonly maxEventTypes: number;
  private readonly types = new Set<string>();
  private readonly budget: Budget;
  /** msgs not traced step by step because the budget was used up */
  sampledOut = 0;

  constructor(readonly store: TraceStore, o: RecorderOptions = {}) {
    this.msgSteps = Number(o.msgSteps) > 0 ? Number(o.msgSteps) : 50;
    this.maxEventTypes = Number(o.maxEventTypes) > 0 ? Number(o.maxEventTypes) : 500;
    this.budget = new Budget(budgetOf(o.perSecond, 1000), o.now);
  }

  onReceive(msg: Msg, node: HookNode | undefined): void {
    if (!node || !isPackageType(node.type) || !msg || typeof msg !== 'object') return;
    this.count(node, msg, 'in');
    const p = (msg as Tagged)[PENDING];
    if (p) {
      p.node = node.id;
      p.at = Date.now();
      p.step = undefined;
    } else (msg as Tagged)[PENDING] = { node: node.id, at: Date.now() };
  }

  onSend(events: SendEventLike[]): void {
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      const node = ev.source?.node;
      if (!node || !isPackageType(node.type) || !ev.msg || typeof ev.msg !== 'object') continue;
      const port = ev.source?.port ?? 0;
      // one msg sent to several wires of a port is one outcome
      if (i > 0 && sentBefore(events, i, ev.msg, port)) continue;
      const outcome = portOutcome(node.type, port);
      this.count(node, ev.msg, outcome);
      this.step(ev.msg, node, outcome, port);
    }
  }

  onComplete(msg: Msg, node: HookNode | undefined, error: unknown): void {
    if (!node || !isPackageType(node.type) || !msg || typeof msg !== 'object') return;
    const p = pendingOf(msg, node.id);
    if (p) (msg as Tagged)[PENDING] = undefined;
    if (!error) {
      if (p && !p.step) this.step(msg, node, 'done', undefined, p.at);
      return;
    }
    const text = redactText(error instanceof Error ? error.message : String(error)).slice(0, 500);
    if (p?.step && FAILED.has(p.step.outcome)) {
      p.step.error = text; // already counted when it left on its error output
      return;
    }
    const outcome: Outcome = msg.validationErrors ? 'invalid' : 'error';
    this.count(node, msg, outcome);
    this.step(msg, node, outcome, undefined, p?.at, text);
  }

  private step(msg: Msg, node: HookNode, outcome: TraceStep['outcome'], port?: number, since?: number, error?: string): void {
    if (ALWAYS.has(outcome)) (msg as Tagged)[TRACED] = true; // the rest of its path too
    else if (!this.traced(msg)) return;
    const now = Date.now();
    const p = pendingOf(msg, node.id);
    const t0 = since ?? (p && !p.step ? p.at : undefined);
    const ev = eventOf(msg);
    const step: TraceStep = { node: node.id, type: node.type, at: now, outcome };
    if (node.name) step.name = node.name;
    if (port !== undefined) step.port = port;
    if (t0 !== undefined) step.ms = now - t0;
    if (ev.type) step.eventType = ev.type;
    if (ev.id) step.eventId = ev.id;
    if (ev.causationId) step.causationId = ev.causationId;
    if (error) step.error = error;
    if (p && outcome !== 'done') p.step = step;
    appendToMsg(msg, step, this.msgSteps);
    const corr = correlationOf(msg);
    // on the first step with a correlation, the steps the msg took before belong to it too
    if (corr) this.store.add(corr, step, msg._mfgTrace as TraceStep[]);
  }

  private traced(msg: Msg): boolean {
    const m = msg as Tagged;
    let t = m[TRACED];
    if (t === undefined) {
      t = Array.isArray(msg._mfgTrace) || this.budget.take();
      m[TRACED] = t;
      if (!t) {
        this.sampledOut++;
        observe.traceSampledOut();
      }
    }
    return t;
  }

  private count(node: HookNode, msg: Msg, outcome: Outcome): void {
    if (!SELF_COUNTING.has(node.type)) observe.message(node.id, node.type, this.label(msg), outcome);
  }

  /** Event-type label with a bounded set of values. */
  private label(msg: Msg): string {
    const p = msg.payload as Record<string, unknown> | null | undefined;
    const t = p && typeof p === 'object' && p.specversion === '1.0' && typeof p.type === 'string' ? p.type : undefined;
    if (!t) return '';
    if (this.types.has(t)) return t;
    if (!TYPE_PATTERN.test(t) || this.types.size >= this.maxEventTypes) return 'other';
    this.types.add(t);
    return t;
  }
}

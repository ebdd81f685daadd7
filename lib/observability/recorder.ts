// Turns Node-RED message-routing hook events into trace steps and message metrics for
// the package's nodes. Plain data in, no Node-RED import: the plugin wires it to the
// hooks onReceive / onSend / onComplete.
import { TYPE_PATTERN } from '../events/catalog';
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
}

const FAILED = new Set<string>(['error', 'invalid']);

export class Recorder {
  private readonly msgSteps: number;
  private readonly maxEventTypes: number;
  private readonly types = new Set<string>();
  /** per msg object: node id -> receipt time, or the step already recorded for it */
  private readonly pending = new WeakMap<object, Map<string, number | TraceStep>>();

  constructor(readonly store: TraceStore, o: RecorderOptions = {}) {
    this.msgSteps = Number(o.msgSteps) > 0 ? Number(o.msgSteps) : 50;
    this.maxEventTypes = Number(o.maxEventTypes) > 0 ? Number(o.maxEventTypes) : 500;
  }

  onReceive(msg: Msg, node: HookNode | undefined): void {
    if (!node || !isPackageType(node.type) || !msg || typeof msg !== 'object') return;
    this.count(node, msg, 'in');
    let m = this.pending.get(msg);
    if (!m) this.pending.set(msg, (m = new Map()));
    m.set(node.id, Date.now());
  }

  onSend(events: SendEventLike[]): void {
    let seen: Map<object, Set<number>> | undefined;
    for (const ev of events) {
      const node = ev.source?.node;
      if (!node || !isPackageType(node.type) || !ev.msg || typeof ev.msg !== 'object') continue;
      const port = ev.source?.port ?? 0;
      // one msg sent to several wires of a port is one outcome
      seen ??= new Map();
      let ports = seen.get(ev.msg);
      if (!ports) seen.set(ev.msg, (ports = new Set()));
      if (ports.has(port)) continue;
      ports.add(port);
      const outcome = portOutcome(node.type, port);
      this.count(node, ev.msg, outcome);
      this.step(ev.msg, node, outcome, port);
    }
  }

  onComplete(msg: Msg, node: HookNode | undefined, error: unknown): void {
    if (!node || !isPackageType(node.type) || !msg || typeof msg !== 'object') return;
    const m = this.pending.get(msg);
    const prior = m?.get(node.id);
    m?.delete(node.id);
    if (!error) {
      if (typeof prior === 'number') this.step(msg, node, 'done', undefined, prior);
      return;
    }
    const text = redactText(error instanceof Error ? error.message : String(error)).slice(0, 500);
    if (prior && typeof prior === 'object' && FAILED.has(prior.outcome)) {
      prior.error = text; // already counted when it left on its error output
      return;
    }
    const outcome: Outcome = msg.validationErrors ? 'invalid' : 'error';
    this.count(node, msg, outcome);
    this.step(msg, node, outcome, undefined, typeof prior === 'number' ? prior : undefined, text);
  }

  private step(msg: Msg, node: HookNode, outcome: TraceStep['outcome'], port?: number, since?: number, error?: string): void {
    const now = Date.now();
    const m = this.pending.get(msg);
    const t0 = since ?? (typeof m?.get(node.id) === 'number' ? (m!.get(node.id) as number) : undefined);
    const ev = eventOf(msg);
    const step: TraceStep = { node: node.id, type: node.type, at: now, outcome };
    if (node.name) step.name = node.name;
    if (port !== undefined) step.port = port;
    if (t0 !== undefined) step.ms = now - t0;
    if (ev.type) step.eventType = ev.type;
    if (ev.id) step.eventId = ev.id;
    if (ev.causationId) step.causationId = ev.causationId;
    if (error) step.error = error;
    if (m && outcome !== 'done') m.set(node.id, step);
    appendToMsg(msg, step, this.msgSteps);
    const corr = correlationOf(msg);
    if (!corr) return;
    if (!this.store.has(corr)) {
      // first step with a correlation: the steps the msg took before belong to it too
      for (const s of msg._mfgTrace as TraceStep[]) this.store.add(corr, s);
    } else this.store.add(corr, step);
  }

  private count(node: HookNode, msg: Msg, outcome: Outcome): void {
    if (!SELF_COUNTING.has(node.type)) observe.message(node.id, node.type, this.label(msg), outcome);
  }

  /** Event-type label with a bounded set of values. */
  private label(msg: Msg): string {
    const t = eventOf(msg).type;
    if (!t) return '';
    if (this.types.has(t)) return t;
    if (!TYPE_PATTERN.test(t) || this.types.size >= this.maxEventTypes) return 'other';
    this.types.add(t);
    return t;
  }
}

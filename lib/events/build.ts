// Builds a canonical event from mapped fields, coercing where the schema is clear
// (numeric strings to numbers, numeric ids to strings) and naming every bad field.
import { inspectValue } from '../validation/inspect';
import { EventValidator, ValidationError } from '../validation/validator';
import { catalog } from './catalog';
import { buildEvent, CloudEvent, isCloudEvent } from './envelope';
import type { PlantProfile } from './plant';

export class EventBuildError extends Error {
  constructor(public readonly type: string, public readonly errors: ValidationError[]) {
    super(`${type}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
    this.name = 'EventBuildError';
  }
}

/** Sets a dotted path (a.b.c) on an object, creating plain objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    if (p === '__proto__' || p === 'constructor' || p === 'prototype') throw new Error(`forbidden field name "${p}"`);
    const next = o[p];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  if (last === '__proto__' || last === 'constructor' || last === 'prototype') throw new Error(`forbidden field name "${last}"`);
  o[last] = value;
}

export interface Context {
  correlationid?: string;
  causationid?: string;
  traceparent?: string;
}

/** Correlation context from an incoming msg: its event (if it carries one) or msg.correlationId. */
export function contextOf(payload: unknown, msgCorrelation?: unknown): Context {
  if (isCloudEvent(payload)) {
    return {
      correlationid: (payload.correlationid as string) || payload.id,
      causationid: payload.id,
      traceparent: payload.traceparent as string | undefined,
    };
  }
  return typeof msgCorrelation === 'string' && msgCorrelation ? { correlationid: msgCorrelation } : {};
}

export class EventBuilder {
  private readonly validator = new EventValidator({ coerceTypes: true });

  constructor(readonly type: string) {
    if (!catalog.get(type)) throw new Error(`unknown event type "${type}"`);
  }

  build(data: Record<string, unknown>, plant: PlantProfile, ctx: Context = {}, extra: { time?: unknown; subject?: string; partitionkey?: string } = {}): CloudEvent {
    const entry = catalog.get(this.type)!;
    const refused = inspectValue(data, { maxDepth: 32, maxBytes: this.validator.maxBytes });
    if (refused) throw new EventBuildError(this.type, [{ path: '$.data', message: refused.replace('$', '$.data') }]);
    const errors = this.validator.validateData(this.type, data);
    if (errors.length) throw new EventBuildError(this.type, errors);
    const ev = buildEvent(entry, data, { plant, time: extra.time, ...ctx });
    if (extra.subject) ev.subject = extra.subject;
    if (extra.partitionkey) ev.partitionkey = extra.partitionkey;
    return ev;
  }
}

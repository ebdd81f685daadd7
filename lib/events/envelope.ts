// The CloudEvents 1.0 envelope (structured JSON mode) with the package's extensions.
import type { CatalogEntry } from './catalog';
import { PlantProfile, sourceOf } from './plant';
import { uuidv7 } from './ids';

export interface CloudEvent<T = Record<string, unknown>> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time?: string;
  subject?: string;
  datacontenttype?: string;
  dataschema?: string;
  data?: T;
  correlationid?: string;
  causationid?: string;
  traceparent?: string;
  partitionkey?: string;
  sequence?: string;
  recordedtime?: string;
  plant?: string;
  [extension: string]: unknown;
}

export const CONTENT_TYPE = 'application/cloudevents+json';

export function isCloudEvent(x: unknown): x is CloudEvent {
  return typeof x === 'object' && x !== null && (x as CloudEvent).specversion === '1.0' && typeof (x as CloudEvent).id === 'string';
}

/** Fills {field} placeholders from data; a missing field leaves "_". */
export function subjectOf(entry: CatalogEntry, data: Record<string, unknown>): string {
  return entry.subject.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, f: string) => {
    const v = data[f];
    return v === undefined || v === null || v === '' ? '_' : encodeURIComponent(String(v));
  });
}

/** RFC 3339 from a Date, epoch ms or string (strings are checked and normalised to UTC). */
export function toRfc3339(t: unknown): string | undefined {
  if (t === undefined || t === null || t === '') return undefined;
  const d = t instanceof Date ? t : typeof t === 'number' || typeof t === 'string' ? new Date(t) : undefined;
  if (!d || Number.isNaN(d.getTime())) return undefined;
  return d.toISOString();
}

export interface BuildOptions {
  plant: PlantProfile;
  time?: unknown;
  id?: string;
  correlationid?: string;
  causationid?: string;
  traceparent?: string;
  sequence?: string | number;
}

export function buildEvent(entry: CatalogEntry, data: Record<string, unknown>, o: BuildOptions): CloudEvent {
  const sourceTime = o.time ?? (entry.timeField ? data[entry.timeField] : undefined);
  const id = o.id ?? uuidv7();
  const pk = data[entry.partitionKey];
  const ev: CloudEvent = {
    specversion: '1.0',
    id,
    source: sourceOf(o.plant),
    type: entry.type,
    time: toRfc3339(sourceTime) ?? new Date().toISOString(),
    subject: subjectOf(entry, data),
    datacontenttype: 'application/json',
    dataschema: entry.dataschema,
    correlationid: o.correlationid || id,
    plant: o.plant.site,
    data,
  };
  if (o.causationid) ev.causationid = o.causationid;
  if (o.traceparent) ev.traceparent = o.traceparent;
  if (pk !== undefined && pk !== null && pk !== '') ev.partitionkey = String(pk);
  if (o.sequence !== undefined) ev.sequence = String(o.sequence);
  return ev;
}

/** The partition an event keeps its order in: partitionkey, else subject, else its type. */
export function partitionOf(ev: Partial<CloudEvent>): string {
  return ev.partitionkey || ev.subject || ev.type || 'default';
}

/** Marks an event as buffered: recordedtime set once, the original time kept. */
export function stampRecorded(ev: CloudEvent, now = Date.now()): CloudEvent {
  if (!ev.recordedtime) ev.recordedtime = new Date(now).toISOString();
  return ev;
}

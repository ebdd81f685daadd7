// Which deployed nodes produce and consume which event types, read from the flow
// configuration: explicit settings (mfg-event's eventType, any catalog type named in a
// node's config), the wiring downstream of producers, a subscription's topic filter,
// and the event types the runtime actually saw at each node.
import { catalog, TYPE_PATTERN } from '../events/catalog';
import { filterOfPattern } from '../mqtt/topics';

export interface NodeConfig {
  id: string;
  type: string;
  z?: string;
  name?: string;
  wires?: string[][];
  links?: string[];
  [key: string]: unknown;
}

export type Role = 'producer' | 'consumer';
export type Via = 'config' | 'wiring' | 'topic' | 'observed';

export interface Usage {
  id: string;
  type: string;
  name?: string;
  flow?: string;
  role: Role;
  via: Via[];
}

/** Node types that emit events (their own types) and those that take them in. */
export const PRODUCERS = new Set(['mfg-event', 'mfg-signal', 'mfg-webhook-in', 'mfg-publish']);
export const CONSUMERS = new Set(['mfg-subscribe', 'mfg-validate', 'mfg-idempotency', 'mfg-enrich', 'mfg-erp', 'mfg-wms', 'mfg-qms', 'mfg-dlq']);
/** Producers whose output type is set by their own config (the chain starts again there). */
const ORIGINS = new Set(['mfg-event', 'mfg-signal', 'mfg-webhook-in']);

/** Catalog types named anywhere in a node's config (strings or arrays of strings). */
export function typesInConfig(n: NodeConfig): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number) => {
    if (depth > 6) return;
    if (typeof v === 'string') {
      if (TYPE_PATTERN.test(v)) out.add(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (v && typeof v === 'object') Object.values(v).forEach((x) => walk(x, depth + 1));
  };
  for (const [k, v] of Object.entries(n)) if (k !== 'wires' && k !== 'id' && k !== 'z') walk(v, 0);
  return [...out];
}

/** MQTT filter match where topic segments "*" stand for any value (the plant levels). */
export function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && t[i] !== '*' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Catalog types whose backbone topic a subscription filter covers. */
export function typesForFilter(filter: string): string[] {
  if (typeof filter !== 'string' || !filter) return [];
  return catalog.all().filter((e) => filterMatches(filter, `*/*/*/*/events/${e.domain}/${e.object}/${e.action}`)).map((e) => e.type);
}

const PLANT_LEVELS = ['enterprise', 'site', 'area', 'line'] as const;

/** A node's plant levels as configured (${ENV} references kept), "+" where unset. */
export function plantLevels(n: NodeConfig, byId: Map<string, NodeConfig>): Record<(typeof PLANT_LEVELS)[number], string> {
  const plant = typeof n.plant === 'string' ? byId.get(n.plant) : undefined;
  const get = (k: (typeof PLANT_LEVELS)[number]) => (plant && typeof plant[k] === 'string' && String(plant[k]).trim()) || '+';
  return { enterprise: get('enterprise'), site: get('site'), area: get('area'), line: get('line') };
}

/** The MQTT filters an mfg-subscribe listens on: its topic, or one per event type pattern. */
export function subscriptionFilters(n: NodeConfig, byId: Map<string, NodeConfig>): string[] {
  if (n.mode === 'topic' || (n.mode === undefined && typeof n.topic === 'string' && n.topic.trim())) {
    const t = typeof n.topic === 'string' ? n.topic.trim() : '';
    return t ? [t] : [];
  }
  const plant = { ...plantLevels(n, byId), system: '', timeZone: 'UTC' };
  const out = new Set<string>();
  for (const p of String(n.types || 'mfg.*').split(/[\s,]+/).filter(Boolean)) {
    try {
      out.add(filterOfPattern(plant, p));
    } catch {
      // a pattern the node itself refuses (it reports that in its status)
    }
  }
  return [...out];
}

function downstream(n: NodeConfig, byId: Map<string, NodeConfig>): string[] {
  const next = (n.wires || []).flat();
  if (n.type === 'link out' && Array.isArray(n.links)) next.push(...n.links);
  return next.filter((id) => byId.has(id));
}

/** node id -> {type -> how it was found} for every package node that handles events. */
export function eventTypesByNode(nodes: NodeConfig[], observed: Map<string, Set<string>> = new Map()): Map<string, Map<string, Set<Via>>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const result = new Map<string, Map<string, Set<Via>>>();
  const mark = (id: string, type: string, via: Via) => {
    let m = result.get(id);
    if (!m) result.set(id, (m = new Map()));
    let s = m.get(type);
    if (!s) m.set(type, (s = new Set()));
    s.add(via);
  };
  for (const n of nodes) {
    if (!n.type.startsWith('mfg-')) continue;
    for (const t of typesInConfig(n)) mark(n.id, t, 'config');
    if (n.type === 'mfg-subscribe') for (const f of subscriptionFilters(n, byId)) for (const t of typesForFilter(f)) mark(n.id, t, 'topic');
    for (const t of observed.get(n.id) ?? []) if (TYPE_PATTERN.test(t)) mark(n.id, t, 'observed');
  }
  // forward along wires from each origin (and subscription) with the types it emits
  for (const n of nodes) {
    if (!ORIGINS.has(n.type) && n.type !== 'mfg-subscribe') continue;
    const types = [...(result.get(n.id)?.keys() ?? [])];
    if (!types.length) continue;
    const seen = new Set<string>([n.id]);
    const queue = downstream(n, byId);
    while (queue.length) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const d = byId.get(id)!;
      if (ORIGINS.has(d.type)) continue; // emits its own types
      if (d.type.startsWith('mfg-')) for (const t of types) mark(id, t, 'wiring');
      queue.push(...downstream(d, byId));
    }
  }
  return result;
}

export interface CatalogUsageEntry {
  type: string;
  producers: Usage[];
  consumers: Usage[];
}

/** Per event type, the deployed nodes producing and consuming it. */
export function catalogUsage(nodes: NodeConfig[], observed?: Map<string, Set<string>>): Map<string, CatalogUsageEntry> {
  const byType = new Map<string, CatalogUsageEntry>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const [id, types] of eventTypesByNode(nodes, observed)) {
    const n = byId.get(id);
    if (!n) continue;
    const role: Role | undefined = PRODUCERS.has(n.type) ? 'producer' : CONSUMERS.has(n.type) ? 'consumer' : undefined;
    if (!role) continue;
    for (const [type, via] of types) {
      let e = byType.get(type);
      if (!e) byType.set(type, (e = { type, producers: [], consumers: [] }));
      const u: Usage = { id: n.id, type: n.type, role, via: [...via].sort() };
      if (n.name) u.name = n.name;
      if (n.z) u.flow = n.z;
      (role === 'producer' ? e.producers : e.consumers).push(u);
    }
  }
  return byType;
}

/** The catalog with owners, schemas, versions and deployed producers/consumers. */
export function governanceCatalog(nodes: NodeConfig[], observed?: Map<string, Set<string>>) {
  const usage = catalogUsage(nodes, observed);
  const eventTypes = catalog.all().map((e) => ({
    type: e.type, domain: e.domain, name: e.name, version: e.version, versions: catalog.versions(e.domain, e.name),
    title: e.title, description: e.description, owner: e.owner, isa95: e.isa95, dataschema: e.dataschema, schema: e.schema,
    producers: usage.get(e.type)?.producers ?? [], consumers: usage.get(e.type)?.consumers ?? [],
  }));
  const unknown = [...usage.values()].filter((u) => !catalog.get(u.type));
  return { generatedAt: new Date().toISOString(), eventTypes, unknownTypes: unknown };
}

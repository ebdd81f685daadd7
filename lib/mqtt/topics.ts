// MQTT topic filters: wildcard matching, shared-subscription prefixes, backbone topics.
import { parseType } from '../events/catalog';
import type { PlantProfile } from '../events/plant';
import { topicOf } from '../events/plant';

/** "$share/<group>/<filter>" -> "<filter>" (what received topics are matched against). */
export function stripShare(filter: string): string {
  const m = /^\$share\/[^/#+]+\/(.+)$/.exec(filter);
  return m ? m[1] : filter;
}

export function shared(group: string | undefined, filter: string): string {
  if (!group) return filter;
  if (!/^[^/#+]+$/.test(group)) throw new Error(`shared subscription group "${group}" may not contain "/", "+" or "#"`);
  return `$share/${group}/${filter}`;
}

/** Does `topic` match the MQTT filter (+ one level, # the rest)? Topics starting with $ need an explicit filter. */
export function matches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  if (topic.startsWith('$') && !filter.startsWith('$')) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Checks a filter the way a broker would, with a reason for the user. */
export function checkFilter(filter: string): string | undefined {
  if (!filter) return 'the topic filter is empty';
  const levels = stripShare(filter).split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return `"#" must be a whole last level in "${filter}"`;
    if (l.includes('+') && l !== '+') return `"+" must be a whole level in "${filter}"`;
  }
  return undefined;
}

/** Backbone topic of an event type: <ent>/<site>/<area>/<line>/events/<domain>/<object>/<action>. */
export function topicOfType(plant: PlantProfile, type: string): string {
  const p = parseType(type);
  if (!p) throw new Error(`event type "${type}" is not of the form mfg.<domain>.<object>.<action>.v<N>`);
  return topicOf(plant, p.domain, p.object, p.action);
}

/**
 * Filter for an event type pattern: "mfg.quality.*" or "mfg.production.order.released"
 * (the version suffix is ignored: all versions of a type share one topic).
 */
export function filterOfPattern(plant: PlantProfile, pattern: string): string {
  const m = /^mfg\.([a-z*]+)(?:\.([a-z*][a-z0-9-]*|\*))?(?:\.([a-z*][a-z0-9-]*|\*))?(?:\.v\d+)?$/.exec(pattern.trim());
  if (!m) throw new Error(`event type pattern "${pattern}" must look like mfg.<domain>.<object>.<action>, with * for any part`);
  const part = (x: string | undefined) => (!x || x === '*' ? '+' : x);
  const base = `${plant.enterprise}/${plant.site}/${plant.area}/${plant.line}/events`;
  if (m[1] === '*' && !m[2]) return `${base}/#`;
  if (!m[2] || (m[2] === '*' && (!m[3] || m[3] === '*'))) return `${base}/${part(m[1])}/#`;
  return `${base}/${part(m[1])}/${part(m[2])}/${part(m[3])}`;
}

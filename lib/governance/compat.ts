// Backward compatibility of a JSON Schema change for the consumers of an event type:
// data valid under the old schema must stay valid under the new one, and every field a
// consumer could rely on must still be there with the same meaning. Adding optional
// fields is compatible; removing fields, changing types, new required fields, narrowed
// enums and tightened constraints are not.

type Schema = Record<string, unknown>;

export interface Change {
  /** JSON path of the property, e.g. $.quantity.unit */
  path: string;
  kind: string;
  breaking: boolean;
  message: string;
}

export interface CompatReport {
  compatible: boolean;
  changes: Change[];
}

const TIGHTER_IF_SMALLER = ['maxLength', 'maxItems', 'maxProperties', 'maximum', 'exclusiveMaximum'];
const TIGHTER_IF_LARGER = ['minLength', 'minItems', 'minProperties', 'minimum', 'exclusiveMinimum'];
const EXACT = ['pattern', 'format', 'const', 'multipleOf', '$ref'];
const COMBINERS = ['oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else'];

export function checkCompatibility(oldSchema: unknown, newSchema: unknown): CompatReport {
  if (!isObj(oldSchema) || !isObj(newSchema)) throw new Error('both schemas must be JSON objects');
  const changes: Change[] = [];
  const ctx = { oldRoot: oldSchema, newRoot: newSchema, changes, depth: 0 };
  compare(ctx, '$', oldSchema, newSchema);
  return { compatible: !changes.some((c) => c.breaking), changes };
}

interface Ctx { oldRoot: Schema; newRoot: Schema; changes: Change[]; depth: number }

function add(ctx: Ctx, path: string, kind: string, breaking: boolean, message: string): void {
  ctx.changes.push({ path, kind, breaking, message });
}

function compare(ctx: Ctx, path: string, o0: Schema, n0: Schema): void {
  if (ctx.depth > 64) return add(ctx, path, 'too-deep', true, 'schema nesting deeper than 64 levels; not checked');
  const o = deref(ctx.oldRoot, o0);
  const n = deref(ctx.newRoot, n0);
  ctx.depth++;
  try {
    compareTypes(ctx, path, o, n);
    compareEnum(ctx, path, o, n);
    compareConstraints(ctx, path, o, n);
    compareProperties(ctx, path, o, n);
    if (isObj(o.items) && isObj(n.items)) compare(ctx, `${path}[]`, o.items, n.items);
    else if (isObj(o.items) !== isObj(n.items)) add(ctx, `${path}[]`, 'items-changed', true, 'array item schema added or removed');
  } finally {
    ctx.depth--;
  }
}

function compareTypes(ctx: Ctx, path: string, o: Schema, n: Schema): void {
  const a = types(o);
  const b = types(n);
  if (!a.length && !b.length) return;
  if (!b.length) return add(ctx, path, 'type-relaxed', true, `type constraint ${a.join('|')} removed: consumers may receive any type`);
  if (!a.length) return add(ctx, path, 'type-added', true, `type constraint ${b.join('|')} added: data valid before may be rejected`);
  const removed = a.filter((t) => !b.includes(t) && !(t === 'integer' && b.includes('number')));
  const added = b.filter((t) => !a.includes(t));
  if (removed.length || added.length) {
    add(ctx, path, 'type-changed', true, `type changed from ${a.join('|')} to ${b.join('|')}`);
  }
}

function compareEnum(ctx: Ctx, path: string, o: Schema, n: Schema): void {
  const a = Array.isArray(o.enum) ? o.enum.map((x) => JSON.stringify(x)) : undefined;
  const b = Array.isArray(n.enum) ? n.enum.map((x) => JSON.stringify(x)) : undefined;
  if (!a && !b) return;
  if (!a && b) return add(ctx, path, 'enum-added', true, `values restricted to ${b.join(', ')}`);
  if (a && !b) return add(ctx, path, 'enum-removed', false, 'value list removed: consumers may receive values they do not know');
  const gone = a!.filter((x) => !b!.includes(x));
  const fresh = b!.filter((x) => !a!.includes(x));
  if (gone.length) add(ctx, path, 'enum-narrowed', true, `values removed: ${gone.join(', ')}`);
  if (fresh.length) add(ctx, path, 'enum-widened', false, `values added: ${fresh.join(', ')} (consumers should handle unknown values)`);
}

function compareConstraints(ctx: Ctx, path: string, o: Schema, n: Schema): void {
  for (const k of TIGHTER_IF_SMALLER) limit(ctx, path, k, o[k], n[k], (x, y) => y < x);
  for (const k of TIGHTER_IF_LARGER) limit(ctx, path, k, o[k], n[k], (x, y) => y > x);
  for (const k of EXACT) {
    if (JSON.stringify(o[k]) === JSON.stringify(n[k])) continue;
    if (n[k] === undefined) add(ctx, path, `${k}-removed`, false, `${k} ${JSON.stringify(o[k])} removed (looser)`);
    else add(ctx, path, `${k}-changed`, true, `${k} ${o[k] === undefined ? 'added' : 'changed'}: ${JSON.stringify(n[k])}`);
  }
  for (const k of COMBINERS) {
    if (JSON.stringify(o[k]) !== JSON.stringify(n[k])) add(ctx, path, `${k}-changed`, true, `${k} changed: compatibility cannot be proven`);
  }
  const apO = o.additionalProperties;
  const apN = n.additionalProperties;
  if (apO !== false && apN === false) add(ctx, path, 'closed', true, 'additional properties are no longer allowed');
  else if (isObj(apO) && isObj(apN)) compare(ctx, `${path}{*}`, apO, apN);
}

function limit(ctx: Ctx, path: string, k: string, a: unknown, b: unknown, tighter: (x: number, y: number) => boolean): void {
  if (a === b) return;
  if (typeof b === 'number' && (typeof a !== 'number' || tighter(a, b))) add(ctx, path, `${k}-tightened`, true, `${k} ${a === undefined ? 'added' : `${a} ->`} ${b}`);
  else add(ctx, path, `${k}-loosened`, false, `${k} ${a} -> ${b === undefined ? 'none' : b}`);
}

function compareProperties(ctx: Ctx, path: string, o: Schema, n: Schema): void {
  const po = isObj(o.properties) ? (o.properties as Record<string, Schema>) : {};
  const pn = isObj(n.properties) ? (n.properties as Record<string, Schema>) : {};
  const ro = Array.isArray(o.required) ? (o.required as string[]) : [];
  const rn = Array.isArray(n.required) ? (n.required as string[]) : [];
  for (const name of Object.keys(po)) {
    const p = `${path}.${name}`;
    if (!(name in pn)) add(ctx, p, 'removed', true, `field removed${ro.includes(name) ? ' (it was required)' : ''}`);
    else compare(ctx, p, po[name], pn[name]);
  }
  for (const name of Object.keys(pn)) {
    if (name in po) continue;
    const req = rn.includes(name);
    add(ctx, `${path}.${name}`, req ? 'added-required' : 'added-optional', req, req ? 'new required field: data of producers on the old schema is rejected' : 'new optional field');
  }
  for (const name of rn) {
    if (!ro.includes(name) && name in po) add(ctx, `${path}.${name}`, 'now-required', true, 'optional field became required');
  }
  for (const name of ro) {
    if (!rn.includes(name) && name in pn) add(ctx, `${path}.${name}`, 'now-optional', true, 'required field became optional: consumers relying on it may not get it');
  }
}

function types(s: Schema): string[] {
  const t = s.type;
  const list = Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : [];
  if (!list.length && s.const !== undefined) return [];
  return list.sort();
}

/** Follows a local $ref (#/$defs/x, #/definitions/x) into the same document. */
function deref(root: Schema, s: Schema): Schema {
  let cur = s;
  for (let i = 0; i < 16 && typeof cur.$ref === 'string' && cur.$ref.startsWith('#'); i++) {
    const parts = cur.$ref.slice(1).split('/').filter(Boolean).map((p) => decodeURIComponent(p.replace(/~1/g, '/').replace(/~0/g, '~')));
    let t: unknown = root;
    for (const p of parts) t = isObj(t) ? t[p] : undefined;
    if (!isObj(t)) break;
    const { $ref: _r, ...rest } = cur;
    cur = { ...t, ...rest };
  }
  return cur;
}

function isObj(x: unknown): x is Schema {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A readable report, one line per change. */
export function formatReport(r: CompatReport, oldName = 'old', newName = 'new'): string {
  const lines = [`${newName} is ${r.compatible ? '' : 'NOT '}backward compatible with ${oldName} for consumers.`];
  const breaking = r.changes.filter((c) => c.breaking);
  const other = r.changes.filter((c) => !c.breaking);
  if (breaking.length) lines.push('', `Breaking changes (${breaking.length}):`, ...breaking.map((c) => `  x ${c.path}: ${c.message}`));
  if (other.length) lines.push('', `Compatible changes (${other.length}):`, ...other.map((c) => `  + ${c.path}: ${c.message}`));
  if (!r.changes.length) lines.push('No changes found.');
  if (!r.compatible) lines.push('', 'Publish this as a new event type version (…v<N+1>) and keep the old one beside it.');
  return lines.join('\n');
}

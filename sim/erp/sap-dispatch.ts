// Request dispatch of the SAP OData v2 services: entity sets, keys, navigations, function
// imports, PATCH/MERGE with If-Match, query options; errors as SAP error replies.
import type { Ctx, Reply, SimRequest } from '../http/types';
import { HttpError } from '../http/types';
import { parseKey, query } from './odata';
import { sapError, Schema } from './sap-common';
import type { SubRequest } from './sap-batch';
import { ErpError } from './state';

export type Row = Record<string, unknown>;
export interface SetDef {
  keys: string[];
  schema?: Schema;
  list: (base: string) => Row[];
  navs?: Record<string, (base: string, row: Row) => Row[]>;
  create?: (body: unknown, r: SimRequest, ctx: Ctx, base: string) => Row;
  /** PATCH/MERGE of one entity, guarded by If-Match. */
  update?: (row: Row, body: unknown, ctx: Ctx) => void;
}
export interface Service { sets: Record<string, SetDef>; functions?: Record<string, (p: Record<string, string>, ctx: Ctx, base: string) => unknown> }

/** ErpError/HttpError -> the SAP error reply (a $batch part needs the reply, not a throw). */
export function safe(fn: () => Reply): Reply {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ErpError) return sapError(e.kind === 'not-found' ? 404 : 400, e.code, e.message, [{ code: e.code, message: e.message, target: e.target }]);
    if (e instanceof HttpError) return sapError(e.status, e.code || `SY/${e.status}`, e.message, Array.isArray(e.details) ? e.details : []);
    throw e;
  }
}

export function subRequest(outer: SimRequest, s: SubRequest): SimRequest {
  const raw = Buffer.from(s.body);
  return {
    method: s.method, path: outer.path.replace(/\$batch$/, s.rest), query: s.query, headers: { ...outer.headers, ...s.headers }, raw,
    params: { service: outer.params.service, rest: s.rest }, req: outer.req,
    json() {
      if (!raw.length) throw new HttpError(400, 'Request body is empty; a JSON document is expected', '/IWBEP/CM_MGW_RT/000');
      try { return JSON.parse(s.body); } catch (e) { throw new HttpError(400, `Request body is not valid JSON: ${(e as Error).message}`, '/IWBEP/CM_MGW_RT/000'); }
    },
  };
}

export function dispatch(svc: Service, r: SimRequest, ctx: Ctx, base: string): Reply {
  const rest = r.params.rest || '';
  const reading = r.method === 'GET' || r.method === 'HEAD';
  if (rest === '') return { status: 200, body: { d: { EntitySets: Object.keys(svc.sets) } } };
  if (rest === '$metadata') {
    const sets = Object.keys(svc.sets).map((s) => `<EntitySet Name="${s}" EntityType="${s}Type"/>`).join('');
    return { status: 200, headers: { 'Content-Type': 'application/xml' }, body: `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx"><edmx:DataServices><Schema><EntityContainer>${sets}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>` };
  }
  const fn = svc.functions?.[rest];
  if (fn) {
    if (r.method !== 'POST') throw new HttpError(405, `Function import ${rest} must be called with POST`, '/IWBEP/CM_MGW_RT/004');
    const params: Record<string, string> = {};
    for (const [k, v] of r.query) if (!k.startsWith('$') && k !== 'sap-client') params[k] = v.replace(/^'(.*)'$/, '$1').replace(/^datetime'(.*)'$/, '$1');
    return { status: 200, body: { d: fn(params, ctx, base) } };
  }
  const m = /^(?<set>[A-Za-z0-9_]+)(?<key>\(.*\))?(?:\/(?<nav>[A-Za-z0-9_]+))?$/.exec(rest);
  const set = m && svc.sets[m.groups!.set];
  if (!m || !set) throw new HttpError(404, `Resource not found for segment '${rest.split('(')[0]}'`, '/IWBEP/CM_MGW_RT/021');
  const { key, nav } = m.groups as { key?: string; nav?: string };
  const method = r.method === 'POST' && r.headers['x-http-method'] ? String(r.headers['x-http-method']).toUpperCase() : r.method;
  if ((method === 'PATCH' || method === 'MERGE' || method === 'PUT') && key && set.update) {
    const k = parseKey(key);
    const row = set.list(base).find((x) => (k[''] !== undefined ? String(x[set.keys[0]]) === k[''] : Object.entries(k).every(([kk, v]) => String(x[kk]) === v)));
    if (!row) throw new HttpError(404, `Resource not found for segment '${m.groups!.set}'`, '/IWBEP/CM_MGW_RT/021');
    const etag = (row.__metadata as { etag?: string }).etag;
    const ifMatch = r.headers['if-match'];
    if (!ifMatch) throw new HttpError(428, 'Precondition required: send If-Match with the ETag of the entity', '/IWBEP/CM_MGW_RT/024');
    if (ifMatch !== '*' && ifMatch !== etag) throw new HttpError(412, 'The entity was changed in the meantime (ETag mismatch)', '/IWBEP/CM_MGW_RT/022');
    set.update(row, r.json(), ctx);
    const after = set.list(base).find((x) => x.__metadata && (x.__metadata as { uri: string }).uri === (row.__metadata as { uri: string }).uri);
    return { status: 204, headers: { ETag: String((after?.__metadata as { etag?: string } | undefined)?.etag || '') } };
  }
  if (!reading) {
    if (r.method !== 'POST' || key || !set.create) throw new HttpError(405, `Method ${r.method} is not allowed on ${rest}`, '/IWBEP/CM_MGW_RT/004');
    const row = set.create(r.json(), r, ctx, base);
    const meta = row.__metadata as { uri: string };
    return { status: 201, headers: { Location: meta.uri }, body: { d: row } };
  }
  const all = set.list(base);
  const expand = (row: Row): Row => {
    const exp = (r.query.get('$expand') || '').split(',').map((s) => s.trim()).filter(Boolean);
    const out = { ...row };
    for (const n of exp) {
      if (!set.navs?.[n]) throw new HttpError(400, `Navigation property ${n} not found`, '/IWBEP/CM_MGW_RT/022');
      out[n] = { results: set.navs[n](base, row) };
    }
    return out;
  };
  if (key) {
    const k = parseKey(key);
    const row = all.find((x) => (k[''] !== undefined ? String(x[set.keys[0]]) === k[''] : Object.entries(k).every(([kk, v]) => String(x[kk]) === v)));
    if (!row) throw new HttpError(404, `Resource not found for segment '${m.groups!.set}'`, '/IWBEP/CM_MGW_RT/021');
    if (nav) {
      if (!set.navs?.[nav]) throw new HttpError(404, `Navigation property ${nav} not found`, '/IWBEP/CM_MGW_RT/022');
      return { status: 200, body: { d: { results: set.navs[nav](base, row) } } };
    }
    const etag = (row.__metadata as { etag?: string }).etag;
    return { status: 200, headers: etag ? { ETag: etag } : {}, body: { d: expand(row) } };
  }
  const props = new Set([...set.keys, ...Object.keys(set.schema || {}), ...(all.length ? Object.keys(all[0]) : [])]);
  const { rows, count } = query(all, r.query, [...props]);
  const d: Record<string, unknown> = { results: rows.map(expand) };
  if (r.query.get('$inlinecount') === 'allpages') d.__count = String(count);
  if (r.query.has('$count') || rest.endsWith('/$count')) return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: String(count) };
  return { status: 200, body: { d } };
}

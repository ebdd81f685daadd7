// OData query helpers shared by the v2 (SAP) and v4 (D365) surfaces: key predicates,
// $filter (a recursive-descent parser over the formatted rows), paging and $select.
import { HttpError } from '../http/types';

type Row = Record<string, unknown>;
type Pred = (row: Row) => boolean;

/** "(A='1',B='2')" or "('1')" -> {A:'1',B:'2'} or {'':'1'}. */
export function parseKey(pred: string): Record<string, string> {
  const inner = pred.replace(/^\(/, '').replace(/\)$/, '');
  const out: Record<string, string> = {};
  const re = /(?:([A-Za-z_][A-Za-z0-9_]*)=)?(?:'((?:[^']|'')*)'|guid'([^']*)'|([^,]+))(?:,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(inner)) && m[0]) out[m[1] || ''] = m[2] !== undefined ? m[2].replace(/''/g, "'") : (m[3] ?? m[4] ?? '').trim();
  return out;
}

interface Tok { t: 'str' | 'num' | 'id' | 'op' | '(' | ')' | ',' | 'lit'; v: string }

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ') { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { out.push({ t: c as '(' | ')' | ',', v: c }); i++; continue; }
    if (c === "'") {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= s.length) throw new HttpError(400, `Unterminated string in $filter at ${i}`, 'FILTER');
        if (s[j] === "'" && s[j + 1] === "'") { v += "'"; j += 2; continue; }
        if (s[j] === "'") break;
        v += s[j++];
      }
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    const m = /^(-?\d+(?:\.\d+)?[mMdDfFlL]?)(?![A-Za-z_'])/.exec(s.slice(i));
    if (m) { out.push({ t: 'num', v: m[1].replace(/[mMdDfFlL]$/, '') }); i += m[1].length; continue; }
    const w = /^[A-Za-z_][A-Za-z0-9_./]*/.exec(s.slice(i));
    if (w) {
      const word = w[0];
      i += word.length;
      if (s[i] === "'") {
        // typed literal: guid'..', datetime'..', datetimeoffset'..', Namespace.Enum'..'
        const end = s.indexOf("'", i + 1);
        if (end < 0) throw new HttpError(400, `Unterminated literal in $filter at ${i}`, 'FILTER');
        const raw = s.slice(i + 1, end);
        i = end + 1;
        if (/^datetime/i.test(word)) out.push({ t: 'lit', v: `date:${Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(raw) ? raw : raw + 'Z')}` });
        else out.push({ t: 'str', v: word.toLowerCase() === 'guid' ? raw.toLowerCase() : raw });
        continue;
      }
      if (['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not'].includes(word)) out.push({ t: 'op', v: word });
      else if (word === 'true' || word === 'false' || word === 'null') out.push({ t: 'lit', v: word });
      else out.push({ t: 'id', v: word });
      continue;
    }
    throw new HttpError(400, `Invalid $filter near "${s.slice(i, i + 12)}"`, 'FILTER');
  }
  return out;
}

/** Comparable value: /Date(ms)/ and ISO dates to ms, numeric strings to numbers. */
function norm(v: unknown): unknown {
  if (typeof v === 'string') {
    const d = /^\/Date\((-?\d+)(?:[+-]\d+)?\)\/$/.exec(v);
    if (d) return Number(d[1]);
    if (/^-?\d+(\.\d+)?$/.test(v) && !/^0\d/.test(v)) return Number(v);
    if (/^\d{4}-\d\d-\d\dT/.test(v)) return Date.parse(v);
    return v.toLowerCase();
  }
  return v;
}

export function compileFilter(expr: string, known: (name: string) => boolean): Pred {
  const toks = tokenize(expr);
  let p = 0;
  const peek = () => toks[p];
  const take = (t?: string) => {
    const k = toks[p++];
    if (!k || (t && k.t !== t && k.v !== t)) throw new HttpError(400, `Invalid $filter: expected ${t || 'a term'} at token ${p}`, 'FILTER');
    return k;
  };
  type Val = (row: Row) => unknown;
  const value = (): Val => {
    const k = take();
    if (k.t === 'str' || k.t === 'num') { const v = norm(k.v); return () => v; }
    if (k.t === 'lit') {
      if (k.v.startsWith('date:')) { const n = Number(k.v.slice(5)); return () => n; }
      const v = k.v === 'null' ? null : k.v === 'true'; return () => v;
    }
    if (k.t === 'id') {
      if (peek() && peek().t === '(') {
        take('(');
        const args: Val[] = [value()];
        while (peek() && peek().t === ',') { take(','); args.push(value()); }
        take(')');
        const fn = k.v.toLowerCase();
        const s = (v: unknown) => String(v ?? '').toLowerCase();
        if (fn === 'substringof') return (r) => s(args[1](r)).includes(s(args[0](r)));
        if (fn === 'contains') return (r) => s(args[0](r)).includes(s(args[1](r)));
        if (fn === 'startswith') return (r) => s(args[0](r)).startsWith(s(args[1](r)));
        if (fn === 'endswith') return (r) => s(args[0](r)).endsWith(s(args[1](r)));
        throw new HttpError(400, `Function ${k.v} is not supported in $filter`, 'FILTER');
      }
      if (!known(k.v)) throw new HttpError(400, `Property ${k.v} not found in $filter`, 'FILTER');
      return (r) => norm(r[k.v]);
    }
    throw new HttpError(400, `Invalid $filter near token ${p}`, 'FILTER');
  };
  const cmp = (): Pred => {
    if (peek() && peek().v === 'not') { take(); const inner = cmp(); return (r) => !inner(r); }
    if (peek() && peek().t === '(') {
      const save = p;
      take('(');
      try {
        const e = or();
        take(')');
        return e;
      } catch { p = save; }
    }
    const a = value();
    if (!peek() || peek().t !== 'op' || ['and', 'or'].includes(peek().v)) return (r) => a(r) === true;
    const op = take().v;
    const b = value();
    return (r) => {
      const x = a(r) as number | string;
      const y = b(r) as number | string;
      switch (op) {
        case 'eq': return x === y;
        case 'ne': return x !== y;
        case 'gt': return x > y;
        case 'ge': return x >= y;
        case 'lt': return x < y;
        case 'le': return x <= y;
      }
      return false;
    };
  };
  const and = (): Pred => {
    let l = cmp();
    while (peek() && peek().v === 'and') { take(); const a = l; const b = cmp(); l = (r) => a(r) && b(r); }
    return l;
  };
  const or = (): Pred => {
    let l = and();
    while (peek() && peek().v === 'or') { take(); const a = l; const b = and(); l = (r) => a(r) || b(r); }
    return l;
  };
  const pred = or();
  if (p < toks.length) throw new HttpError(400, `Invalid $filter: unexpected "${toks[p].v}"`, 'FILTER');
  return pred;
}

/** Applies $filter, $orderby (one key), $skip, $top and $select to formatted rows. */
export function query(rows: Row[], q: URLSearchParams, props: string[]): { rows: Row[]; count: number } {
  const known = (n: string) => props.includes(n);
  let out = rows;
  const filter = q.get('$filter');
  if (filter) out = out.filter(compileFilter(filter, known));
  const count = out.length;
  const order = q.get('$orderby');
  if (order) {
    const [f, dir] = order.trim().split(/\s+/);
    if (!known(f)) throw new HttpError(400, `Property ${f} not found in $orderby`, 'ORDERBY');
    const sign = dir === 'desc' ? -1 : 1;
    out = [...out].sort((a, b) => ((norm(a[f]) as number) > (norm(b[f]) as number) ? sign : (norm(a[f]) as number) < (norm(b[f]) as number) ? -sign : 0));
  }
  const skip = Number(q.get('$skip') || 0);
  const top = q.get('$top');
  if (!Number.isInteger(skip) || skip < 0) throw new HttpError(400, '$skip must be a non-negative integer', 'PAGING');
  out = out.slice(skip, top !== null ? skip + Number(top) : undefined);
  const select = q.get('$select');
  if (select) {
    const fields = select.split(',').map((s) => s.trim()).filter(Boolean);
    for (const f of fields) if (!known(f) && !f.startsWith('to_')) throw new HttpError(400, `Property ${f} not found in $select`, 'SELECT');
    out = out.map((r) => {
      const o: Row = {};
      for (const [k, v] of Object.entries(r)) if (fields.includes(k) || k.startsWith('__') || k.startsWith('@odata')) o[k] = v;
      return o;
    });
  }
  return { rows: out, count };
}

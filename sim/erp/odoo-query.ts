// Odoo reads: domains (prefix &, |, ! and [field, op, value] leaves, one level of dotted
// many2one paths) and field projection with many2one as [id, "display name"].
import { valueError } from './odoo-error';
import { FIELDS, OdooData, Rec } from './odoo-models';

export function project(data: OdooData, model: string, rec: Rec, fields?: string[]): Record<string, unknown> {
  const defs = FIELDS[model];
  const names = fields && fields.length ? fields : Object.keys(defs);
  const out: Record<string, unknown> = { id: rec.id };
  for (const f of names) {
    const t = defs[f];
    if (!t) throw valueError(`Invalid field '${f}' on model '${model}'`);
    const v = rec[f];
    if (t.startsWith('m2o:')) {
      if (!v) { out[f] = false; continue; }
      const target = data.records(t.slice(4)).find((x) => x.id === Number(v));
      out[f] = target ? [target.id, String(target.display_name ?? target.name ?? target.id)] : false;
    } else if (f === 'display_name' && v === undefined) out[f] = rec.name ?? String(rec.id);
    else out[f] = v === undefined ? false : v;
  }
  return out;
}

export function search(data: OdooData, model: string, all: Rec[], domain: unknown, offset?: unknown, limit?: unknown, order?: unknown): Rec[] {
  if (!Array.isArray(domain)) throw valueError('Invalid domain: a list is expected');
  const pred = compileDomain(data, model, domain);
  let out = all.filter(pred);
  if (typeof order === 'string' && order) {
    const [f, dir] = order.split(',')[0].trim().split(/\s+/);
    const s = dir && dir.toLowerCase() === 'desc' ? -1 : 1;
    out = [...out].sort((a, b) => ((a[f] as number) > (b[f] as number) ? s : (a[f] as number) < (b[f] as number) ? -s : 0));
  }
  const off = Number(offset || 0);
  return out.slice(off, limit ? off + Number(limit) : undefined);
}

function compileDomain(data: OdooData, model: string, domain: unknown[]): (r: Rec) => boolean {
  let i = 0;
  const term = (): ((r: Rec) => boolean) => {
    const t = domain[i++];
    if (t === '&' || t === '|') { const a = term(); const b = term(); return t === '&' ? (r) => a(r) && b(r) : (r) => a(r) || b(r); }
    if (t === '!') { const a = term(); return (r) => !a(r); }
    if (!Array.isArray(t) || t.length !== 3) throw valueError(`Invalid leaf ${JSON.stringify(t)}`);
    const [path, op, value] = t as [string, string, unknown];
    const [field, sub] = String(path).split('.');
    const type = FIELDS[model][field];
    if (!type) throw valueError(`Invalid field ${model}.${path} in leaf ${JSON.stringify(t)}`);
    const get = (r: Rec): unknown => {
      const v = r[field];
      if (!type.startsWith('m2o:')) return v;
      if (!v) return false;
      if (!sub && typeof value !== 'string') return Number(v);
      const target = data.records(type.slice(4)).find((x) => x.id === Number(v));
      return sub ? target?.[sub] : String(target?.display_name ?? target?.name ?? '');
    };
    return (r) => {
      const v = get(r);
      const s = (x: unknown) => String(x ?? '').toLowerCase();
      switch (op) {
        case '=': case '==': return v === value || (value === false && (v === '' || v === false || v === undefined)) || (typeof value === 'string' && type.startsWith('m2o:') && !sub ? s(v).includes(s(value)) : false);
        case '!=': case '<>': return v !== value;
        case '>': return (v as number) > (value as number);
        case '>=': return (v as number) >= (value as number);
        case '<': return (v as number) < (value as number);
        case '<=': return (v as number) <= (value as number);
        case 'in': return Array.isArray(value) && value.includes(v as never);
        case 'not in': return Array.isArray(value) && !value.includes(v as never);
        case 'like': return String(v ?? '').includes(String(value));
        case 'ilike': return s(v).includes(s(value));
        case '=like': return new RegExp(`^${String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`).test(String(v ?? ''));
        case '=ilike': return new RegExp(`^${String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 'i').test(String(v ?? ''));
      }
      throw valueError(`Invalid operator ${op}`);
    };
  };
  const terms: Array<(r: Rec) => boolean> = [];
  while (i < domain.length) terms.push(term());
  return (r) => terms.every((f) => f(r));
}

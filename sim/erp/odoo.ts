// Odoo JSON-RPC surface (/jsonrpc): common.login/version and object.execute_kw on
// products, locations, lots, quants, manufacturing orders, pickings and moves. Errors
// come back with HTTP 200 and an "error" member, as Odoo answers them.
import type { SimServer } from '../http/server';
import type { Ctx, Reply, SimRequest } from '../http/types';
import type { ErpConfig } from './index';
import { OdooError, userError, valueError } from './odoo-error';
import { FIELDS, LOCATIONS, OdooData, odooDate, PICKING_TYPES, Rec } from './odoo-models';
import { project, search } from './odoo-query';
import { ErpError, ErpState, MovementItem } from './state';

function rpcError(id: unknown, e: OdooError, status = 200): Reply {
  return {
    status,
    body: {
      jsonrpc: '2.0', id: id ?? null,
      error: {
        code: e.code, message: e.code === 100 ? 'Odoo Session Expired' : 'Odoo Server Error',
        data: { name: e.exc, debug: `Traceback (most recent call last):\n  File "/usr/lib/python3/dist-packages/odoo/http.py", line 1770, in _serve_db\n${e.exc}: ${e.message}\n`, message: e.message, arguments: [e.message], context: {} },
      },
    },
  };
}

export function mountOdoo(server: SimServer, state: ErpState, cfg: ErpConfig): void {
  const data = new OdooData(state);
  server.onReset(() => data.reset());
  server.surface('/jsonrpc', 'odoo', (status, _code, message) => rpcError(null, new OdooError(status === 503 ? 'werkzeug.exceptions.ServiceUnavailable' : status === 429 ? 'werkzeug.exceptions.TooManyRequests' : 'builtins.Exception', message), status));

  server.route('POST', '/jsonrpc', (r: SimRequest, ctx: Ctx): Reply => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(r.raw.toString('utf8'));
    } catch {
      return rpcError(null, new OdooError('werkzeug.exceptions.BadRequest', 'Invalid JSON data'));
    }
    const id = body?.id;
    try {
      const p = (body?.params || {}) as { service?: string; method?: string; args?: unknown[] };
      const args = Array.isArray(p.args) ? p.args : [];
      if (p.service === 'common') {
        if (p.method === 'version') return ok(id, { server_version: '17.0', server_version_info: [17, 0, 0, 'final', 0, ''], server_serie: '17.0', protocol_version: 1 });
        if (p.method === 'login' || p.method === 'authenticate') {
          checkDb(args[0]);
          return ok(id, args[1] === cfg.odooLogin && args[2] === cfg.odooPassword ? 2 : false);
        }
        throw new OdooError('builtins.NameError', `Method not available ${p.method}`);
      }
      if (p.service !== 'object' || p.method !== 'execute_kw' && p.method !== 'execute') throw new OdooError('builtins.NameError', `Service or method not available: ${p.service}.${p.method}`);
      const [db, uid, password, model, method, pos, kw] = args as [string, number, string, string, string, unknown[], Record<string, unknown>];
      checkDb(db);
      if (uid !== 2 || password !== cfg.odooPassword) throw new OdooError('odoo.exceptions.AccessDenied', 'Access Denied');
      return ok(id, call(String(model), String(method), Array.isArray(pos) ? pos : [], kw && typeof kw === 'object' ? kw : {}, ctx));
    } catch (e) {
      if (e instanceof OdooError) return rpcError(id, e);
      if (e instanceof ErpError) return rpcError(id, userError(e.message));
      throw e;
    }
  });

  // Odoo 19 JSON-2: POST /json/2/<model>/<method>, bearer API key, named arguments,
  // the result as the body and real HTTP statuses for errors.
  server.surface('/json/2/', 'odoo', (status, _code, message) => ({ status, body: { name: status === 503 ? 'werkzeug.exceptions.ServiceUnavailable' : status === 429 ? 'werkzeug.exceptions.TooManyRequests' : status === 404 ? 'werkzeug.exceptions.NotFound' : 'builtins.Exception', message, arguments: [message], context: {}, debug: '' } }));
  server.route('POST', '/json/2/:model/:method', (r: SimRequest, ctx: Ctx): Reply => {
    const fail = (status: number, e: OdooError): Reply => ({ status, body: { name: e.exc, message: e.message, arguments: [e.message], context: {}, debug: '' } });
    const auth = String(r.headers.authorization || '');
    if (!/^bearer /i.test(auth) || auth.slice(7) !== cfg.odooApiKey) return fail(401, new OdooError('werkzeug.exceptions.Unauthorized', 'Invalid apikey'));
    const db = r.headers['x-odoo-database'];
    if (db !== undefined && db !== cfg.odooDb) return fail(404, new OdooError('werkzeug.exceptions.NotFound', `Database ${db} not found`));
    let b: Record<string, unknown>;
    try {
      b = r.raw.length ? JSON.parse(r.raw.toString('utf8')) : {};
      if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new Error('a JSON object is expected');
    } catch (e) {
      return fail(400, new OdooError('werkzeug.exceptions.BadRequest', `Invalid JSON body: ${(e as Error).message}`));
    }
    const { ids, context, ...named } = b;
    const method = r.params.method;
    const args: unknown[] = [];
    if (ids !== undefined) args.push(ids);
    if (method === 'write') args.push(named.vals);
    if (method === 'create') args.push(named.vals_list ?? named.vals);
    try {
      return { status: 200, body: call(r.params.model, method, args, { ...named, context: context || {} }, ctx) };
    } catch (e) {
      const err = e instanceof ErpError ? userError(e.message) : e;
      if (!(err instanceof OdooError)) throw e;
      const status = /AccessDenied/.test(err.exc) ? 401 : /AccessError/.test(err.exc) ? 403 : /MissingError|KeyError/.test(err.exc) ? 404 : /UserError|ValidationError/.test(err.exc) ? 422 : /ValueError|AttributeError/.test(err.exc) ? 400 : 500;
      return fail(status, err);
    }
  });

  function checkDb(db: unknown) {
    if (db !== cfg.odooDb) throw new OdooError('psycopg2.OperationalError', `connection to server failed: FATAL:  database "${db}" does not exist`);
  }

  function call(model: string, method: string, args: unknown[], kw: Record<string, unknown>, ctx: Ctx): unknown {
    const fields = FIELDS[model];
    if (!fields) throw new OdooError('builtins.KeyError', `'${model}'`);
    if (method.startsWith('_')) throw new OdooError('odoo.exceptions.AccessError', `Private methods (such as '${model}.${method}') cannot be called remotely.`);
    const recs = () => data.records(model);
    const byIds = (ids: unknown): Rec[] => {
      const list = (Array.isArray(ids) ? ids : [ids]).map(Number);
      const all = recs();
      return list.map((i) => {
        const rec = all.find((x) => x.id === i);
        if (!rec) throw new OdooError('odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: ${model}(${i},), User: 2)`);
        return rec;
      });
    };
    const context = (kw.context || {}) as Record<string, unknown>;
    switch (method) {
      case 'search_read': {
        const found = search(data, model, recs(), args[0] ?? kw.domain ?? [], kw.offset ?? args[2], kw.limit ?? args[3], kw.order ?? args[4]);
        return found.map((rec) => project(data, model, rec, (kw.fields ?? args[1]) as string[] | undefined));
      }
      case 'search': return search(data, model, recs(), args[0] ?? kw.domain ?? [], kw.offset ?? args[1], kw.limit ?? args[2], kw.order ?? args[3]).map((x) => x.id);
      case 'search_count': return search(data, model, recs(), args[0] ?? kw.domain ?? []).length;
      case 'read': return byIds(args[0] ?? kw.ids).map((rec) => project(data, model, rec, (kw.fields ?? args[1]) as string[] | undefined));
      case 'fields_get': return Object.fromEntries(Object.entries(fields).map(([k, t]) => [k, { type: t.split(':')[0].replace('m2o', 'many2one').replace('o2m', 'one2many'), string: k }]));
      case 'create': {
        const list = Array.isArray(args[0]) ? args[0] : [args[0] ?? kw.vals_list ?? kw.vals];
        const ids = list.map((v) => create(model, v as Record<string, unknown>, ctx));
        return Array.isArray(args[0]) ? ids : ids[0];
      }
      case 'write': {
        const vals = (args[1] ?? kw.vals) as Record<string, unknown>;
        checkVals(model, vals, ['qty_producing', 'lot_producing_id', 'origin', 'quantity', 'lot_id', 'product_uom_qty', 'x_idempotency_key', 'scheduled_date', 'date_start']);
        for (const rec of byIds(args[0])) {
          if (!['mrp.production', 'stock.picking', 'stock.move'].includes(model)) throw new OdooError('odoo.exceptions.AccessError', `You are not allowed to modify '${model}' records.`);
          if (rec.state === 'done') throw userError(`You cannot modify ${rec.name}: it is done.`);
          Object.assign(rec, vals);
        }
        return true;
      }
      case 'unlink': throw userError(`You cannot delete ${model} records through this API.`);
      case 'action_confirm': {
        for (const rec of byIds(args[0])) {
          if (model !== 'mrp.production' && model !== 'stock.picking') throw new OdooError('builtins.AttributeError', `'${model}' object has no attribute 'action_confirm'`);
          if (rec.state === 'draft') setState(rec, model === 'stock.picking' ? 'assigned' : 'confirmed');
        }
        return true;
      }
      case 'action_assign': {
        for (const rec of byIds(args[0])) if (rec.state === 'draft' || rec.state === 'confirmed') setState(rec, 'assigned');
        return true;
      }
      case 'button_validate': {
        if (model !== 'stock.picking') throw new OdooError('builtins.AttributeError', `'${model}' object has no attribute 'button_validate'`);
        for (const rec of byIds(args[0])) validatePicking(rec, ctx);
        return true;
      }
      case 'button_mark_done': {
        if (model !== 'mrp.production') throw new OdooError('builtins.AttributeError', `'${model}' object has no attribute 'button_mark_done'`);
        const mos = byIds(args[0]);
        const partial = mos.find((mo) => mo.state !== 'done' && Number(mo.qty_producing) > 0 && Number(mo.qty_producing) < Number(mo.product_qty));
        if (partial && context.skip_backorder !== true) {
          return { name: 'Create Backorder?', type: 'ir.actions.act_window', res_model: 'mrp.production.backorder', views: [[false, 'form']], target: 'new', context: { default_mrp_production_ids: mos.map((m) => m.id) } };
        }
        for (const mo of mos) markDone(mo, ctx);
        return true;
      }
    }
    throw new OdooError('builtins.AttributeError', `The method '${method}' does not exist on the model '${model}'`);
  }

  function checkVals(model: string, vals: unknown, writable?: string[]): void {
    if (!vals || typeof vals !== 'object' || Array.isArray(vals)) throw valueError(`Expected a dictionary of values for ${model}`);
    for (const k of Object.keys(vals)) {
      if (!FIELDS[model][k]) throw valueError(`Invalid field '${k}' on model '${model}'`);
      if (writable && !writable.includes(k)) throw userError(`Field '${k}' of '${model}' cannot be written through this API.`);
    }
  }

  function setState(rec: Rec, st: string) {
    rec.state = st;
    for (const k of ['move_raw_ids', 'move_finished_ids', 'move_ids']) for (const mid of (rec[k] as number[] | undefined) || []) {
      const mv = data.moves.find((m) => m.id === mid);
      if (mv && mv.state !== 'done') mv.state = st;
    }
  }

  function create(model: string, vals: Record<string, unknown>, ctx: Ctx): number {
    checkVals(model, vals);
    if (model === 'stock.lot') {
      const product = data.products.keyOf(Number(vals.product_id));
      if (!product || !vals.name) throw valueError('A lot needs a name and a product_id');
      return data.lots.of(`${product}|${vals.name}`);
    }
    if (model === 'mrp.production') {
      const material = data.products.keyOf(Number(vals.product_id));
      if (!material) throw valueError('product_id: a valid product is required');
      const qty = Number(vals.product_qty ?? 1);
      const order = state.createOrder({ material, plant: '1710', qty, text: String(vals.origin || '') });
      state.releaseOrder(order.order);
      const mo = data.newProduction({ ...vals, product_qty: qty, state: 'draft' }, order.order);
      data.productions.push(mo);
      ctx.book('mrp-production', (vals.x_idempotency_key as string) || (vals.origin as string) || null, mo.name as string);
      return mo.id;
    }
    if (model === 'stock.picking') {
      const type = PICKING_TYPES.find((t) => t.id === Number(vals.picking_type_id ?? 5));
      if (!type) throw valueError('picking_type_id: unknown operation type');
      const id = data.seq.pick++;
      const pick: Rec = {
        id, name: `${type.seq}${String(id).padStart(5, '0')}`, picking_type_id: type.id, location_id: Number(vals.location_id ?? 8), location_dest_id: Number(vals.location_dest_id ?? 8),
        origin: vals.origin || '', state: 'draft', move_ids: [], date_done: false, scheduled_date: odooDate(Date.now()), x_idempotency_key: vals.x_idempotency_key || '',
      };
      for (const cmd of (vals.move_ids || vals.move_ids_without_package || []) as unknown[]) {
        if (!Array.isArray(cmd) || cmd[0] !== 0 || typeof cmd[2] !== 'object') throw valueError('move_ids expects create commands [0, 0, {values}]');
        const mv = cmd[2] as Record<string, unknown>;
        checkVals('stock.move', mv);
        (pick.move_ids as number[]).push(data.addMove({
          name: mv.name || pick.name, product_id: Number(mv.product_id), product_uom_qty: Number(mv.product_uom_qty ?? 0), quantity: Number(mv.quantity ?? 0),
          location_id: Number(mv.location_id ?? pick.location_id), location_dest_id: Number(mv.location_dest_id ?? pick.location_dest_id), lot_id: mv.lot_id || false,
          state: 'draft', origin: pick.origin, reference: pick.name, picking_id: id, production_id: false, raw_material_production_id: false,
        }));
      }
      data.pickings.push(pick);
      return id;
    }
    if (model === 'stock.move') {
      return data.addMove({ name: vals.name || 'move', state: 'draft', quantity: 0, lot_id: false, picking_id: false, production_id: false, raw_material_production_id: false, origin: '', reference: '', ...vals });
    }
    throw new OdooError('odoo.exceptions.AccessError', `You are not allowed to create '${model}' records.`);
  }

  function movementFor(productId: number, from: number, to: number, lotId: unknown, qty: number, order?: string): MovementItem {
    const material = data.products.keyOf(productId);
    if (!material) throw valueError(`Unknown product id ${productId}`);
    const lot = lotId ? data.lots.keyOf(Number(lotId))?.split('|')[1] || '' : '';
    const src = LOCATIONS.find((l) => l.id === from);
    const dst = LOCATIONS.find((l) => l.id === to);
    if (!src || !dst) throw valueError(`Unknown location ${!src ? from : to}`);
    const base = { material, plant: '1710', batch: lot, qty, unit: '' };
    if (src.usage === 'internal' && dst.usage === 'internal') {
      if (src.sloc !== dst.sloc) return { ...base, storageLocation: src.sloc!, toStorageLocation: dst.sloc, movementType: '311' };
      const mt = `${src.type}>${dst.type}`;
      const code: Record<string, string> = { 'unrestricted>blocked': '344', 'blocked>unrestricted': '343', 'quality>unrestricted': '321', 'unrestricted>quality': '322' };
      if (!code[mt]) throw userError(`Moving stock from ${src.complete_name} to ${dst.complete_name} is not possible.`);
      return { ...base, storageLocation: src.sloc!, movementType: code[mt] };
    }
    if (dst.usage === 'internal') return { ...base, storageLocation: dst.sloc!, stockType: dst.type, movementType: src.usage === 'production' ? '101' : '501', order };
    if (src.usage === 'internal') return { ...base, storageLocation: src.sloc!, movementType: dst.usage === 'production' ? '261' : dst.usage === 'customer' ? '601' : '201', order };
    throw userError(`A move from ${src.complete_name} to ${dst.complete_name} changes no stock.`);
  }

  function validatePicking(pick: Rec, ctx: Ctx) {
    if (pick.state === 'done') return;
    const moves = (pick.move_ids as number[]).map((id) => data.moves.find((m) => m.id === id)!).filter(Boolean);
    if (!moves.length) throw userError('Please add some items to move.');
    const items = moves.map((m) => movementFor(Number(m.product_id), Number(m.location_id), Number(m.location_dest_id), m.lot_id, Number(m.quantity) || Number(m.product_uom_qty)));
    for (const it of items) {
      const mat = state.materials.get(it.material);
      if (mat?.batchManaged && !it.batch) throw userError(`You need to supply a Lot/Serial number for product: [${it.material}] ${mat.description}`);
    }
    const doc = state.postMovements(items, { code: '04', headerText: String(pick.origin || '').slice(0, 25), reference: String(pick.name) });
    for (const m of moves) { m.state = 'done'; if (!Number(m.quantity)) m.quantity = m.product_uom_qty; }
    pick.state = 'done';
    pick.date_done = odooDate(Date.now());
    ctx.book('stock-picking', (pick.x_idempotency_key as string) || (pick.origin as string) || null, `${pick.name} (${doc.year}/${doc.number})`);
  }

  function markDone(mo: Rec, ctx: Ctx) {
    if (mo.state === 'done') return;
    if (mo.state === 'draft') throw userError(`Manufacturing order ${mo.name} must be confirmed first.`);
    const qty = Number(mo.qty_producing) > 0 ? Number(mo.qty_producing) : Number(mo.product_qty);
    const material = data.products.keyOf(Number(mo.product_id))!;
    const mat = state.materials.get(material)!;
    if (mat.batchManaged && !mo.lot_producing_id) throw userError(`You need to supply a Lot/Serial number for the final product.`);
    const sapOrder = String(mo._sap);
    const ratio = qty / Number(mo.product_qty);
    const raws = (mo.move_raw_ids as number[]).map((id) => data.moves.find((m) => m.id === id)!);
    const items: MovementItem[] = [movementFor(Number(mo.product_id), 15, Number(mo.location_dest_id), mo.lot_producing_id, qty, sapOrder)];
    for (const rm of raws) items.push(movementFor(Number(rm.product_id), Number(rm.location_id), 15, rm.lot_id, Math.round(Number(rm.product_uom_qty) * ratio * 1000) / 1000, sapOrder));
    const doc = state.postMovements(items.filter((i) => i.qty > 0), { code: '02', headerText: String(mo.origin || '').slice(0, 25), reference: String(mo.name) });
    const fin = data.moves.find((m) => m.id === (mo.move_finished_ids as number[])[0]);
    if (fin) Object.assign(fin, { quantity: qty, lot_id: mo.lot_producing_id, state: 'done' });
    for (const rm of raws) Object.assign(rm, { quantity: Math.round(Number(rm.product_uom_qty) * ratio * 1000) / 1000, state: 'done' });
    Object.assign(mo, { qty_produced: qty, qty_producing: qty, state: 'done', date_finished: odooDate(Date.now()) });
    ctx.book('mrp-production-done', (mo.x_idempotency_key as string) || (mo.origin as string) || null, `${mo.name} (${doc.year}/${doc.number})`);
  }
}

function ok(id: unknown, result: unknown): Reply {
  return { status: 200, body: { jsonrpc: '2.0', id: id ?? null, result } };
}

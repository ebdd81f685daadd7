// The WMS simulator (REST): putaway and transfer tasks, task confirmation and shipment
// blocks by lot, with Idempotency-Key, the ledger and faults.
import { SimServer } from '../http/server';
import { pickPort, Running, StartOptions } from '../http/start';
import { Fields, objectBody } from '../http/json';
import { HttpError } from '../http/types';

interface Task {
  taskId: string; type: 'putaway' | 'transfer'; status: 'open' | 'confirmed'; material: string; lot: string | null; quantity: { value: number; unit: string };
  sourceLocation: string; destinationBin: string; orderId: string | null; handlingUnit: string | null; reason: string | null;
  createdAt: string; confirmedAt: string | null; confirmedQuantity: number | null; confirmedBy: string | null;
}
interface Block { blockId: string; lot: string; material: string | null; reason: string; holdId: string | null; status: 'active' | 'released'; createdAt: string; releasedAt: string | null; releaseReason: string | null }

export interface WmsSim extends Running {
  server: SimServer;
}

export async function startWmsSim(opts: StartOptions & { requireIdempotencyKey?: boolean } = {}): Promise<WmsSim> {
  const server = new SimServer('wms');
  server.requireIdempotencyKey = opts.requireIdempotencyKey ?? true;
  let tasks: Task[] = [];
  let blocks: Block[] = [];
  let seq = { pt: 1, tt: 1, sb: 1, bin: 1 };
  server.onReset(() => { tasks = []; blocks = []; seq = { pt: 1, tt: 1, sb: 1, bin: 1 }; });
  server.stateDump = () => ({ tasks, blocks });
  server.configure = (b) => {
    if ('requireIdempotencyKey' in b) server.requireIdempotencyKey = b.requireIdempotencyKey === true;
    return { requireIdempotencyKey: server.requireIdempotencyKey };
  };
  const P = '/api/v1';
  const idem = { idempotent: true };
  const key = (p: Record<string, string>) => p.__idempotencyKey || null;
  const now = () => new Date().toISOString();
  const active = (lot: string) => blocks.filter((b) => b.lot === lot && b.status === 'active');

  server.route('POST', `${P}/putaway-tasks`, (r, ctx) => {
    const f = new Fields(objectBody(r));
    f.unknown(['material', 'lot', 'quantity', 'sourceLocation', 'destinationBin', 'orderId', 'handlingUnit']);
    const t: Task = {
      taskId: '', type: 'putaway', status: 'open', material: f.str('material', true, 40)!, lot: f.str('lot', true, 40)!, quantity: f.qty('quantity')!,
      sourceLocation: f.str('sourceLocation', false, 20) || 'STAGE-FG', destinationBin: f.str('destinationBin', false, 20) || '', orderId: f.str('orderId', false) || null,
      handlingUnit: f.str('handlingUnit', false) || null, reason: null, createdAt: now(), confirmedAt: null, confirmedQuantity: null, confirmedBy: null,
    };
    f.check();
    if (!(t.quantity.value > 0)) throw new HttpError(400, 'quantity.value must be greater than zero', 'VALIDATION', [{ field: 'quantity.value', message: 'must be greater than zero' }]);
    t.taskId = `PT-${String(seq.pt++).padStart(6, '0')}`;
    if (!t.destinationBin) t.destinationBin = `FG-${String(seq.bin++).padStart(2, '0')}-01`;
    tasks.push(t);
    ctx.book('putaway-task', key(r.params), t.taskId);
    return { status: 201, headers: { Location: `${P}/tasks/${t.taskId}` }, body: { ...t, shippable: active(t.lot!).length === 0 } };
  }, idem);

  server.route('POST', `${P}/transfer-tasks`, (r, ctx) => {
    const f = new Fields(objectBody(r));
    f.unknown(['material', 'lot', 'quantity', 'from', 'to', 'reason']);
    const t: Task = {
      taskId: '', type: 'transfer', status: 'open', material: f.str('material', true, 40)!, lot: f.str('lot', false, 40) || null, quantity: f.qty('quantity')!,
      sourceLocation: f.str('from', true, 20)!, destinationBin: f.str('to', true, 20)!, orderId: null, handlingUnit: null, reason: f.str('reason', false) || null,
      createdAt: now(), confirmedAt: null, confirmedQuantity: null, confirmedBy: null,
    };
    f.check();
    if (t.sourceLocation === t.destinationBin) throw new HttpError(400, 'from and to must differ', 'VALIDATION', [{ field: 'to', message: 'must differ from from' }]);
    t.taskId = `TT-${String(seq.tt++).padStart(6, '0')}`;
    tasks.push(t);
    ctx.book('transfer-task', key(r.params), t.taskId);
    return { status: 201, headers: { Location: `${P}/tasks/${t.taskId}` }, body: t };
  }, idem);

  server.route('POST', `${P}/tasks/:id/confirm`, (r, ctx) => {
    const t = tasks.find((x) => x.taskId === r.params.id);
    if (!t) throw new HttpError(404, `Task ${r.params.id} does not exist`);
    const f = new Fields(r.raw.length ? objectBody(r) : {});
    f.unknown(['quantity', 'bin', 'confirmedBy']);
    const qty = f.num('quantity', false);
    const bin = f.str('bin', false, 20);
    const by = f.str('confirmedBy', false);
    f.check();
    if (t.status === 'confirmed') throw new HttpError(409, `Task ${t.taskId} is already confirmed (at ${t.confirmedAt})`);
    if (qty !== undefined && qty > t.quantity.value) throw new HttpError(422, `Confirmed quantity ${qty} exceeds the task quantity ${t.quantity.value}`);
    Object.assign(t, { status: 'confirmed', confirmedAt: now(), confirmedQuantity: qty ?? t.quantity.value, confirmedBy: by || null }, bin ? { destinationBin: bin } : {});
    ctx.book('task-confirmation', key(r.params), t.taskId);
    return { status: 200, body: t };
  }, idem);

  server.route('POST', `${P}/shipment-blocks`, (r, ctx) => {
    const f = new Fields(objectBody(r));
    f.unknown(['lot', 'material', 'reason', 'holdId']);
    const b: Block = { blockId: '', lot: f.str('lot', true, 40)!, material: f.str('material', false, 40) || null, reason: f.str('reason', true)!, holdId: f.str('holdId', false) || null, status: 'active', createdAt: now(), releasedAt: null, releaseReason: null };
    f.check();
    b.blockId = `SB-${String(seq.sb++).padStart(6, '0')}`;
    blocks.push(b);
    ctx.book('shipment-block', key(r.params), b.blockId);
    return { status: 201, headers: { Location: `${P}/shipment-blocks?lot=${encodeURIComponent(b.lot)}` }, body: { ...b, shippable: false } };
  }, idem);

  server.route('POST', `${P}/shipment-blocks/release`, (r, ctx) => {
    const f = new Fields(objectBody(r));
    f.unknown(['lot', 'holdId', 'reason']);
    const lot = f.str('lot', true, 40)!;
    const holdId = f.str('holdId', false);
    const reason = f.str('reason', false);
    f.check();
    const hit = active(lot).filter((b) => !holdId || b.holdId === holdId);
    if (!hit.length) throw new HttpError(404, `No active shipment block for lot ${lot}${holdId ? ` and hold ${holdId}` : ''}`);
    for (const b of hit) Object.assign(b, { status: 'released', releasedAt: now(), releaseReason: reason || null });
    ctx.book('shipment-release', key(r.params), hit.map((b) => b.blockId).join(','));
    return { status: 200, body: { lot, released: hit.map((b) => b.blockId), shippable: active(lot).length === 0 } };
  }, idem);

  server.route('GET', `${P}/tasks`, (r) => {
    const q = (k: string) => r.query.get(k);
    return { status: 200, body: { tasks: tasks.filter((t) => (!q('type') || t.type === q('type')) && (!q('status') || t.status === q('status')) && (!q('lot') || t.lot === q('lot'))) } };
  });
  server.route('GET', `${P}/tasks/:id`, (r) => {
    const t = tasks.find((x) => x.taskId === r.params.id);
    if (!t) throw new HttpError(404, `Task ${r.params.id} does not exist`);
    return { status: 200, body: t };
  });
  server.route('GET', `${P}/shipment-blocks`, (r) => ({ status: 200, body: { blocks: blocks.filter((b) => (!r.query.get('lot') || b.lot === r.query.get('lot')) && (!r.query.get('status') || b.status === r.query.get('status'))) } }));
  server.route('GET', `${P}/lots/:lot`, (r) => {
    const a = active(r.params.lot);
    return { status: 200, body: { lot: r.params.lot, shippable: a.length === 0, activeBlocks: a } };
  });

  const running = await server.listen(pickPort(opts, 'MFG_WMS_PORT', 8082), opts.host ?? '127.0.0.1', opts.tls);
  return { ...running, server };
}

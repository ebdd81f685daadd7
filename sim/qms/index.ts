// The QMS simulator (REST): nonconformances, inspection results and lot genealogy, with
// Idempotency-Key, the ledger, faults, and signed webhooks on every new nonconformance.
import { SimServer } from '../http/server';
import { pickPort, Running, StartOptions } from '../http/start';
import { Fields, objectBody } from '../http/json';
import { HttpError } from '../http/types';
import { WebhookSender } from './webhooks';

type Qty = { value: number; unit: string };
interface Nc { ncId: string; status: 'open'; material: string; lot: string; defect: string; severity: string; quantity: Qty | null; description: string | null; orderId: string | null; serial: string | null; plant: string | null; detectedAt: string; detectedBy: string | null; createdAt: string }
interface Result { resultId: string; inspectionLot: string; material: string; lot: string | null; characteristic: string; measured: number; lowerLimit: number | null; upperLimit: number | null; unit: string | null; valuation: 'accepted' | 'rejected'; inspectedAt: string }
interface Link { lot: string; material: string; orderId: string | null; components: Array<{ lot: string; material: string; quantity: Qty | null }>; recordedAt: string }

export interface QmsSim extends Running {
  server: SimServer;
  webhooks: WebhookSender;
}

const SEVERITIES = ['minor', 'major', 'critical'];

export async function startQmsSim(opts: StartOptions & { requireIdempotencyKey?: boolean } = {}): Promise<QmsSim> {
  const server = new SimServer('qms');
  server.requireIdempotencyKey = opts.requireIdempotencyKey ?? true;
  const webhooks = new WebhookSender();
  let ncs: Nc[] = [];
  let results: Result[] = [];
  let links: Link[] = [];
  let seq = { nc: 1, ir: 1 };
  server.onReset(() => { ncs = []; results = []; links = []; seq = { nc: 1, ir: 1 }; webhooks.clear(); });
  server.stateDump = () => ({ nonconformances: ncs, inspectionResults: results, genealogy: links });
  server.configure = (b) => {
    if ('requireIdempotencyKey' in b) server.requireIdempotencyKey = b.requireIdempotencyKey === true;
    return { requireIdempotencyKey: server.requireIdempotencyKey };
  };
  const P = '/api/v1';
  const idem = { idempotent: true };
  const now = () => new Date().toISOString();
  const time = (f: Fields, name: string): string | undefined => {
    const v = f.str(name, false);
    if (v === undefined) return undefined;
    const d = Date.parse(v);
    if (Number.isNaN(d)) { f.errors.push({ field: name, message: 'must be an RFC 3339 date-time' }); return undefined; }
    return new Date(d).toISOString();
  };

  function createNc(b: Record<string, unknown>, strict: boolean): Nc {
    const f = new Fields(b);
    f.unknown(['material', 'lot', 'defect', 'severity', 'quantity', 'description', 'orderId', 'serial', 'detectedAt', 'detectedBy', 'plant']);
    const nc: Nc = {
      ncId: '', status: 'open', material: f.str('material', strict, 40) || 'FG226', lot: f.str('lot', strict, 40) || 'B0001', defect: f.str('defect', strict, 40) || 'D-SCRATCH',
      severity: f.str('severity', false) || 'major', quantity: f.qty('quantity', false) || null, description: f.str('description', false, 500) || null,
      orderId: f.str('orderId', false) || null, serial: f.str('serial', false) || null, plant: f.str('plant', false) || null,
      detectedAt: time(f, 'detectedAt') || now(), detectedBy: f.str('detectedBy', false) || null, createdAt: now(),
    };
    if (!SEVERITIES.includes(nc.severity)) f.errors.push({ field: 'severity', message: `must be one of ${SEVERITIES.join(', ')}` });
    f.check();
    nc.ncId = `NC-${String(seq.nc++).padStart(6, '0')}`;
    ncs.push(nc);
    return nc;
  }

  server.route('POST', `${P}/nonconformances`, async (r, ctx) => {
    const nc = createNc(objectBody(r), true);
    ctx.book('nonconformance', r.params.__idempotencyKey || null, nc.ncId);
    void webhooks.emit('nonconformance.created', nc);
    return { status: 201, headers: { Location: `${P}/nonconformances/${nc.ncId}` }, body: nc };
  }, idem);

  server.route('POST', `${P}/inspection-results`, (r, ctx) => {
    const f = new Fields(objectBody(r));
    f.unknown(['inspectionLot', 'material', 'lot', 'characteristic', 'measured', 'lowerLimit', 'upperLimit', 'unit', 'inspectedAt']);
    const res: Result = {
      resultId: '', inspectionLot: f.str('inspectionLot', true, 40)!, material: f.str('material', true, 40)!, lot: f.str('lot', false, 40) || null,
      characteristic: f.str('characteristic', true, 40)!, measured: f.num('measured', true, -Infinity)!, lowerLimit: f.num('lowerLimit', false, -Infinity) ?? null,
      upperLimit: f.num('upperLimit', false, -Infinity) ?? null, unit: f.str('unit', false, 6) || null, valuation: 'accepted', inspectedAt: time(f, 'inspectedAt') || now(),
    };
    f.check();
    if (res.lowerLimit !== null && res.upperLimit !== null && res.lowerLimit > res.upperLimit) throw new HttpError(400, 'lowerLimit must not exceed upperLimit', 'VALIDATION', [{ field: 'lowerLimit', message: 'must not exceed upperLimit' }]);
    res.valuation = (res.lowerLimit !== null && res.measured < res.lowerLimit) || (res.upperLimit !== null && res.measured > res.upperLimit) ? 'rejected' : 'accepted';
    res.resultId = `IR-${String(seq.ir++).padStart(6, '0')}`;
    results.push(res);
    ctx.book('inspection-result', r.params.__idempotencyKey || null, res.resultId);
    if (res.valuation === 'rejected') void webhooks.emit('inspection-result.rejected', res);
    return { status: 201, body: res };
  }, idem);

  server.route('POST', `${P}/traceability/links`, (r, ctx) => {
    const b = objectBody(r);
    const f = new Fields(b);
    f.unknown(['lot', 'material', 'orderId', 'components']);
    const link: Link = { lot: f.str('lot', true, 40)!, material: f.str('material', true, 40)!, orderId: f.str('orderId', false) || null, components: [], recordedAt: now() };
    if (!Array.isArray(b.components) || !b.components.length) f.errors.push({ field: 'components', message: 'must be a non-empty array' });
    else b.components.forEach((c: unknown, i: number) => {
      const g = new Fields((c && typeof c === 'object' ? c : {}) as Record<string, unknown>, `components[${i}].`);
      g.unknown(['lot', 'material', 'quantity']);
      const comp = { lot: g.str('lot', true, 40)!, material: g.str('material', true, 40)!, quantity: g.qty('quantity', false) || null };
      f.errors.push(...g.errors);
      if (comp.lot === link.lot) f.errors.push({ field: `components[${i}].lot`, message: 'a lot cannot consume itself' });
      link.components.push(comp);
    });
    f.check();
    links.push(link);
    ctx.book('traceability', r.params.__idempotencyKey || null, `${link.lot}<-${link.components.map((c) => c.lot).join(',')}`);
    return { status: 201, body: link };
  }, idem);

  server.route('GET', `${P}/traceability/lots/:lot`, (r) => {
    const dir = r.query.get('direction') || 'backward';
    if (dir !== 'backward' && dir !== 'forward') throw new HttpError(400, 'direction must be backward or forward', 'VALIDATION', [{ field: 'direction', message: 'must be backward or forward' }]);
    const nodes: Array<{ lot: string; material: string; level: number }> = [];
    const seen = new Set<string>([r.params.lot]);
    let frontier = [r.params.lot];
    for (let level = 1; frontier.length && level < 50; level++) {
      const next: string[] = [];
      for (const lot of frontier) {
        const edges = dir === 'backward'
          ? links.filter((l) => l.lot === lot).flatMap((l) => l.components.map((c) => ({ lot: c.lot, material: c.material })))
          : links.filter((l) => l.components.some((c) => c.lot === lot)).map((l) => ({ lot: l.lot, material: l.material }));
        for (const e of edges) if (!seen.has(e.lot)) { seen.add(e.lot); nodes.push({ ...e, level }); next.push(e.lot); }
      }
      frontier = next;
    }
    return { status: 200, body: { lot: r.params.lot, direction: dir, nodes } };
  });
  server.route('GET', `${P}/nonconformances`, (r) => ({ status: 200, body: { nonconformances: ncs.filter((n) => (!r.query.get('lot') || n.lot === r.query.get('lot')) && (!r.query.get('material') || n.material === r.query.get('material'))) } }));
  server.route('GET', `${P}/nonconformances/:id`, (r) => {
    const nc = ncs.find((n) => n.ncId === r.params.id);
    if (!nc) throw new HttpError(404, `Nonconformance ${r.params.id} does not exist`);
    return { status: 200, body: nc };
  });
  server.route('GET', `${P}/inspection-results`, () => ({ status: 200, body: { inspectionResults: results } }));

  // control routes for tests and demos
  server.route('POST', '/__sim/webhooks', (r) => ({ status: 201, body: webhooks.subscribe(objectBody(r)) }));
  server.route('GET', '/__sim/webhooks', () => ({ status: 200, body: { subscriptions: webhooks.subscriptions.map((s) => ({ ...s, secret: '***' })), deliveries: webhooks.deliveries } }));
  server.route('POST', '/__sim/webhooks/redeliver', async (r) => {
    const id = String(objectBody(r).id || '');
    const d = await webhooks.redeliver(id);
    if (!d) throw new HttpError(404, `No delivery ${id}`);
    return { status: 200, body: d };
  });
  server.route('DELETE', '/__sim/webhooks', () => { webhooks.clear(); return { status: 204 }; });
  server.route('POST', '/__sim/trigger/nonconformance', async (r) => {
    const nc = createNc(r.raw.length ? objectBody(r) : {}, false);
    await webhooks.emit('nonconformance.created', nc);
    return { status: 201, body: nc };
  });

  const running = await server.listen(pickPort(opts, 'MFG_QMS_PORT', 8083), opts.host ?? '127.0.0.1', opts.tls);
  return { ...running, server, webhooks, close: async () => { webhooks.clear(); await running.close(); } };
}

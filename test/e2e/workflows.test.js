// The nine workflow example flows, as shipped in examples/, loaded together into one real
// Node-RED against the ERP/WMS/QMS simulators, the OPC UA plant and an MQTT broker. Each
// test presses the flow's own inject buttons (admin API) or lets the outside systems act,
// and checks business outcomes in the simulators and on the backbone.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { startPlant, mergeFlows, http, until, WEBHOOK_SECRET } = require('./workflow-env');
const { EventValidator } = require('../../dist/lib/validation');
const { startNodeRed } = require('../helpers/child-nr');

const root = path.resolve(__dirname, '../..');
const NAMES = fs.readdirSync(path.join(root, 'examples')).filter((f) => /^workflow-\d-.*\.json$/.test(f)).sort();
const load = (f) => JSON.parse(fs.readFileSync(path.join(root, 'examples', f), 'utf8'));

const stockQty = (st, material, sloc, batch, type = 'unrestricted') =>
  st.stock.filter((r) => r.material === material && r.storageLocation === sloc && (r.batch || '') === batch && r.stockType === type).reduce((s, r) => s + r.qty, 0);

test('every node type of the package is used by an example flow', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const used = new Set();
  for (const f of fs.readdirSync(path.join(root, 'examples')).filter((x) => x.endsWith('.json'))) for (const n of load(f)) used.add(n.type);
  const missing = Object.keys(pkg['node-red'].nodes).filter((t) => !used.has(t));
  assert.deepEqual(missing, [], `node types in no example: ${missing.join(', ')}`);
});

test('workflow examples are complete, documented and carry no plant literal or secret', () => {
  assert.equal(NAMES.length, 9, NAMES.join(', '));
  for (const f of NAMES) {
    const nodes = load(f);
    const tab = nodes.find((n) => n.type === 'tab');
    assert.ok(tab, `${f}: a tab`);
    assert.ok(nodes.some((n) => n.type === 'comment' && n.z === tab.id && n.info.length > 200), `${f}: a comment node explaining it`);
    for (const n of nodes.filter((x) => x.type === 'mfg-plant')) assert.match(n.site, /^\$\{MFG_SITE/, `${f}: site from the environment`);
    for (const n of nodes.filter((x) => x.type === 'mfg-endpoint' || x.type === 'mfg-broker')) assert.match(n.baseUrl || n.url, /^\$\{MFG_/, `${f}: ${n.type} URL from the environment`);
    assert.ok(!/Welcome1|whsec_|"password"|"secret"/.test(JSON.stringify(nodes)), `${f}: no secret`);
  }
});

test('the workflows against the simulators', { timeout: 240000 }, async (t) => {
  const env = await startPlant({ flows: mergeFlows(NAMES.map(load)) });
  t.after(() => env.close());
  const { erp, wms, qms, nr } = env;
  await http(`${qms.url}/__sim/webhooks`, 'POST', { url: `${nr.url}/webhooks/qms`, secret: WEBHOOK_SECRET, style: 'standard', event: 'nonconformance.created' });
  await new Promise((r) => setTimeout(r, 3000)); // connections of the config nodes

  await t.test('2 work order release: ERP orders released through the API reach the MES', async () => {
    await env.inject('wf2-release');
    await env.inject('wf2-new');
    const list = await until(async () => {
      const r = (await http(`${nr.url}/mes/dispatch-list`)).body;
      return Array.isArray(r) && r.length === 2 && r;
    }, 'two orders on the MES dispatch list');
    const st = await env.state(erp);
    const created = st.orders.find((o) => Number(o.order) >= 1000200);
    assert.ok(created, 'order created in ERP');
    for (const id of ['1000124', created.order]) {
      assert.equal(st.orders.find((o) => o.order === id).status, 'REL', `${id} released in ERP`);
      const mes = list.find((o) => o.orderId === id);
      assert.ok(mes && mes.material === 'FG226' && mes.quantity.value > 0, `${id} with material and quantity at the MES`);
    }
    assert.equal((await env.ledger(erp, 'order-release')).length, 2);
    assert.equal(env.ofType('production.order.released').length, 2);
  });

  await t.test('1 production confirmation: once in SAP, events with the document references', async () => {
    await env.inject('wf1-inject');
    await until(async () => (await env.ledger(erp, 'confirmation')).length === 1, 'the SAP confirmation');
    await env.inject('wf1-inject'); // the MES sends the same completion again
    const fg = await until(() => env.ofType('finished-goods.received').find((e) => e.data.lot === 'B0100'), 'finished-goods.received');
    const qc = env.ofType('production.quantity.confirmed').find((e) => e.data.orderId === '1000123');
    await new Promise((r) => setTimeout(r, 1500));
    const st = await env.state(erp);
    const confs = st.confirmations.filter((c) => c.order === '1000123' && c.operation === '0010');
    assert.equal(confs.length, 1, 'the resent completion is not posted again');
    assert.equal(env.ofType('production.quantity.confirmed.v2').length, 1, 'nor published again');
    assert.equal(confs[0].yield, 10);
    assert.equal(stockQty(st, 'FG226', '171A', 'B0100'), 10, 'yield received into stock (101)');
    assert.equal(qc.data.references.erpConfirmation, `${confs[0].group}/${confs[0].count}`);
    assert.equal(fg.data.references.erpMaterialDocument, `${confs[0].materialDocument}/${confs[0].materialDocumentYear}`);
    assert.equal(fg.data.material, 'FG226', 'material from the ERP order (enrichment)');
  });

  await t.test('4 finished goods to WMS: staging transfer and putaway task per lot', async () => {
    await env.inject('wf4-inject');
    for (const lot of ['B0100', 'B0200']) {
      const tasks = await until(async () => {
        const r = (await http(`${wms.url}/api/v1/tasks?lot=${lot}`)).body;
        const list = r.tasks || r.items || r;
        return Array.isArray(list) && list.length >= 2 && list;
      }, `WMS tasks of ${lot}`);
      assert.deepEqual(tasks.map((x) => x.type).sort(), ['putaway', 'transfer'], `${lot}: one task of each`);
      assert.equal(tasks.find((x) => x.type === 'transfer').destinationBin, 'STAGE-FG');
    }
  });

  await t.test('3 material consumption: goods issues (261) to the order', async () => {
    const before = await env.state(erp);
    await env.inject('wf3-consumed');
    await env.inject('wf3-issued');
    await until(async () => {
      const st = await env.state(erp);
      return stockQty(st, 'RM200', '171B', 'RB002') === stockQty(before, 'RM200', '171B', 'RB002') - 10 && st;
    }, 'RM200 issued');
    const st = await until(async () => {
      const s = await env.state(erp);
      return stockQty(s, 'RM100', '171B', 'RB001') === stockQty(before, 'RM100', '171B', 'RB001') - 2.5 && s;
    }, 'RM100 consumed');
    const docs = st.materialDocuments.slice(before.materialDocuments.length);
    assert.equal(docs.length, 2);
    for (const d of docs) assert.ok(d.items.every((i) => i.movementType === '261' && i.order === '1000123'));
    await until(() => env.ofType('material.component.consumed').length >= 2, 'component.consumed on the backbone');
  });

  await t.test('5 quality hold: QMS nonconformance blocks the lot in ERP and WMS; the deviation undoes both', async () => {
    const r = await http(`${qms.url}/__sim/trigger/nonconformance`, 'POST', { material: 'FG226', lot: 'B0001', defect: 'SCRATCH', severity: 'major', description: 'Scratches on housing' });
    assert.equal(r.status, 201);
    await until(async () => stockQty(await env.state(erp), 'FG226', '171A', 'B0001', 'blocked') === 20, 'lot B0001 in blocked stock');
    assert.equal(stockQty(await env.state(erp), 'FG226', '171A', 'B0001'), 0);
    await until(async () => (await http(`${wms.url}/api/v1/lots/B0001`)).body.shippable === false, 'shipment of B0001 blocked');
    const hold = await until(() => env.ofType('quality.hold.placed')[0], 'hold.placed');
    assert.equal(hold.data.ncId, r.body.ncId);

    await env.inject('wf5-deviation');
    await until(async () => stockQty(await env.state(erp), 'FG226', '171A', 'B0001') === 20, 'lot B0001 unrestricted again');
    assert.equal(stockQty(await env.state(erp), 'FG226', '171A', 'B0001', 'blocked'), 0);
    await until(async () => (await http(`${wms.url}/api/v1/lots/B0001`)).body.shippable === true, 'shipment of B0001 released');
    const released = await until(() => env.ofType('quality.hold.released')[0], 'hold.released');
    assert.equal(released.data.holdId, hold.data.holdId);
    const kinds = (await env.ledger(erp, 'material-document')).length;
    assert.ok(kinds >= 4, 'the 344 and 343 postings are in the ledger');
  });

  await t.test('6 lot genealogy: traceability in the QMS', async () => {
    await env.inject('wf6-inject');
    const back = await until(async () => {
      const b = (await http(`${qms.url}/api/v1/traceability/lots/B0100?direction=backward`)).body;
      return b && Array.isArray(b.nodes) && b.nodes.length >= 2 && b;
    }, 'genealogy of B0100');
    assert.deepEqual(back.nodes.map((n) => n.lot).filter((l) => l !== 'B0100').sort(), ['RB001', 'RB002']);
    const fwd = (await http(`${qms.url}/api/v1/traceability/lots/RB001?direction=forward`)).body;
    assert.ok(fwd.nodes.some((n) => n.lot === 'B0100'), 'a recall from RB001 finds B0100');
  });

  await t.test('9 one stream, many subscribers: each system takes its events', async () => {
    await env.inject('wf9-inject');
    await until(async () => (await env.ledger(qms, 'inspection-result')).length === 1, 'QMS inspection result');
    await until(async () => (await env.state(wms)).tasks.some((x) => x.destinationBin === 'LINE1-SUPPLY'), 'WMS transfer to the line');
    const req = await until(async () => (await env.state(erp)).purchaseRequisitions.find((p) => p.items.some((i) => i.material === 'RM100')), 'ERP requisition of RM100');
    assert.equal(req.items[0].qty, 200);
    const counts = await until(async () => {
      const c = (await http(`${nr.url}/analytics/event-counts`)).body;
      return c['mfg.quality.inspection.failed.v1'] && c['mfg.material.replenishment.requested.v1'] && c['mfg.material.warehouse-transfer.triggered.v1'] && c;
    }, 'analytics counts');
    assert.ok(counts['mfg.production.order.released.v1'] >= 2, 'the analytics sink sees every type');
    const results = (await env.state(qms)).results || (await http(`${qms.url}/api/v1/inspection-results`)).body;
    assert.ok(JSON.stringify(results).includes('BORE-DIA'));
  });

  await t.test('7 downtime and maintenance: OPC UA signals to downtime, capacity, alerts and a purchase requisition', async () => {
    env.plant.play();
    await env.plant.finished;
    const sp = await until(async () => (await env.state(erp)).purchaseRequisitions.find((p) => p.items.some((i) => i.material === 'SP001')), 'requisition of the spare bearing', 30000);
    assert.equal(sp.items[0].qty, 2);
    const downs = await until(() => env.ofType('maintenance.downtime.classified').length >= 3 && env.ofType('maintenance.downtime.classified'), 'downtimes');
    const reasons = JSON.stringify(downs.map((d) => d.data.reason));
    for (const r of ['breakdown', 'changeover', 'material-shortage']) assert.ok(reasons.includes(r), `downtime ${r} in ${reasons}`);
    assert.ok(env.ofType('maintenance.capacity.restored').length >= 3);
    assert.ok(env.ofType('maintenance.predictive-alert.raised').length >= 1);
  });

  await t.test('8 store-and-forward: WAN lost, Node-RED killed meanwhile, WAN restored: nothing lost, dead letters replayed', async () => {
    const mine = (st) => st.confirmations.filter((c) => c.order === '1000123' && c.operation === '0020');
    const before = mine(await env.state(erp)).length;
    const created = await http(`${erp.url}/api/v1/production-orders`, 'POST', { material: 'FG226', plant: '1710', quantity: 10, unit: 'PC', text: 'not yet released' }, { 'Idempotency-Key': 'test-order-1' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const crtd = created.body.orderId;
    env.mqttLink.cut();
    env.erpLink.cut();
    const N = 8;
    const post = (body) => http(`${env.nr.url}/mes/completions`, 'POST', body);
    for (let i = 0; i < N; i++) {
      const r = await post({ orderId: '1000123', operationId: '0020', workCenter: 'TEST01', yield: { value: 1, unit: 'PC' }, confirmationCounter: 100 + i });
      assert.equal(r.status, 202, 'answered once the completion is in the outbox');
    }
    assert.equal((await post({ orderId: crtd, operationId: '0010', workCenter: 'ASSY01', yield: { value: 1, unit: 'PC' }, confirmationCounter: 1 })).status, 202);
    const seenBefore = env.ofType('operation.completed').length;
    // a power cut while the WAN is down: the outboxes are all that is left
    await env.nr.kill();
    assert.equal(mine(await env.state(erp)).length, before, 'nothing reached ERP during the outage');
    env.nr = await startNodeRed({ userDir: env.nr.userDir, port: env.nr.port, env: env.vars });
    env.mqttLink.restore();
    env.erpLink.restore();
    await until(async () => mine(await env.state(erp)).length === before + N, `${N} confirmations after the WAN returned`, 60000);
    await until(() => env.ofType('operation.completed').length === seenBefore + N + 1, 'every completion on the backbone', 30000);
    const keys = (await env.ledger(erp, 'confirmation')).map((e) => e.key);
    assert.equal(new Set(keys).size, keys.length, 'no confirmation posted twice');

    // the completion of the unreleased order is a dead letter; release the order, replay it
    const letter = await until(async () => {
      const l = (await http(`${env.nr.url}/mfg-connect/dlq/wf8-dlq/letters`)).body;
      return l && l.items && l.items.find((x) => /not released/.test(x.reason));
    }, 'the dead letter of the unreleased order');
    assert.equal((await http(`${erp.url}/api/v1/production-orders/${crtd}/release`, 'POST', {}, { 'Idempotency-Key': 'test-release-1' })).status, 200);
    const rep = await http(`${env.nr.url}/mfg-connect/dlq/wf8-dlq/letters/${letter.id}/replay`, 'POST');
    assert.equal(rep.status, 200, JSON.stringify(rep.body));
    await until(async () => (await env.state(erp)).confirmations.some((c) => c.order === crtd), 'the replayed confirmation in ERP');
    assert.equal((await http(`${env.nr.url}/mfg-connect/dlq/wf8-dlq/letters`)).body.total, 0, 'no dead letter left');
  });

  await t.test('governance: every event the workflows published is valid and on its type\'s topic', () => {
    const validator = new EventValidator();
    assert.ok(env.events.length > 50, `events seen: ${env.events.length}`);
    for (const { topic, ...ev } of env.events) {
      const r = validator.validate(ev);
      assert.ok(r.valid, `${ev.type} from ${ev.source}: ${JSON.stringify(r.errors)}`);
      const [, domain, object, action] = /^mfg\.([a-z-]+)\.([a-z-]+)\.([a-z-]+)\.v\d+$/.exec(ev.type);
      assert.equal(topic, `acme/BER1/assembly/line1/events/${domain}/${object}/${action}`);
    }
  });
});

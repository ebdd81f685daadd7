'use strict';
// The fault storm: production confirmations (SAP OData), finished goods putaways (WMS) and
// quality holds (SAP 344 + WMS shipment block) flow from the backbone while the broker
// restarts, the ERP has a maintenance window, throttles with Retry-After and drops 5% of
// its replies after booking, the WMS is unreachable for a while, and Node-RED is killed
// with SIGKILL twice. Input: 5,000 business events, 10% repeats, 5% malformed.
// Afterwards the ledgers hold exactly the expected postings, stock adds up, every
// malformed msg is a dead letter with its reason, and the outboxes are empty.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const mqtt = require('mqtt');
const { startMosquitto, freePort, tmpDir, loudSkip, which } = require('../helpers/servers');
const { startNodeRed } = require('../helpers/child-nr');
const { startErpSim, startWmsSim } = require('../../dist/sim');
const { catalog, samples, buildEvent, resolvePlant } = require('../../dist/lib/events');
const { startLink } = require('../helpers/link');
const { stormFlow } = require('./storm-flow');

const COUNTS = { confirm: 3000, putaway: 1500, hold: 500 };
const TOTAL = COUNTS.confirm + COUNTS.putaway + COUNTS.hold;
const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' });
const q1 = { value: 1, unit: 'PC' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ev = (type, data) => buildEvent(catalog.get(type), data, { plant });

function businessEvents() {
  const out = [];
  for (let i = 0; i < COUNTS.confirm; i++) {
    out.push(ev('mfg.production.operation.completed.v1', {
      orderId: '1000123', operationId: '0010', workCenter: 'ASSY-01', material: 'FG226', plant: '1710', yield: q1,
      finalConfirmation: false, confirmationCounter: i + 1, completedAt: new Date().toISOString(),
      goodsMovements: [{ material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B0001', movementType: '101', quantity: q1 }],
    }));
  }
  for (let i = 0; i < COUNTS.putaway; i++) {
    out.push(ev('mfg.material.finished-goods.received.v1', { orderId: '1000123', material: 'FG226', plant: '1710', storageLocation: '171A', lot: 'B0001', quantity: q1, handlingUnit: `HU-${100000 + i}` }));
  }
  for (let i = 0; i < COUNTS.hold; i++) {
    out.push(ev('mfg.quality.hold.placed.v1', { holdId: `HOLD-${i}`, material: 'FG226', lot: 'B0001', plant: '1710', storageLocation: '171A', quantity: q1, reason: { code: 'NC' } }));
  }
  // interleave the three workflows as a plant would produce them (fixed shuffle)
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return { events: out, rnd };
}

function malformed(i) {
  if (i % 2) return '{"specversion":"1.0","id":"broken-' + i + '","type":"mfg.production.operation.comp';
  const bad = ev('mfg.production.operation.completed.v1', { ...structuredClone(samples['mfg.production.operation.completed.v1']), confirmationCounter: 900000 + i });
  delete bad.data.orderId;
  return JSON.stringify(bad);
}

const get = async (url) => (await fetch(url)).json();
const post = (url, body) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-API-Key': 'storm', 'Idempotency-Key': require('crypto').randomUUID() }, body: JSON.stringify(body) });

/** What stays in the outboxes, by queue, attempts and whether it is due (read beside the running store). */
function leftInQueues(userDir) {
  const Database = require('better-sqlite3');
  const db = new Database(path.join(userDir, 'mfg-connect', 'state.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT queue, attempts, not_before > ? AS waiting, count(*) AS n, min(last_error) AS error FROM queue_items GROUP BY 1, 2, 3').all(Date.now());
  } finally {
    db.close();
  }
}

describe('fault storm', { timeout: 15 * 60 * 1000 }, () => {
  let broker, erp, wms, wmsLink, nr, mqttPort, mosqExtra;
  const userDir = tmpDir('mfg-storm-');
  const log = [];
  const note = (s) => log.push(`${new Date().toISOString().slice(11, 23)} ${s}`);

  before(async () => {
    if (!which('mosquitto')) return;
    mqttPort = await freePort();
    const persist = tmpDir('mfg-mosq-');
    fs.chmodSync(persist, 0o777); // mosquitto drops to its own user
    mosqExtra = ['persistence true', `persistence_location ${persist}/`, 'autosave_interval 1'];
    broker = await startMosquitto({ port: mqttPort, extra: mosqExtra });
    erp = await startErpSim({ port: 0 });
    wms = await startWmsSim({ port: 0 });
    wmsLink = await startLink(wms.port);
  });
  after(async () => {
    if (nr) await nr.kill();
    for (const x of [wmsLink, wms, erp]) if (x) await x.close();
    if (broker) await broker.stop();
    if (log.length) console.log(log.join('\n'));
  });

  it('loses nothing, posts nothing twice, dead-letters every malformed msg and drains', async (t) => {
    if (!broker) return loudSkip(t, 'mosquitto');
    const flow = stormFlow({ mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, erpUrl: erp.url, wmsUrl: `http://127.0.0.1:${wmsLink.port}` });
    // stock to hold from: a receipt of 1,000 PC of lot B0001
    assert.equal((await post(`${erp.url}/api/v1/goods-movements`, { headerText: 'storm setup', items: [{ material: 'FG226', plant: '1710', storageLocation: '171A', batch: 'B0001', movementType: '501', quantity: 1000, unit: 'PC' }] })).status, 201);
    const stockOf = (st, type) => st.stock.filter((r) => r.material === 'FG226' && r.storageLocation === '171A' && r.batch === 'B0001' && r.stockType === type).reduce((a, r) => a + r.qty, 0);
    const before = await get(`${erp.url}/__sim/state`);
    const ledgerBefore = (await get(`${erp.url}/__sim/ledger`)).entries.length;

    nr = await startNodeRed({ ...flow, userDir });
    await sleep(1500);
    const { events, rnd } = businessEvents();
    const sends = [];
    let malformedCount = 0;
    events.forEach((e, i) => {
      sends.push(JSON.stringify(e));
      if (rnd() < 0.1) sends.push(JSON.stringify(events[Math.floor(rnd() * (i + 1))])); // a repeat of an earlier event
      if (rnd() < 0.05) {
        sends.push(malformed(i));
        malformedCount++;
      }
    });

    const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'storm-source', clean: false, reconnectPeriod: 300, protocolVersion: 5 });
    pub.on('error', () => undefined);
    const erpFault = (spec) => post(`${erp.url}/__sim/faults`, spec);
    const restartNodeRed = async (why) => {
      note(`SIGKILL Node-RED (${why})`);
      await nr.kill();
      nr = await startNodeRed({ userDir });
      note('Node-RED restarted');
    };
    const storm = [
      [0, () => erpFault({ mode: 'drop-after-commit', rate: 0.05 })],
      [6000, async () => { note('broker down'); await broker.stop(); await sleep(2000); broker = await startMosquitto({ port: mqttPort, extra: mosqExtra }); note('broker up'); }],
      [12000, () => restartNodeRed('first')],
      [22000, () => { note('ERP maintenance 6 s'); return erpFault({ mode: 'maintenance', forMs: 6000, retryAfter: 2 }); }],
      [28500, () => erpFault({ mode: 'drop-after-commit', rate: 0.05 })],
      [30000, () => { note('ERP throttling 5 s'); return erpFault({ mode: 'throttle', rate: 0.5, retryAfter: 1, forMs: 5000 }); }],
      [35500, () => erpFault({ mode: 'drop-after-commit', rate: 0.05 })],
      [36000, async () => { note('WMS unreachable 8 s'); wmsLink.cut(); await sleep(8000); wmsLink.restore(); note('WMS back'); }],
      [46000, () => restartNodeRed('second')],
    ];
    const t0 = Date.now();
    const stormDone = (async () => {
      for (const [at, fn] of storm) {
        await sleep(Math.max(0, at - (Date.now() - t0)));
        await fn();
      }
    })();
    // publish over ~48 s while the storm runs
    const perTick = Math.ceil(sends.length / 480);
    for (let i = 0; i < sends.length; i += perTick) {
      await Promise.all(sends.slice(i, i + perTick).map((s) => pub.publishAsync('storm/in', s, { qos: 1 })));
      await sleep(Math.max(0, t0 + (i / perTick) * 100 - Date.now()));
    }
    note(`published ${sends.length} msgs (${TOTAL} business events, ${malformedCount} malformed)`);
    await stormDone;
    await erpFault({ mode: 'none' });
    await pub.endAsync();

    // drain: wait for the ledgers to be complete
    const expectErp = COUNTS.confirm + COUNTS.hold;
    const expectWms = COUNTS.putaway + COUNTS.hold;
    const depthsOf = (text) => [...text.matchAll(/^mfg_outbox_depth\{[^}]*\} (\d+)/gm)].map((m) => Number(m[1]));
    const end = Date.now() + 240000;
    let erpL, wmsL;
    let polls = 0;
    for (;;) {
      erpL = (await get(`${erp.url}/__sim/ledger`)).entries.slice(ledgerBefore);
      wmsL = (await get(`${wms.url}/__sim/ledger`)).entries;
      if ((erpL.length >= expectErp && wmsL.length >= expectWms) || Date.now() > end) break;
      if (++polls % 10 === 0) note(`draining: ERP ${erpL.length}/${expectErp}, WMS ${wmsL.length}/${expectWms}, outbox depths ${depthsOf(await (await fetch(`${nr.url}/mfg-connect/metrics`)).text())}`);
      await sleep(1000);
    }
    note(`drained: ERP ${erpL.length}/${expectErp}, WMS ${wmsL.length}/${expectWms}`);
    const dlq = await get(`${nr.url}/mfg-connect/dlq/dlq/letters?limit=1000`);
    // An outbox deletes a delivered item after the posting's response (acks are gathered and
    // committed): give the last ones a moment before reading the depths.
    let metrics;
    for (const until = Date.now() + 10000; ;) {
      metrics = await (await fetch(`${nr.url}/mfg-connect/metrics`)).text();
      if (depthsOf(metrics).every((d) => d === 0) || Date.now() > until) break;
      await sleep(200);
    }
    const reasons = {};
    for (const l of dlq.items) reasons[l.reason.slice(0, 60)] = (reasons[l.reason.slice(0, 60)] || 0) + 1;
    note(`dead letters ${dlq.total}: ${JSON.stringify(reasons)}`);
    note(metrics.split('\n').filter((l) => /^mfg_(outbox_depth|messages_total\{[^}]*(posted|duplicate|error|dead))/.test(l)).join('\n'));

    const distinct = (l) => new Set(l.map((e) => `${e.kind}|${e.key}`)).size;
    const kinds = (l) => l.reduce((a, e) => ((a[e.kind] = (a[e.kind] || 0) + 1), a), {});
    assert.deepEqual(kinds(erpL), { confirmation: COUNTS.confirm, 'material-document': COUNTS.hold }, 'ERP postings by kind');
    assert.equal(distinct(erpL), erpL.length, 'no double posting in the ERP');
    assert.deepEqual(kinds(wmsL), { 'putaway-task': COUNTS.putaway, 'shipment-block': COUNTS.hold }, 'WMS postings by kind');
    assert.equal(distinct(wmsL), wmsL.length, 'no double posting in the WMS');

    const afterSt = await get(`${erp.url}/__sim/state`);
    assert.equal(stockOf(afterSt, 'unrestricted'), stockOf(before, 'unrestricted') + COUNTS.confirm - COUNTS.hold, 'unrestricted stock');
    assert.equal(stockOf(afterSt, 'blocked'), stockOf(before, 'blocked') + COUNTS.hold, 'blocked stock');
    const blocks = await get(`${wms.url}/api/v1/shipment-blocks?lot=B0001`);
    assert.ok(JSON.stringify(blocks).includes('B0001'));

    assert.equal(dlq.total, malformedCount, 'every malformed msg is a dead letter');
    for (const l of dlq.items) assert.match(l.reason, /JSON|orderId|required/i);

    const depths = depthsOf(metrics);
    if (depths.some((d) => d !== 0)) note(`left in the queues: ${JSON.stringify(leftInQueues(userDir))}`);
    assert.ok(depths.length > 0, 'outbox depth is reported');
    assert.deepEqual(depths.filter((d) => d !== 0), [], 'outboxes drained to zero');
  });
});

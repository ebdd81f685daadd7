// Flows and event factories shared by the backbone end-to-end tests.
'use strict';
const mqtt = require('mqtt');

/** Event i of partition `key`; data.seq is its position within the partition. */
function event(i, key, seq) {
  return {
    specversion: '1.0', id: `ev-${i}`, source: '/acme/BER1/assembly/line1/mes', type: 'mfg.production.quantity.confirmed.v1',
    time: '2026-11-27T08:00:00.000Z', correlationid: `corr-${i}`, partitionkey: key, subject: `workorder/${key}/op/0010`,
    data: { orderId: key, operationId: '0010', quantity: { value: 1, unit: 'PC' }, seq },
  };
}

/** n events over `keys` partitions, round robin. */
function events(n, keys, offset = 0) {
  const seq = new Map();
  return Array.from({ length: n }, (_, j) => {
    const i = offset + j;
    const key = `order-${i % keys}`;
    const s = (seq.get(key) || 0) + 1;
    seq.set(key, s);
    return event(i, key, s);
  });
}

/**
 * A Node-RED flow for a child process: POST /emit with a JSON array of events feeds them to
 * mfg-publish; the response comes when every one of them is persisted (Complete node).
 */
function emitFlow(brokerUrl, pub = {}, extra = []) {
  return [
    { id: 'tab', type: 'tab', label: 'backbone' },
    { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' },
    { id: 'broker', type: 'mfg-broker', url: brokerUrl, protocol: 'auto', keepalive: 30, cleanSession: true, verifyTls: true },
    { id: 'in', type: 'http in', z: 'tab', url: '/emit', method: 'post', x: 100, y: 100, wires: [['fan']] },
    {
      id: 'fan', type: 'function', z: 'tab', x: 200, y: 100, outputs: 1, wires: [['pub']],
      func: "const b = { n: msg.payload.length, done: 0, failed: 0, res: msg.res };\nflow.set('b' + msg._msgid, b);\nfor (const ev of msg.payload) node.send({ payload: ev, batch: msg._msgid }, false);\nreturn null;",
    },
    { id: 'pub', type: 'mfg-publish', z: 'tab', x: 300, y: 100, broker: 'broker', plant: 'plant', topicFrom: 'event', limit: 100000, maxAttempts: 0, maxAgeHours: 0, ...pub },
    { id: 'complete', type: 'complete', z: 'tab', x: 300, y: 200, scope: ['pub'], uncaught: false, wires: [['ack']] },
    { id: 'catch', type: 'catch', z: 'tab', x: 300, y: 300, scope: ['pub'], uncaught: false, wires: [['nack']] },
    {
      id: 'ack', type: 'function', z: 'tab', x: 400, y: 200, outputs: 1, wires: [['out']],
      func: "const b = flow.get('b' + msg.batch); if (!b) return null; b.done++;\nif (b.done + b.failed < b.n) return null;\nflow.set('b' + msg.batch, undefined);\nreturn { res: b.res, statusCode: b.failed ? 500 : 200, payload: { persisted: b.done, failed: b.failed } };",
    },
    {
      id: 'nack', type: 'function', z: 'tab', x: 400, y: 300, outputs: 1, wires: [['out']],
      func: "const b = flow.get('b' + msg.batch); if (!b) return null; b.failed++;\nif (b.done + b.failed < b.n) return null;\nflow.set('b' + msg.batch, undefined);\nreturn { res: b.res, statusCode: 500, payload: { persisted: b.done, failed: b.failed, error: msg.error.message } };",
    },
    { id: 'out', type: 'http response', z: 'tab', x: 500, y: 200, wires: [] },
    ...extra,
  ];
}

async function emit(nr, evs) {
  const r = await fetch(`${nr.url}/emit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(evs) });
  return { status: r.status, body: await r.json() };
}

/** An MQTT subscriber that records every event it receives. */
async function recorder(url, filter, opts = {}) {
  const c = mqtt.connect(url, { protocolVersion: 5, reconnectPeriod: 200, ...opts });
  const got = [];
  c.on('message', (_topic, payload) => got.push(JSON.parse(payload.toString())));
  await new Promise((resolve, reject) => { c.once('connect', resolve); c.once('error', reject); });
  await c.subscribeAsync(filter, { qos: 1 });
  return { c, got, unique: () => new Set(got.map((e) => e.id)).size };
}

/** Checks that, per partition, the first arrivals of each event are in emission order and complete. */
function checkOrder(got, n) {
  const seen = new Set();
  const last = new Map();
  for (const ev of got) {
    if (seen.has(ev.id)) continue;
    seen.add(ev.id);
    const prev = last.get(ev.partitionkey) || 0;
    if (ev.data.seq !== prev + 1) throw new Error(`partition ${ev.partitionkey}: seq ${ev.data.seq} arrived after ${prev}`);
    last.set(ev.partitionkey, ev.data.seq);
  }
  if (seen.size !== n) throw new Error(`${seen.size} distinct events arrived, expected ${n}`);
}

module.exports = { event, events, emitFlow, emit, recorder, checkOrder };

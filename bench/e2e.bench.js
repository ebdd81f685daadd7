// End to end through a real Node-RED and mosquitto: the package's flow
// (mfg-subscribe -> mfg-validate -> mfg-idempotency (sqlite) -> mfg-publish with the durable
// outbox) against the plain Node-RED flow (mqtt in -> function -> mqtt out) and a raw
// mqtt.js pass-through, all in the same run. BENCH_RSS_EVENTS=1000000 adds the memory run.
'use strict';
const { startMosquitto } = require('../test/helpers/servers');
const { startNodeRed } = require('../test/helpers/child-nr');
const load = require('./lib/mqtt-load');

const IN = 'bench/in';
const OUT = 'bench/out';

function plainFlow(url) {
  const u = new URL(url);
  return [
    { id: 't', type: 'tab' },
    { id: 'b', type: 'mqtt-broker', broker: u.hostname, port: u.port, clientid: '', autoConnect: true, usetls: false, protocolVersion: '4', keepalive: '60', cleansession: true },
    { id: 'in', type: 'mqtt in', z: 't', x: 1, y: 1, topic: IN, qos: '1', datatype: 'auto-detect', broker: 'b', nl: false, rap: true, inputs: 0, wires: [['fn']] },
    { id: 'fn', type: 'function', z: 't', x: 1, y: 1, func: 'return msg;', outputs: 1, wires: [['out']] },
    { id: 'out', type: 'mqtt out', z: 't', x: 1, y: 1, topic: OUT, qos: '1', retain: 'false', broker: 'b', wires: [] },
  ];
}

function packageFlow(url) {
  return [
    { id: 't', type: 'tab' },
    { id: 'b', type: 'mfg-broker', url, protocol: '3.1.1', clientId: '', keepalive: 60, cleanSession: true, verifyTls: true, maxInFlight: 1000 },
    { id: 'sub', type: 'mfg-subscribe', z: 't', x: 1, y: 1, broker: 'b', mode: 'topic', topic: IN, types: '', group: '', qos: 1, wires: [['val'], []] },
    { id: 'val', type: 'mfg-validate', z: 't', x: 1, y: 1, schemaFrom: 'catalog', maxBytes: 262144, wires: [['idem'], []] },
    { id: 'idem', type: 'mfg-idempotency', z: 't', x: 1, y: 1, keyType: 'eventid', key: '', scope: 'bench', mode: 'mark', wires: [['pub'], []] },
    { id: 'pub', type: 'mfg-publish', z: 't', x: 1, y: 1, broker: 'b', topicFrom: 'fixed', topic: OUT, limit: 1000000, wires: [] },
  ];
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');

async function measure(url, label) {
  const sat = await load.run(url, { inTopic: IN, outTopic: OUT, count: 30000 });
  const r1k = await load.run(url, { inTopic: IN, outTopic: OUT, count: 5000, rate: 1000 });
  const r2k = await load.run(url, { inTopic: IN, outTopic: OUT, count: 10000, rate: 2000 });
  const r5k = await load.run(url, { inTopic: IN, outTopic: OUT, count: 15000, rate: 5000 });
  return { label, sat, r1k, r2k, r5k };
}

async function withNodeRed(flows, fn) {
  const nr = await startNodeRed({ flows });
  try {
    await new Promise((r) => setTimeout(r, 1500)); // let the MQTT clients subscribe
    return await fn(nr);
  } finally {
    await nr.stop();
  }
}

async function rss(nr) {
  const fs = require('fs');
  const s = fs.readFileSync(`/proc/${nr.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(s)[1]) / 1024;
}

async function main() {
  const broker = await startMosquitto();
  if (!broker) throw new Error('mosquitto is required for this benchmark (apt-get install mosquitto)');
  const rows = [];
  try {
    const raw = await load.rawPassThrough(broker.url, IN, OUT);
    rows.push(await measure(broker.url, 'raw mqtt.js pass-through (ceiling)'));
    await raw.close();
    rows.push(await withNodeRed(plainFlow(broker.url), () => measure(broker.url, 'Node-RED mqtt in -> function -> mqtt out')));
    let memory;
    rows.push(await withNodeRed(packageFlow(broker.url), async (nr) => {
      const r = await measure(broker.url, 'Node-RED mfg-subscribe -> validate -> idempotency (sqlite) -> mfg-publish (outbox)');
      const n = Number(process.env.BENCH_RSS_EVENTS || 0);
      if (n) {
        const before = await rss(nr);
        for (let done = 0; done < n; done += 50000) await load.run(broker.url, { inTopic: IN, outTopic: OUT, count: Math.min(50000, n - done) });
        memory = { n, before, after: await rss(nr) };
      }
      return r;
    }));
    const plain = rows[1];
    console.log('## End to end through Node-RED and mosquitto\n');
    console.log('QoS 1 in and out, CloudEvents of ~700 bytes, one publisher and one subscriber client. Latency is publish to arrival on the output topic.\n');
    console.log('| path | saturation msgs/s | vs plain | p50 / p99 ms at 1,000/s | at 2,000/s | at 5,000/s |');
    console.log('|---|---:|---:|---|---|---|');
    for (const r of rows) {
      console.log(`| ${r.label} | ${fmt(r.sat.perSecond)} | ${fmt(r.sat.perSecond / plain.sat.perSecond, 2)} | ${fmt(r.r1k.p50, 1)} / ${fmt(r.r1k.p99, 1)} | ${fmt(r.r2k.p50, 1)} / ${fmt(r.r2k.p99, 1)} | ${fmt(r.r5k.p50, 1)} / ${fmt(r.r5k.p99, 1)} |`);
    }
    const lost = rows.filter((r) => [r.sat, r.r1k, r.r2k, r.r5k].some((x) => x.received !== x.sent));
    if (lost.length) console.log(`\nNot every message arrived within the time limit for: ${lost.map((r) => r.label).join('; ')}.`);
    if (memory) console.log(`\nRSS of the package's Node-RED over ${fmt(memory.n)} more events: ${fmt(memory.before, 1)} MB before, ${fmt(memory.after, 1)} MB after (growth ${fmt(memory.after - memory.before, 1)} MB; goal < 50 MB).`);
  } finally {
    await broker.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });

// Scale-out: 1, 2 and 3 Node-RED instances consuming one stream through an MQTT 5 shared
// subscription (mosquitto), sharing idempotency keys in Redis and posting confirmations
// to the ERP simulator. Counts postings in the ERP ledger: none lost, none doubled.
'use strict';
const mqtt = require('mqtt');
const { startMosquitto, startRedis } = require('../test/helpers/servers');
const { startNodeRed } = require('../test/helpers/child-nr');
const { scaleOutFlow } = require('../test/e2e/scale-out-flow');
const { startErpSim } = require('../dist/sim');
const { catalog, samples, buildEvent, resolvePlant } = require('../dist/lib/events');

const N = Number(process.env.BENCH_SCALE_EVENTS || 3000);
const TYPE = 'mfg.production.operation.completed.v1';
const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'a', line: 'l', system: 'mes' });

function events(run) {
  const out = [];
  for (let i = 0; i < N; i++) {
    const data = { ...structuredClone(samples[TYPE]), orderId: '1000123', confirmationCounter: run * N + i + 1, yield: { value: 1, unit: 'PC' }, finalConfirmation: false };
    delete data.scrap;
    delete data.goodsMovements;
    const ev = buildEvent(catalog.get(TYPE), data, { plant });
    ev.partitionkey = `station-${i % 64}`; // 64 independent partitions, as from 64 stations
    out.push(ev);
  }
  return out;
}

async function runWith(count, run, broker, redis, erp) {
  const nrs = [];
  for (let i = 1; i <= count; i++) nrs.push(await startNodeRed(scaleOutFlow({ mqttUrl: broker.url, redisUrl: redis.url, erpUrl: erp.url, instance: `${run}-${i}` })));
  try {
    await new Promise((r) => setTimeout(r, 1500));
    await fetch(`${erp.url}/__sim/reset`, { method: 'POST' });
    const obs = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    const per = new Map();
    let doneCount = 0;
    let failed = 0;
    obs.on('message', (t) => {
      if (t.startsWith('scale/done/')) { doneCount++; per.set(t, (per.get(t) || 0) + 1); } else failed++;
    });
    await obs.subscribeAsync(['scale/done/+', 'scale/failed/+'], { qos: 1 });
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    const evs = events(run);
    const t0 = performance.now();
    await Promise.all(evs.map((e) => pub.publishAsync('scale/in', JSON.stringify(e), { qos: 1 })));
    const until = Date.now() + 300000;
    while (doneCount + failed < N && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const secs = (performance.now() - t0) / 1000;
    const ledger = (await (await fetch(`${erp.url}/__sim/ledger`)).json()).entries;
    await pub.endAsync();
    await obs.endAsync();
    return { count, secs, rate: doneCount / secs, doneCount, failed, booked: ledger.length, unique: new Set(ledger.map((e) => e.kind + e.key)).size, split: [...per.values()] };
  } finally {
    for (const nr of nrs) await nr.stop();
  }
}

async function main() {
  const broker = await startMosquitto();
  const redis = await startRedis();
  if (!broker || !redis) throw new Error('mosquitto and redis-server are required');
  const erp = await startErpSim({ port: 0 });
  const rows = [];
  try {
    for (const [run, count] of [1, 2, 3].entries()) rows.push(await runWith(count, run, broker, redis, erp));
  } finally {
    await erp.close();
    await broker.stop();
    await redis.stop();
  }
  console.log('## Scale-out: instances sharing one stream\n');
  console.log(`${N} operation.completed events on one MQTT 5 shared subscription (mosquitto), idempotency in one Redis, each posted as a production confirmation to the ERP simulator (REST profile) through the durable outbox. All instances, the broker, Redis and the simulator share the same 2 cores, so more instances compete for the same CPU.\n`);
  console.log('| instances | postings/s | vs 1 instance | split between instances | booked in ERP | distinct | failed |');
  console.log('|---:|---:|---:|---|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.count} | ${Math.round(r.rate).toLocaleString('en-US')} | ${(r.rate / rows[0].rate).toFixed(2)} | ${r.split.join(' / ')} | ${r.booked} | ${r.unique} | ${r.failed} |`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });

// End to end through a real Node-RED and mosquitto: the package's flow
// (mfg-subscribe -> mfg-validate -> mfg-idempotency (sqlite) -> mfg-publish with the durable
// outbox; mfg-publish on the broker node's publishing connection, the default), also with
// mfg-publish on the subscribe connection, against the plain Node-RED
// flow (mqtt in -> function -> mqtt out; in a Node-RED with and one without the package
// installed) and a raw mqtt.js pass-through, all in the same
// run (BENCH_ROUNDS rounds, default 5: a round's ratio to plain spreads by about 10% on a
// shared 2-core machine, and the median of five holds better than the median of three).
// BENCH_RSS_EVENTS=1000000 adds the memory run (the package's Node-RED runs with
// --expose-gc for it: bench/lib/gc-on-signal.js).
'use strict';
const { startMosquitto } = require('../test/helpers/servers');
const { startNodeRed } = require('../test/helpers/child-nr');
const load = require('./lib/mqtt-load');
const { packageFlow, fmt, median, settle, rss, fullGc, GC_ARGS } = require('./lib/e2e');

// Each path has its own topics, so all of them run side by side and are measured in turn,
// round after round: a slow minute on a shared machine then hits every path alike.
const PATHS = {
  raw: { label: 'raw mqtt.js pass-through (ceiling)', in: 'bench/raw/in', out: 'bench/raw/out' },
  plain: { label: 'Node-RED mqtt in -> function -> mqtt out', in: 'bench/plain/in', out: 'bench/plain/out' },
  // The plain flow above runs in a Node-RED with the package installed, as in a plant: the
  // monitor's message hooks then see its msgs too. This one runs where it is not installed.
  bare: { label: 'the same plain flow in a Node-RED without mfg-connect installed', in: 'bench/bare/in', out: 'bench/bare/out' },
  pkg: { label: 'Node-RED mfg-subscribe -> validate -> idempotency (sqlite) -> mfg-publish (outbox)', in: 'bench/pkg/in', out: 'bench/pkg/out' },
  pkg2: { label: 'the same, publishing on the subscribe connection (mfg-broker: publish on this connection)', in: 'bench/pkg2/in', out: 'bench/pkg2/out' },
};
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);

function plainFlow(url, path = PATHS.plain) {
  const u = new URL(url);
  const { in: IN, out: OUT } = path;
  return [
    { id: 't', type: 'tab' },
    { id: 'b', type: 'mqtt-broker', broker: u.hostname, port: u.port, clientid: '', autoConnect: true, usetls: false, protocolVersion: '4', keepalive: '60', cleansession: true },
    { id: 'in', type: 'mqtt in', z: 't', x: 1, y: 1, topic: IN, qos: '1', datatype: 'auto-detect', broker: 'b', nl: false, rap: true, inputs: 0, wires: [['fn']] },
    { id: 'fn', type: 'function', z: 't', x: 1, y: 1, func: 'return msg;', outputs: 1, wires: [['out']] },
    { id: 'out', type: 'mqtt out', z: 't', x: 1, y: 1, topic: OUT, qos: '1', retain: 'false', broker: 'b', wires: [] },
  ];
}

const LOADS = {
  sat: { count: 30000 },
  r1k: { count: 5000, rate: 1000 },
  // 30 s: the goal's rate is measured over several major collections of the heap, not
  // over a 5 s window that one of them can fill.
  r2k: { count: 60000, rate: 2000 },
  r5k: { count: 15000, rate: 5000 },
};

// A paced run measures a steady state: it starts with this long at the same rate, not
// measured. A path's Node-RED sits idle for minutes while the others are measured, and V8
// shrinks an idle heap; the first seconds back at load then pay for growing it again
// with extra major collections (seen while profiling: p99 of 23 to 33 ms in the first
// 5 s at 2,000/s, 11 to 19 ms after).
const WARMUP_S = 5;

/** One round: every load on every path, the paths in a rotating order. */
async function round(url, k, results) {
  const keys = Object.keys(PATHS);
  const order = keys.map((_, i) => keys[(i + k) % keys.length]);
  for (const [load_, opts] of Object.entries(LOADS)) {
    for (const p of order) {
      await settle();
      if (opts.rate) await load.run(url, { inTopic: PATHS[p].in, outTopic: PATHS[p].out, count: opts.rate * WARMUP_S, rate: opts.rate });
      const r = await load.run(url, { inTopic: PATHS[p].in, outTopic: PATHS[p].out, ...opts });
      results[p][load_].push(r);
    }
  }
}

async function main() {
  const broker = await startMosquitto();
  if (!broker) throw new Error('mosquitto is required for this benchmark (apt-get install mosquitto)');
  const results = Object.fromEntries(Object.keys(PATHS).map((p) => [p, Object.fromEntries(Object.keys(LOADS).map((l) => [l, []]))]));
  let raw;
  let plainNr;
  let bareNr;
  let pkgNr;
  let pkg2Nr;
  let memory;
  try {
    raw = await load.rawPassThrough(broker.url, PATHS.raw.in, PATHS.raw.out);
    plainNr = await startNodeRed({ flows: plainFlow(broker.url) });
    bareNr = await startNodeRed({ flows: plainFlow(broker.url, PATHS.bare), withPackage: false });
    pkgNr = await startNodeRed({ flows: packageFlow(broker.url, PATHS.pkg.in, PATHS.pkg.out), nodeArgs: GC_ARGS });
    pkg2Nr = await startNodeRed({ flows: packageFlow(broker.url, PATHS.pkg2.in, PATHS.pkg2.out, { oneConnection: true }) });
    await new Promise((r) => setTimeout(r, 1500)); // let the MQTT clients subscribe
    for (const p of Object.keys(PATHS)) await load.run(broker.url, { inTopic: PATHS[p].in, outTopic: PATHS[p].out, count: 5000 }); // warm-up
    for (let k = 0; k < ROUNDS; k++) await round(broker.url, k, results);
    const n = Number(process.env.BENCH_RSS_EVENTS || 0);
    if (n) {
      await raw.close();
      raw = undefined;
      await plainNr.stop();
      plainNr = undefined;
      await pkg2Nr.stop();
      pkg2Nr = undefined;
      // RSS is read after every batch of 50,000, a short idle pause and a full collection.
      // Without the collection a reading swings by 300 MB with the collector's pacing (seen
      // here: 467 to 771 MB and back, with no trend), which says nothing about what is kept.
      // Growth compares the median of the first 200,000 events' readings with the last's.
      await settle(10000);
      await fullGc(pkgNr);
      const start = await rss(pkgNr);
      const readings = [];
      let peak = 0;
      for (let done = 0; done < n; done += 50000) {
        await load.run(broker.url, { inTopic: PATHS.pkg.in, outTopic: PATHS.pkg.out, count: Math.min(50000, n - done) });
        await settle(2000);
        peak = Math.max(peak, await rss(pkgNr));
        await fullGc(pkgNr);
        readings.push(await rss(pkgNr));
      }
      const k = Math.min(4, Math.floor(readings.length / 2)) || 1;
      memory = { n, start, readings, peak, first: median(readings.slice(0, k)), last: median(readings.slice(-k)), k };
    }
  } finally {
    await raw?.close();
    await plainNr?.stop();
    await bareNr?.stop();
    await pkgNr?.stop();
    await pkg2Nr?.stop();
    await broker.stop();
  }
  const med = (p, l, f) => median(results[p][l].map((r) => r[f]));
  const plainSat = med('plain', 'sat', 'perSecond');
  console.log('## End to end through Node-RED and mosquitto\n');
  console.log(`QoS 1 in and out, CloudEvents of ~700 bytes, one publisher and one subscriber client per run. Latency is publish to arrival on the output topic. The paths run side by side on their own topics and are measured in turn, ${ROUNDS} rounds in rotating order after a warm-up; each figure is the median over the rounds (saturation: 30,000 events; paced: 5,000 / 60,000 / 15,000 events, so 5 s, 30 s and 3 s, each after ${WARMUP_S} s at the same rate that are not measured).\n`);
  console.log('| path | saturation msgs/s | vs plain | p50 ms at saturation | p50 / p99 ms at 1,000/s | at 2,000/s | at 5,000/s |');
  console.log('|---|---:|---:|---:|---|---|---|');
  for (const [p, def] of Object.entries(PATHS)) {
    const lat = (l) => `${fmt(med(p, l, 'p50'), 1)} / ${fmt(med(p, l, 'p99'), 1)}`;
    console.log(`| ${def.label} | ${fmt(med(p, 'sat', 'perSecond'))} | ${fmt(med(p, 'sat', 'perSecond') / plainSat, 2)} | ${fmt(med(p, 'sat', 'p50'))} | ${lat('r1k')} | ${lat('r2k')} | ${lat('r5k')} |`);
  }
  const ratios = results.pkg.sat.map((r, i) => r.perSecond / results.plain.sat[i].perSecond);
  const bareRatios = results.pkg.sat.map((r, i) => r.perSecond / results.bare.sat[i].perSecond);
  console.log(`\nPer round, package vs plain at saturation: ${ratios.map((x) => fmt(x, 2)).join(', ')} (plain ${results.plain.sat.map((r) => fmt(r.perSecond)).join(', ')} msgs/s); package vs the plain flow without mfg-connect installed: ${bareRatios.map((x) => fmt(x, 2)).join(', ')} (median ${fmt(median(bareRatios), 2)}). p99 at 2,000/s per round, package: ${results.pkg.r2k.map((r) => fmt(r.p99, 1)).join(', ')} ms; plain: ${results.plain.r2k.map((r) => fmt(r.p99, 1)).join(', ')} ms.`);
  const lost = Object.entries(PATHS).filter(([p]) => Object.values(results[p]).some((rs) => rs.some((x) => x.received !== x.sent)));
  if (lost.length) console.log(`\nNot every message arrived within the time limit for: ${lost.map(([, d]) => d.label).join('; ')}.`);
  if (memory) {
    const m = memory;
    console.log(`\nRSS of the package's Node-RED over ${fmt(m.n)} more events, read after each batch of 50,000, 2 s idle and a full garbage collection: ${m.readings.map((x) => fmt(x, 0)).join(', ')} MB (${fmt(m.start, 1)} MB before the first batch; before the collections, at most ${fmt(m.peak, 1)} MB). Median of the first ${m.k} readings ${fmt(m.first, 1)} MB, of the last ${m.k} ${fmt(m.last, 1)} MB: growth ${fmt(m.last - m.first, 1)} MB (goal < 50 MB: ${m.last - m.first < 50 ? 'met' : 'NOT met'}); lowest ${fmt(Math.min(...m.readings), 1)}, highest ${fmt(Math.max(...m.readings), 1)} MB.`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });

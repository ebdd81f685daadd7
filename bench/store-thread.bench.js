// The default SQLite store in its own thread (the default) against the same store on
// Node-RED's main thread (settings mfgConnect.storeThread: false), through the package's end-to-end flow
// in two Node-RED instances on one mosquitto. The two are measured in turn, BENCH_ROUNDS
// rounds (default 3) in alternating order, so a slow minute hits both alike.
'use strict';
const { startMosquitto } = require('../test/helpers/servers');
const { startNodeRed } = require('../test/helpers/child-nr');
const load = require('./lib/mqtt-load');
const { packageFlow, fmt, median, settle } = require('./lib/e2e');

const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const MODES = {
  thread: { label: 'own thread (default)', in: 'bench/thread/in', out: 'bench/thread/out', storeThread: true },
  inline: { label: 'main thread (storeThread: false)', in: 'bench/inline/in', out: 'bench/inline/out', storeThread: false },
};
const LOADS = { sat: { count: 30000 }, r2k: { count: 10000, rate: 2000 } };

/** CPU seconds (all threads) the process has used so far */
function cpu(pid) {
  const f = require('fs').readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function main() {
  const broker = await startMosquitto();
  if (!broker) throw new Error('mosquitto is required for this benchmark (apt-get install mosquitto)');
  const nrs = {};
  const results = Object.fromEntries(Object.keys(MODES).map((m) => [m, { sat: [], r2k: [], cpu: [] }]));
  try {
    for (const [m, def] of Object.entries(MODES)) {
      nrs[m] = await startNodeRed({ flows: packageFlow(broker.url, def.in, def.out), settings: { mfgConnect: { storeThread: def.storeThread } } });
    }
    await settle(1500);
    for (const def of Object.values(MODES)) await load.run(broker.url, { inTopic: def.in, outTopic: def.out, count: 5000 }); // warm-up
    const keys = Object.keys(MODES);
    for (let k = 0; k < ROUNDS; k++) {
      for (const m of k % 2 ? [...keys].reverse() : keys) {
        for (const [l, opts] of Object.entries(LOADS)) {
          await settle();
          const c0 = cpu(nrs[m].child.pid);
          const r = await load.run(broker.url, { inTopic: MODES[m].in, outTopic: MODES[m].out, ...opts });
          results[m][l].push(r);
          if (l === 'sat') results[m].cpu.push(((cpu(nrs[m].child.pid) - c0) * 1e6) / opts.count);
        }
      }
    }
  } finally {
    for (const nr of Object.values(nrs)) await nr.stop();
    await broker.stop();
  }
  const med = (m, l, f) => median(results[m][l].map((r) => r[f]));
  const inlineSat = med('inline', 'sat', 'perSecond');
  console.log('## SQLite store: own thread vs main thread\n');
  console.log(`The package's flow (mfg-subscribe -> validate -> idempotency -> mfg-publish with the outbox, default SQLite store, synchronous=FULL) in two Node-RED instances on one mosquitto, QoS 1, CloudEvents of ~700 bytes. ${ROUNDS} rounds in alternating order after a warm-up; each figure is the median over the rounds (saturation: 30,000 events; paced: 10,000 events). CPU is that of the whole Node-RED process, all threads.\n`);
  console.log('| store | saturation msgs/s | vs main thread | CPU µs per msg at saturation | p50 / p99 ms at 2,000/s |');
  console.log('|---|---:|---:|---:|---|');
  for (const [m, def] of Object.entries(MODES)) {
    console.log(`| ${def.label} | ${fmt(med(m, 'sat', 'perSecond'))} | ${fmt(med(m, 'sat', 'perSecond') / inlineSat, 2)} | ${fmt(median(results[m].cpu))} | ${fmt(med(m, 'r2k', 'p50'), 1)} / ${fmt(med(m, 'r2k', 'p99'), 1)} |`);
  }
  const ratios = results.thread.sat.map((r, i) => r.perSecond / results.inline.sat[i].perSecond);
  console.log(`\nPer round, own thread vs main thread at saturation: ${ratios.map((x) => fmt(x, 2)).join(', ')}. p99 at 2,000/s per round: own thread ${results.thread.r2k.map((r) => fmt(r.p99, 1)).join(', ')} ms; main thread ${results.inline.r2k.map((r) => fmt(r.p99, 1)).join(', ')} ms.`);
  const lost = Object.entries(MODES).filter(([m]) => ['sat', 'r2k'].some((l) => results[m][l].some((x) => x.received !== x.sent)));
  if (lost.length) console.log(`\nNot every message arrived within the time limit for: ${lost.map(([, d]) => d.label).join('; ')}.`);
}

main().catch((e) => { console.error(e); process.exit(1); });

#!/usr/bin/env node
// Cost of the monitor's message hooks (trace steps + message metrics) on a flow, measured in
// two Node-RED 4.1 child processes started the same way with the same flow, rounds
// interleaved: one with the monitor (default), one with `mfgConnect.trace.enabled=false`
// (no hooks: the baseline).
//   chain v: 4 x mfg-validate (package nodes: every node records a step on the msg and in
//            the trace store, one new correlation id per event, and counts metrics)
//   chain f: 4 x function (not package nodes: the hooks only look at the node type)
// The clock runs inside Node-RED from the first send into the chain to the last arrival.
// Plus the /mfg-connect/monitor/summary computation against prom-client's own text export.
'use strict';
const { startNodeRed } = require('../test/helpers/child-nr');
const { catalog, samples, buildEvent, resolvePlant } = require('../dist/lib/events');

const N = Number(process.env.BENCH_EVENTS) || 10000;
const ROUNDS = 5;
const TYPE = 'mfg.production.quantity.confirmed.v1';
const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'a', line: 'l', system: 'mes' });
const template = buildEvent(catalog.get(TYPE), structuredClone(samples[TYPE]), { plant });

function flows() {
  const nodes = [
    { id: 'tab', type: 'tab', label: 'bench' },
    { id: 'go', type: 'http in', z: 'tab', url: '/go', method: 'post', wires: [['fan']] },
    {
      id: 'fan', type: 'function', z: 'tab', outputs: 3, wires: [['v1'], ['f1'], ['ok']],
      func: `const n = msg.payload.n, tpl = msg.payload.event, port = msg.payload.chain === 'v' ? 0 : 1;
const msgs = [];
for (let i = 0; i < n; i++) { const e = JSON.parse(JSON.stringify(tpl)); e.id = 'e' + i + '-' + Date.now(); e.correlationid = 'c' + i + '-' + Math.random(); msgs.push({ payload: e }); }
global.set('stats', { n, got: 0, t0: Date.now(), t1: 0 });
for (const m of msgs) node.send(port === 0 ? [m, null, null] : [null, m, null]);
return [null, null, { payload: 'started', res: msg.res, req: msg.req }];`,
    },
    { id: 'ok', type: 'http response', z: 'tab', wires: [] },
    { id: 'sink', type: 'function', z: 'tab', wires: [], func: "const s = global.get('stats'); if (++s.got === s.n) s.t1 = Date.now(); return null;" },
    { id: 'qin', type: 'http in', z: 'tab', url: '/stats', method: 'get', wires: [['q']] },
    { id: 'q', type: 'function', z: 'tab', func: "msg.payload = global.get('stats') || {}; return msg;", wires: [['qout']] },
    { id: 'qout', type: 'http response', z: 'tab', wires: [] },
  ];
  for (let i = 1; i <= 4; i++) {
    nodes.push({ id: `v${i}`, type: 'mfg-validate', z: 'tab', schemaFrom: 'catalog', wires: [[i < 4 ? `v${i + 1}` : 'sink'], []] });
    nodes.push({ id: `f${i}`, type: 'function', z: 'tab', func: 'return msg;', outputs: 1, wires: [[i < 4 ? `f${i + 1}` : 'sink']] });
  }
  return nodes.map((n, i) => (n.z ? { x: 100 + 10 * i, y: 100, ...n } : n));
}

async function round(nr, chain) {
  const r = await fetch(`${nr.url}/go`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ n: N, chain, event: template }) });
  if (r.status !== 200) throw new Error(`start failed: ${r.status}`);
  for (;;) {
    const s = await (await fetch(`${nr.url}/stats`)).json();
    if (s.t1) return N / ((s.t1 - s.t0) / 1000);
    await new Promise((res) => setTimeout(res, 100));
  }
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => Math.round(x).toLocaleString('en-US');
const spread = (xs) => `${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}`;

async function endpointMs(nr, path, n = 30) {
  await fetch(nr.url + path);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await (await fetch(nr.url + path)).text();
  return Number(process.hrtime.bigint() - t0) / 1e6 / n;
}

(async () => {
  const base = await startNodeRed({ flows: flows(), settings: { mfgConnect: { trace: { enabled: false } } } });
  const traced = await startNodeRed({ flows: flows() });
  try {
    const r = { vb: [], vt: [], fb: [], ft: [] };
    await round(base, 'v');
    await round(traced, 'v'); // warm up both
    for (let i = 0; i < ROUNDS; i++) {
      // alternate which process goes first, so drift on a shared machine hits both alike
      const pairs = i % 2 ? [[traced, r.vt, 'v'], [base, r.vb, 'v'], [traced, r.ft, 'f'], [base, r.fb, 'f']] : [[base, r.vb, 'v'], [traced, r.vt, 'v'], [base, r.fb, 'f'], [traced, r.ft, 'f']];
      for (const [nr, list, chain] of pairs) list.push(await round(nr, chain));
    }
    const tx = (await (await fetch(`${traced.url}/mfg-connect/trace?limit=1`)).json()).size;
    const sumMs = await endpointMs(traced, '/mfg-connect/monitor/summary');
    const promMs = await endpointMs(traced, '/mfg-connect/metrics');
    const [vb, vt, fb, ft] = [median(r.vb), median(r.vt), median(r.fb), median(r.ft)];
    console.log(`## Monitor: trace and metrics hooks

Two Node-RED 4.1 child processes with the same flow, rounds interleaved; ${N.toLocaleString('en-US')} events of \`${TYPE}\` per round, each with its own correlation id, through a chain of 4 nodes; median of ${ROUNDS} rounds. Baseline: the process started with \`mfgConnect.trace.enabled = false\` (no hooks). Trace store after the runs: ${tx.toLocaleString('en-US')} transactions (bounded at 10,000).

| flow | msgs/s through the chain, traced (range) | baseline, no hooks, same run (range) | ratio of medians |
|---|---:|---:|---:|
| 4 x mfg-validate (step on msg + trace store + metrics at every node) | ${fmt(vt)} (${spread(r.vt)}) | ${fmt(vb)} (${spread(r.vb)}) | ${(vt / vb).toFixed(2)} |
| 4 x function (other nodes: the hooks only check the type) | ${fmt(ft)} (${spread(r.ft)}) | ${fmt(fb)} (${spread(r.fb)}) | ${(ft / fb).toFixed(2)} |

The events are sent into the chain as one burst (the whole round in flight at once), a worst case for the trace store, which evicts the oldest transactions beyond its bound. The machine is shared with other work; the ranges show the spread between rounds.

| admin endpoint, over HTTP | ms per call | baseline (same run) | ratio |
|---|---:|---|---:|
| GET /mfg-connect/monitor/summary | ${sumMs.toFixed(2)} | GET /mfg-connect/metrics (prom-client text): ${promMs.toFixed(2)} ms | ${(sumMs / promMs).toFixed(2)} |
`);
  } finally {
    await base.stop();
    await traced.stop();
  }
})().catch((err) => { console.error(err); process.exit(1); });

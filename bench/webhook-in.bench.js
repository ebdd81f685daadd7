#!/usr/bin/env node
// Signed webhook deliveries per second into mfg-webhook-in (raw-body capture, Standard
// Webhooks HMAC check, replay memory, canonical event built and validated against its
// schema) against Node-RED's own `http in` -> `http response` flow on the same runtime
// and HTTP server: the baseline, same run, same client.
'use strict';
const http = require('http');
const { helper, node, start, stop, flow } = require('../test/helpers/nr');
const { signStandard } = require('../dist/lib/webhooks');

const N = Number(process.env.BENCH_REQUESTS) || 1000;
const CONC = [1, 10, 50];
const ROUNDS = 3;
const median = (runs) => [...runs].sort((x, y) => x.rate - y.rate)[Math.floor(runs.length / 2)];
const SECRET = 'whsec_' + Buffer.from('bench-webhook-secret').toString('base64');
const httpin = require(require.resolve('@node-red/nodes/core/network/21-httpin.js', { paths: [require.resolve('node-red')] }));
let RED;
const capture = (red) => { RED = red; };

const body = (i) => JSON.stringify({ type: 'nonconformance.created', timestamp: new Date().toISOString(), data: { ncId: `NC-${i}`, status: 'open', material: 'FG226', lot: `B${i % 500}`, defect: 'D-LEAK', severity: 'major', quantity: { value: 2, unit: 'PC' }, detectedAt: new Date().toISOString(), description: null } });

function post(agent, url, headers, raw) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(raw), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(raw);
  });
}

async function run(conc, send) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
  const lat = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: conc }, async () => {
    while (next < N) {
      const i = next++;
      const s = process.hrtime.bigint();
      await send(agent, i);
      lat.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
  }));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { rate: N / secs, cpuUs: (cpu.user + cpu.system) / N, p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)] };
}

(async () => {
  await start();
  await helper.load([node('mfg-plant'), node('mfg-webhook-in'), httpin, capture], flow([
    { id: 'tab', type: 'tab' },
    { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'quality', line: 'lab', system: 'qms' },
    { id: 'hook', type: 'mfg-webhook-in', z: 'tab', url: '/hooks/qms', plant: 'plant', eventType: 'mfg.quality.nonconformance.detected.v1', style: 'standard', toleranceSec: 300, dataPath: 'data', maxIds: 100000, mappings: [{ field: 'defect.code', vt: 'msg', v: 'payload.data.defect' }], wires: [['sink']] },
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'in', type: 'http in', z: 'tab', url: '/plain', method: 'post', upload: false, wires: [['out']] },
    { id: 'out', type: 'http response', z: 'tab', statusCode: '202', headers: {}, wires: [] },
  ]), { hook: { secret: SECRET } });
  let events = 0;
  helper.getNode('sink').on('input', () => { events++; });
  const server = http.createServer(RED.httpNode);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  const rows = [];
  let round = 0;
  for (const c of CONC) {
    round++;
    const plain = (a, i) => post(a, `${url}/plain`, {}, body(i));
    const signed = (a, i, k) => {
      const raw = body(i);
      const id = `msg_${round}_${k}_${i}`;
      const ts = Math.floor(Date.now() / 1000);
      return post(a, `${url}/hooks/qms`, { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandard(SECRET, id, ts, raw) }, raw);
    };
    await run(c, plain); // warm-up
    // interleaved ROUNDS times, median kept: the machine is shared
    const bs = [], ws = [];
    for (let k = 0; k < ROUNDS; k++) {
      bs.push(await run(c, plain));
      ws.push(await run(c, (a, i) => signed(a, i, k)));
    }
    rows.push({ c, b: median(bs), w: median(ws) });
  }
  await new Promise((r) => { server.closeAllConnections(); server.close(r); });
  const expected = N * CONC.length * ROUNDS;
  await stop();
  if (events !== expected) throw new Error(`${events} events out for ${expected} deliveries`);
  const f = (x) => x.toFixed(0);
  const ms = (x) => x.toFixed(2);
  console.log('## mfg-webhook-in: signed deliveries per second\n');
  console.log(`${N} deliveries per run over keep-alive HTTP from one client process (the client also signs each delivery); one Node-RED runtime serves both flows; baseline and webhook runs interleaved ${ROUNDS} times, the run with the median rate shown. Baseline: \`http in\` -> \`http response\` (202) with the same JSON body. Every delivery produced one event (${events} in all).\n`);
  console.log('| concurrency | baseline /s (p50 / p99 ms) | mfg-webhook-in /s (p50 / p99 ms) | ratio |');
  console.log('|---|---|---|---|');
  for (const { c, b, w } of rows) console.log(`| ${c} | ${f(b.rate)} (${ms(b.p50)} / ${ms(b.p99)}) | ${f(w.rate)} (${ms(w.p50)} / ${ms(w.p99)}) | ${(w.rate / b.rate).toFixed(2)} |`);
  console.log('\nCPU time per delivery (client, signing and runtime share the process; less sensitive to other load on the machine than the rates):\n');
  console.log('| concurrency | baseline µs | mfg-webhook-in µs | added µs | ratio |');
  console.log('|---|---|---|---|---|');
  for (const { c, b, w } of rows) console.log(`| ${c} | ${f(b.cpuUs)} | ${f(w.cpuUs)} | ${f(w.cpuUs - b.cpuUs)} | ${(w.cpuUs / b.cpuUs).toFixed(2)} |`);
  console.log('\nmfg-webhook-in does more per request than the baseline: it verifies the HMAC over the raw bytes, checks the timestamp and the replay memory, maps and validates the event against its catalog schema, and answers 202 before sending the msg on.');
})().catch((e) => { console.error(e); process.exit(1); });

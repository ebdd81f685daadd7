#!/usr/bin/env node
// Postings per second through the REST surface of the ERP simulator (Idempotency-Key,
// validation, state model, ledger) and through the SAP OData v2 surface (CSRF, typed
// parsing), against a bare node:http server that parses the JSON and answers 201: the
// baseline, same client, same run. Tells whether the simulator can be the bottleneck of
// a connector benchmark.
'use strict';
const http = require('http');
const { startErpSim } = require('../dist/sim');

const N = Number(process.env.BENCH_REQUESTS) || 2000;
const CONC = [1, 10, 50];
const ROUNDS = 3;
const median = (runs) => [...runs].sort((x, y) => x.rate - y.rate)[Math.floor(runs.length / 2)];

function bare() {
  const s = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const b = JSON.parse(Buffer.concat(chunks));
      const out = JSON.stringify({ materialDocument: '4900000001', items: b.items });
      res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) }).end(out);
    });
  });
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${s.address().port}`, close: () => new Promise((c) => { s.closeAllConnections(); s.close(c); }) })));
}

function request(agent, url, method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, { method, agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve(res.statusCode) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
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

const movement = (i) => JSON.stringify({ headerText: `GI-${i}`, items: [{ material: 'RM200', plant: '1710', storageLocation: '171B', batch: 'RB002', movementType: '501', quantity: 1, unit: 'PC' }] });
const sapDoc = (i) => JSON.stringify({ GoodsMovementCode: '05', MaterialDocumentHeaderText: `GI-${i}`, to_MaterialDocumentItem: [{ Material: 'RM200', Plant: '1710', StorageLocation: '171B', Batch: 'RB002', GoodsMovementType: '501', EntryUnit: 'PC', QuantityInEntryUnit: '1' }] });

(async () => {
  const base = await bare();
  const erp = await startErpSim({ port: 0 });
  const auth = 'Basic ' + Buffer.from('MFG_SAP:Welcome1').toString('base64');
  const csrf = async () => {
    const h = await new Promise((resolve) => http.request(erp.url + '/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/', { method: 'HEAD', headers: { authorization: auth, 'x-csrf-token': 'Fetch' } }, (res) => { res.resume(); resolve(res.headers); }).end());
    return { 'x-csrf-token': h['x-csrf-token'], cookie: h['set-cookie'].map((c) => c.split(';')[0]).join('; '), authorization: auth };
  };
  let round = 0;
  const rows = [];
  for (const c of CONC) {
    round++;
    const sap = await csrf();
    await run(c, (a, i) => request(a, base.url, 'POST', '/api/v1/goods-movements', {}, movement(i))); // warm-up
    // the three interleaved, ROUNDS times, median kept: the machine is shared
    const bs = [], rs = [], ss = [];
    for (let k = 0; k < ROUNDS; k++) {
      bs.push(await run(c, (a, i) => request(a, base.url, 'POST', '/api/v1/goods-movements', {}, movement(i))));
      rs.push(await run(c, (a, i) => request(a, erp.url, 'POST', '/api/v1/goods-movements', { 'Idempotency-Key': `r${round}-${k}-${i}` }, movement(i))));
      ss.push(await run(c, (a, i) => request(a, erp.url, 'POST', '/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader', sap, sapDoc(i))));
    }
    rows.push({ c, b: median(bs), r: median(rs), s: median(ss) });
    await new Promise((res) => http.request(erp.url + '/__sim/reset', { method: 'POST' }, (x) => { x.resume(); x.on('end', res); }).end());
  }
  await erp.close();
  await base.close();
  const f = (x) => x.toFixed(0);
  const ms = (x) => x.toFixed(2);
  console.log('## Simulators: postings per second\n');
  console.log(`${N} material-document postings per run over keep-alive HTTP from one client process; baseline and simulator runs interleaved ${ROUNDS} times, the run with the median rate shown. The baseline is a bare node:http server that parses the same JSON and answers 201.\n`);
  console.log('| concurrency | baseline /s (p50 / p99 ms) | ERP rest /s (p50 / p99 ms) | ratio | ERP sap-odata /s (p50 / p99 ms) | ratio |');
  console.log('|---|---|---|---|---|---|');
  for (const { c, b, r, s } of rows) {
    console.log(`| ${c} | ${f(b.rate)} (${ms(b.p50)} / ${ms(b.p99)}) | ${f(r.rate)} (${ms(r.p50)} / ${ms(r.p99)}) | ${(r.rate / b.rate).toFixed(2)} | ${f(s.rate)} (${ms(s.p50)} / ${ms(s.p99)}) | ${(s.rate / b.rate).toFixed(2)} |`);
  }
  console.log('\nCPU time per posting (client and server share the process; less sensitive to other load on the machine than the rates):\n');
  console.log('| concurrency | baseline µs | ERP rest µs | added µs | ERP sap-odata µs | added µs |');
  console.log('|---|---|---|---|---|---|');
  for (const { c, b, r, s } of rows) console.log(`| ${c} | ${f(b.cpuUs)} | ${f(r.cpuUs)} | ${f(r.cpuUs - b.cpuUs)} | ${f(s.cpuUs)} | ${f(s.cpuUs - b.cpuUs)} |`);
  console.log('\nThe rest surface stores every Idempotency-Key and its response, validates the body, books stock and the ledger; the sap-odata surface checks basic auth, the CSRF token and session, parses every property by its Edm type and formats the OData v2 reply.');
})().catch((e) => { console.error(e); process.exit(1); });

// `npm start`: the demo plant launcher (dist/sim/demo.js) on free ports. Within a minute the
// ERP simulator's ledger shows confirmations and goods movements; Ctrl-C stops it cleanly.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');
const { freePort, tmpDir } = require('../helpers/servers');

const root = path.resolve(__dirname, '../..');

const refused = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(false); });
  s.once('error', () => resolve(true));
});

test('the demo plant produces into ERP within a minute and stops on SIGINT', { timeout: 150000 }, async (t) => {
  const ports = {};
  for (const k of ['EDITOR', 'MQTT', 'OPCUA', 'ERP', 'WMS', 'QMS']) ports[k] = await freePort();
  const env = { ...process.env, MFG_DEMO_DIR: tmpDir('mfg-demo-'), MFG_LOG_LEVEL: 'warn' };
  for (const [k, v] of Object.entries(ports)) env[`MFG_${k}_PORT`] = String(v);
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(root, 'dist/sim/demo.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });

  while (!out.includes('demo plant is running')) {
    if (child.exitCode !== null) assert.fail(`the demo exited: ${out}`);
    if (Date.now() - started > 60000) assert.fail(`the demo did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const k of Object.keys(ports)) assert.ok(out.includes(`:${ports[k]}`), `${k} URL printed:\n${out}`);

  const erp = `http://127.0.0.1:${ports.ERP}`;
  let kinds = {};
  while (Date.now() - started < 60000 && !(kinds.confirmation && kinds['material-document'])) {
    await new Promise((r) => setTimeout(r, 1000));
    const { entries } = await (await fetch(`${erp}/__sim/ledger`)).json();
    kinds = entries.reduce((m, e) => ({ ...m, [e.kind]: (m[e.kind] || 0) + 1 }), {});
  }
  assert.ok(kinds.confirmation > 0, `confirmations in the ERP ledger within a minute: ${JSON.stringify(kinds)}`);
  assert.ok(kinds['material-document'] > 0, `goods movements in the ERP ledger within a minute: ${JSON.stringify(kinds)}`);
  // the editor serves the demo flow
  const flows = await (await fetch(`http://127.0.0.1:${ports.EDITOR}/flows`)).json();
  assert.ok(flows.some((n) => n.type === 'tab' && /Production confirmation/.test(n.label)));

  child.kill('SIGINT');
  const end = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 20000))]);
  assert.deepEqual(end, { code: 0, signal: null }, `clean exit after SIGINT:\n${out.slice(-2000)}`);
  for (const k of Object.keys(ports)) assert.ok(await refused(ports[k]), `${k} port ${ports[k]} closed`);
});

// `npm start`: the demo plant in one process. An embedded MQTT broker (aedes), the ERP,
// WMS and QMS simulators, the OPC UA plant, and an embedded Node-RED 4.1 running
// flows/demo-plant.json with this package's nodes. Ctrl-C stops everything.
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { startErpSim, startQmsSim, startWmsSim } from './index';
import { startPlantSim } from './plant';

const root = path.resolve(__dirname, '../..');
const HOST = '127.0.0.1';
const port = (name: string, fallback: number) => Number(process.env[name] || fallback);

interface Closable { close(): Promise<void> | void }

async function startBroker(p: number): Promise<Closable> {
  // aedes speaks MQTT 3.1.1; mfg-broker set to "auto" falls back to it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const aedes = require('aedes')();
  const server = net.createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(p, HOST, () => resolve()));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return {
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => aedes.close(() => resolve()));
    }),
  };
}

/** A userDir with this package linked in, and the demo flow as its flow file. */
function prepareUserDir(): string {
  const userDir = process.env.MFG_DEMO_DIR || path.join(root, '.demo');
  const scope = path.join(userDir, 'node_modules', '@mfg-connect');
  fs.mkdirSync(scope, { recursive: true });
  const link = path.join(scope, 'node-red-nodes');
  if (!fs.existsSync(link)) fs.symlinkSync(root, link, 'dir');
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'mfg-demo', private: true, dependencies: { '@mfg-connect/node-red-nodes': '*' } }, null, 2));
  // The simulators start from their seed on every start, so the plant's state does too:
  // outboxes, idempotency keys and counters of a previous run would not match them.
  fs.rmSync(path.join(userDir, 'mfg-connect'), { recursive: true, force: true });
  // A fresh copy each start: the demo always runs the flow of this checkout.
  fs.copyFileSync(path.join(root, 'flows', 'demo-plant.json'), path.join(userDir, 'flows.json'));
  const cred = path.join(root, 'flows', 'demo-plant_cred.json');
  if (fs.existsSync(cred)) fs.copyFileSync(cred, path.join(userDir, 'flows_cred.json'));
  return userDir;
}

async function startNodeRed(p: number, userDir: string): Promise<Closable> {
  // node-red and its express come from devDependencies: the demo is a development tool.
  const nrPath = require.resolve('node-red', { paths: [root] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require(nrPath);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const express = require(require.resolve('express', { paths: [path.dirname(nrPath)] }));
  const app = express();
  const server = http.createServer(app);
  RED.init(server, {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: '/',
    httpNodeRoot: '/api',
    uiHost: HOST,
    uiPort: p,
    editorTheme: { tours: false, projects: { enabled: false } },
    telemetry: { enabled: false, updateNotification: false },
    logging: { console: { level: process.env.MFG_LOG_LEVEL || 'info' } },
  });
  app.use('/', RED.httpAdmin);
  app.use('/api', RED.httpNode);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(p, HOST, () => resolve()));
  await RED.start();
  return { close: async () => { await RED.stop(); await new Promise((r) => server.close(r)); } };
}

/** The QMS calls the demo flow's webhook node on every nonconformance (secret from the demo credentials). */
async function subscribeWebhook(qmsUrl: string, url: string): Promise<void> {
  const cred = path.join(root, 'flows', 'demo-plant_cred.json');
  const secret = fs.existsSync(cred) ? JSON.parse(fs.readFileSync(cred, 'utf8'))['wf5-webhook']?.secret : undefined;
  if (!secret) return;
  const r = await fetch(`${qmsUrl}/__sim/webhooks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url, secret, style: 'standard', event: 'nonconformance.created' }) });
  if (!r.ok) throw new Error(`QMS webhook subscription failed: ${r.status} ${await r.text()}`);
}

async function main(): Promise<void> {
  const ports = {
    editor: port('MFG_EDITOR_PORT', 1880), mqtt: port('MFG_MQTT_PORT', 1883), opcua: port('MFG_OPCUA_PORT', 4840),
    erp: port('MFG_ERP_PORT', 8081), wms: port('MFG_WMS_PORT', 8082), qms: port('MFG_QMS_PORT', 8083),
  };
  const running: Closable[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the demo plant...');
    for (const r of running.reverse()) {
      try { await r.close(); } catch (err) { console.error(`while stopping: ${(err as Error).message}`); }
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    running.push(await startBroker(ports.mqtt));
    const erp = await startErpSim({ port: ports.erp, host: HOST });
    running.push(erp);
    const wms = await startWmsSim({ port: ports.wms, host: HOST });
    running.push(wms);
    const qms = await startQmsSim({ port: ports.qms, host: HOST });
    running.push(qms);
    const mqttUrl = `mqtt://${HOST}:${ports.mqtt}`;
    // A shift plan big enough for a long demo: the seeded orders would be fully confirmed
    // after a few loops of the scenario, and later confirmations refused.
    for (const o of erp.state.orders.values()) o.totalQty = Math.max(o.totalQty, 100000);
    // The scenario replays the same orders every loop and signs them off (final
    // confirmation) at its end: the demo's planner reopens them for the next loop.
    const reopen = setInterval(() => {
      for (const o of erp.state.orders.values()) if (o.status === 'CNF') o.status = 'PCNF';
    }, 2000);
    reopen.unref();
    running.push({ close: () => clearInterval(reopen) });
    // The demo plant keeps producing: two lines (L1 over OPC UA, L2 as MQTT telemetry),
    // the scenario looping at ten plant seconds per second.
    const plant = await startPlantSim({
      port: ports.opcua, mqttUrl, lines: ['L1', 'L2'], mqttLine: 'L2', loop: true, timeScale: Number(process.env.MFG_TIME_SCALE || 10),
    });
    running.push(plant);
    Object.assign(process.env, {
      MFG_ENTERPRISE: process.env.MFG_ENTERPRISE || 'acme', MFG_SITE: process.env.MFG_SITE || 'BER1',
      MFG_AREA: process.env.MFG_AREA || 'assembly', MFG_LINE: process.env.MFG_LINE || 'line1',
      MFG_MQTT_URL: mqttUrl, MFG_MQTT_HOST: HOST, MFG_MQTT_PORT: String(ports.mqtt), MFG_OPCUA_URL: plant.endpointUrl,
      MFG_ERP_URL: erp.url, MFG_WMS_URL: wms.url, MFG_QMS_URL: qms.url,
    });
    running.push(await startNodeRed(ports.editor, prepareUserDir()));
    await subscribeWebhook(qms.url, `http://${HOST}:${ports.editor}/api/webhooks/qms`);
    console.log([
      '',
      'mfg-connect demo plant is running',
      `  Node-RED editor   http://${HOST}:${ports.editor}/`,
      `  MQTT broker       ${mqttUrl} (aedes, MQTT 3.1.1)`,
      `  OPC UA plant      ${plant.endpointUrl}`,
      `  ERP simulator     ${erp.url}   (ledger: ${erp.url}/__sim/ledger)`,
      `  WMS simulator     ${wms.url}   (ledger: ${wms.url}/__sim/ledger)`,
      `  QMS simulator     ${qms.url}   (ledger: ${qms.url}/__sim/ledger)`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'));
  } catch (err) {
    console.error(`demo failed to start: ${(err as Error).message}`);
    await stop(1);
  }
}

void main();

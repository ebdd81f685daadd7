// The plant around the workflow flows in tests: MQTT broker, ERP/WMS/QMS simulators, the
// OPC UA plant, TCP links that can be cut (the WAN), and a child Node-RED running flows.
'use strict';
const mqtt = require('mqtt');
const { startBroker, freePort } = require('../helpers/servers');
const { startLink } = require('../helpers/link');
const { startNodeRed } = require('../helpers/child-nr');
const { startErpSim, startWmsSim, startQmsSim } = require('../../dist/sim');
const { startPlantSim } = require('../../dist/sim/plant');

const WEBHOOK_SECRET = 'whsec_' + Buffer.from('workflow-test-secret-0123456789').toString('base64');

async function http(url, method = 'GET', body, headers = {}) {
  const r = await fetch(url, { method, headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers }, body: body !== undefined ? JSON.stringify(body) : undefined });
  const text = await r.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
  return { status: r.status, body: json };
}

/** Polls fn until it returns a truthy value; fails with the last value seen. */
async function until(fn, what, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Everything the workflows need, then Node-RED running the given flows. */
async function startPlant({ flows, credentials = {}, site = 'BER1', timeScale = 50, nodeRed = {} }) {
  const env = { closers: [] };
  const closeLater = (x, fn) => { env.closers.push(fn || (() => x.close())); return x; };
  env.broker = await startBroker();
  env.closers.push(() => env.broker.stop());
  env.erp = closeLater(await startErpSim({ port: 0 }));
  env.wms = closeLater(await startWmsSim({ port: 0 }));
  env.qms = closeLater(await startQmsSim({ port: 0 }));
  env.plant = closeLater(await startPlantSim({ port: await freePort(), timeScale, autoPlay: false, seed: 7, pkiDir: require('../helpers/servers').tmpDir('pki-') }));
  env.mqttLink = closeLater(await startLink(env.broker.port));
  env.erpLink = closeLater(await startLink(env.erp.port));
  env.vars = {
    MFG_ENTERPRISE: 'acme', MFG_SITE: site, MFG_AREA: 'assembly', MFG_LINE: 'line1',
    MFG_MQTT_URL: `mqtt://127.0.0.1:${env.mqttLink.port}`, MFG_MQTT_HOST: '127.0.0.1', MFG_MQTT_PORT: String(env.broker.port),
    MFG_ERP_URL: `http://127.0.0.1:${env.erpLink.port}`, MFG_WMS_URL: env.wms.url, MFG_QMS_URL: env.qms.url, MFG_OPCUA_URL: env.plant.endpointUrl,
  };
  // the backbone as an outside observer sees it
  env.events = [];
  env.observer = await mqtt.connectAsync(env.broker.url, { clientId: `observer-${Date.now()}` });
  env.closers.push(() => env.observer.endAsync());
  env.observer.on('message', (topic, buf) => { try { env.events.push({ topic, ...JSON.parse(buf.toString()) }); } catch { /* not an event */ } });
  await env.observer.subscribeAsync(`acme/${site}/#`, { qos: 1 });
  env.nr = await startNodeRed({ flows, credentials: { 'mfg-cfg-erp': { username: 'MFG_SAP', password: 'Welcome1' }, 'wf5-webhook': { secret: WEBHOOK_SECRET }, ...credentials }, env: env.vars, ...nodeRed });
  env.closers.push(() => env.nr.stop());
  env.inject = async (id) => {
    const r = await http(`${env.nr.url}/inject/${id}`, 'POST');
    if (r.status !== 200) throw new Error(`inject ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  env.ledger = async (sim, kind) => (await http(`${sim.url}/__sim/ledger`)).body.entries.filter((e) => !kind || e.kind === kind);
  env.state = async (sim) => (await http(`${sim.url}/__sim/state`)).body;
  env.ofType = (t) => env.events.filter((e) => e.type && e.type.includes(t));
  env.close = async () => {
    for (const f of env.closers.reverse()) { try { await f(); } catch { /* already gone */ } }
  };
  return env;
}

/** One flow of all the given example files: config nodes shared by id. */
function mergeFlows(lists) {
  const seen = new Map();
  for (const list of lists) for (const n of list) if (!seen.has(n.id)) seen.set(n.id, n);
  return [...seen.values()];
}

module.exports = { startPlant, mergeFlows, startLink, http, until, WEBHOOK_SECRET };

// Shared by the end-to-end benchmarks. The package's flow: mfg-subscribe -> mfg-validate -> mfg-idempotency (the
// default SQLite store) -> mfg-publish (durable outbox), QoS 1 in and out.
'use strict';

/** opts.oneConnection: mfg-publish on the subscribe connection (publishOn 'shared'), not its own. */
function packageFlow(url, IN, OUT, opts = {}) {
  const flow = [
    { id: 't', type: 'tab' },
    { id: 'b', type: 'mfg-broker', url, protocol: '3.1.1', clientId: '', keepalive: 60, cleanSession: true, verifyTls: true, maxInFlight: 1000 },
    { id: 'sub', type: 'mfg-subscribe', z: 't', x: 1, y: 1, broker: 'b', mode: 'topic', topic: IN, types: '', group: '', qos: 1, wires: [['val'], []] },
    { id: 'val', type: 'mfg-validate', z: 't', x: 1, y: 1, schemaFrom: 'catalog', maxBytes: 262144, wires: [['idem'], []] },
    { id: 'idem', type: 'mfg-idempotency', z: 't', x: 1, y: 1, keyType: 'eventid', key: '', scope: 'bench', mode: 'mark', wires: [['pub'], []] },
    { id: 'pub', type: 'mfg-publish', z: 't', x: 1, y: 1, broker: 'b', topicFrom: 'fixed', topic: OUT, limit: 1000000, wires: [] },
  ];
  if (opts.oneConnection) flow[1].publishOn = 'shared';
  return flow;
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const settle = (ms = 1000) => new Promise((r) => setTimeout(r, ms));

/** node options for a Node-RED whose memory is read: fullGc() then works on it */
const GC_ARGS = ['--expose-gc', '-r', require('path').join(__dirname, 'gc-on-signal.js')];

/** A full collection in that Node-RED, then a moment for the freed pages to go back. */
async function fullGc(nr) {
  process.kill(nr.child.pid, 'SIGWINCH');
  await settle(1000);
}

async function rss(nr) {
  const fs = require('fs');
  const s = fs.readFileSync(`/proc/${nr.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(s)[1]) / 1024;
}

module.exports = { packageFlow, fmt, median, settle, rss, fullGc, GC_ARGS };

// Load generator for end-to-end benchmarks: publishes CloudEvents QoS 1 to an input
// topic and measures what arrives on an output topic (throughput, latency percentiles).
'use strict';
const mqtt = require('mqtt');
const { catalog, samples, buildEvent, resolvePlant } = require('../../dist/lib/events');

const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' });
const TYPE = 'mfg.production.quantity.confirmed.v1';
const entry = catalog.get(TYPE);

function connect(url, id) {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { clientId: id, protocolVersion: 4, clean: true, reconnectPeriod: 0 });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

function event(i, runId) {
  const data = { ...samples[TYPE], orderId: `B${i % 200}`, confirmationCounter: i + 1 };
  const ev = buildEvent(entry, data, { plant });
  ev.benchrun = runId;
  return ev;
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Sends `count` events (at `rate`/s, or as fast as the window allows when rate is 0)
 * and waits for them on outTopic. Returns {sent, received, seconds, perSecond, p50, p99}.
 */
async function run(url, { inTopic, outTopic, count, rate = 0, window = 1000, timeoutMs = 120000 }) {
  const runId = `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const pub = await connect(url, `bench-pub-${runId}`);
  const sub = await connect(url, `bench-sub-${runId}`);
  const lat = [];
  let received = 0;
  let lastAt = 0;
  const done = new Promise((resolve) => {
    sub.on('message', (_t, buf) => {
      const now = performance.now();
      let ev;
      try { ev = JSON.parse(buf); } catch { return; }
      if (ev.benchrun !== runId) return;
      lat.push(now - ev.benchts);
      received++;
      lastAt = now;
      if (received === count) resolve();
    });
  });
  await new Promise((r, j) => sub.subscribe(outTopic, { qos: 1 }, (e) => (e ? j(e) : r())));
  const payloads = [];
  for (let i = 0; i < count; i++) payloads.push(event(i, runId));
  const t0 = performance.now();
  let inflight = 0;
  let i = 0;
  await new Promise((resolve) => {
    // One pump loop: a timer when paced, a PUBACK when the window is full. (Each PUBACK
    // starting its own timer loop would leave thousands of loops burning the CPU the
    // measured processes need.)
    let timer = null;
    let blocked = false;
    const pump = () => {
      timer = null;
      blocked = false;
      const now = performance.now();
      const due = rate > 0 ? Math.min(count, Math.floor(((now - t0) / 1000) * rate) + 1) : count;
      while (i < due && inflight < window) {
        const ev = payloads[i++];
        ev.benchts = performance.now();
        inflight++;
        pub.publish(inTopic, JSON.stringify(ev), { qos: 1 }, () => {
          inflight--;
          if (blocked) {
            blocked = false;
            setImmediate(pump);
          }
        });
      }
      if (i >= count) return resolve();
      if (inflight >= window) blocked = true;
      else if (rate > 0 && !timer) timer = setTimeout(pump, 1);
    };
    pump();
  });
  let limit;
  const timeout = new Promise((r) => { limit = setTimeout(r, timeoutMs); });
  await Promise.race([done, timeout]);
  clearTimeout(limit); // else it holds the process open after the last run
  const seconds = ((lastAt || performance.now()) - t0) / 1000;
  pub.end(true);
  sub.end(true);
  lat.sort((a, b) => a - b);
  return { sent: count, received, seconds, perSecond: received / seconds, p50: pct(lat, 50), p99: pct(lat, 99) };
}

/** The ceiling: a bare mqtt.js client that forwards inTopic to outTopic. */
async function rawPassThrough(url, inTopic, outTopic) {
  const c = await connect(url, `bench-raw-${Date.now()}`);
  c.on('message', (_t, buf) => c.publish(outTopic, buf, { qos: 1 }));
  await new Promise((r, j) => c.subscribe(inTopic, { qos: 1 }, (e) => (e ? j(e) : r())));
  return { close: () => new Promise((r) => c.end(false, {}, r)) };
}

module.exports = { run, rawPassThrough, connect };

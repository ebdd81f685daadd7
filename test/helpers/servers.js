// Real servers for tests: free ports, mosquitto (or aedes), redis-server, all on 127.0.0.1.
'use strict';
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, execFileSync } = require('child_process');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {}
  }
  return null;
}

/** Prints a notice that cannot be missed in the test log. */
function loudSkip(t, what) {
  const line = '!'.repeat(78);
  const text = `SKIPPED: ${what} is not installed on this machine; CI installs it (.ci/run).`;
  console.error(`\n${line}\n${text}\n${line}\n`);
  t.skip(text);
}

function waitPort(port, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => { c.destroy(); resolve(); });
      c.once('error', () => {
        c.destroy();
        if (Date.now() > until) reject(new Error(`port ${port} did not open`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function stopProcess(child, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** mosquitto 2 on a free (or given) port with persistence off; returns {port, url, stop, child}. */
async function startMosquitto(opts = {}) {
  const bin = which('mosquitto');
  if (!bin) return null;
  const port = opts.port || (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosq-'));
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(conf, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'max_inflight_messages 0',
    'max_queued_messages 0',
    ...(opts.extra || []),
  ].join('\n') + '\n');
  const child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  try {
    await waitPort(port);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`mosquitto did not start: ${stderr}`);
  }
  return { port, url: `mqtt://127.0.0.1:${port}`, child, stop: () => stopProcess(child), kind: 'mosquitto' };
}

/** aedes in this process (MQTT 3.1.1 only). */
async function startAedes(opts = {}) {
  const { Aedes } = require('aedes');
  const port = opts.port || (await freePort());
  const broker = Aedes && Aedes.createBroker ? await Aedes.createBroker() : require('aedes')();
  const server = net.createServer(broker.handle);
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return {
    port, url: `mqtt://127.0.0.1:${port}`, kind: 'aedes', broker,
    stop: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => broker.close(() => resolve()));
    }),
  };
}

/** mosquitto when installed, else aedes. */
async function startBroker(opts) {
  return (await startMosquitto(opts)) || startAedes(opts);
}

/** redis-server on a free port, no persistence; returns {port, url, stop} or null. */
async function startRedis(opts = {}) {
  const bin = which('redis-server');
  if (!bin) return null;
  const port = opts.port || (await freePort());
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(opts.args || [])], { stdio: 'ignore' });
  await waitPort(port);
  return { port, url: `redis://127.0.0.1:${port}`, child, stop: () => stopProcess(child) };
}

function tmpDir(prefix = 'mfg-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

module.exports = { freePort, which, loudSkip, waitPort, stopProcess, startMosquitto, startAedes, startBroker, startRedis, tmpDir };

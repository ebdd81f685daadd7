// Node-RED 4.1 as a child process with this package loaded from the working tree
// (symlinked into the userDir's node_modules), for tests that kill, restart or
// run several instances. Build dist/ first.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { freePort, tmpDir, stopProcess } = require('./servers');

const root = path.resolve(__dirname, '../..');
const redJs = require.resolve('node-red/red.js', { paths: [root] });

function linkPackage(userDir) {
  const scope = path.join(userDir, 'node_modules', '@mfg-connect');
  fs.mkdirSync(scope, { recursive: true });
  const link = path.join(scope, 'node-red-nodes');
  if (!fs.existsSync(link)) fs.symlinkSync(root, link, 'dir');
  const pkg = path.join(userDir, 'package.json');
  if (!fs.existsSync(pkg)) {
    fs.writeFileSync(pkg, JSON.stringify({ name: 'node-red-project', private: true, dependencies: { '@mfg-connect/node-red-nodes': '*' } }, null, 2));
  }
}

/**
 * Starts Node-RED. opts: flows (array), credentials ({nodeId: {...}}), userDir (reuse to
 * restart on the same state), env, settings (JSON-serialisable extra settings), port,
 * nodeArgs (options of node itself, before red.js), withPackage (false: a Node-RED
 * without this package installed).
 * Flows and credentials are written only when given (a restart keeps what is there).
 */
async function startNodeRed(opts = {}) {
  const userDir = opts.userDir || tmpDir('mfg-nr-');
  const port = opts.port || (await freePort());
  if (opts.withPackage !== false) linkPackage(userDir);
  if (opts.flows) fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(opts.flows, null, 1));
  if (opts.credentials) fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(opts.credentials));
  // Node-RED also loads the node modules beside its own install (our devDependencies):
  // node-red-contrib-opcua takes seconds to load, so only flows that use it get it.
  const flowsNow = opts.flows || (fs.existsSync(path.join(userDir, 'flows.json')) ? JSON.parse(fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8')) : []);
  const usesOpcua = flowsNow.some((n) => /^OpcUa-/.test(n.type));
  const settings = {
    nodesExcludes: usesOpcua ? [] : ['node-red-contrib-opcua'],
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    credentialSecret: false,
    logging: { console: { level: 'info', metrics: false, audit: false } },
    editorTheme: { tours: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    ...(opts.settings || {}),
  };
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 1)};\n`);
  const child = spawn(process.execPath, [...(opts.nodeArgs || []), redJs, '-u', userDir, '-s', path.join(userDir, 'settings.js')], {
    env: { ...process.env, ...(opts.env || {}), NODE_RED_ENABLE_PROJECTS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (d) => { out += d; if (out.length > 2e6) out = out.slice(-1e6); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`Node-RED did not start within ${opts.startTimeoutMs || 60000} ms:\n${out.slice(-4000)}`)), opts.startTimeoutMs || 60000);
    // red.js starts the flows before its HTTP server listens: wait for both
    const ready = () => /Started flows/.test(out) && /Server now running at/.test(out);
    const check = () => { if (ready() || /Failed to start server|Error loading flows/.test(out)) done(ready() ? null : new Error(out.slice(-4000))); };
    const exit = (code) => done(new Error(`Node-RED exited (${code}) before starting:\n${out.slice(-4000)}`));
    function done(err) {
      clearTimeout(timer);
      child.stdout.off('data', check);
      child.stderr.off('data', check);
      child.off('exit', exit);
      err ? (child.kill('SIGKILL'), reject(err)) : resolve();
    }
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', exit);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    userDir,
    child,
    output: () => out,
    kill: () => stopProcess(child, 'SIGKILL'),
    stop: () => stopProcess(child, 'SIGTERM'),
  };
}

module.exports = { startNodeRed, linkPackage };

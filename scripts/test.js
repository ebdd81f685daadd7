#!/usr/bin/env node
// Runs every test file under test/ with node's test runner, one file at a time:
// node tests start Node-RED runtimes and servers on ports chosen at run time.
// Usage: node scripts/test.js [path-filter ...]
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const tiers = ['unit', 'nodes', 'e2e', 'chaos'];
const filters = process.argv.slice(2);

function find(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...find(p));
    else if (ent.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

let files = [];
for (const t of tiers) files.push(...find(path.join(root, 'test', t)));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (!files.length) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, NODE_ENV: 'test' },
});
process.exit(r.status === null ? 1 : r.status);

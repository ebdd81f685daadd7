#!/usr/bin/env node
// Compiles TypeScript to dist/ and copies the editor files (.html, locales, icons)
// next to each emitted node file, where Node-RED looks for them.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });

// --clean starts from an empty dist/; without it tsc overwrites in place.
if (process.argv.includes('--clean')) fs.rmSync(dist, { recursive: true, force: true });
let failed = false;
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
} catch {
  failed = true; // tsc still emitted; copy the assets, then fail
}

function copyTree(src, dst, filter) {
  if (!fs.existsSync(src)) return;
  for (const ent of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, ent.name);
    const d = path.join(dst, ent.name);
    if (ent.isDirectory()) copyTree(s, d, filter);
    else if (filter(s)) {
      fs.mkdirSync(path.dirname(d), { recursive: true });
      fs.copyFileSync(s, d);
    }
  }
}

const notTs = (f) => !f.endsWith('.ts');
const connectorSrc = path.join(root, 'nodes', 'mfg-erp');
const isConnectorTemplate = (f) => path.dirname(f) === connectorSrc && /\.tmpl$|^connector-roles\.json$/.test(path.basename(f));
// nodes/<type>/{*.html, locales/**, *.json}
copyTree(path.join(root, 'nodes'), path.join(dist, 'nodes'), (f) => notTs(f) && !isConnectorTemplate(f));
// mfg-erp, mfg-wms and mfg-qms share one editor definition, rendered per role
const tmpl = fs.readFileSync(path.join(connectorSrc, 'connector.html.tmpl'), 'utf8');
const roles = JSON.parse(fs.readFileSync(path.join(connectorSrc, 'connector-roles.json'), 'utf8'));
for (const [role, r] of Object.entries(roles)) {
  const html = tmpl.replace(/\{\{role\}\}/g, role).replace(/\{\{ROLE\}\}/g, role.toUpperCase())
    .replace(/\{\{icon\}\}/g, r.icon).replace(/\{\{operations\}\}/g, r.operations);
  fs.mkdirSync(path.join(dist, 'nodes', `mfg-${role}`), { recursive: true });
  fs.writeFileSync(path.join(dist, 'nodes', `mfg-${role}`, `mfg-${role}.html`), html);
}
// icons beside every node file
const nodesDist = path.join(dist, 'nodes');
if (fs.existsSync(nodesDist)) {
  for (const ent of fs.readdirSync(nodesDist, { withFileTypes: true })) {
    if (ent.isDirectory() && ent.name !== 'shared') copyTree(path.join(root, 'icons'), path.join(nodesDist, ent.name, 'icons'), () => true);
  }
}
// non-TS assets of lib and sim (JSON schemas, static pages)
copyTree(path.join(root, 'lib'), path.join(dist, 'lib'), notTs);
copyTree(path.join(root, 'sim'), path.join(dist, 'sim'), notTs);
if (failed) {
  console.error('build: TypeScript reported errors');
  process.exit(1);
}
console.log('build: dist/ ready');

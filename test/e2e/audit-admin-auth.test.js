'use strict';
// Every admin route of the package, collected from the node sources (so a new route cannot
// be forgotten), with adminAuth on: no token and a signed-in user without the package's
// permissions are refused (Node-RED 4.1 answers 401 for both); a read-only user reads but
// cannot change (replay, discard, forget an idempotency key, check an endpoint); a user
// with write permission gets through to the handler.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const bcrypt = require('bcryptjs');
const { startNodeRed } = require('../helpers/child-nr');
const { freePort } = require('../helpers/servers');

const nodesDir = path.resolve(__dirname, '../../nodes');

/** [{method, path, perm: 'read'|'write', file}] from RED.httpAdmin / app.<verb>(path, guard, ...) calls. */
function collectRoutes() {
  const routes = [];
  const files = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p); else if (e.name.endsWith('.ts')) files.push(p);
  });
  walk(nodesDir);
  for (const f of files) {
    const src = fs.readFileSync(f, 'utf8');
    if (!/httpAdmin/.test(src)) continue;
    const vars = {};
    for (const m of src.matchAll(/const (\w+) = '(\/mfg-connect[^']*)'/g)) vars[m[1]] = m[2];
    const re = /(?:httpAdmin|app)\.(get|post|delete|put|patch)\(\s*([^,]+?),\s*(read|write|RED\.auth\.needsPermission\((PERMISSION_READ|PERMISSION_WRITE)\)|[^,]+)/g;
    for (const m of src.matchAll(re)) {
      let p = m[2].trim();
      if (/^'[^']*'$/.test(p)) p = p.slice(1, -1);
      else if (/^`[^`]*`$/.test(p)) p = p.slice(1, -1).replace(/\$\{(\w+)\}/g, (_, v) => vars[v]);
      else if (vars[p]) p = vars[p];
      else throw new Error(`${f}: cannot resolve the route path ${p}`);
      const g = m[3];
      const perm = g === 'read' || g.includes('PERMISSION_READ') ? 'read' : g === 'write' || g.includes('PERMISSION_WRITE') ? 'write' : null;
      assert.ok(perm, `${path.relative(nodesDir, f)}: ${m[1].toUpperCase()} ${p} is not guarded by a package permission (${g})`);
      routes.push({ method: m[1].toUpperCase(), path: p, perm, file: path.relative(nodesDir, f) });
    }
  }
  return routes;
}

const users = [
  { username: 'reader', password: bcrypt.hashSync('reader-pw-9', 8), permissions: ['mfg-connect.read'] },
  { username: 'nobody', password: bcrypt.hashSync('nobody-pw-9', 8), permissions: ['flows.read'] },
  { username: 'writer', password: bcrypt.hashSync('writer-pw-9', 8), permissions: ['mfg-connect.read', 'mfg-connect.write'] },
];

describe('admin routes with adminAuth', () => {
  let nr;
  let routes;
  const tokens = {};
  before(async () => {
    routes = collectRoutes();
    const dead = await freePort();
    nr = await startNodeRed({
      flows: [
        { id: 'tab', type: 'tab', label: 'auth' },
        { id: 'st', type: 'mfg-store', kind: 'memory' },
        { id: 'ep1', type: 'mfg-endpoint', role: 'wms', profile: 'rest', baseUrl: `http://127.0.0.1:${dead}`, authType: 'none', tlsVerify: true, timeoutMs: 1000, retryMax: 1 },
        { id: 'dlq1', type: 'mfg-dlq', z: 'tab', store: 'st', x: 100, y: 100, wires: [[]] },
        { id: 'idem1', type: 'mfg-idempotency', z: 'tab', store: 'st', keyType: 'eventid', scope: 'auth', mode: 'eager', x: 100, y: 200, wires: [[], []] },
        { id: 'val', type: 'mfg-validate', z: 'tab', schemaFrom: 'catalog', x: 100, y: 300, wires: [[], []] },
      ],
      settings: { adminAuth: { type: 'credentials', users } },
    });
    for (const u of users) {
      const scope = Array.isArray(u.permissions) ? u.permissions.join(' ') : u.permissions;
      const body = new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope, username: u.username, password: `${u.username}-pw-9` });
      const r = await fetch(`${nr.url}/auth/token`, { method: 'POST', body });
      assert.equal(r.status, 200, `token for ${u.username}`);
      tokens[u.username] = (await r.json()).access_token;
    }
  });
  after(() => nr && nr.stop());

  const concrete = (p) => p.replace(/:node/g, p.includes('/idempotency/') ? 'idem1' : 'dlq1')
    .replace(/:id/g, p.includes('/endpoints/') ? 'ep1' : '999').replace(/:key/g, 'k-1').replace(/:correlationId/g, 'no-such-id');
  const call = (r, user) => fetch(nr.url + concrete(r.path), {
    method: r.method,
    headers: { 'Content-Type': 'application/json', ...(user ? { Authorization: `Bearer ${tokens[user]}` } : {}) },
    body: r.method === 'GET' ? undefined : JSON.stringify({ ids: [999], msg: { payload: 1 } }),
  });

  it('finds the routes of every node that registers admin routes', () => {
    const files = new Set(routes.map((r) => r.file));
    for (const f of ['mfg-dlq/routes.ts', 'mfg-monitor/routes.ts', 'mfg-idempotency/routes.ts', 'mfg-endpoint/mfg-endpoint.ts', 'shared/store.ts', 'shared/catalog-route.ts']) {
      assert.ok(files.has(f), `no route found in ${f}`);
    }
    assert.ok(routes.length >= 21 && routes.filter((r) => r.perm === 'write').length >= 7, JSON.stringify(routes));
    for (const r of routes) assert.match(r.path, /^\/mfg-connect\//);
  });

  it('refuses every route without a token and without the package permissions', async () => {
    for (const r of routes) {
      for (const user of [null, 'nobody']) {
        const res = await call(r, user);
        const text = await res.text();
        assert.equal(res.status, 401, `${user || 'no token'}: ${r.method} ${r.path} answered ${res.status}`);
        assert.doesNotMatch(text, /mfg_messages_total|"items"|"nodes"|"operations"|"supported"/, `${r.method} ${r.path} leaked data`);
      }
    }
  });

  it('a read-only user reads but cannot change anything', async () => {
    for (const r of routes) {
      const res = await call(r, 'reader');
      await res.text();
      if (r.perm === 'read') assert.ok(res.status !== 401 && res.status !== 403 && res.status < 500, `reader: ${r.method} ${r.path} answered ${res.status}`);
      else assert.equal(res.status, 401, `reader: ${r.method} ${r.path} must be refused, answered ${res.status}`);
    }
  });

  it('a user with write permission reaches the handlers of the change routes', async () => {
    for (const r of routes.filter((x) => x.perm === 'write')) {
      const res = await call(r, 'writer');
      const body = await res.text();
      assert.ok(res.status !== 401 && res.status !== 403, `writer: ${r.method} ${r.path} answered ${res.status}`);
      assert.ok(res.status < 500, `writer: ${r.method} ${r.path} answered ${res.status}: ${body}`);
    }
  });
});

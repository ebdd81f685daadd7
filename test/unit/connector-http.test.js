'use strict';
// The connector HTTP core against a real HTTP(S) server that misbehaves on purpose:
// error classification, Retry-After, OAuth2 token handling, limits, TLS.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('http');
const https = require('https');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { freePort, tmpDir } = require('../helpers/servers');
const { HttpClient, ConnectorError, parseRetryAfter, reasonOf } = require('../../dist/lib/connectors');

const routes = {};
const seen = [];
let inFlight = 0;
let maxInFlight = 0;
let server;
let base;

function route(p, fn) { routes[p] = fn; }

function client(extra = {}) {
  return new HttpClient({ name: 'test', role: 'erp', profile: 'rest', baseUrl: base, auth: { type: 'none' }, timeoutMs: 2000, ...extra });
}

async function fails(p, cfg) {
  const c = client(cfg);
  try {
    await c.request({ method: 'POST', path: p, body: { a: 1 }, op: 'test' });
    assert.fail('expected a ConnectorError');
  } catch (e) {
    assert.ok(e instanceof ConnectorError, `not a ConnectorError: ${e && e.stack}`);
    return e;
  } finally {
    c.close();
  }
}

describe('connector HTTP core', () => {
  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        seen.push({ url: req.url, at: Date.now(), headers: req.headers, body });
        const fn = routes[req.url.split('?')[0]];
        if (!fn) { res.writeHead(404); res.end(); return; }
        fn(req, res, body);
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));

  it('turns an HTML error page into a readable, retryable error', async () => {
    route('/html', (_q, res) => { res.writeHead(502, { 'Content-Type': 'text/html' }); res.end('<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>'); });
    const e = await fails('/html');
    assert.equal(e.kind, 'unavailable');
    assert.equal(e.status, 502);
    assert.equal(e.retryable, true);
    assert.equal(e.outcomeUnknown, true, 'a gateway error may follow a commit');
    assert.match(e.message, /HTML page: 502 Bad Gateway/);
  });

  it('takes a 200 HTML page (proxy or login page) for an unknown outcome, not for data', async () => {
    route('/login', (_q, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<!DOCTYPE html><html><head><title>Sign in - Corporate Proxy</title></head></html>'); });
    const e = await fails('/login');
    assert.equal(e.kind, 'transport');
    assert.equal(e.outcomeUnknown, true);
    assert.match(e.message, /HTML page: Sign in - Corporate Proxy instead of JSON/);
  });

  it('names the target of a redirect instead of following it', async () => {
    route('/moved', (_q, res) => { res.writeHead(301, { Location: 'https://erp.example.com/moved' }); res.end(); });
    const e = await fails('/moved');
    assert.equal(e.kind, 'validation');
    assert.match(e.message, /redirected to https:\/\/erp.example.com\/moved/);
  });

  it('reports a truncated JSON success body as an unknown outcome', async () => {
    route('/trunc', (_q, res) => { res.writeHead(201, { 'Content-Type': 'application/json' }); res.end('{"d":{"MaterialDocument":"49000'); });
    const e = await fails('/trunc');
    assert.equal(e.kind, 'transport');
    assert.equal(e.outcomeUnknown, true);
    assert.equal(e.retryable, true);
    assert.match(e.message, /unreadable JSON/);
  });

  it('reports a reset connection after the request left as an unknown outcome', async () => {
    route('/reset', (req) => { req.socket.destroy(); });
    const e = await fails('/reset');
    assert.equal(e.kind, 'transport');
    assert.equal(e.outcomeUnknown, true);
    assert.equal(e.retryable, true);
  });

  it('reports a body cut short by the server (content-length not met)', async () => {
    route('/short', (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 200 });
      res.write('{"confirmationId":"');
      setTimeout(() => res.socket.destroy(), 20);
    });
    const e = await fails('/short');
    assert.equal(e.kind, 'transport');
    assert.equal(e.outcomeUnknown, true);
  });

  it('knows that a refused connection sent nothing', async () => {
    const port = await freePort();
    const e = await fails('/x', { baseUrl: `http://127.0.0.1:${port}` });
    assert.equal(e.kind, 'transport');
    assert.equal(e.code, 'ECONNREFUSED');
    assert.equal(e.outcomeUnknown, false);
    assert.equal(e.retryable, true);
  });

  it('times out and says the outcome is unknown', async () => {
    route('/slow', (_q, res) => setTimeout(() => { if (!res.destroyed) { res.writeHead(200); res.end('{}'); } }, 1500));
    const e = await fails('/slow', { timeoutMs: 200 });
    assert.equal(e.kind, 'transport');
    assert.equal(e.outcomeUnknown, true);
    assert.match(e.message, /timed out/);
  });

  it('classifies statuses and reads problem details, OData v2 and v4 errors', async () => {
    route('/problem', (_q, res) => {
      res.writeHead(422, { 'Content-Type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'https://example.com/shortage', title: 'Stock shortage', status: 422, detail: 'Deficit of 5 PC', errors: [{ field: 'quantity', message: 'too large' }] }));
    });
    let e = await fails('/problem');
    assert.equal(e.kind, 'validation');
    assert.equal(e.retryable, false);
    assert.equal(e.message, 'HTTP 422: Stock shortage: Deficit of 5 PC');
    assert.deepEqual(e.details, ['too large']);
    route('/odata', (_q, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'M7/021', message: { lang: 'en', value: 'Deficit of SL Unrestricted-use 5 PC' }, innererror: { errordetails: [{ code: 'M7/021', message: 'Deficit of SL Unrestricted-use 5 PC' }, { code: 'X/1', message: 'second' }] } } }));
    });
    e = await fails('/odata');
    assert.equal(e.code, 'M7/021');
    assert.match(e.message, /Deficit of SL Unrestricted-use 5 PC/);
    assert.deepEqual(e.details, ['second']);
    for (const [status, kind] of [[401, 'auth'], [404, 'not-found'], [409, 'conflict'], [503, 'unavailable']]) {
      route('/s', (_q, res) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ error: { code: '', message: `status ${status}` } })); });
      e = await fails('/s');
      assert.equal(e.kind, kind, `status ${status}`);
      assert.match(e.message, new RegExp(`status ${status}`));
    }
  });

  it('parses Retry-After as seconds or HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    const now = Date.parse('2026-11-27T10:00:00Z');
    assert.equal(parseRetryAfter('Fri, 27 Nov 2026 10:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(reasonOf(undefined, '').reason, 'no body');
  });

  it('sends nothing to the endpoint before Retry-After has passed', async () => {
    let n = 0;
    route('/throttle', (_q, res) => {
      n++;
      if (n === 1) { res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/problem+json' }); res.end('{"title":"Too Many Requests"}'); return; }
      res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{"ok":true}');
    });
    const c = client();
    const start = seen.length;
    const e = await c.request({ method: 'GET', path: '/throttle' }).catch((x) => x);
    assert.equal(e.kind, 'throttled');
    assert.equal(e.retryAfterMs, 1000);
    const r = await c.request({ method: 'GET', path: '/throttle' });
    assert.equal(r.data.ok, true);
    const hits = seen.slice(start).filter((s) => s.url === '/throttle');
    assert.equal(hits.length, 2);
    assert.ok(hits[1].at - hits[0].at >= 990, `second request came ${hits[1].at - hits[0].at} ms after the 429`);
    c.close();
  });

  it('caps concurrent requests per endpoint', async () => {
    route('/conc', (_q, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => { inFlight--; res.writeHead(200); res.end('{}'); }, 30);
    });
    const c = client({ maxConcurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => c.request({ method: 'GET', path: '/conc' })));
    assert.equal(maxInFlight, 3);
    c.close();
  });

  it('rate-limits requests per endpoint', async () => {
    route('/rate', (_q, res) => { res.writeHead(200); res.end('{}'); });
    const c = client({ rateLimit: 10 });
    const start = seen.length;
    await Promise.all(Array.from({ length: 15 }, () => c.request({ method: 'GET', path: '/rate' })));
    const hits = seen.slice(start).filter((s) => s.url === '/rate');
    // a burst of 10, then 10 per second: the 15th cannot come before ~0.5 s
    assert.ok(hits[14].at - hits[0].at >= 400, `15 requests in ${hits[14].at - hits[0].at} ms`);
    c.close();
  });

  it('sends basic, bearer and API key credentials', async () => {
    route('/who', (req, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ auth: req.headers.authorization || null, key: req.headers['x-plant-key'] || null })); });
    let c = client({ auth: { type: 'basic', username: 'u', password: 'p' } });
    assert.equal((await c.request({ method: 'GET', path: '/who' })).data.auth, `Basic ${Buffer.from('u:p').toString('base64')}`);
    c.close();
    c = client({ auth: { type: 'bearer', token: 't0k' } });
    assert.equal((await c.request({ method: 'GET', path: '/who' })).data.auth, 'Bearer t0k');
    c.close();
    c = client({ auth: { type: 'apikey', apiKeyHeader: 'X-Plant-Key', apiKey: 'k1' } });
    assert.equal((await c.request({ method: 'GET', path: '/who' })).data.key, 'k1');
    c.close();
  });

  it('OAuth2: one token for concurrent requests, refreshed before expiry, fetched again after a 401', async () => {
    let issued = 0;
    let valid = new Set();
    route('/token', (_q, res, body) => {
      const f = new URLSearchParams(body);
      if (f.get('client_secret') !== 's3cret') { res.writeHead(401, { 'Content-Type': 'application/json' }); res.end('{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret"}'); return; }
      issued++;
      const tok = `tok${issued}`;
      valid.add(tok);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token_type: 'Bearer', expires_in: 6, access_token: tok }));
    });
    route('/data', (req, res) => {
      const tok = (req.headers.authorization || '').replace('Bearer ', '');
      if (!valid.has(tok)) { res.writeHead(401, { 'WWW-Authenticate': 'Bearer' }); res.end(); return; }
      res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ tok }));
    });
    const auth = { type: 'oauth2', tokenUrl: `${base}/token`, clientId: 'c', clientSecret: 's3cret', scope: 'x/.default' };
    const c = client({ auth });
    const r = await Promise.all(Array.from({ length: 5 }, () => c.request({ method: 'GET', path: '/data' })));
    assert.equal(issued, 1, 'concurrent requests share one token fetch');
    assert.ok(r.every((x) => x.data.tok === 'tok1'));
    valid = new Set(); // the identity provider revoked it
    const again = await c.request({ method: 'GET', path: '/data' });
    assert.equal(again.data.tok, 'tok2');
    assert.equal(issued, 2);
    // lifetime 6 s, refreshed 5 s early: after 1.1 s a new token is fetched without a 401
    await new Promise((res) => setTimeout(res, 1100));
    const before = seen.filter((s) => s.url === '/data').length;
    assert.equal((await c.request({ method: 'GET', path: '/data' })).data.tok, 'tok3');
    assert.equal(seen.filter((s) => s.url === '/data').length, before + 1, 'no 401 round trip');
    c.close();
    const bad = await fails('/data', { auth: { ...auth, clientSecret: 'wrong' } });
    assert.equal(bad.kind, 'auth');
    assert.match(bad.message, /AADSTS7000215/);
  });

  it('verifies TLS certificates by default and accepts a given CA', async () => {
    const dir = tmpDir('mfg-tls-');
    const key = path.join(dir, 'key.pem');
    const crt = path.join(dir, 'crt.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const srv = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(crt) }, (_q, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{"secure":true}'); });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${srv.address().port}`;
    try {
      const e = await fails('/', { baseUrl: url });
      assert.equal(e.kind, 'transport');
      assert.equal(e.retryable, false, 'a certificate problem does not heal by retrying');
      assert.equal(e.outcomeUnknown, false);
      const c = client({ baseUrl: url, tls: { ca: fs.readFileSync(crt, 'utf8') } });
      assert.equal((await c.request({ method: 'GET', path: '/' })).data.secure, true);
      c.close();
    } finally {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });

  it('presents a client certificate when the server asks for one (mutual TLS)', async () => {
    const dir = tmpDir('mfg-mtls-');
    const f = (n) => path.join(dir, n);
    const ssl = (...a) => execFileSync('openssl', a, { stdio: 'ignore', cwd: dir });
    fs.writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=plant-ca');
    for (const [n, cn] of [['srv', '127.0.0.1'], ['cli', 'line1-gateway']]) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=${cn}`);
      ssl('x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${n}.crt`, '-days', '1', ...(n === 'srv' ? ['-extfile', 'san.ext'] : []));
    }
    const read = (n) => fs.readFileSync(f(n), 'utf8');
    const srv = https.createServer({ key: read('srv.key'), cert: read('srv.crt'), ca: read('ca.crt'), requestCert: true, rejectUnauthorized: true }, (q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ client: q.socket.getPeerCertificate().subject.CN }));
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${srv.address().port}`;
    try {
      const c = client({ baseUrl: url, tls: { ca: read('ca.crt'), cert: read('cli.crt'), key: read('cli.key') } });
      assert.equal((await c.request({ method: 'GET', path: '/' })).data.client, 'line1-gateway');
      c.close();
      const e = await fails('/', { baseUrl: url, tls: { ca: read('ca.crt') } });
      assert.equal(e.kind, 'transport', 'refused without a client certificate');
    } finally {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });

  it('rejects a base URL that is not http(s)', () => {
    assert.throws(() => client({ baseUrl: 'ftp://x' }), /base URL must start with http/);
  });
});

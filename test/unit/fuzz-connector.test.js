'use strict';
// Property-based bad responses for the connectors: a throw-away HTTP server answers with
// random status codes, headers and bodies (HTML, truncated JSON, invalid UTF-8, huge
// bodies, resets, junk Retry-After). Every call ends in a success or a classified
// ConnectorError with a readable reason; good answers in between come through unchanged.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('http');
const fc = require('fast-check');
const { createConnector, ConnectorError } = require('../../dist/lib/connectors');

const KINDS = new Set(['validation', 'auth', 'not-found', 'conflict', 'transport', 'throttled', 'unavailable']);

const junkBody = fc.oneof(
  fc.constant({ kind: 'empty' }),
  fc.jsonValue().map((v) => ({ kind: 'json', text: JSON.stringify(v) ?? 'null' })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: 'truncated', text: (JSON.stringify({ a: v, b: 'x'.repeat(50) }) || '{}').slice(0, -7) })),
  fc.string({ maxLength: 200 }).map((t) => ({ kind: 'html', text: `<!DOCTYPE html><html><head><title>${t.replace(/[<>]/g, '')}</title></head><body>login</body></html>` })),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => ({ kind: 'bytes', bytes: Buffer.concat([Buffer.from('{"x":"'), Buffer.from(a), Buffer.from([0xff, 0xfe, 0xc3])]) })),
  fc.integer({ min: 1, max: 200 }).map((d) => ({ kind: 'deep', text: '{"a":'.repeat(d) + '1' + '}'.repeat(d) })),
  fc.constantFrom('{"__proto__":{"polluted":true},"confirmationId":"P1"}', '{"constructor":{"prototype":{"polluted":true}}}', '{"error":{"message":{"value":null}}}', '{"error":"x","error_description":7}', '{"title":5,"errors":[null,{}]}')
    .map((text) => ({ kind: 'pollution', text })),
  fc.constant({ kind: 'huge', text: JSON.stringify({ blob: 'y'.repeat(3 * 1024 * 1024) }) }),
  fc.constant({ kind: 'reset' }),
  fc.constant({ kind: 'reset-mid-body' }),
);

const junkResponse = fc.record({
  status: fc.oneof(fc.constantFrom(200, 201, 202, 204, 301, 302, 400, 401, 403, 404, 409, 412, 422, 429, 500, 502, 503, 504), fc.integer({ min: 200, max: 599 })),
  contentType: fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain', 'application/problem+json', 'application/octet-stream', '\u0000junk'),
  // junk or short Retry-After only: a valid long one legitimately pauses the endpoint
  retryAfter: fc.option(fc.constantFrom('soon', '-5', '1e309', 'Wed, 99 Foo 2026', '0', '0.01', ''), { nil: undefined }),
  location: fc.option(fc.webUrl(), { nil: undefined }),
  body: junkBody,
});

function answer(res, spec) {
  const b = spec.body;
  if (b.kind === 'reset') return res.socket.destroy();
  const headers = {};
  if (spec.contentType && !/\u0000/.test(spec.contentType)) headers['Content-Type'] = spec.contentType;
  if (spec.retryAfter !== undefined) headers['Retry-After'] = spec.retryAfter;
  if (spec.location) headers.Location = spec.location;
  const payload = b.bytes || Buffer.from(b.text || '');
  if (b.kind === 'reset-mid-body') {
    res.writeHead(spec.status, { ...headers, 'Content-Length': String(payload.length + 100) });
    res.write(payload);
    return setImmediate(() => res.socket.destroy());
  }
  res.writeHead(spec.status, headers);
  res.end(payload);
}

let current;
const GOOD = { status: 201, contentType: 'application/json', body: { kind: 'json', text: '{"confirmationId":"GOOD-1","materialDocument":"4900000001"}' } };

describe('connector responses (property-based)', () => {
  let server;
  let base;
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => answer(res, current));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${server.address().port}`;
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const input = { orderId: '1000123', operationId: '0010', yield: { value: 5, unit: 'PC' }, confirmationCounter: 1 };

  async function outcome(fn) {
    try {
      return { ok: true, value: await fn() };
    } catch (err) {
      return { ok: false, err };
    }
  }

  function assertClassified(o, spec, what) {
    if (o.ok) {
      assert.ok(spec.status >= 200 && spec.status < 300 && !/reset/.test(spec.body.kind), `${what}: success on ${spec.status} ${spec.body.kind}`);
      return;
    }
    const e = o.err;
    assert.ok(e instanceof ConnectorError, `${what}: ${spec.status} ${spec.body.kind} gave a ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
    assert.ok(KINDS.has(e.kind), `${what}: kind ${e.kind}`);
    assert.equal(typeof e.retryable, 'boolean');
    assert.ok(typeof e.message === 'string' && e.message.length > 5 && e.message.length < 2000, `${what}: reason "${e.message}"`);
    assert.doesNotThrow(() => JSON.stringify(e.toJSON()));
    if (/reset/.test(spec.body.kind)) assert.equal(e.kind, 'transport', `${what}: a reset is a transport error (${e.message})`);
  }

  for (const profile of ['rest', 'sap-odata', 'odoo', 'd365']) {
    it(`${profile}: every answer is a success or a classified error; good answers pass`, { timeout: 60000 }, async () => {
      const auth = profile === 'd365' ? { type: 'bearer', token: 't' } : profile === 'odoo' ? { type: 'basic', username: 'u', password: 'p' } : { type: 'none' };
      const c = createConnector({ name: `fuzz-${profile}`, role: 'erp', profile, baseUrl: base, auth, odooDb: 'db', timeoutMs: 3000, sapClient: '100' });
      try {
        const specs = fc.sample(junkResponse, { numRuns: 250, seed: 1717 + profile.length });
        let i = 0;
        for (const spec of specs) {
          current = spec;
          const which = i % 2 ? 'post' : 'query';
          const o = which === 'post'
            ? await outcome(() => c.post('confirmProduction', c.prepare('confirmProduction', input).input, `fuzz:${profile}:${i}`, { attempt: 1 }))
            : await outcome(() => c.getItem('FG226'));
          assertClassified(o, spec, `${profile} ${which} #${i}`);
          if (profile === 'rest' && i % 10 === 0) {
            current = GOOD;
            const g = await c.post('confirmProduction', c.prepare('confirmProduction', input).input, `good:${i}`, { attempt: 1 });
            assert.equal(g.document, 'GOOD-1');
            assert.equal(g.references.erpMaterialDocument, '4900000001');
          }
          i++;
        }
        assert.ok(c.http.load.pausedUntil < Date.now() + 5000, 'junk Retry-After does not pause the endpoint');
      } finally {
        c.close();
      }
      assert.deepEqual(unhandled, []);
      assert.equal({}.polluted, undefined);
    });
  }

  it('a Retry-After of days from a misbehaving server pauses the endpoint for a bounded time', async () => {
    for (const ra of ['8640000', new Date(Date.now() + 400 * 86400e3).toUTCString()]) {
      const c = createConnector({ name: 'fuzz-ra', role: 'erp', profile: 'rest', baseUrl: base, auth: { type: 'none' }, timeoutMs: 3000 });
      try {
        current = { status: 429, contentType: 'application/json', retryAfter: ra, body: { kind: 'json', text: '{"title":"slow down"}' } };
        const o = await outcome(() => c.getItem('FG226'));
        assert.equal(o.err.kind, 'throttled');
        assert.ok(o.err.retryAfterMs > 60e3 && o.err.retryAfterMs <= 3600e3, `retryAfterMs ${o.err.retryAfterMs}`);
        assert.ok(c.http.load.pausedUntil <= Date.now() + 3600e3 + 1000, `paused until ${new Date(c.http.load.pausedUntil).toISOString()}`);
      } finally {
        c.close();
      }
    }
  });
});

'use strict';
// Property-based bad input for mfg-webhook-in: random bodies (random JSON, invalid UTF-8,
// huge strings, deep nesting, prototype-pollution keys) and random headers, posted with and
// without valid signatures. Each request gets one clear answer, only good deliveries become
// events (in order, unchanged), a bad signed body reaches Catch once, the runtime stays up.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const http = require('http');
const fc = require('fast-check');
const { helper, node, start, stop, collect, flow, until } = require('../helpers/nr');
const { signStandard, signGithub } = require('../../dist/lib/webhooks');

const SECRET = 'whsec_' + Buffer.from('fuzz-webhook-key-0123456789').toString('base64');
let RED;
let nodeUrl;
function capture(red) { RED = red; }

const good = (n) => Buffer.from(JSON.stringify({
  type: 'nonconformance.created',
  data: { ncId: `NC-${n}`, status: 'open', material: 'FG226', lot: `B${n}`, defect: 'D-LEAK', severity: 'minor', quantity: { value: 1, unit: 'PC' }, detectedAt: '2026-11-27T08:00:00Z' },
}));

const body = fc.oneof(
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.record({ data: fc.dictionary(fc.constantFrom('ncId', 'lot', 'material', 'quantity', 'defect', 'severity', '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 2 })) })
    .map((v) => Buffer.from(JSON.stringify(v))),
  fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.concat([Buffer.from(a), Buffer.from([0xc3, 0x28, 0xff])])),
  fc.constant(Buffer.from(JSON.stringify({ data: { ncId: 'x'.repeat(400000) } }))),
  fc.constant(Buffer.alloc(2 * 1024 * 1024, 0x41)),
  fc.integer({ min: 1, max: 3000 }).map((d) => Buffer.from('{"data":' + '['.repeat(d) + ']'.repeat(d) + '}')),
  fc.constantFrom('{"__proto__":{"polluted":true},"data":{"__proto__":{"polluted":true}}}', '{"data":{"constructor":{"prototype":{"polluted":true}}}}', '{"data":null}', '[]', '"\\ud800"')
    .map((s) => Buffer.from(s)),
);

const headerJunk = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('__proto__', 'constructor', '', 'v1,', 'v1,AAAA', '99999999999999999999', '-1', 'NaN'));
const request_ = fc.record({
  body,
  how: fc.constantFrom('signed', 'signed-github', 'forged', 'stale', 'junk-headers', 'unsigned'),
  id: fc.string({ minLength: 1, maxLength: 30 }).map((s) => `msg_${Buffer.from(s).toString('hex').slice(0, 40)}`),
  junk: fc.record({ id: headerJunk, ts: headerJunk, sig: headerJunk }),
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded'),
});

// fetch sends the bytes as they are (supertest would JSON-encode a Buffer)
async function post(raw, headers, contentType = 'application/json') {
  try {
    const res = await fetch(`${nodeUrl}/hooks/fuzz`, { method: 'POST', body: raw, headers: { 'Content-Type': contentType, ...headers } });
    const text = await res.text();
    let body;
    try { body = JSON.parse(text); } catch { body = { text }; }
    return { status: res.status, body };
  } catch (err) {
    return { status: 'transport', body: { error: String(err.cause || err) } };
  }
}

function headersFor(spec, raw) {
  const ts = Math.floor(Date.now() / 1000);
  switch (spec.how) {
    case 'signed': return { 'webhook-id': spec.id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandard(SECRET, spec.id, ts, raw) };
    case 'signed-github': return { 'x-github-delivery': spec.id, 'x-github-event': 'issues', 'x-hub-signature-256': signGithub(SECRET, raw) };
    case 'forged': return { 'webhook-id': spec.id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandard('whsec_' + Buffer.from('wrong-key').toString('base64'), spec.id, ts, raw) };
    case 'stale': return { 'webhook-id': spec.id, 'webhook-timestamp': String(ts - 3600), 'webhook-signature': signStandard(SECRET, spec.id, ts - 3600, raw) };
    case 'junk-headers': return { 'webhook-id': spec.junk.id.replace(/[^\x20-\x7e]/g, '?'), 'webhook-timestamp': spec.junk.ts.replace(/[^\x20-\x7e]/g, '?'), 'webhook-signature': spec.junk.sig.replace(/[^\x20-\x7e]/g, '?') };
    default: return {};
  }
}

describe('bad input to mfg-webhook-in (property-based)', () => {
  before(start);
  afterEach(() => helper.unload());
  after(stop);

  it('every request gets one clear answer; good deliveries pass unchanged', { timeout: 90000 }, async (t) => {
    await helper.load([node('mfg-plant'), node('mfg-webhook-in'), capture], flow([
      { id: 'tab', type: 'tab' },
      { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'qms' },
      { id: 'in', type: 'mfg-webhook-in', z: 'tab', url: '/hooks/fuzz', plant: 'plant', eventType: 'mfg.quality.nonconformance.detected.v1', style: 'auto', toleranceSec: 300, dataPath: 'data', mappings: [{ field: 'defect.code', vt: 'msg', v: 'payload.data.defect' }], maxIds: 1000, wires: [['out']] },
      { id: 'out', type: 'helper', z: 'tab' },
      { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab' },
    ]), { in: { secret: SECRET } });
    // the helper's HTTP server serves only the admin app: serve httpNode on a socket of its own
    const server = http.createServer(RED.httpNode);
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    nodeUrl = `http://127.0.0.1:${server.address().port}`;
    t.after(() => { server.closeAllConnections(); server.close(); });
    const out = collect('out');
    const caught = collect('caught');
    const specs = fc.sample(request_, { numRuns: 300, seed: 9090 });
    const counts = {};
    let goods = 0;
    let n422 = 0;
    const ids422 = [];
    for (const [i, spec] of specs.entries()) {
      const res = await post(spec.body, headersFor(spec, spec.body), spec.contentType);
      const signed = spec.how === 'signed' || spec.how === 'signed-github';
      counts[res.status] = (counts[res.status] || 0) + 1;
      if (!signed) {
        // 413 may come first: the size limit applies before the signature is checked
        assert.ok(res.status === 401 || res.status === 413, `#${i} ${spec.how}: answered ${res.status}`);
      } else {
        assert.ok([400, 413, 422, 200].includes(res.status), `#${i} signed bad body answered ${res.status}: ${JSON.stringify(res.body)}`);
        if (res.status === 422) { n422++; ids422.push([spec.id, spec.body.toString().slice(0, 200), res.body.reason]); }
      }
      if (res.status !== 200) assert.ok(res.body && typeof res.body.error === "string" && res.body.error.length > 3, `#${i}: answer ${res.status} names no error: ${JSON.stringify(res.body).slice(0, 300)}`);
      if ([400, 401, 422].includes(res.status)) assert.ok(typeof res.body.reason === 'string' && res.body.reason.length > 3, `#${i}: no reason in ${JSON.stringify(res.body)}`);
      if (i % 5 === 0) {
        const raw = good(goods);
        const id = `msg_good_${goods}`;
        const ok = await post(raw, headersFor({ how: 'signed', id }, raw));
        assert.equal(ok.status, 202, `good delivery ${goods}: ${JSON.stringify(ok.body)}`);
        goods++;
      }
    }
    await until(() => out.length === goods && caught.length === n422, 5000).catch(() => undefined);
    assert.equal(out.length, goods, 'only the good deliveries became events');
    out.forEach((m, k) => {
      assert.equal(m.payload.data.ncId, `NC-${k}`);
      assert.deepEqual(m.payload.data.defect, { code: 'D-LEAK' });
      assert.equal(m.payload.type, 'mfg.quality.nonconformance.detected.v1');
    });
    const seen = new Set(caught.map((m) => m.webhook && m.webhook.id));
    assert.equal(caught.length, n422, `each signed body that cannot become an event reaches Catch once; missing: ${JSON.stringify(ids422.filter((x) => !seen.has(x[0])))}`);
    for (const m of caught) assert.ok(m.error && /mfg-webhook-in/.test(m.error.message));
    assert.ok(counts[401] > 10 && (counts[400] || 0) + (counts[422] || 0) > 10, `a mix of outcomes: ${JSON.stringify(counts)}`);
    assert.equal({}.polluted, undefined);
    assert.equal(Object.prototype.polluted, undefined);
  });
});

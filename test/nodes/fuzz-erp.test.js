'use strict';
// mfg-erp in a Node-RED runtime against a server that answers with random statuses,
// headers and bodies (HTML, truncated JSON, invalid UTF-8, huge bodies, resets): every
// posting ends once, on the success output or on the failure output with a classified
// error; the good postings in between are booked with their documents; the runtime stays up.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('http');
const path = require('path');
const fc = require('fast-check');
const { helper, node, start, stop, collect, until, flow } = require('../helpers/nr');
const { tmpDir } = require('../helpers/servers');

const KINDS = new Set(['validation', 'auth', 'not-found', 'conflict', 'transport', 'throttled', 'unavailable']);
const body = fc.oneof(
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.constant(Buffer.from('{"confirmationId":"X1","materialDocument"')),
  fc.constant(Buffer.from('<!DOCTYPE html><html><head><title>Sign in</title></head></html>')),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((a) => Buffer.concat([Buffer.from(a), Buffer.from([0xff, 0xfe])])),
  fc.constant(Buffer.from(JSON.stringify({ blob: 'z'.repeat(2 * 1024 * 1024) }))),
  fc.constant('reset'),
);
const response = fc.record({
  status: fc.constantFrom(200, 201, 204, 302, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504),
  contentType: fc.constantFrom('application/json', 'text/html', 'text/plain', 'application/problem+json'),
  body,
});

const completed = (counter, qty) => ({
  specversion: '1.0', id: `fz-${counter}`, source: '/acme/BER1/assembly/line1/mes', type: 'mfg.production.operation.completed.v1',
  correlationid: `fz-${counter}`, partitionkey: `order-${counter}`,
  data: { orderId: '1000123', operationId: '0010', workCenter: 'ASSY01', yield: { value: qty, unit: 'PC' }, confirmationCounter: counter, completedAt: '2026-11-27T08:00:00Z' },
});

describe('mfg-erp against random responses', () => {
  let server;
  let url;
  const specs = fc.sample(response, { numRuns: 60, seed: 6060 });
  let next = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        // good postings (yield 777) get a proper answer, every other request a random one
        if (Buffer.concat(chunks).includes('"yield":777')) {
          res.writeHead(201, { 'Content-Type': 'application/json' });
          return res.end(JSON.stringify({ confirmationId: `GOOD-${JSON.parse(Buffer.concat(chunks)).orderId}`, materialDocument: '4900000001' }));
        }
        const s = specs[next++ % specs.length];
        if (s.body === 'reset') return res.socket.destroy();
        res.writeHead(s.status, { 'Content-Type': s.contentType });
        res.end(s.body);
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${server.address().port}`;
    helper.settings({ mfgConnect: { stateFile: path.join(tmpDir('mfg-fz-'), 'state.db') } });
    await start();
  });
  after(async () => {
    await stop();
    server.closeAllConnections();
    server.close();
  });

  it('every posting ends once: booked, or failed with a classified reason', { timeout: 90000 }, async () => {
    await helper.load([node('mfg-plant'), node('mfg-endpoint'), node('mfg-erp')], flow([
      { id: 'tab', type: 'tab' },
      { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' },
      { id: 'ep', type: 'mfg-endpoint', role: 'erp', profile: 'rest', baseUrl: url, authType: 'none', timeoutMs: 2000, maxConcurrency: 4,
        retryMax: 2, retryBaseMs: 10, retryMaxMs: 30, breakerThreshold: 10000, breakerOpenMs: 50, tlsVerify: true },
      { id: 'erp', type: 'mfg-erp', z: 'tab', endpoint: 'ep', operation: 'confirmProduction', plant: 'plant', store: '', wires: [['ok'], ['bad']] },
      { id: 'ok', type: 'helper', z: 'tab' },
      { id: 'bad', type: 'helper', z: 'tab' },
    ]));
    const ok = collect('ok');
    const bad = collect('bad');
    const erp = helper.getNode('erp');
    const total = 120;
    let goods = 0;
    for (let i = 1; i <= total; i++) {
      const isGood = i % 4 === 0;
      if (isGood) goods++;
      erp.receive({ payload: completed(i, isGood ? 777 : i) });
    }
    await until(() => ok.length + bad.length >= total, 60000).catch(() => undefined);
    assert.equal(ok.length + bad.length, total, `each posting ends once (${ok.length} booked, ${bad.length} failed)`);
    const ids = [...ok, ...bad].map((m) => m.correlationId || m.payload.correlationid);
    const okGood = ok.filter((m) => m.result && /^GOOD-/.test(m.result.document));
    assert.equal(okGood.length, goods, 'every good posting is booked with its document');
    for (const m of okGood) assert.equal(m.payload.data.references.erpConfirmation, m.result.document);
    for (const m of bad) {
      assert.ok(m.error && KINDS.has(m.error.kind), `classified: ${JSON.stringify(m.error)}`);
      assert.ok(typeof m.error.message === 'string' && m.error.message.length > 5 && m.error.message.length < 2000, m.error.message);
    }
    assert.ok(bad.length > 10, `random answers fail postings (${bad.length})`);
    assert.ok(ids.length === total);
    assert.equal({}.polluted, undefined);
  });
});

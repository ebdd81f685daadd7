'use strict';
// No secret leaves Node-RED's credentials: a child Node-RED runs every credential-bearing
// config node (endpoint basic password, bearer token, API key, OAuth2 client secret; broker
// password; redis store password; webhook secret) in flows that fail, so they produce dead
// letters, traces and log lines. The flow export, the log, the dead letters and the traces
// hold none of the secrets nor an Authorization header value.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startNodeRed } = require('../helpers/child-nr');
const { freePort } = require('../helpers/servers');
const { startErpSim } = require('../../dist/sim/erp');

const S = {
  basic: 'S3cret-Basic-Pw-1',
  bearer: 'tok-Secret-Bearer-2',
  apiKey: 'key-Secret-ApiKey-3',
  oauth: 'cs-Secret-OAuth-4',
  redis: 'rd-Secret-Pass-5',
  broker: 'mq-Secret-Pass-6',
  webhook: 'whsec_' + Buffer.from('wh-Secret-Key-7-0123456789').toString('base64'),
};
const SECRETS = [
  ...Object.values(S),
  Buffer.from(`MFG_SAP:${S.basic}`).toString('base64'),
  Buffer.from(S.basic).toString('base64'),
  'wh-Secret-Key-7',
];

const completed = {
  specversion: '1.0', id: 'sec-ev-1', source: '/acme/BER1/assembly/line1/mes', type: 'mfg.production.operation.completed.v1',
  time: '2026-11-27T08:00:00Z', correlationid: 'sec-corr-1', partitionkey: '1000123',
  data: { orderId: '1000123', operationId: '0010', workCenter: 'ASSY01', yield: { value: 5, unit: 'PC' }, confirmationCounter: 1, completedAt: '2026-11-27T08:00:00Z' },
};

function leaks(text) {
  return SECRETS.filter((s) => text.includes(s));
}

describe('secrets stay in the credentials', () => {
  let erp;
  let nr;
  before(async () => {
    erp = await startErpSim({ port: 0 });
    // every business request fails: postings exhaust their retries into the dead letters
    await fetch(`${erp.url}/__sim/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ mode: 'error' }) });
    const closed = await freePort();
    const ep = (id, profile, authType, extra = {}) => ({ id, type: 'mfg-endpoint', name: `${profile} ${authType}`, role: 'erp', profile, baseUrl: erp.url, authType, sapClient: '100',
      timeoutMs: 2000, retryMax: 2, retryBaseMs: 20, retryMaxMs: 50, breakerThreshold: 100, defaults: '{"plant":"1710"}', tlsVerify: true, ...extra });
    const erpNode = (id, endpoint, y) => ({ id, type: 'mfg-erp', z: 'tab', endpoint, operation: 'confirmProduction', plant: 'plant', store: 'st', x: 300, y, wires: [[], ['dlq']] });
    const flows = [
      { id: 'tab', type: 'tab', label: 'secrets' },
      { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' },
      { id: 'st', type: 'mfg-store', kind: 'memory' },
      { id: 'rs', type: 'mfg-store', kind: 'redis' },
      { id: 'br', type: 'mfg-broker', url: `mqtt://127.0.0.1:${closed}`, protocol: 'auto', keepalive: 60, cleanSession: true, verifyTls: true },
      ep('epBasic', 'sap-odata', 'basic'),
      ep('epBearer', 'rest', 'bearer'),
      ep('epKey', 'rest', 'apikey', { apiKeyHeader: 'X-API-Key' }),
      ep('epOauth', 'd365', 'oauth2', { tokenUrl: `${erp.url}/contoso.onmicrosoft.com/oauth2/v2.0/token`, scope: `${erp.url}/.default` }),
      { id: 'inj', type: 'inject', z: 'tab', props: [{ p: 'payload' }], repeat: '', once: true, onceDelay: 0.5, payload: JSON.stringify(completed), payloadType: 'json', x: 100, y: 100,
        wires: [['eBasic', 'eBearer', 'eKey', 'eOauth', 'idem', 'pub']] },
      erpNode('eBasic', 'epBasic', 100), erpNode('eBearer', 'epBearer', 200), erpNode('eKey', 'epKey', 300), erpNode('eOauth', 'epOauth', 400),
      { id: 'idem', type: 'mfg-idempotency', z: 'tab', store: 'rs', keyType: 'eventid', scope: 'sec', mode: 'eager', x: 300, y: 500, wires: [[], []] },
      { id: 'pub', type: 'mfg-publish', z: 'tab', broker: 'br', plant: 'plant', store: 'st', topicFrom: 'event', x: 300, y: 600, wires: [] },
      { id: 'hook', type: 'mfg-webhook-in', z: 'tab', url: '/hooks/sec', plant: 'plant', eventType: 'mfg.quality.nonconformance.detected.v1', style: 'auto', toleranceSec: 300, dataPath: 'data', mappings: [], maxIds: 100, x: 100, y: 700, wires: [[]] },
      { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, x: 100, y: 800, wires: [['dlq']] },
      { id: 'dlq', type: 'mfg-dlq', z: 'tab', store: 'st', retentionDays: 30, x: 500, y: 800, wires: [[]] },
    ];
    const credentials = {
      epBasic: { username: 'MFG_SAP', password: S.basic },
      epBearer: { token: S.bearer },
      epKey: { apiKey: S.apiKey },
      epOauth: { clientId: 'mfg-client', clientSecret: S.oauth },
      rs: { url: `redis://:${S.redis}@127.0.0.1:${closed}`, password: S.redis },
      br: { username: 'mfg', password: S.broker },
      hook: { secret: S.webhook },
    };
    nr = await startNodeRed({ flows, credentials, settings: { logging: { console: { level: 'debug', metrics: false, audit: true } } } });
    // a forged webhook delivery: rejected and logged
    await fetch(`${nr.url}/hooks/sec`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'webhook-id': 'm1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' }, body: '{}' });
    // wait for the four failed postings to reach the dead letters
    const end = Date.now() + 30000;
    for (;;) {
      const r = await (await fetch(`${nr.url}/mfg-connect/dlq/dlq/letters?limit=100`)).json();
      const origins = new Set(r.items.map((l) => l.origin));
      if (['eBasic', 'eBearer', 'eKey', 'eOauth'].every((o) => [...origins].some((x) => String(x).includes(o))) || Date.now() > end) break;
      await new Promise((res) => setTimeout(res, 300));
    }
  });
  after(async () => { if (nr) await nr.stop(); if (erp) await erp.close(); });

  it('the flows are running with every secret in use', async () => {
    assert.match(nr.output(), /state store redis: reconnecting/, 'the redis store tries its server');
    const hook = await fetch(`${nr.url}/hooks/sec`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(hook.status, 401, 'the webhook node runs with its secret');
  });

  it('the dead letters hold the failed postings and no secret', async () => {
    const list = await (await fetch(`${nr.url}/mfg-connect/dlq/dlq/letters?limit=100`)).json();
    const origins = list.items.map((l) => String(l.origin)).join(' ');
    for (const o of ['eBasic', 'eBearer', 'eKey', 'eOauth']) assert.match(origins, new RegExp(o), `a dead letter from ${o}: ${origins}`);
    let all = JSON.stringify(list);
    for (const l of list.items) all += await (await fetch(`${nr.url}/mfg-connect/dlq/dlq/letters/${l.id}`)).text();
    assert.match(all, /HTTP 500/);
    assert.match(all, /invalid_client|Invalid client secret/, 'the OAuth2 endpoint failed on its (wrong) client secret');
    const paths = erp.server.requests.map((r) => r.path).join(' ');
    assert.match(paths, /\/sap\/opu\/odata\//, 'SAP was called with basic auth');
    assert.match(paths, /\/api\/v1\//, 'the REST API was called with the token and the API key');
    assert.deepEqual(leaks(all), []);
    assert.doesNotMatch(all, /"authorization"\s*:\s*"(Basic|Bearer) /i);
  });

  it('the traces hold no secret', async () => {
    let all = await (await fetch(`${nr.url}/mfg-connect/trace?limit=1000`)).text();
    const items = JSON.parse(all).items;
    assert.ok(items.length > 0, 'traces recorded');
    for (const t of items) all += await (await fetch(`${nr.url}/mfg-connect/trace/${encodeURIComponent(t.correlationId || t.id)}`)).text();
    assert.deepEqual(leaks(all), []);
  });

  it('the flow export and the credentials API hold no secret', async () => {
    const flows = await (await fetch(`${nr.url}/flows`, { headers: { 'Node-RED-API-Version': 'v2' } })).text();
    assert.match(flows, /epOauth/);
    assert.deepEqual(leaks(flows), []);
    // the editor gets password-type credentials only as has_<name>; the redis URL is a text
    // field it shows to an admin, so only the password fields are checked here
    for (const [type, id] of [['mfg-endpoint', 'epBasic'], ['mfg-endpoint', 'epBearer'], ['mfg-endpoint', 'epKey'], ['mfg-endpoint', 'epOauth'], ['mfg-broker', 'br'], ['mfg-webhook-in', 'hook']]) {
      const creds = await (await fetch(`${nr.url}/credentials/${type}/${id}`)).text();
      assert.deepEqual(leaks(creds), [], `${type} ${id}: ${creds}`);
    }
  });

  it('the log holds no secret nor Authorization value', () => {
    const log = nr.output();
    assert.deepEqual(leaks(log), []);
    assert.doesNotMatch(log, /Authorization:\s*(Basic|Bearer) \S/i);
  });
});

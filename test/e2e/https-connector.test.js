'use strict';
// HTTPS to the ERP and WMS simulators with generated certificates: with the CA configured
// and verification on, mfg-erp posts over TLS; with the wrong CA or none, the posting
// fails clearly (a transport error naming the TLS failure) and nothing is booked.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { helper, node, start, stop, nextMsg, flow } = require('../helpers/nr');
const { makePki } = require('../helpers/certs');
const { tmpDir } = require('../helpers/servers');
const { startErpSim } = require('../../dist/sim/erp');
const { startWmsSim } = require('../../dist/sim/wms');
const { createConnector } = require('../../dist/lib/connectors');

const types = [node('mfg-plant'), node('mfg-endpoint'), node('mfg-erp')];
let pki;
let erp;
let wms;
let n = 0;


function setup(endpoint) {
  const id = `erp${++n}`;
  return {
    id,
    nodes: flow([
      { id: 'tab', type: 'tab' },
      { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' },
      { id: 'ep', type: 'mfg-endpoint', name: 'S4 TLS', role: 'erp', profile: 'sap-odata', baseUrl: erp.url, authType: 'basic', sapClient: '100',
        timeoutMs: 3000, retryMax: 2, retryBaseMs: 50, retryMaxMs: 100, defaults: '{"plant":"1710"}', tlsVerify: true, ...endpoint },
      { id, type: 'mfg-erp', z: 'tab', endpoint: 'ep', operation: 'confirmProduction', plant: 'plant', store: '', wires: [['ok'], ['bad']] },
      { id: 'ok', type: 'helper', z: 'tab' },
      { id: 'bad', type: 'helper', z: 'tab' },
    ]),
    creds: { ep: { username: 'MFG_SAP', password: 'Welcome1' } },
  };
}

const completed = (counter) => ({
  specversion: '1.0', id: `tls-ev-${counter}`, source: '/acme/BER1/assembly/line1/mes', type: 'mfg.production.operation.completed.v1',
  correlationid: `tls-${counter}`, partitionkey: '1000123',
  data: { orderId: '1000123', operationId: '0010', workCenter: 'ASSY01', yield: { value: 5, unit: 'PC' }, confirmationCounter: counter, completedAt: '2026-11-27T08:00:00Z' },
});

describe('HTTPS to the simulators', () => {
  before(async () => {
    pki = makePki();
    erp = await startErpSim({ port: 0, tls: { key: pki.key, cert: pki.cert } });
    wms = await startWmsSim({ port: 0, tls: { key: pki.key, cert: pki.cert } });
    helper.settings({ mfgConnect: { stateFile: require('path').join(tmpDir('mfg-tls-'), 'state.db') } });
    await start();
  });
  afterEach(() => helper.unload());
  after(async () => { await stop(); await erp.close(); await wms.close(); });

  const ledgerOf = async (sim) => {
    const c = createConnector({ name: 'ledger', role: 'wms', profile: 'rest', baseUrl: sim.url, auth: { type: 'none' }, tls: { verify: true, ca: pki.ca } });
    try {
      return (await c.http.request({ method: 'GET', path: '/__sim/ledger', op: 'ledger' })).data.entries;
    } finally { c.close(); }
  };

  it('serves HTTPS and the connector checks it with the CA', async () => {
    assert.match(erp.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const c = createConnector({ name: 'wms-tls', role: 'wms', profile: 'rest', baseUrl: wms.url, auth: { type: 'apikey', apiKeyHeader: 'X-API-Key', apiKey: 'k' }, tls: { verify: true, ca: pki.ca } });
    try {
      assert.match((await c.check()).checked, /^reachable \(HTTP \d+\)$/);
    } finally { c.close(); }
    const plain = await fetch(erp.url.replace('https:', 'http:') + '/__sim/ledger').then(() => 'answered', (e) => String(e.cause && e.cause.code));
    assert.notEqual(plain, 'answered', 'no plain HTTP on the TLS port');
  });

  it('mfg-erp posts over HTTPS with verification on and the CA configured', async () => {
    const { id, nodes, creds } = setup({ ca: pki.ca });
    await helper.load(types, nodes, creds);
    const ok = nextMsg('ok');
    helper.getNode(id).receive({ payload: completed(1) });
    const msg = await ok;
    assert.match(msg.result.document, /^\d+\/1$/);
    const l = await ledgerOf(erp);
    assert.equal(l.filter((e) => e.kind === 'confirmation').length, 1);
  });

  for (const [what, ep] of [['the wrong CA', () => ({ ca: pki.otherCa })], ['no CA', () => ({ ca: '' })]]) {
    it(`with ${what} the posting fails clearly as a TLS transport error and nothing is booked`, async () => {
      const before = (await ledgerOf(erp)).length;
      const { id, nodes, creds } = setup(ep());
      await helper.load(types, nodes, creds);
      const bad = nextMsg('bad', 15000);
      helper.getNode(id).receive({ payload: completed(10 + n) });
      const msg = await bad;
      assert.equal(msg.error.kind, 'transport');
      assert.equal(msg.error.retryable, false, 'a certificate problem does not heal by retrying');
      assert.match(msg.error.message, /TLS handshake failed/);
      assert.match(msg.error.message, /certificate|SELF_SIGNED|UNABLE_TO_VERIFY|CERT/i);
      assert.match(msg.error.message, /the request was not sent/);
      assert.equal((await ledgerOf(erp)).length, before, 'nothing booked');
    });
  }

  it('a connector without the CA fails the check with a readable TLS reason', async () => {
    const c = createConnector({ name: 'wms-no-ca', role: 'wms', profile: 'rest', baseUrl: wms.url, auth: { type: 'none' }, tls: { verify: true } });
    try {
      await assert.rejects(c.check(), (e) => e.kind === 'transport' && /TLS handshake failed/.test(e.message) && e.outcomeUnknown === false);
    } finally { c.close(); }
  });
});

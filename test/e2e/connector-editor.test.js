'use strict';
// The mfg-erp edit dialog in headless Chromium: it offers only the operations of the chosen
// endpoint's profile, and follows a change of endpoint.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { chromiumPath, launchChromium } = require('../helpers/browser');
const { startNodeRed } = require('../helpers/child-nr');
const { loudSkip } = require('../helpers/servers');

const artifacts = path.resolve(__dirname, '../../test-artifacts');
const ep = (id, profile, role = 'erp') => ({ id, type: 'mfg-endpoint', name: `${profile} ${role}`, role, profile, baseUrl: 'http://127.0.0.1:9', authType: 'none', odooDb: 'mfg' });
const flows = [
  { id: 'tab', type: 'tab', label: 'connectors' },
  ep('ep-sap', 'sap-odata'), ep('ep-odoo', 'odoo'), ep('ep-d365', 'd365'), ep('ep-wms', 'rest', 'wms'),
  { id: 'erp1', type: 'mfg-erp', z: 'tab', name: '', endpoint: 'ep-sap', operation: 'confirmProduction', plant: '', store: '', limit: 100000, x: 200, y: 100, wires: [[], []] },
];

describe('connector editor (headless Chromium)', () => {
  let nr;
  let browser;
  let page;
  before(async () => {
    if (!fs.existsSync(chromiumPath)) return;
    fs.mkdirSync(artifacts, { recursive: true });
    nr = await startNodeRed({ flows, settings: { telemetry: { enabled: false } } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  after(async () => {
    if (browser) await browser.close();
    if (nr) await nr.stop();
  });

  const options = () => page.$$eval('#node-input-operation option', (os) => os.map((o) => o.value));

  it('lists the operations of the endpoint profile and updates when the endpoint changes', async (t) => {
    if (!fs.existsSync(chromiumPath)) return loudSkip(t, 'chromium');
    await page.goto(nr.url);
    await page.waitForFunction(() => window.RED && RED.nodes && RED.nodes.node('erp1'), null, { timeout: 60000 });
    await page.evaluate(() => RED.editor.edit(RED.nodes.node('erp1')));
    await page.waitForFunction(() => document.querySelectorAll('#node-input-operation option').length > 1, null, { timeout: 20000 });
    const sap = await options();
    assert.equal(await page.$eval('#node-input-operation', (s) => s.value), 'confirmProduction');
    for (const op of ['confirmProduction', 'postGoodsIssue', 'placeQualityHold', 'getRouting', 'requestPurchase', 'msg']) assert.ok(sap.includes(op), `SAP offers ${op}`);
    assert.ok(!sap.includes('createPutawayTask'), 'no WMS operation on an ERP node');
    await page.screenshot({ path: path.join(artifacts, 'connector-editor-sap.png') });

    await page.evaluate(() => $('#node-input-endpoint').val('ep-d365').trigger('change'));
    await page.waitForFunction(() => !Array.from(document.querySelectorAll('#node-input-operation option')).some((o) => o.value === 'postGoodsIssue'), null, { timeout: 10000 });
    const d365 = await options();
    assert.deepEqual(d365.filter((o) => o !== 'msg').sort(), ['checkAvailability', 'confirmProduction', 'createProductionOrder', 'getItem', 'getProductionOrder', 'postGoodsReceipt', 'requestPurchase']);

    await page.evaluate(() => $('#node-input-endpoint').val('ep-wms').trigger('change'));
    await page.waitForSelector('#mfg-erp-warning', { state: 'visible', timeout: 10000 });
    assert.match(await page.$eval('#mfg-erp-warning', (e) => e.textContent), /role wms/);
    await page.screenshot({ path: path.join(artifacts, 'connector-editor-role.png') });
  });
});

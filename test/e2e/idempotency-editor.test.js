'use strict';
// The mfg-idempotency and mfg-store edit dialogs in headless Chromium: the key TypedInput
// offers the event id and JSONata, and the store dialog shows the fields of its kind.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const { chromiumPath, launchChromium } = require('../helpers/browser');
const { startNodeRed } = require('../helpers/child-nr');
const { loudSkip } = require('../helpers/servers');

const flows = [
  { id: 'tab', type: 'tab', label: 'guard' },
  { id: 'st', type: 'mfg-store', name: 'plant keys', kind: 'memory', path: '', maxEntries: 5000, retentionHours: 24, leaseSeconds: 60, deadLetterDays: 30 },
  { id: 'idem', type: 'mfg-idempotency', z: 'tab', name: '', store: 'st', keyType: 'jsonata', key: 'payload.data.orderId & "/" & payload.data.operationId', scope: 'erp-postings', mode: 'eager', leaseSeconds: '', retentionHours: '', x: 200, y: 100, wires: [[], []] },
];

describe('mfg-idempotency and mfg-store editors (headless Chromium)', () => {
  let nr;
  let browser;
  let page;
  before(async () => {
    if (!fs.existsSync(chromiumPath)) return;
    nr = await startNodeRed({ flows, settings: { telemetry: { enabled: false } } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  after(async () => {
    if (browser) await browser.close();
    if (nr) await nr.stop();
  });

  it('edits the key, and shows the store fields of each kind', async (t) => {
    if (!fs.existsSync(chromiumPath)) return loudSkip(t, 'chromium');
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(nr.url);
    await page.waitForFunction(() => window.RED && RED.nodes && RED.nodes.node('idem'), null, { timeout: 60000 });
    assert.equal(await page.evaluate(() => RED.nodes.node('idem')._def.paletteLabel), 'idempotency');
    assert.equal(await page.evaluate(() => RED.utils.getNodeLabel(RED.nodes.node('idem'))), 'idempotency: erp-postings');

    await page.evaluate(() => RED.editor.edit(RED.nodes.node('idem')));
    await page.waitForFunction(() => $('#node-input-key').typedInput('type') === 'jsonata', null, { timeout: 20000 });
    assert.equal(await page.evaluate(() => $('#node-input-key').typedInput('value')), 'payload.data.orderId & "/" & payload.data.operationId');
    await page.evaluate(() => $('#node-input-key').typedInput('type', 'eventid'));
    await page.evaluate(() => $('#node-dialog-ok').trigger('click'));
    await page.waitForFunction(() => RED.nodes.node('idem').keyType === 'eventid', null, { timeout: 10000 });

    await page.evaluate(() => RED.editor.editConfig('', 'mfg-store', 'st'));
    await page.waitForFunction(() => $('#node-config-input-kind').length === 1 && $('#node-config-input-kind').val() === 'memory', null, { timeout: 20000 });
    const visible = () => page.evaluate(() => ({
      path: $('#node-config-input-path').is(':visible'), max: $('#node-config-input-maxEntries').is(':visible'), url: $('#node-config-input-url').is(':visible'),
    }));
    assert.deepEqual(await visible(), { path: false, max: true, url: false });
    await page.evaluate(() => $('#node-config-input-kind').val('redis').trigger('change'));
    assert.deepEqual(await visible(), { path: true, max: false, url: true });
    assert.match(await page.evaluate(() => $('#node-config-input-path').attr('placeholder')), /redis-local\.db/);
    await page.evaluate(() => $('#node-config-input-kind').val('sqlite').trigger('change'));
    assert.deepEqual(await visible(), { path: true, max: false, url: false });
    assert.equal(await page.evaluate(() => $('#node-config-input-password').attr('type')), 'password');
    assert.deepEqual(errors, []);
  });
});

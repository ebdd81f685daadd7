'use strict';
// The mfg-signal rule table in headless Chromium: each rule shows the fields of its role,
// a changed role changes the fields, and Done saves the table back into the node.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { chromiumPath, launchChromium } = require('../helpers/browser');
const { startNodeRed } = require('../helpers/child-nr');
const { loudSkip } = require('../helpers/servers');

const artifacts = path.resolve(__dirname, '../../test-artifacts');
const flows = [
  { id: 'tab', type: 'tab', label: 'signals' },
  {
    id: 'sig', type: 'mfg-signal', z: 'tab', name: 'line L1', plant: '', persist: false, store: '', minStopSec: 10, shifts: '', ctx: '', ctxType: 'none', x: 200, y: 100, wires: [[]],
    rules: [
      { signal: 'ns=1;s=L1.M1.GoodCount', role: 'good', equipment: 'L1-M1', workCenter: 'ASSY01', unit: 'PC', everyUnits: '10', rollover: '65536' },
      { signal: 'plant/L1/M1/State', role: 'state', equipment: 'L1-M1', running: 'RUNNING,EXECUTE' },
      { signal: 'plant/L1/M1/Vibration', role: 'threshold', equipment: 'L1-M1', name: 'vibration', limit: '7', hysteresis: '1.5', unit: 'mm/s', sparePart: 'SP001', spareQty: '2' },
    ],
  },
];

describe('mfg-signal editor (headless Chromium)', () => {
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

  it('edits the rule table', async (t) => {
    if (!fs.existsSync(chromiumPath)) return loudSkip(t, 'chromium');
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(nr.url);
    await page.waitForFunction(() => window.RED && RED.nodes && RED.nodes.node('sig'), null, { timeout: 60000 });
    await page.evaluate(() => RED.editor.edit(RED.nodes.node('sig')));
    await page.waitForFunction(() => $('#node-input-rules-container').editableList('items').length === 3, null, { timeout: 20000 });
    const rows = await page.evaluate(() => $('#node-input-rules-container').editableList('items').map(function () {
      return { role: $(this).find('.mfg-sig-role').val(), fields: $(this).find('.mfg-sig-params input').map(function () { return this.className; }).get() };
    }).get());
    assert.deepEqual(rows.map((r) => r.role), ['good', 'state', 'threshold']);
    assert.ok(rows[0].fields.includes('mfg-sig-rollover'));
    assert.deepEqual(rows[1].fields, ['mfg-sig-running']);
    assert.ok(rows[2].fields.includes('mfg-sig-sparePart'));
    await page.screenshot({ path: path.join(artifacts, 'signal-editor.png') });

    // change the state rule to an alarm rule, change a limit, add a scrap counter
    await page.evaluate(() => {
      const items = $('#node-input-rules-container').editableList('items');
      $(items[1]).find('.mfg-sig-role').val('alarm').trigger('change');
      $(items[2]).find('.mfg-sig-limit').val('8.5');
      $('#node-input-rules-container').editableList('addItem', { signal: 'ns=1;s=L1.M1.ScrapCount', role: 'scrap', equipment: 'L1-M1' });
    });
    await page.click('#node-dialog-ok');
    await page.waitForFunction(() => RED.nodes.node('sig').rules.length === 4, null, { timeout: 10000 });
    const rules = await page.evaluate(() => RED.nodes.node('sig').rules);
    assert.equal(rules[1].role, 'alarm');
    assert.equal(rules[1].running, undefined);
    assert.equal(rules[2].limit, '8.5');
    assert.equal(rules[2].sparePart, 'SP001');
    assert.deepEqual([rules[3].role, rules[3].unit, rules[3].everyUnits, rules[3].reason], ['scrap', 'PC', '5', 'SCRAP']);
    assert.deepEqual(errors, []);
  });
});

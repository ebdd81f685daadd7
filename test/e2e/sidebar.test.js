'use strict';
// The monitor sidebar in headless Chromium against a running Node-RED: the tab opens,
// charts show live data, trace search shows a transaction's path, and a dead letter is
// replayed with the button and arrives. Screenshots go to test-artifacts/.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { launchChromium } = require('../helpers/browser');
const { startNodeRed } = require('../helpers/child-nr');
const { samples } = require('../../dist/lib/events');

const TYPE = 'mfg.quality.hold.placed.v1';
const artifacts = path.resolve(__dirname, '../../test-artifacts');
const count = (name) => `const c = global.get('counts') || {}; c['${name}'] = (c['${name}'] || 0) + 1; global.set('counts', c); return null;`;

// ingest -> event -> (break some) -> validate -> "ERP" (refuses some, as in a maintenance
// window) -> counted; invalid events and refused postings go to the dead letters, whose
// replays go back through validation.
const flows = [
  { id: 'tab', type: 'tab', label: 'monitor demo' },
  { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'qa', line: 'l1', system: 'qms' },
  { id: 'in', type: 'http in', z: 'tab', url: '/ingest', method: 'post', wires: [['fan']] },
  { id: 'fan', type: 'function', z: 'tab', outputs: 2, wires: [['ev'], ['resp']],
    func: 'for (const d of msg.payload.items) node.send([{ payload: d.data, correlationId: d.corr, breakIt: d.breakIt, transient: d.transient }, null]);\nreturn [null, { payload: "ok", statusCode: 202, res: msg.res, req: msg.req }];' },
  { id: 'resp', type: 'http response', z: 'tab', wires: [] },
  { id: 'ev', type: 'mfg-event', z: 'tab', name: 'hold event', plant: 'plant', eventType: TYPE, dataFrom: 'payload', mappings: [], errorOutput: false, wires: [['brk']] },
  { id: 'brk', type: 'function', z: 'tab', name: 'damage some', func: 'if (msg.breakIt) delete msg.payload.data.material;\nreturn msg;', wires: [['val']] },
  { id: 'val', type: 'mfg-validate', z: 'tab', name: 'check hold', schemaFrom: 'catalog', wires: [['erp'], ['dlq']] },
  { id: 'erp', type: 'function', z: 'tab', name: 'ERP', outputs: 2, wires: [['cOk'], ['dlq']],
    func: 'if (msg.transient && !msg.replay) { msg.reason = "ERP maintenance window (503)"; msg.attempts = 5; return [null, msg]; }\nreturn [msg, null];' },
  { id: 'dlq', type: 'mfg-dlq', z: 'tab', name: 'dead letters', store: '', retentionDays: 0, wires: [['val']] },
  { id: 'cOk', type: 'function', z: 'tab', name: 'arrived', func: count('ok'), wires: [] },
  { id: 'qin', type: 'http in', z: 'tab', url: '/counts', method: 'get', wires: [['q']] },
  { id: 'q', type: 'function', z: 'tab', func: "msg.payload = global.get('counts') || {}; return msg;", wires: [['qout']] },
  { id: 'qout', type: 'http response', z: 'tab', wires: [] },
].map((n, i) => (n.z ? { x: 120 + 170 * (i % 5), y: 80 + 80 * Math.floor(i / 5), ...n } : n));

describe('monitor sidebar in the editor (headless Chromium)', () => {
  let nr;
  let browser;
  let page;
  before(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    nr = await startNodeRed({ flows, settings: { mfgConnect: { monitor: { sampleMs: 400 } }, telemetry: { enabled: false } } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (err) => console.error('page error:', err.message));
  });
  after(async () => {
    if (browser) await browser.close();
    if (nr) await nr.stop();
  });

  async function send(n, corrPrefix, extra = {}) {
    const items = Array.from({ length: n }, (_, i) => ({ data: { ...structuredClone(samples[TYPE]), holdId: `H-${i}` }, corr: `${corrPrefix}-${i}`, ...extra }));
    const r = await fetch(`${nr.url}/ingest`, { method: 'POST', body: JSON.stringify({ items }), headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 202);
  }

  it('opens the tab and draws live charts from the runtime', async () => {
    await page.goto(nr.url);
    await page.waitForFunction(() => window.RED && RED.sidebar && document.querySelector('#red-ui-tab-mfg-monitor'), null, { timeout: 60000 });
    // as a user does: the sidebar's tab menu, then the monitor entry (or its icon when shown)
    const icon = page.locator('#red-ui-tab-mfg-monitor-link-button');
    if (await icon.isVisible()) await icon.click();
    else {
      await page.locator('#red-ui-sidebar .red-ui-tab-link-buttons > a:last-child').click();
      await page.locator('#red-ui-tabs-menu-option-mfg-monitor').click();
    }
    await page.locator('#mfg-monitor-content').waitFor({ state: 'visible' });
    // traffic while the sidebar is open: the charts must pick it up on their own
    for (let i = 0; i < 6; i++) {
      await send(25, `ui-${i}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const chart = page.locator('.mfgm-pane-overview svg.mfgm-chart').first();
    await page.waitForFunction(() => {
      const svg = document.querySelector('.mfgm-pane-overview svg.mfgm-chart');
      return svg && Number(svg.getAttribute('data-points')) >= 2 && svg.querySelector('polyline');
    }, null, { timeout: 20000 });
    assert.match(await page.locator('.mfgm-pane-overview .mfgm-legend').first().innerText(), /mfg\.quality\.hold\.placed\.v1/);
    const points = (await chart.locator('polyline').first().getAttribute('points')).trim().split(' ');
    assert.ok(points.length >= 2, 'a line with at least two samples');
    const ys = points.map((p) => Number(p.split(',')[1]));
    assert.ok(Math.min(...ys) < 86, 'the throughput line rises above zero');
    const row = page.locator('.mfgm-types tr', { hasText: TYPE });
    await page.waitForFunction((t) => [...document.querySelectorAll('.mfgm-types tr')].some((r) => r.textContent.includes(t) && r.children[1].textContent === '150'), TYPE, { timeout: 10000 });
    assert.equal(await row.locator('td').nth(1).innerText(), '150');
    await page.screenshot({ path: path.join(artifacts, 'monitor-overview.png') });
  });

  it('finds a transaction by correlation id and shows its path', async () => {
    await page.locator('.mfgm-nav button[data-pane="trace"]').click();
    await page.locator('.mfgm-corr').fill('ui-3-7');
    await page.locator('.mfgm-trace-go').click();
    await page.locator('tr.mfgm-step').nth(1).waitFor({ timeout: 10000 });
    const steps = await page.locator('tr.mfgm-step').allInnerTexts();
    assert.equal(steps.length, 2);
    assert.match(steps[0], /hold event[\s\S]*out/);
    assert.match(steps[1], /check hold[\s\S]*out/);
    await page.screenshot({ path: path.join(artifacts, 'monitor-trace.png') });
    // ids come from the shop floor: markup in them stays text
    const evil = '"><img src=x onerror="window.__mfgXss=1">';
    await send(1, evil);
    await page.locator('.mfgm-failed-only').check();
    await page.locator('.mfgm-failed-only').uncheck();
    await page.locator('tr.mfgm-tx', { hasText: 'onerror' }).first().waitFor({ timeout: 10000 });
    assert.equal(await page.evaluate(() => window.__mfgXss), undefined);
    assert.equal(await page.locator('.mfgm-trace-recent img').count(), 0);
  });

  const arrived = async () => ((await (await fetch(`${nr.url}/counts`)).json()).ok || 0);
  async function until(pred, ms = 15000) {
    const end = Date.now() + ms;
    while (Date.now() < end) { if (await pred()) return; await new Promise((r) => setTimeout(r, 100)); }
    throw new Error('condition not met in time');
  }

  it('triages dead letters: filter, replay many, edit and replay one, with an audit trail', async () => {
    const before = await arrived();
    await send(3, 'maint', { transient: true });
    await send(1, 'broken', { breakIt: true });
    await page.locator('.mfgm-nav button[data-pane="dlq"]').click();
    await until(async () => {
      await page.locator('.mfgm-dlq-load').click();
      return (await page.locator('.mfgm-dlq-table tr.mfgm-row').count()) === 4;
    });
    // filter by reason, select all, replay: they pass validation and arrive
    await page.locator('.mfgm-f-reason').fill('maintenance');
    await page.locator('.mfgm-f-reason').press('Enter');
    await until(async () => (await page.locator('.mfgm-dlq-table tr.mfgm-row').count()) === 3);
    for (const box of await page.locator('.mfgm-sel').all()) await box.check();
    await page.locator('.mfgm-replay-sel').click();
    await until(async () => (await arrived()) === before + 3);
    // the invalid one: inspect, fix the event in the JSON editor, replay with the button
    await page.locator('.mfgm-f-reason').fill('');
    await page.locator('.mfgm-f-reason').press('Enter');
    await until(async () => (await page.locator('.mfgm-dlq-table tr.mfgm-row').count()) === 1);
    assert.match(await page.locator('.mfgm-dlq-table tr.mfgm-row').innerText(), /material/);
    await page.locator('.mfgm-dlq-table tr.mfgm-row td').nth(3).click();
    await page.locator('.mfgm-inspect').waitFor({ state: 'visible' });
    const msg = JSON.parse(await page.locator('.mfgm-json').inputValue());
    assert.equal(msg.payload.data.material, undefined);
    msg.payload.data.material = 'FG226';
    await page.locator('.mfgm-json').fill(JSON.stringify(msg, null, 2));
    await page.locator('.mfgm-replay-one').click();
    await until(async () => (await arrived()) === before + 4);
    await until(async () => /replayed \(edited\)/.test(await page.locator('.mfgm-pane-dlq .mfgm-msg').innerText()));
    await until(async () => /^0 dead letter/.test(await page.locator('.mfgm-dlq-count').innerText()));
    await page.screenshot({ path: path.join(artifacts, 'monitor-dead-letters.png') });
    // who did what
    await page.locator('.mfgm-nav button[data-pane="audit"]').click();
    await until(async () => (await page.locator('.mfgm-audit tr').count()) >= 3);
    const rows = await page.locator('.mfgm-audit tr').allInnerTexts();
    assert.match(rows[1], /anonymous\s+edit-replay[\s\S]*200/);
    assert.match(rows[2], /anonymous\s+replay-many[\s\S]*200/);
    await page.screenshot({ path: path.join(artifacts, 'monitor-audit.png') });
  });
});

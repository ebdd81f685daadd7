// Screenshots of the demo plant's workflow tabs in the Node-RED editor (headless Chromium),
// for the README: docs/images/workflow-<n>.png and docs/images/demo-monitor.png.
// Runs the demo launcher (dist/sim/demo.js, build first) on free ports, lets it produce for a
// while so node statuses show live counts, then captures each tab.
// Usage: node scripts/screenshots.js [--wait <seconds>]
'use strict';
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { launchChromium } = require('../test/helpers/browser');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'docs', 'images');
const waitSec = Number(process.argv[process.argv.indexOf('--wait') + 1]) || 45;

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }).on('error', reject);
});

async function startDemo() {
  const env = { ...process.env, MFG_DEMO_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'mfg-shots-')), MFG_LOG_LEVEL: 'warn' };
  for (const k of ['EDITOR', 'MQTT', 'OPCUA', 'ERP', 'WMS', 'QMS']) env[`MFG_${k}_PORT`] = String(await freePort());
  const child = spawn(process.execPath, [path.join(root, 'dist/sim/demo.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { text += d; if (text.includes('demo plant is running')) resolve(); });
    child.once('exit', (code) => reject(new Error(`demo exited (${code})`)));
  });
  return { child, url: `http://127.0.0.1:${env.MFG_EDITOR_PORT}/` };
}

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const demo = await startDemo();
  const browser = await launchChromium();
  try {
    console.log(`demo running; letting it produce for ${waitSec} s`);
    await new Promise((r) => setTimeout(r, waitSec * 1000));
    const page = await browser.newPage({ viewport: { width: 1900, height: 800 } });
    await page.goto(demo.url);
    await page.waitForFunction(() => window.RED && RED.workspaces && RED.nodes && RED.nodes.workspace('wf1'), null, { timeout: 60000 });
    await page.waitForTimeout(2000);
    // the flow only: no palette, no sidebar, zoomed out so a whole workflow fits
    await page.evaluate(() => {
      RED.menu.setSelected('menu-item-palette', false);
      RED.menu.setSelected('menu-item-sidebar', false);
      RED.actions.invoke('core:zoom-out');
      RED.actions.invoke('core:zoom-out');
    });
    const invalid = await page.evaluate(() => {
      const bad = [];
      const check = (n) => { if (n.valid === false) bad.push(`${n.type} ${n.name || n.id}`); };
      RED.nodes.eachNode(check);
      RED.nodes.eachConfig(check);
      return bad;
    });
    if (invalid.length) console.warn(`nodes the editor flags as invalid: ${invalid.join(', ')}`);
    const tabs = await page.evaluate(() => { const t = []; RED.nodes.eachWorkspace((w) => t.push({ id: w.id, label: w.label })); return t; });
    for (const tab of tabs) {
      const m = /^wf(\d)$/.exec(tab.id);
      const name = m ? `workflow-${m[1]}.png` : tab.id === 'line2' ? 'line-l2-mqtt.png' : null;
      if (!name) continue;
      await page.evaluate((id) => {
        RED.workspaces.show(id);
        const chart = document.getElementById('red-ui-workspace-chart');
        chart.scrollLeft = 0;
        chart.scrollTop = 0;
      }, tab.id);
      await page.waitForTimeout(800);
      // crop to the flow's extent
      const clip = await page.evaluate((id) => {
        const box = document.getElementById('red-ui-workspace-chart').getBoundingClientRect();
        const k = RED.view.scale();
        let w = 0;
        let h = 0;
        RED.nodes.eachNode((n) => { if (n.z === id) { w = Math.max(w, n.x + (n.w || 100) / 2 + 110); h = Math.max(h, n.y + (n.h || 30) / 2 + 30); } });
        return { x: box.x, y: box.y, width: Math.min(box.width - 16, w * k), height: Math.min(box.height - 16, h * k) };
      }, tab.id);
      await page.screenshot({ path: path.join(out, name), clip });
      console.log(`${name}: ${tab.label}`);
    }
    // the monitor sidebar beside the production confirmation
    await page.evaluate(() => RED.workspaces.show('wf1'));
    const monitor = await page.evaluate(() => !!document.querySelector('#red-ui-tab-mfg-monitor'));
    if (monitor) {
      await page.evaluate(() => { RED.menu.setSelected('menu-item-sidebar', true); RED.sidebar.show('mfg-monitor'); });
      await page.waitForTimeout(3000);
      await page.screenshot({ path: path.join(out, 'demo-monitor.png') });
      console.log('demo-monitor.png');
    }
  } finally {
    await browser.close();
    demo.child.kill('SIGINT');
    await new Promise((r) => demo.child.once('exit', r));
  }
}

main().catch((err) => { console.error(err); process.exit(1); });

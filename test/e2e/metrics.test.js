'use strict';
// Metrics agree with the traffic counted at the end of a real flow in a Node-RED child
// process, every transaction has its trace, and neither the trace, the metrics nor the
// log carry the Authorization header that came in with the requests.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startNodeRed } = require('../helpers/child-nr');
const { catalog, samples, buildEvent, resolvePlant } = require('../../dist/lib/events');

const TYPE = 'mfg.quality.hold.placed.v1';
const SECRET = 'Bearer e2e-SECRET-token-4711';
const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'a', line: 'l', system: 'mes' });
const count = (name) => `const c = global.get('counts') || {}; c['${name}'] = (c['${name}'] || 0) + 1; global.set('counts', c); return null;`;

const flows = [
  { id: 'tab', type: 'tab', label: 'metrics' },
  { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'qa', line: 'l1', system: 'qms' },
  { id: 'in', type: 'http in', z: 'tab', url: '/ingest', method: 'post', wires: [['fan']] },
  { id: 'fan', type: 'function', z: 'tab', outputs: 3, wires: [['ev'], ['val'], ['resp']],
    func: `const h = msg.req.headers;
for (const it of msg.payload.items) {
  if (it.event) node.send([null, { payload: it.event, headers: h }, null]);
  else node.send([{ payload: it.data, headers: h }, null, null]);
}
return [null, null, { payload: 'accepted', statusCode: 202, res: msg.res, req: msg.req }];` },
  { id: 'resp', type: 'http response', z: 'tab', wires: [] },
  { id: 'ev', type: 'mfg-event', z: 'tab', plant: 'plant', eventType: TYPE, dataFrom: 'payload', mappings: [], errorOutput: true, wires: [['val'], ['cEvErr']] },
  { id: 'val', type: 'mfg-validate', z: 'tab', schemaFrom: 'catalog', wires: [['cOk'], ['cBad']] },
  { id: 'cEvErr', type: 'function', z: 'tab', func: count('evErr'), wires: [] },
  { id: 'cOk', type: 'function', z: 'tab', func: count('ok'), wires: [] },
  { id: 'cBad', type: 'function', z: 'tab', func: count('bad'), wires: [] },
  { id: 'qin', type: 'http in', z: 'tab', url: '/counts', method: 'get', wires: [['q']] },
  { id: 'q', type: 'function', z: 'tab', func: "msg.payload = global.get('counts') || {}; return msg;", wires: [['qout']] },
  { id: 'qout', type: 'http response', z: 'tab', wires: [] },
].map((n) => (n.z ? { x: 100, y: 100, ...n } : n));

function parseProm(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^mfg_messages_total\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    out.push({ ...labels, value: Number(m[2]) });
  }
  return out;
}
const sum = (rows, node, outcome) => rows.filter((r) => r.node === node && r.outcome === outcome).reduce((a, r) => a + r.value, 0);

describe('metrics and trace against counted traffic (Node-RED child process)', () => {
  let nr;
  before(async () => { nr = await startNodeRed({ flows }); });
  after(() => nr && nr.stop());

  it('counts exactly what flowed, per node and outcome', async () => {
    const items = [];
    const data = () => structuredClone(samples[TYPE]);
    for (let i = 0; i < 40; i++) items.push({ data: { ...data(), holdId: `H-${i}` } });
    for (let i = 0; i < 6; i++) { const d = data(); delete d.holdId; items.push({ data: d }); } // refused by mfg-event
    for (let i = 0; i < 15; i++) {
      const e = buildEvent(catalog.get(TYPE), data(), { plant, correlationid: `e2e-corr-${i}` });
      if (i % 3 === 0) delete e.data.material; // invalid at mfg-validate
      items.push({ event: e });
    }
    for (let batch = 0; batch < 3; batch++) {
      const r = await fetch(`${nr.url}/ingest`, { method: 'POST', body: JSON.stringify({ items }), headers: { 'Content-Type': 'application/json', Authorization: SECRET } });
      assert.equal(r.status, 202);
    }
    const expected = { ok: 3 * (40 + 10), bad: 3 * 5, evErr: 3 * 6 };
    let counts = {};
    for (let i = 0; i < 200; i++) {
      counts = await (await fetch(`${nr.url}/counts`)).json();
      if ((counts.ok || 0) + (counts.bad || 0) + (counts.evErr || 0) >= expected.ok + expected.bad + expected.evErr) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(counts, expected, 'the flow itself delivered what was sent');

    const rows = parseProm(await (await fetch(`${nr.url}/mfg-connect/metrics`)).text());
    assert.equal(sum(rows, 'ev', 'in'), 3 * 46);
    assert.equal(sum(rows, 'ev', 'out'), 3 * 40);
    assert.equal(sum(rows, 'ev', 'error'), counts.evErr, 'an error output plus done(err) is one error');
    assert.equal(sum(rows, 'val', 'in'), counts.ok + counts.bad);
    assert.equal(sum(rows, 'val', 'out'), counts.ok);
    assert.equal(sum(rows, 'val', 'invalid'), counts.bad);
    assert.ok(rows.filter((r) => r.node === 'val').every((r) => r.event_type === TYPE), 'labelled with the event type');

    const summary = await (await fetch(`${nr.url}/mfg-connect/monitor/summary`)).json();
    assert.equal(summary.eventTypes.find((e) => e.type === TYPE).produced, 3 * 40);
    assert.equal(summary.failures.find((f) => f.reason === 'invalid').count, counts.bad);
  });

  it('keeps one trace per transaction with the path through both nodes', async () => {
    const list = await (await fetch(`${nr.url}/mfg-connect/trace?limit=1000`)).json();
    // 40 built events per batch get their own correlation; the 15 given ones repeat per batch
    assert.equal(list.items.length, 3 * 40 + 15);
    const t = await (await fetch(`${nr.url}/mfg-connect/trace/e2e-corr-3`)).json();
    assert.deepEqual(t.steps.map((s) => `${s.node}:${s.outcome}`), ['val:invalid', 'val:invalid', 'val:invalid']);
    const built = list.items.find((i) => !i.correlationId.startsWith('e2e-corr-'));
    const bt = await (await fetch(`${nr.url}/mfg-connect/trace/${built.correlationId}`)).json();
    assert.deepEqual(bt.steps.map((s) => `${s.node}:${s.outcome}`), ['ev:out', 'val:out']);
    assert.ok(bt.steps[1].at >= bt.steps[0].at);
  });

  it('holds no Authorization header in traces, metrics or the log', async () => {
    const list = await (await fetch(`${nr.url}/mfg-connect/trace?limit=1000`)).json();
    const texts = [JSON.stringify(list), await (await fetch(`${nr.url}/mfg-connect/metrics`)).text(), nr.output()];
    for (const id of list.items.slice(0, 50).map((i) => i.correlationId)) texts.push(await (await fetch(`${nr.url}/mfg-connect/trace/${id}`)).text());
    for (const t of texts) assert.doesNotMatch(t, /e2e-SECRET-token-4711/);
    assert.match(nr.output(), /mfg-event/, 'the log did record the refused events');
  });
});

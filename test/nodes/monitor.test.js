'use strict';
// The monitor plugin in a real Node-RED runtime (test helper): trace steps and message
// metrics recorded from the message hooks, and the admin endpoints behind the sidebar.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { helper, node, start, stop, nextMsg, collect, until, flow } = require('../helpers/nr');
const { catalog, samples, buildEvent, resolvePlant } = require('../../dist/lib/events');

const plugin = require(path.resolve(__dirname, '../../dist/nodes/mfg-monitor/mfg-monitor.js'));
// the helper's runtime API lacks RED.hooks; give the plugin the hooks the runtime really uses
const monitor = (RED) => plugin(Object.assign({}, RED, { hooks: require('@node-red/util').hooks }));
const mods = [monitor, node('mfg-plant'), node('mfg-event'), node('mfg-validate')];

const TYPE = 'mfg.quality.hold.placed.v1';
const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'a', line: 'l', system: 'mes' });
const good = () => buildEvent(catalog.get(TYPE), structuredClone(samples[TYPE]), { plant });

/** Parses Prometheus text into {'name{k="v",...}': value}. */
function parseProm(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return out;
}
function counter(prom, nodeId, outcome) {
  let n = 0;
  for (const [k, v] of Object.entries(prom)) {
    if (k.startsWith('mfg_messages_total{') && k.includes(`node="${nodeId}"`) && k.includes(`outcome="${outcome}"`)) n += v;
  }
  return n;
}
const metrics = async () => parseProm((await helper.request().get('/mfg-connect/metrics').expect(200)).text);

const chain = (prefix, extra = []) => flow([
  { id: 'tab', type: 'tab' },
  { id: `${prefix}v1`, type: 'mfg-validate', z: 'tab', schemaFrom: 'catalog', wires: [[`${prefix}v2`], [`${prefix}bad`]] },
  { id: `${prefix}v2`, type: 'mfg-validate', z: 'tab', schemaFrom: 'catalog', wires: [[`${prefix}ok`], [`${prefix}bad`]] },
  { id: `${prefix}ok`, type: 'helper', z: 'tab' },
  { id: `${prefix}bad`, type: 'helper', z: 'tab' },
  ...extra,
]);

describe('monitor plugin: trace and metrics from message hooks', () => {
  before(start);
  afterEach(() => helper.unload());
  after(async () => {
    require('../../dist/nodes/shared/msg-hooks').listen({ hooks: require('@node-red/util').hooks }, 'the monitor (trace and message metrics)', undefined);
    await stop();
  });

  it('counts in/out/invalid per node exactly as the traffic that flowed', async () => {
    await helper.load(mods, chain('m'));
    const ok = collect('mok');
    const bad = collect('mbad');
    const v1 = helper.getNode('mv1');
    for (let i = 0; i < 7; i++) v1.receive({ payload: good() });
    for (let i = 0; i < 3; i++) {
      const e = good();
      delete e.data.holdId;
      v1.receive({ payload: e });
    }
    await until(() => ok.length === 7 && bad.length === 3);
    const prom = await metrics();
    assert.equal(counter(prom, 'mv1', 'in'), 10);
    assert.equal(counter(prom, 'mv1', 'out'), 7);
    assert.equal(counter(prom, 'mv1', 'invalid'), 3);
    assert.equal(counter(prom, 'mv2', 'in'), ok.length);
    assert.equal(counter(prom, 'mv2', 'out'), ok.length);
    assert.equal(counter(prom, 'mv2', 'invalid'), 0);
    const typed = Object.entries(prom).filter(([k]) => k.includes('node="mv1"') && k.includes(`event_type="${TYPE}"`) && k.includes('outcome="in"'));
    assert.equal(typed.reduce((s, [, v]) => s + v, 0), 10, 'labelled with the event type');
  });

  it('records the path of a transaction on the msg and in the trace store', async () => {
    await helper.load(mods, chain('t'));
    const got = nextMsg('tok');
    const ev = good();
    ev.correlationid = 'corr-trace-1';
    helper.getNode('tv1').receive({ payload: ev });
    const msg = await got;
    assert.deepEqual(msg._mfgTrace.map((s) => [s.node, s.outcome, s.eventType]), [['tv1', 'out', TYPE], ['tv2', 'out', TYPE]]);
    assert.ok(msg._mfgTrace.every((s) => typeof s.ms === 'number' && s.ms >= 0));
    const res = await helper.request().get('/mfg-connect/trace/corr-trace-1').expect(200);
    assert.equal(res.body.correlationId, 'corr-trace-1');
    assert.deepEqual(res.body.steps.map((s) => `${s.node}:${s.outcome}`), ['tv1:out', 'tv2:out']);
    assert.equal(res.body.steps[0].eventId, ev.id);
    const list = await helper.request().get('/mfg-connect/trace?limit=5').expect(200);
    assert.ok(list.body.items.some((t) => t.correlationId === 'corr-trace-1' && t.steps === 2));
    const missing = await helper.request().get('/mfg-connect/trace/nope').expect(404);
    assert.match(missing.body.error, /no trace for correlation id "nope"/);
  });

  it('records errors reported with done(err), keeps msg trace bounded, redacts secrets', async () => {
    helper.settings({ mfgConnect: { trace: { msgSteps: 3 } } });
    try {
      const nodes = [{ id: 'tab', type: 'tab' }];
      for (let i = 1; i <= 6; i++) nodes.push({ id: `c${i}`, type: 'mfg-validate', z: 'tab', schemaFrom: 'catalog', wires: [[i < 6 ? `c${i + 1}` : 'cend']] });
      nodes.push({ id: 'cend', type: 'helper', z: 'tab' });
      // an event type that looks like a credential: the error quoting it must not leak it
      nodes.push({ id: 'cerr', type: 'mfg-event', z: 'tab', plant: 'p', eventType: 'Bearer s3cr3tT0kenValue', wires: [[], []] });
      nodes.push({ id: 'p', type: 'mfg-plant', enterprise: 'acme', site: 's', area: 'a', line: 'l', system: 'x' });
      nodes.push({ id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] });
      nodes.push({ id: 'caught', type: 'helper', z: 'tab' });
      await helper.load(mods, flow(nodes));
      const got = nextMsg('cend');
      const ev = good();
      ev.correlationid = 'corr-long';
      helper.getNode('c1').receive({ payload: ev });
      const msg = await got;
      assert.deepEqual(msg._mfgTrace.map((s) => s.node), ['c4', 'c5', 'c6'], 'only the last 3 steps ride on the msg');
      const full = await helper.request().get('/mfg-connect/trace/corr-long').expect(200);
      assert.equal(full.body.steps.length, 6, 'the store keeps all steps');

      const caught = nextMsg('caught');
      helper.getNode('cerr').receive({ payload: {}, correlationId: 'corr-err' });
      await caught;
      await until(async () => (await helper.request().get('/mfg-connect/trace/corr-err')).status === 200);
      const t = (await helper.request().get('/mfg-connect/trace/corr-err')).body;
      assert.equal(t.steps[0].outcome, 'error');
      assert.match(t.steps[0].error, /no valid event type configured/);
      assert.doesNotMatch(JSON.stringify(t), /s3cr3tT0kenValue/);
      assert.equal(counter(await metrics(), 'cerr', 'error'), 1);
    } finally {
      helper.settings({});
    }
  });

  it('serves the catalog with deployed producers and consumers, and a summary for the charts', async () => {
    const nodes = [
      { id: 'tab', type: 'tab' },
      { id: 'p', type: 'mfg-plant', enterprise: 'acme', site: 's', area: 'a', line: 'l', system: 'x' },
      { id: 'gev', type: 'mfg-event', z: 'tab', name: 'hold', plant: 'p', eventType: TYPE, dataFrom: 'payload', mappings: [], wires: [['gval']] },
      { id: 'gval', type: 'mfg-validate', z: 'tab', schemaFrom: 'catalog', wires: [['gok'], []] },
      { id: 'gok', type: 'helper', z: 'tab' },
      // not deployed in effect: a disabled node, and a node on a disabled tab
      { id: 'goff', type: 'mfg-event', z: 'tab', d: true, plant: 'p', eventType: TYPE, dataFrom: 'payload', mappings: [], wires: [[]] },
      { id: 'tab2', type: 'tab', disabled: true },
      { id: 'goff2', type: 'mfg-event', z: 'tab2', plant: 'p', eventType: TYPE, dataFrom: 'payload', mappings: [], wires: [[]] },
    ];
    await helper.load(mods, flow(nodes));
    const got = nextMsg('gok');
    helper.getNode('gev').receive({ payload: structuredClone(samples[TYPE]) });
    await got;
    const cat = (await helper.request().get('/mfg-connect/governance/catalog').expect(200)).body;
    assert.equal(cat.eventTypes.length, catalog.all().length);
    const hold = cat.eventTypes.find((e) => e.type === TYPE);
    assert.equal(hold.owner, catalog.get(TYPE).owner);
    assert.ok(hold.schema.properties.holdId);
    assert.deepEqual(hold.producers.map((p) => [p.id, p.name, p.via.join(',')]), [['gev', 'hold', 'config,observed']]);
    assert.deepEqual(hold.consumers.map((c) => [c.id, c.via.join(',')]), [['gval', 'observed,wiring']]);
    const other = cat.eventTypes.find((e) => e.type === 'mfg.production.order.released.v1');
    assert.deepEqual([other.producers, other.consumers], [[], []]);

    const sum = (await helper.request().get('/mfg-connect/monitor/summary').expect(200)).body;
    const row = sum.eventTypes.find((e) => e.type === TYPE);
    assert.ok(row.produced >= 1, 'events produced by mfg-event counted per type');
    assert.ok(sum.totals.in >= 2);
    assert.deepEqual(sum.failures.map((f) => f.reason), ['invalid', 'duplicate', 'error', 'retried', 'dead-lettered']);
    assert.ok(Array.isArray(sum.history));
    const api = (await helper.request().get('/mfg-connect/asyncapi').expect(200)).body;
    assert.equal(api.asyncapi, '3.0.0');
  });

  it('records who changed dead letters in the audit log', async () => {
    await helper.load(mods, chain('a'));
    // stand-in routes at the DLQ paths: the audit sits in front of whatever answers there
    helper._httpAdmin.post('/mfg-connect/dlq/:node/letters/:id/replay', (req, res) => res.json({ replayed: [Number(req.params.id)] }));
    helper._httpAdmin.post('/mfg-connect/dlq/:node/replay', (req, res) => res.json({ replayed: req.body.ids }));
    helper._httpAdmin.delete('/mfg-connect/dlq/:node/letters/:id', (req, res) => res.status(404).json({ error: 'no such dead letter' }));
    await helper.request().post('/mfg-connect/dlq/dq1/letters/12/replay').send({}).expect(200);
    await helper.request().post('/mfg-connect/dlq/dq1/replay').send({ ids: [3, 4], headers: { Authorization: 'Bearer abcdefghijk' } }).expect(200);
    await helper.request().delete('/mfg-connect/dlq/dq1/letters/99').expect(404);
    await helper.request().get('/mfg-connect/dlq/dq1/letters').expect(404); // reads are not audited
    const audit = (await helper.request().get('/mfg-connect/monitor/audit').expect(200)).body.items;
    assert.deepEqual(audit.map((a) => [a.action, a.ids, a.status, a.user, a.detail.node]), [
      ['discard', [99], 404, 'anonymous', 'dq1'], ['replay-many', [3, 4], 200, 'anonymous', 'dq1'], ['replay', [12], 200, 'anonymous', 'dq1']]);
    assert.doesNotMatch(JSON.stringify(audit), /abcdefghijk/);
  });

  it('replays an edited dead letter only when it matches the current schema (or when forced)', async () => {
    const nodes = flow([
      { id: 'tab', type: 'tab' },
      { id: 'rv', type: 'mfg-validate', z: 'tab', schemaFrom: 'catalog', wires: [['rok'], ['rdlq']] },
      { id: 'rdlq', type: 'mfg-dlq', z: 'tab', store: '', retentionDays: 0, wires: [['rv']] },
      { id: 'rok', type: 'helper', z: 'tab' },
    ]);
    await helper.load([...mods, node('mfg-dlq')], nodes);
    const bad = good();
    delete bad.data.holdId;
    bad.correlationid = 'corr-edit';
    helper.getNode('rv').receive({ payload: bad });
    let letters;
    await until(async () => {
      letters = (await helper.request().get('/mfg-connect/dlq/rdlq/letters')).body;
      return letters.total >= 1;
    });
    const id = letters.items.find((l) => l.correlationId === 'corr-edit').id;
    const letter = (await helper.request().get(`/mfg-connect/dlq/rdlq/letters/${id}`).expect(200)).body;

    const still = structuredClone(letter.msg);
    still.payload.data.material = 42; // another mistake
    const refused = await helper.request().post(`/mfg-connect/dlq/rdlq/letters/${id}/replay-edited`).send({ msg: still }).expect(422);
    assert.deepEqual(refused.body.errors.map((e) => e.path).sort(), ['$.data.holdId', '$.data.material']);
    assert.equal((await helper.request().get(`/mfg-connect/dlq/rdlq/letters/${id}`)).status, 200, 'the letter stays');

    const fixed = structuredClone(letter.msg);
    fixed.payload.data.holdId = 'HOLD-FIXED-1';
    const arrived = nextMsg('rok');
    await helper.request().post(`/mfg-connect/dlq/rdlq/letters/${id}/replay-edited`).send({ msg: fixed }).expect(200);
    const msg = await arrived;
    assert.equal(msg.payload.data.holdId, 'HOLD-FIXED-1');
    assert.equal(msg.replay.deadLetterId, id);
    assert.equal((await helper.request().get(`/mfg-connect/dlq/rdlq/letters/${id}`)).status, 404, 'the letter is gone');
    const t = (await helper.request().get('/mfg-connect/trace/corr-edit').expect(200)).body;
    assert.deepEqual(t.steps.map((x) => `${x.node}:${x.outcome}`), ['rv:invalid', 'rdlq:done', 'rdlq:out', 'rv:out']);
    const audit = (await helper.request().get('/mfg-connect/monitor/audit')).body.items;
    assert.deepEqual(audit.slice(0, 2).map((a) => [a.action, a.status]), [['edit-replay', 200], ['edit-replay', 422]]);
    await helper.request().post('/mfg-connect/dlq/rdlq/letters/abc/replay-edited').send({ msg: {} }).expect(404);
    await helper.request().post(`/mfg-connect/dlq/rdlq/letters/${id}/replay-edited`).send({ msg: 'text' }).expect(400);

    // forced: it goes out, fails validation downstream again and comes back as a new letter
    const bad2 = good();
    delete bad2.data.holdId;
    bad2.correlationid = 'corr-force';
    helper.getNode('rv').receive({ payload: bad2 });
    let l2;
    await until(async () => (l2 = (await helper.request().get('/mfg-connect/dlq/rdlq/letters')).body.items.find((l) => l.correlationId === 'corr-force')));
    const m2 = (await helper.request().get(`/mfg-connect/dlq/rdlq/letters/${l2.id}`)).body.msg;
    await helper.request().post(`/mfg-connect/dlq/rdlq/letters/${l2.id}/replay-edited`).send({ msg: m2, force: true }).expect(200);
    await until(async () => (await helper.request().get('/mfg-connect/dlq/rdlq/letters')).body.items.some((l) => l.correlationId === 'corr-force' && l.id !== l2.id));
  });
});

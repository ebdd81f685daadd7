'use strict';
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { helper, node, start, stop, nextMsg, collect, until, flow: tabbed } = require('../helpers/nr');
const { tmpDir } = require('../helpers/servers');

const mfgStore = node('mfg-store');
const mfgIdem = node('mfg-idempotency');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function flow(idem = {}, store = { kind: 'memory' }) {
  return tabbed([
    { id: 'tab', type: 'tab' },
    { id: 'store', type: 'mfg-store', kind: 'memory', ...store },
    { id: 'idem', type: 'mfg-idempotency', z: 'tab', store: 'store', keyType: 'eventid', key: '', mode: 'eager', wires: [['new'], ['dup']], ...idem },
    { id: 'new', type: 'helper', z: 'tab' },
    { id: 'dup', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ]);
}

const ev = (id, data = {}) => ({ payload: { specversion: '1.0', id, type: 'mfg.production.quantity.confirmed.v1', data } });

describe('mfg-idempotency node', () => {
  before(start);
  afterEach(() => helper.unload());
  after(stop);

  it('passes the first event on "new" and its repeats on "duplicate" while in flight', async () => {
    await helper.load([mfgStore, mfgIdem], flow());
    const n = helper.getNode('idem');
    const fresh = nextMsg('new');
    n.receive(ev('e-1'));
    const m = await fresh;
    assert.equal(m.idempotency.key, 'e-1');
    assert.equal(m.idempotency.scope, 'node:idem');
    assert.equal(m.idempotency.store, 'store');
    assert.equal(m.idempotency.state, 'in-flight');
    assert.ok(Math.abs(m.idempotency.firstSeen - Date.now()) < 5000);
    const dup = nextMsg('dup');
    n.receive(ev('e-1'));
    const d = await dup;
    assert.equal(d.idempotency.state, 'in-flight');
    assert.equal(d.idempotency.firstSeen, m.idempotency.firstSeen);
  });

  it('commit by msg stores the result; later duplicates carry it; release lets a retry through', async () => {
    await helper.load([mfgStore, mfgIdem], flow());
    const n = helper.getNode('idem');
    const news = collect('new');
    const dups = collect('dup');
    n.receive(ev('post-1'));
    n.receive(ev('post-2'));
    await until(() => news.length === 2);
    n.receive({ idempotency: { ...news[0].idempotency, action: 'commit', result: { document: '4900000123' } } });
    n.receive({ idempotency: { ...news[1].idempotency, action: 'release' } });
    await sleep(50);
    n.receive(ev('post-1'));
    n.receive(ev('post-2'));
    await until(() => news.length === 3 && dups.length === 1);
    assert.equal(dups[0].idempotency.state, 'committed');
    assert.deepEqual(dups[0].idempotency.result, { document: '4900000123' });
    assert.equal(news[2].payload.id, 'post-2', 'the released key went through again');
    assert.equal(news.length + dups.length, 4, 'commit and release msgs are not sent on');
  });

  it('a duplicate arriving after the retention window is new again', async () => {
    await helper.load([mfgStore, mfgIdem], flow({ mode: 'mark', retentionHours: 0.1 / 3600 }));
    const n = helper.getNode('idem');
    const news = collect('new');
    const dups = collect('dup');
    n.receive(ev('r-1'));
    n.receive(ev('r-1'));
    await until(() => news.length === 1 && dups.length === 1);
    assert.equal(dups[0].idempotency.state, 'committed');
    await sleep(150);
    n.receive(ev('r-1'));
    await until(() => news.length === 2);
  });

  it('an unsettled reservation comes free after the lease', async () => {
    await helper.load([mfgStore, mfgIdem], flow({ leaseSeconds: 0.15 }));
    const n = helper.getNode('idem');
    const news = collect('new');
    const dups = collect('dup');
    n.receive(ev('l-1'));
    n.receive(ev('l-1'));
    await until(() => news.length === 1 && dups.length === 1);
    await sleep(200);
    n.receive(ev('l-1'));
    await until(() => news.length === 2);
  });

  it('guards a business key from JSONata and hashes keys over 512 characters', async () => {
    await helper.load([mfgStore, mfgIdem], flow({ keyType: 'jsonata', key: 'payload.data.orderId & "/" & payload.data.op & "/" & $string(payload.data.counter)' }));
    const n = helper.getNode('idem');
    const news = collect('new');
    const dups = collect('dup');
    n.receive(ev('a', { orderId: '1000123', op: '0020', counter: 1 }));
    n.receive(ev('b', { orderId: '1000123', op: '0020', counter: 1 }));
    n.receive(ev('c', { orderId: '1000123', op: '0020', counter: 2 }));
    n.receive(ev('d', { orderId: 'X'.repeat(600), op: '0020', counter: 1 }));
    await until(() => news.length + dups.length === 4);
    assert.deepEqual(news.map((m) => m.payload.id), ['a', 'c', 'd']);
    assert.equal(news[0].idempotency.key, '1000123/0020/1');
    assert.match(news[2].idempotency.key, /^sha256:[0-9a-f]{64}$/);
    assert.equal(dups[0].payload.id, 'b');
  });

  it('a shared scope makes two nodes guard one key space; default scopes are separate', async () => {
    const f = flow({ scope: 'erp-postings' });
    f.push({ id: 'idem2', type: 'mfg-idempotency', z: 'tab', x: 1, y: 1, store: 'store', keyType: 'msg', key: 'payload.id', scope: 'erp-postings', mode: 'mark', wires: [['new'], ['dup']] });
    f.push({ id: 'idem3', type: 'mfg-idempotency', z: 'tab', x: 1, y: 1, store: 'store', keyType: 'eventid', mode: 'mark', wires: [['new'], ['dup']] });
    await helper.load([mfgStore, mfgIdem], f);
    const news = collect('new');
    const dups = collect('dup');
    helper.getNode('idem').receive(ev('s-1'));
    await until(() => news.length === 1);
    helper.getNode('idem2').receive(ev('s-1'));
    await until(() => dups.length === 1);
    helper.getNode('idem3').receive(ev('s-1'));
    await until(() => news.length === 2);
    assert.equal(news[1].idempotency.scope, 'node:idem3');
  });

  it('a missing key or a bad action goes to Catch with the reason, and the node keeps working', async () => {
    await helper.load([mfgStore, mfgIdem], flow({ keyType: 'msg', key: 'payload.data.orderId' }));
    const n = helper.getNode('idem');
    let caught = nextMsg('caught');
    n.receive({ payload: { data: {} } });
    assert.match((await caught).error.message, /idempotency key missing: msg\.payload\.data\.orderId is undefined/);
    caught = nextMsg('caught');
    n.receive({ idempotency: { action: 'confirm', key: 'k' } });
    assert.match((await caught).error.message, /must be "commit" or "release"/);
    caught = nextMsg('caught');
    n.receive({ idempotency: { action: 'commit' } });
    assert.match((await caught).error.message, /needs msg\.idempotency\.key/);
    const fresh = nextMsg('new');
    n.receive({ payload: { data: { orderId: 7 } } });
    assert.equal((await fresh).idempotency.key, '7');
  });

  it('an invalid key expression is reported once at start, and to Catch for each msg', async () => {
    await helper.load([mfgStore, mfgIdem], flow({ keyType: 'jsonata', key: 'payload.(' }));
    const n = helper.getNode('idem');
    assert.match(n.error.args[0][0], /invalid key expression "payload\.\("/);
    assert.equal(n.status.args.at(-1)[0].fill, 'red');
    const caught = nextMsg('caught');
    n.receive(ev('z'));
    assert.match((await caught).error.message, /invalid key expression/);
  });

  it('admin API: look up a key, and forget one so that a reversed posting can go through again', async () => {
    await helper.load([mfgStore, mfgIdem], flow({ keyType: 'jsonata', key: 'payload.data.orderId & "/" & payload.data.op' }));
    const n = helper.getNode('idem');
    const news = collect('new');
    const dups = collect('dup');
    n.receive(ev('a', { orderId: '1000123', op: '0020' }));
    await until(() => news.length === 1);
    n.receive({ idempotency: { ...news[0].idempotency, action: 'commit', result: { document: '4900000777' } } });
    const url = `/mfg-connect/idempotency/idem/keys/${encodeURIComponent('1000123/0020')}`;
    await until(async () => (await helper.request().get(url)).body.state === 'committed');
    const got = await helper.request().get(url).expect(200);
    assert.equal(got.body.key, '1000123/0020');
    assert.equal(got.body.scope, 'node:idem');
    assert.deepEqual(got.body.result, { document: '4900000777' });
    await helper.request().get('/mfg-connect/idempotency/idem/keys/unknown').expect(404);
    await helper.request().get(`/mfg-connect/idempotency/nosuchnode/keys/x`).expect(404);
    const del = await helper.request().delete(url).expect(200);
    assert.equal(del.body.forgotten, true);
    assert.match(n.warn.args.at(-1)[0], /forgotten through the admin API/);
    await helper.request().delete(url).expect(404);
    n.receive(ev('b', { orderId: '1000123', op: '0020' }));
    await until(() => news.length === 2);
    assert.equal(dups.length, 0);
  });

  it('the event id is read from a JSON string payload too; status counts new and duplicates', async () => {
    await helper.load([mfgStore, mfgIdem], flow());
    const n = helper.getNode('idem');
    const dups = collect('dup');
    n.receive({ payload: JSON.stringify({ id: 'j-1' }) });
    n.receive({ payload: JSON.stringify({ id: 'j-1' }) });
    n.receive({ payload: JSON.stringify({ id: 'j-1' }) });
    await until(() => dups.length === 2);
    await until(() => n.status.args.some((a) => a[0].text === '1 new, 2 dup · memory'), 3000);
    const last = n.status.args.at(-1)[0];
    assert.equal(last.fill, 'green');
  });

  it('keeps committed keys across a redeploy on the same SQLite file', async () => {
    const file = path.join(tmpDir('idem-node-'), 'keys.db');
    const f = () => flow({ mode: 'mark' }, { kind: 'sqlite', path: file });
    await helper.load([mfgStore, mfgIdem], f());
    const news = collect('new');
    for (let i = 0; i < 50; i++) helper.getNode('idem').receive(ev(`p-${i}`));
    await until(() => news.length === 50);
    await helper.unload();
    await helper.load([mfgStore, mfgIdem], f());
    const dups = collect('dup');
    const again = collect('new');
    for (let i = 0; i < 51; i++) helper.getNode('idem').receive(ev(`p-${i}`));
    await until(() => dups.length + again.length === 51);
    assert.equal(dups.length, 50);
    assert.deepEqual(again.map((m) => m.payload.id), ['p-50']);
  });

  it('without a store config, uses the runtime default SQLite store', async () => {
    await helper.load([mfgStore, mfgIdem], flow({ store: '' }));
    const fresh = nextMsg('new');
    helper.getNode('idem').receive(ev(`d-${Date.now()}`));
    const m = await fresh;
    assert.equal(m.idempotency.store, 'default');
    await until(() => /sqlite/.test(helper.getNode('idem').status.args.at(-1)[0].text));
  });
});

describe('mfg-idempotency settling a reservation made in another store', () => {
  before(start);
  after(stop);

  it('commits through the store named in msg.idempotency.store', async () => {
    const f = flow();
    f.push({ id: 'store2', type: 'mfg-store', kind: 'memory' });
    f.push({ id: 'other', type: 'mfg-idempotency', z: 'tab', x: 1, y: 1, store: 'store2', keyType: 'eventid', mode: 'eager', wires: [['new'], ['dup']] });
    await helper.load([mfgStore, mfgIdem], f);
    const fresh = nextMsg('new');
    helper.getNode('idem').receive(ev('x-1'));
    const m = await fresh;
    helper.getNode('other').receive({ idempotency: { ...m.idempotency, action: 'commit', result: 'DOC-9' } });
    await until(async () => (await helper.getNode('store').store.get(m.idempotency.scope, 'x-1'))?.state === 'committed');
    assert.equal((await helper.getNode('store').store.get(m.idempotency.scope, 'x-1')).result, 'DOC-9');
    assert.equal(await helper.getNode('store2').store.get(m.idempotency.scope, 'x-1'), undefined);
    await helper.unload();
  });
});

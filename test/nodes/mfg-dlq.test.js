'use strict';
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { helper, node, start, stop, nextMsg, until, flow } = require('../helpers/nr');
const { tmpDir } = require('../helpers/servers');

const nodes = [node('mfg-store'), node('mfg-dlq')];

function testFlow(file, extra = {}) {
  return flow([
    { id: 'tab', type: 'tab' },
    { id: 'store', type: 'mfg-store', kind: 'sqlite', path: file },
    { id: 'dlq', type: 'mfg-dlq', z: 'tab', name: 'letters', store: 'store', retentionDays: 30, wires: [['replayed']], ...extra },
    { id: 'replayed', type: 'helper', z: 'tab' },
  ]);
}

const catchMsg = (i) => ({
  _msgid: `m${i}`,
  payload: { specversion: '1.0', id: `ev-${i}`, type: 'mfg.quality.hold.placed.v1', correlationid: `corr-${i}`, data: { lotId: 'L1' } },
  headers: { Authorization: 'Basic dXNlcjpwYXNzd29yZA==', 'x-trace': 't1' },
  error: { message: `ERP said no ${i}`, source: { id: 'erp1', type: 'mfg-erp', name: 'post' } },
  attempts: 3,
});

describe('mfg-dlq node', () => {
  before(start);
  afterEach(() => helper.unload());
  after(stop);

  it('stores a Catch msg with reason, attempts, origin and correlation, redacted; lists, replays and discards over the admin API', async () => {
    const file = path.join(tmpDir('dlq-'), 'state.db');
    await helper.load(nodes, testFlow(file));
    const dlq = helper.getNode('dlq');
    dlq.receive(catchMsg(1));
    dlq.receive(catchMsg(2));
    dlq.receive({ payload: 'raw', reason: 'checksum mismatch' });
    await until(async () => (await helper.request().get('/mfg-connect/dlq/dlq/letters')).body.total === 3);
    const list = (await helper.request().get('/mfg-connect/dlq/dlq/letters?type=mfg.quality.hold.placed.v1&order=newest').expect(200)).body;
    assert.equal(list.total, 2);
    const [l2, l1] = list.items;
    assert.equal(l1.reason, 'ERP said no 1');
    assert.equal(l1.origin, 'mfg-erp:erp1');
    assert.equal(l1.attempts, 3);
    assert.equal(l1.correlationId, 'corr-1');
    assert.equal(l2.correlationId, 'corr-2');
    const other = (await helper.request().get('/mfg-connect/dlq/dlq/letters?reason=checksum').expect(200)).body;
    assert.equal(other.items[0].origin, 'mfg-dlq:dlq');
    const full = (await helper.request().get(`/mfg-connect/dlq/dlq/letters/${l1.id}`).expect(200)).body;
    assert.equal(full.msg.headers.Authorization, '[redacted]');
    assert.equal(full.msg.headers['x-trace'], 't1');

    const out = nextMsg('replayed');
    const rep = (await helper.request().post(`/mfg-connect/dlq/dlq/letters/${l1.id}/replay`).expect(200)).body;
    assert.deepEqual(rep, { replayed: [l1.id], missing: [] });
    const msg = await out;
    assert.equal(msg.payload.id, 'ev-1');
    assert.equal(msg.error, undefined, 'a replayed msg carries no error');
    assert.equal(msg.correlationId, 'corr-1');
    assert.deepEqual({ ...msg.replay, at: undefined }, { deadLetterId: l1.id, origin: 'mfg-erp:erp1', reason: 'ERP said no 1', attempts: 3, at: undefined });

    const dis = (await helper.request().post('/mfg-connect/dlq/dlq/discard').send({ filter: { reason: 'checksum' } }).expect(200)).body;
    assert.equal(dis.discarded.length, 1);
    assert.equal((await helper.request().get('/mfg-connect/dlq/dlq/letters').expect(200)).body.total, 1);
    await helper.request().post('/mfg-connect/dlq/dlq/replay').send({}).expect(400);
    await helper.request().get('/mfg-connect/dlq/nope/letters').expect(404);
    await helper.request().get('/mfg-connect/dlq/dlq/letters?limit=5000').expect(400);
    await until(() => /1 dead letter$/.test(dlq.status.lastCall.args[0].text));
  });

  it('deletes letters past the retention when it starts', async () => {
    const file = path.join(tmpDir('dlq-'), 'state.db');
    await helper.load(nodes, testFlow(file));
    const store = helper.getNode('store').store;
    const day = 86_400_000;
    // 20 days: within the store's own 30-day dead-letter retention, past this node's 10 days
    await store.addDeadLetter({ origin: 'x', reason: 'old', attempts: 1, at: Date.now() - 20 * day, msg: {} });
    await store.addDeadLetter({ origin: 'x', reason: 'recent', attempts: 1, at: Date.now() - 2 * day, msg: {} });
    await helper.unload();
    await helper.load(nodes, testFlow(file, { retentionDays: 10 }));
    await until(async () => (await helper.request().get('/mfg-connect/dlq/dlq/letters').expect(200)).body.total === 1);
    const left = (await helper.request().get('/mfg-connect/dlq/dlq/letters').expect(200)).body.items;
    assert.deepEqual(left.map((l) => l.reason), ['recent']);
  });
});

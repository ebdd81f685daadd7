'use strict';
// Dead letters end to end: a broker that refuses a topic (MQTT 5 "not authorized") turns an
// event into a dead letter; the admin API lists it, enforces permissions with adminAuth on,
// and replays it once the broker allows the topic.
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const bcrypt = require('bcryptjs');
const { startNodeRed } = require('../helpers/child-nr');
const { startMosquitto, loudSkip, tmpDir } = require('../helpers/servers');
const { event, emitFlow, emit, recorder } = require('./backbone-flow');

const cleanup = [];
after(async () => {
  while (cleanup.length) await cleanup.pop()().catch(() => undefined);
});

async function until(pred, ms, what) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function holdEvent() {
  return {
    specversion: '1.0', id: 'hold-1', source: '/acme/BER1/assembly/line1/qms', type: 'mfg.quality.hold.placed.v1',
    time: '2026-11-27T08:00:00.000Z', correlationid: 'corr-hold-1', subject: 'lot/L-77', partitionkey: 'L-77', data: { lotId: 'L-77', reason: 'visual defect' },
  };
}

describe('dead letters and replay through the admin API', { timeout: 120_000 }, () => {
  it('keeps a permanent failure with its reason, enforces permissions, replays it, redacts secrets, discards', async (t) => {
    const dir = tmpDir('acl-');
    const acl = path.join(dir, 'acl');
    fs.writeFileSync(acl, 'topic read #\ntopic readwrite acme/+/+/+/events/production/#\n');
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(acl, 0o644);
    const broker = await startMosquitto({ extra: [`acl_file ${acl}`] });
    if (!broker) return loudSkip(t, 'mosquitto');
    cleanup.push(() => broker.stop());
    // mosquitto rereads its config on SIGHUP after dropping root: let it read the file
    fs.chmodSync(path.dirname(broker.child.spawnargs[2]), 0o755);
    fs.chmodSync(broker.child.spawnargs[2], 0o644);

    const sub = await recorder(broker.url, 'acme/#');
    cleanup.push(async () => sub.c.end(true));
    const flows = emitFlow(broker.url, {}, [
      { id: 'dlq', type: 'mfg-dlq', z: 'tab', x: 500, y: 300, name: 'backbone letters', retentionDays: 30, wires: [['pub']] },
    ]);
    flows.find((n) => n.id === 'catch').wires = [['nack', 'dlq']];
    const hash = bcrypt.hashSync('secret-pw', 8);
    const nr = await startNodeRed({
      flows,
      settings: {
        adminAuth: {
          type: 'credentials',
          users: [
            { username: 'ops', password: hash, permissions: ['read', 'mfg-connect.write'] },
            { username: 'viewer', password: hash, permissions: 'read' },
            { username: 'designer', password: hash, permissions: ['flows.read'] },
          ],
        },
      },
    });
    cleanup.push(() => nr.kill());

    const token = async (username) => {
      const r = await fetch(`${nr.url}/auth/token`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '', username, password: 'secret-pw' }),
      });
      assert.equal(r.status, 200, `token for ${username}`);
      return (await r.json()).access_token;
    };
    const [ops, viewer, designer] = [await token('ops'), await token('viewer'), await token('designer')];
    const api = async (method, p, tok, body) => {
      const r = await fetch(`${nr.url}/mfg-connect/dlq${p}`, {
        method, headers: { ...(tok ? { authorization: `Bearer ${tok}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      return { status: r.status, body: text && text[0] === '{' ? JSON.parse(text) : text };
    };

    // A production event goes through; the quality hold is refused by the broker for good.
    const r = await emit(nr, [holdEvent(), event(1, 'order-1', 1)]);
    assert.deepEqual(r.body, { persisted: 2, failed: 0 });
    await until(() => sub.got.some((e) => e.id === 'ev-1'), 10_000, 'the allowed event');
    let list;
    await until(async () => (list = await api('GET', '/dlq/letters', viewer)).body.total === 1, 10_000, 'the dead letter');
    const letter = list.body.items[0];
    assert.equal(letter.origin, 'mfg-publish:pub');
    assert.match(letter.reason, /permanent failure: .*Not authorized/i);
    assert.equal(letter.attempts, 1);
    assert.equal(letter.eventType, 'mfg.quality.hold.placed.v1');
    assert.equal(letter.correlationId, 'corr-hold-1');
    assert.equal(letter.msg, undefined, 'lists carry no msg bodies');

    // Permissions (Node-RED answers a missing token and a missing permission both with 401):
    // no token, a user without mfg-connect.read, a read-only user replaying or discarding.
    assert.equal((await api('GET', '/dlq/letters')).status, 401);
    assert.equal((await api('GET', '/dlq/letters', designer)).status, 401);
    assert.equal((await api('POST', `/dlq/letters/${letter.id}/replay`)).status, 401);
    assert.equal((await api('POST', `/dlq/letters/${letter.id}/replay`, viewer)).status, 401);
    assert.equal((await api('DELETE', `/dlq/letters/${letter.id}`, viewer)).status, 401);
    assert.equal((await api('POST', '/dlq/discard', viewer, { ids: [letter.id] })).status, 401);
    assert.equal((await api('GET', '/dlq/letters', viewer)).body.total, 1, 'refused calls changed nothing');
    const nodes = await api('GET', '', viewer);
    assert.deepEqual(nodes.body.nodes.map((n) => [n.id, n.name, n.total]), [['dlq', 'backbone letters', 1]]);
    const one = await api('GET', `/dlq/letters/${letter.id}`, viewer);
    assert.equal(one.body.msg.payload.id, 'hold-1');
    assert.equal((await api('GET', '/dlq/letters/999999', viewer)).status, 404);
    assert.equal((await api('GET', '/dlq/letters?olderThan=soon', viewer)).status, 400);

    // The plant fixes the broker ACL; replay delivers the event.
    fs.writeFileSync(acl, 'topic read #\ntopic readwrite acme/#\n');
    broker.child.kill('SIGHUP');
    await new Promise((res) => setTimeout(res, 500));
    const rep = await api('POST', '/dlq/replay', ops, { ids: [letter.id, 424242] });
    assert.equal(rep.status, 200, JSON.stringify(rep.body));
    assert.deepEqual(rep.body, { replayed: [letter.id], missing: [424242] });
    await until(() => sub.got.some((e) => e.id === 'hold-1'), 10_000, 'the replayed event');
    assert.equal((await api('GET', '/dlq/letters', viewer)).body.total, 0);

    // A msg that fails to Catch lands too, with secrets redacted; then it is discarded.
    const bad = await emit(nr, [{ note: 'no event', headers: { Authorization: 'Bearer abcdef123456' }, password: 'hunter2' }]);
    assert.equal(bad.status, 500);
    await until(async () => (list = await api('GET', '/dlq/letters?reason=CloudEvent', viewer)).body.total === 1, 10_000, 'the caught msg');
    const caught = (await api('GET', `/dlq/letters/${list.body.items[0].id}`, viewer)).body;
    assert.equal(caught.origin, 'mfg-publish:pub');
    assert.match(caught.reason, /msg.payload must be a CloudEvent/);
    assert.equal(caught.msg.payload.headers.Authorization, '[redacted]');
    assert.equal(caught.msg.payload.password, '[redacted]');
    assert.ok(!JSON.stringify(caught).includes('hunter2') && !JSON.stringify(caught).includes('abcdef123456'));
    assert.deepEqual((await api('DELETE', `/dlq/letters/${caught.id}`, ops)).body, { discarded: [caught.id] });
    assert.equal((await api('GET', '/dlq/letters', viewer)).body.total, 0);
  });
});

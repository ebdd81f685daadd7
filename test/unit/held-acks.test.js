'use strict';
// HeldAcks against the contract of mqtt.js's _sendPacket: PUBACKs are held until released,
// reading pauses beyond the limit, and nothing of a dead connection counts afterwards.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { HeldAcks } = require('../../dist/lib/mqtt/held-acks');

function fakeClient() {
  const sent = [];
  return { sent, _sendPacket(packet, cb) { sent.push(packet.messageId); if (cb) cb(); } };
}

/**
 * A received QoS 1 msg: the flow holds its ack (hold), then mqtt.js sends the PUBACK and
 * reads on only when called back. Returns the release and whether reading went on.
 */
function receive(acks, client, id) {
  const release = acks.hold(id);
  let readOn = false;
  client._sendPacket({ cmd: 'puback', messageId: id }, () => { readOn = true; });
  return { release, read: () => readOn };
}

describe('HeldAcks', () => {
  it('holds each PUBACK until released and pauses reading beyond the limit', () => {
    const c = fakeClient();
    const acks = new HeldAcks(2);
    acks.attach(c);
    const m = [1, 2, 3].map((id) => receive(acks, c, id));
    assert.deepEqual(c.sent, [], 'no PUBACK before release');
    assert.deepEqual(m.map((x) => x.read()), [true, true, false], 'the third msg, beyond the limit of 2, pauses reading');
    assert.equal(acks.pausedReading, true);
    m[1].release();
    assert.deepEqual(c.sent, [2]);
    assert.equal(m[2].read(), true, 'reading resumes once held is back at the limit');
    m[1].release();
    assert.equal(acks.held, 2, 'a second release of the same msg counts once');
  });

  it('a release from before a reconnect neither acks nor lowers the new connection\'s count', () => {
    const c = fakeClient();
    const acks = new HeldAcks(2);
    acks.attach(c);
    const old = [1, 2].map((id) => receive(acks, c, id));
    acks.reset(); // connection lost: the broker redelivers 1 and 2
    const now = [1, 2, 3].map((id) => receive(acks, c, id));
    assert.equal(acks.held, 3);
    assert.equal(now[2].read(), false, 'the limit holds on the new connection');
    old.forEach((x) => x.release());
    assert.equal(acks.held, 3, 'old releases do not count against the new connection');
    assert.deepEqual(c.sent, [], 'nor ack the redelivered msgs that reuse their ids');
    assert.equal(now[2].read(), false, 'reading stays paused');
    now[0].release();
    assert.deepEqual(c.sent, [1]);
    assert.equal(now[2].read(), true);
    now[1].release();
    now[2].release();
    assert.deepEqual(c.sent, [1, 2, 3]);
    assert.equal(acks.held, 0);
  });
});

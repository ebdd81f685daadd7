'use strict';
// Webhook signature verification (lib/webhooks): published test vectors, forged, stale and
// replayed deliveries.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { signStandard, signGithub, verifyStandard, verifyGithub, verify, ReplayGuard } = require('../../dist/lib/webhooks');

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('webhook signatures', () => {
  it('matches the GitHub test vector', () => {
    assert.equal(signGithub("It's a Secret to Everybody", 'Hello, World!'), 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    const ok = verifyGithub("It's a Secret to Everybody", { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17', 'x-github-delivery': 'd-1' }, Buffer.from('Hello, World!'));
    assert.deepEqual(ok, { ok: true, style: 'github', id: 'd-1' });
  });

  it('matches the Standard Webhooks test vector', () => {
    assert.equal(signStandard(SECRET, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'), 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts a fresh standard delivery, also among several signatures (secret rotation)', () => {
    const body = Buffer.from('{"type":"nonconformance.created"}');
    const ts = Math.floor(Date.now() / 1000);
    const sig = signStandard(SECRET, 'msg_1', ts, body);
    const h = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': `v1,AAAA ${sig}` };
    assert.deepEqual(verifyStandard(SECRET, h, body), { ok: true, style: 'standard', id: 'msg_1', timestamp: ts });
    assert.equal(verify('auto', SECRET, h, body).ok, true);
  });

  it('rejects forged, tampered, stale and incomplete deliveries with a reason', () => {
    const body = Buffer.from('{"a":1}');
    const ts = Math.floor(Date.now() / 1000);
    const h = (over = {}) => ({ 'webhook-id': 'msg_2', 'webhook-timestamp': String(ts), 'webhook-signature': signStandard(SECRET, 'msg_2', ts, body), ...over });
    const forged = verifyStandard('whsec_' + Buffer.from('another key').toString('base64'), h(), body);
    assert.deepEqual(forged, { ok: false, reason: 'no matching v1 signature' });
    assert.equal(verifyStandard(SECRET, h(), Buffer.from('{"a":2}')).ok, false, 'body changed');
    assert.equal(verifyStandard(SECRET, h({ 'webhook-id': 'msg_3' }), body).ok, false, 'id changed');
    const stale = verifyStandard(SECRET, h({ 'webhook-timestamp': String(ts - 301) }), body);
    assert.equal(stale.ok, false);
    assert.match(stale.reason, /301 s off \(tolerance 300 s\)/);
    const future = verifyStandard(SECRET, h({ 'webhook-timestamp': String(ts + 400) }), body);
    assert.match(future.reason, /off/);
    assert.match(verifyStandard(SECRET, h({ 'webhook-timestamp': 'yesterday' }), body).reason, /unix time/);
    assert.match(verifyStandard(SECRET, { 'webhook-id': 'x' }, body).reason, /missing/);
    assert.equal(verifyGithub('s', { 'x-hub-signature-256': 'sha256=abc' }, body).ok, false, 'short digest, no throw');
    assert.equal(verifyGithub('s', { 'x-hub-signature-256': signGithub('t', body) }, body).ok, false);
    assert.match(verify('auto', SECRET, {}, body).reason, /no webhook-signature or X-Hub-Signature-256/);
  });

  it('remembers ids within the window, forgets on request and stays bounded', () => {
    const g = new ReplayGuard(3, 1000);
    assert.equal(g.check('a', 0), false);
    assert.equal(g.check('a', 500), true);
    assert.equal(g.check('a', 1600), false, 'outside the window');
    g.forget('a');
    assert.equal(g.check('a', 1700), false);
    for (const id of ['b', 'c', 'd', 'e']) g.check(id, 1800);
    assert.equal(g.size, 3);
    assert.equal(g.check('a', 1900), false, 'oldest id evicted');
  });
});

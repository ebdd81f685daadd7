'use strict';
const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { normalizePem } = require('../../dist/lib/mqtt/pem');
const { BackboneClient, matches, filterOfPattern, checkFilter, topicOfType, shared, stripShare, eventProperties } = require('../../dist/lib/mqtt');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { startMosquitto, startAedes, loudSkip, tmpDir, which } = require('../helpers/servers');

/** A CA and a server certificate for 127.0.0.1, made with openssl. */
function pki() {
  const dir = tmpDir('pki-');
  fs.chmodSync(dir, 0o755);
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test-ca');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
  return { dir, ca: fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8') };
}

const plant = { enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' };
const cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()();
});
function client(opts) {
  const c = new BackboneClient({ reconnectInitialMs: 100, reconnectMaxMs: 400, ...opts });
  cleanup.push(() => c.close());
  return c;
}
function state(c, want, ms = 5000) {
  if (c.link.state === want) return Promise.resolve(c.link);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`state ${want} not reached (now ${c.link.state})`)), ms);
    c.on('state', (s) => { if (s.state === want) { clearTimeout(t); resolve(s); } });
  });
}

describe('backbone topics', () => {
  it('matches MQTT wildcards like a broker', () => {
    assert.ok(matches('a/+/c', 'a/b/c'));
    assert.ok(matches('a/#', 'a/b/c'));
    assert.ok(matches('a/#', 'a'));
    assert.ok(!matches('a/+', 'a/b/c'));
    assert.ok(!matches('#', '$SYS/x'));
    assert.equal(stripShare('$share/g1/a/+/c'), 'a/+/c');
    assert.equal(shared('g1', 'a/#'), '$share/g1/a/#');
    assert.throws(() => shared('g/1', 'a'), /may not contain/);
    assert.match(checkFilter('a/#/b'), /"#" must be a whole last level/);
    assert.match(checkFilter('a/b+'), /"\+" must be a whole level/);
    assert.equal(checkFilter('$share/g/a/+/#'), undefined);
  });

  it('derives topics and filters from event types and patterns', () => {
    assert.equal(topicOfType(plant, 'mfg.production.quantity.confirmed.v1'), 'acme/BER1/assembly/line1/events/production/quantity/confirmed');
    assert.equal(filterOfPattern(plant, 'mfg.quality.*'), 'acme/BER1/assembly/line1/events/quality/#');
    assert.equal(filterOfPattern(plant, 'mfg.*'), 'acme/BER1/assembly/line1/events/#');
    assert.equal(filterOfPattern(plant, 'mfg.material.lot.issued.v2'), 'acme/BER1/assembly/line1/events/material/lot/issued');
    assert.equal(filterOfPattern(plant, 'mfg.*.*.completed'), 'acme/BER1/assembly/line1/events/+/+/completed');
    assert.throws(() => filterOfPattern(plant, 'quality'), /must look like mfg/);
  });

  it('restores the line breaks of a PEM key pasted into a one-line field', () => {
    const body = 'A'.repeat(100);
    const flat = `-----BEGIN PRIVATE KEY----- ${body} -----END PRIVATE KEY-----`;
    assert.equal(normalizePem(flat), `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(64)}\n${'A'.repeat(36)}\n-----END PRIVATE KEY-----\n`);
    const proper = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    assert.equal(normalizePem(proper), proper);
    assert.equal(normalizePem(''), undefined);
  });

  it('puts the CloudEvents attributes into MQTT 5 user properties', () => {
    const p = eventProperties({ specversion: '1.0', id: 'x', type: 't', sequence: 7, data: { a: 1 } });
    assert.equal(p.contentType, 'application/cloudevents+json');
    assert.deepEqual(p.userProperties, { specversion: '1.0', id: 'x', type: 't', sequence: '7' });
  });
});

describe('backbone client', () => {
  it('speaks MQTT 5 to mosquitto: PUBACK settles publish, user properties arrive', async (t) => {
    const m = await startMosquitto();
    if (!m) return loudSkip(t, 'mosquitto');
    cleanup.push(() => m.stop());
    const pub = client({ url: m.url });
    const sub = client({ url: m.url });
    pub.connect();
    const link = await state(pub, 'connected');
    assert.equal(link.version, 5);
    assert.equal(link.userProperties, true);
    assert.equal(link.sharedSubscriptions, true);
    const got = new Promise((resolve) => sub.subscribe('x/#', (topic, payload, packet) => resolve({ topic, payload: payload.toString(), packet })));
    await state(sub, 'connected');
    await new Promise((r) => setTimeout(r, 50));
    await pub.publish('x/y', '{"a":1}', { qos: 1, properties: { contentType: 'application/cloudevents+json', userProperties: { id: 'e1' } } });
    const msg = await got;
    assert.equal(msg.topic, 'x/y');
    assert.equal(msg.payload, '{"a":1}');
    assert.equal(msg.packet.properties.contentType, 'application/cloudevents+json');
    assert.deepEqual({ ...msg.packet.properties.userProperties }, { id: "e1" });
  });

  it('falls back to MQTT 3.1.1 on "auto" when the broker refuses MQTT 5, and says so', async () => {
    const b = await startAedes();
    cleanup.push(() => b.stop());
    const c = client({ url: b.url, protocol: 'auto' });
    c.connect();
    const link = await state(c, 'connected');
    assert.equal(link.version, 4);
    assert.equal(link.userProperties, false);
    assert.equal(link.sharedSubscriptions, false);
    assert.match(link.detail, /MQTT 3\.1\.1 only/);
    await c.publish('a/b', 'x', { qos: 1, properties: { userProperties: { a: 'b' } } });
  });

  it('stays in error when MQTT 5 is required and the broker refuses it', async () => {
    const b = await startAedes();
    cleanup.push(() => b.stop());
    const c = client({ url: b.url, protocol: '5' });
    c.connect();
    const link = await state(c, 'error');
    assert.match(link.detail, /Unacceptable protocol version/);
  });

  it('reports reconnecting while the broker is down, refuses publishes, then reconnects on its own', async (t) => {
    const m = await startMosquitto();
    if (!m) return loudSkip(t, 'mosquitto');
    const c = client({ url: m.url });
    c.connect();
    await state(c, 'connected');
    await m.stop();
    await state(c, 'reconnecting');
    await assert.rejects(c.publish('a', 'b'), (err) => err.retryable === true && /not connected/.test(err.message));
    await new Promise((r) => setTimeout(r, 600)); // several failed attempts
    const again = await startMosquitto({ port: m.port });
    cleanup.push(() => again.stop());
    await state(c, 'connected', 10000);
    await c.publish('a', 'b');
  });

  it('with overlapping subscriptions, acknowledges a msg once every handler is through', async (t) => {
    // mosquitto delivers a msg once to a client whose subscriptions overlap
    const m = await startMosquitto();
    if (!m) return loudSkip(t, 'mosquitto');
    cleanup.push(() => m.stop());
    const sub = client({ url: m.url, protocol: '3.1.1' });
    const pub = client({ url: m.url, protocol: '3.1.1' });
    const acks = [];
    const seen = [];
    sub.subscribe('ov/#', (topic, _p, _pk, ack) => { seen.push(`all ${topic}`); acks.push(ack); }, 1, undefined, { manualAck: true });
    sub.subscribe('ov/x', (topic, _p, _pk, ack) => { seen.push(`x ${topic}`); acks.push(ack); }, 1, undefined, { manualAck: true });
    sub.connect();
    pub.connect();
    await state(sub, 'connected');
    await state(pub, 'connected');
    await new Promise((r) => setTimeout(r, 100));
    await pub.publish('ov/x', 'one');
    const end = Date.now() + 5000;
    while (acks.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen.sort(), ['all ov/x', 'x ov/x']);
    assert.equal(sub.heldAcks, 1);
    acks[0]();
    acks[0](); // a second call of the same ack counts once
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(sub.heldAcks, 1, 'held until the second handler is through');
    acks[1]();
    assert.equal(sub.heldAcks, 0);
    assert.equal(seen.length, 2, 'one delivery per handler');
  });

  it('keeps within the broker\'s Receive Maximum, in order', async (t) => {
    const m = await startMosquitto({ extra: ['max_inflight_messages 5'] });
    if (!m) return loudSkip(t, 'mosquitto');
    cleanup.push(() => m.stop());
    const pub = client({ url: m.url });
    const sub = client({ url: m.url });
    const got = [];
    sub.subscribe('rm/#', (_topic, payload) => got.push(Number(payload.toString())));
    pub.connect();
    await state(pub, 'connected');
    await state(sub, 'connected');
    await new Promise((r) => setTimeout(r, 100));
    let closed = 0;
    pub.on('state', (s) => { if (s.state !== 'connected') closed++; });
    await Promise.all(Array.from({ length: 300 }, (_, i) => pub.publish('rm/x', String(i))));
    const end = Date.now() + 5000;
    while (got.length < 300 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, Array.from({ length: 300 }, (_, i) => i));
    assert.equal(closed, 0, 'the broker never dropped the connection');
  });

  it('connects over TLS (mqtts) with the plant CA, and refuses an unverified broker by default', async (t) => {
    if (!which('openssl')) return loudSkip(t, 'openssl');
    if (!which('mosquitto')) return loudSkip(t, 'mosquitto');
    const { dir, ca } = pki();
    const port = await require('../helpers/servers').freePort();
    const tls = await startMosquitto({ extra: [`listener ${port} 127.0.0.1`, `cafile ${dir}/ca.crt`, `certfile ${dir}/server.crt`, `keyfile ${dir}/server.key`] });
    cleanup.push(() => tls.stop());
    const good = client({ url: `mqtts://127.0.0.1:${port}`, ca });
    good.connect();
    await state(good, 'connected', 10000);
    await good.publish('tls/x', 'hello');
    const bad = client({ url: `mqtts://127.0.0.1:${port}` });
    bad.connect();
    const link = await state(bad, 'reconnecting', 10000);
    assert.match(String(link.detail), /self[- ]signed|unable to verify|certificate/i);
  });

  it('refuses a URL of another scheme with a clear reason', () => {
    assert.throws(() => new BackboneClient({ url: 'http://x' }), /must start with mqtt:\/\/, mqtts:\/\/, ws:\/\/ or wss:\/\//);
  });
});

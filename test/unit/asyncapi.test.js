'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { Parser } = require('@asyncapi/parser');
const { generateAsyncApi, addressOf } = require('../../dist/lib/governance');

const QTY = 'mfg.production.quantity.confirmed.v1';
const HOLD = 'mfg.quality.hold.placed.v1';

// A deployed flow as the runtime holds it: event -> validate -> publish, and a subscriber.
const flows = [
  { id: 'tab1', type: 'tab', label: 'Line 1' },
  { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: '${MFG_SITE}', area: 'assembly', line: 'line1', system: 'mes' },
  { id: 'broker', type: 'mfg-broker', name: 'plant broker', url: 'mqtt://broker.plant.local:1883', protocolVersion: '5' },
  { id: 'ev', type: 'mfg-event', z: 'tab1', plant: 'plant', eventType: QTY, wires: [['val']] },
  { id: 'val', type: 'mfg-validate', z: 'tab1', wires: [['pub'], []] },
  { id: 'pub', type: 'mfg-publish', z: 'tab1', broker: 'broker', plant: 'plant', topicFrom: 'event', topic: '', wires: [] },
  { id: 'sub', type: 'mfg-subscribe', z: 'tab1', broker: 'broker', mode: 'topic', types: '', topic: 'acme/+/+/+/events/quality/#', wires: [['erp']] },
  { id: 'sub2', type: 'mfg-subscribe', z: 'tab1', broker: 'broker', plant: 'plant', mode: 'types', types: 'mfg.maintenance.*, mfg.production.order.released', topic: '', wires: [[]] },
  { id: 'erp', type: 'mfg-erp', z: 'tab1', wires: [] },
];

async function parse(doc) {
  const parser = new Parser();
  const { document, diagnostics } = await parser.parse(JSON.stringify(doc));
  const errors = diagnostics.filter((d) => d.severity === 0);
  return { document, errors };
}

describe('AsyncAPI generation', () => {
  it('produces a valid AsyncAPI 3.0 document from deployed flows', async () => {
    const doc = generateAsyncApi(flows, new Map(), { version: '0.1.0' });
    const { document, errors } = await parse(doc);
    assert.deepEqual(errors.map((e) => `${e.path.join('.')}: ${e.message}`), []);
    assert.ok(document, 'parser returned a document');
    assert.equal(document.version(), '3.0.0');
  });

  it('has a send channel per published type with the plant topic and a receive channel per subscription', async () => {
    const doc = generateAsyncApi(flows);
    const addresses = Object.values(doc.channels).map((c) => c.address).sort();
    assert.deepEqual(addresses, [
      'acme/{MFG_SITE}/assembly/line1/events/maintenance/{rest}',
      'acme/{MFG_SITE}/assembly/line1/events/production/order/released',
      'acme/{MFG_SITE}/assembly/line1/events/production/quantity/confirmed',
      'acme/{level2}/{level3}/{level4}/events/quality/{rest}',
    ]);
    const ops = Object.values(doc.operations);
    assert.equal(ops.filter((o) => o.action === 'send').length, 1);
    assert.equal(ops.filter((o) => o.action === 'receive').length, 3);
    const maint = Object.values(doc.channels).find((c) => c.address.includes('maintenance'));
    assert.deepEqual(Object.keys(maint.messages).sort(), ['mfg.maintenance.capacity.restored.v1', 'mfg.maintenance.downtime.classified.v1', 'mfg.maintenance.predictive-alert.raised.v1', 'mfg.maintenance.spare-parts.demanded.v1']);
    const sub = Object.values(doc.channels).find((c) => c.address.includes('quality'));
    const subTypes = Object.keys(sub.messages);
    assert.ok(subTypes.includes(HOLD.replace(/[^A-Za-z0-9_.-]/g, '_')), 'the quality filter covers hold.placed');
    assert.ok(!subTypes.some((t) => t.includes('production')), 'and no production type');
    assert.equal(doc.servers.broker.host, 'broker.plant.local:1883');
    assert.equal(doc.servers.broker.protocolVersion, '5');
  });

  it('gives each message the CloudEvents envelope with the catalog data schema', async () => {
    const doc = generateAsyncApi(flows);
    const { document } = await parse(doc);
    const msg = document.allMessages().all().find((m) => m.name() === QTY);
    assert.ok(msg, 'message for quantity.confirmed');
    assert.equal(msg.contentType(), 'application/cloudevents+json');
    const schema = doc.components.schemas[QTY];
    assert.equal(schema.allOf[0].$ref, '#/components/schemas/CloudEvent');
    const data = schema.allOf[1].properties.data;
    assert.ok(data.required.includes('orderId'));
    assert.equal(data.$schema, undefined, 'draft-07 portable schema');
    assert.deepEqual(doc.components.schemas.CloudEvent.required, ['specversion', 'id', 'source', 'type']);
  });

  it('stays valid for an empty deployment and for types seen only at run time', async () => {
    const empty = await parse(generateAsyncApi([]));
    assert.deepEqual(empty.errors, []);
    const pubOnly = [{ id: 'p', type: 'mfg-publish', z: 't', topicFrom: 'fixed', topic: 'acme/x/y/z/events/production/order/released' }];
    const doc = generateAsyncApi(pubOnly, new Map([['p', new Set(['mfg.production.order.released.v1'])]]));
    assert.deepEqual((await parse(doc)).errors, []);
    assert.ok(doc.components.messages['mfg.production.order.released.v1']);
  });

  it('is checked for real: the parser rejects a corrupted document', async () => {
    const doc = generateAsyncApi(flows);
    Object.values(doc.channels)[0].address = 42;
    const { errors } = await parse(doc);
    assert.ok(errors.some((e) => /address/.test(e.message)), 'address type error reported');
  });

  it('turns MQTT wildcards and environment references into address parameters', () => {
    assert.deepEqual(addressOf('a/+/c/#'), { address: 'a/{level2}/c/{rest}', parameters: { level2: { description: 'any value of this topic level (MQTT +)' }, rest: { description: 'the remaining topic levels (MQTT #)' } } });
    assert.equal(addressOf('${ENT}/s').address, '{ENT}/s');
  });

  it('is also produced by the command line from an exported flow', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncapi-cli-'));
    const file = path.join(dir, 'flows.json');
    fs.writeFileSync(file, JSON.stringify(flows));
    const cli = path.resolve(__dirname, '../../dist/bin/mfg-connect.js');
    const r = spawnSync(process.execPath, [cli, 'asyncapi', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual((await parse(doc)).errors, []);
    assert.equal(Object.keys(doc.channels).length, 4);
    fs.writeFileSync(file, '{"not":"a flow"}');
    const bad = spawnSync(process.execPath, [cli, 'asyncapi', file], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /a Node-RED flow export \(a JSON array of nodes\) is expected/);
  });
});

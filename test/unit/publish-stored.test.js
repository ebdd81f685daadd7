'use strict';
// The outbox record of mfg-publish: the event's text is sent as stored, so the split must
// give exactly the event, whatever the topic and the event hold.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { storedRecord, splitStored, splitItem, describeStored, withRecordedTime } = require('../../dist/nodes/mfg-publish/stored');
const { Outbox } = require('../../dist/lib/outbox');
const { createStore } = require('../../dist/lib/store');

const storedText = (topic, e, retain) => storedRecord(topic, e, retain).text;

const ev = {
  specversion: '1.0', id: 'e1', source: 'mfg://acme/BER1', type: 'mfg.production.quantity.confirmed.v1', time: '2026-11-27T08:00:00.000Z',
  correlationid: 'c1', data: { payload: { ',"payload":': '}}' }, note: 'quote " and \\ and ,"payload":{' },
};

describe('mfg-publish stored record', () => {
  it('splits into the head and the exact event text, for awkward topics and data', () => {
    for (const topic of ['acme/BER1/x', 'a/",\\"payload\\":{}/b', 'ü/"}}', ',"payload":']) {
      for (const retain of [false, true]) {
        const text = storedText(topic, ev, retain);
        assert.deepEqual(JSON.parse(text), { topic, rt: false, type: ev.type, time: ev.time, correlationId: 'c1', ...(retain ? { retain: true } : {}), payload: ev }, 'the record is plain JSON');
        const s = splitStored(text);
        assert.equal(s.event, JSON.stringify(ev));
        assert.equal(s.head.topic, topic);
        assert.equal(!!s.head.retain, retain);
        assert.equal(s.head.rt, false);
      }
    }
  });

  it('adds recordedtime only as valid JSON, and knows when the event has one', () => {
    const s = splitStored(storedText('t', ev, false));
    const stamped = JSON.parse(withRecordedTime(s.event, Date.parse('2026-11-27T09:00:00Z')));
    assert.deepEqual(stamped, { ...ev, recordedtime: '2026-11-27T09:00:00.000Z' });
    assert.equal(splitStored(storedText('t', { ...ev, recordedtime: 'x' }, false)).head.rt, true);
  });

  it('leaves records of the earlier layout to a full parse', () => {
    const old = JSON.stringify({ topic: 't', payload: ev, retain: true });
    assert.equal(splitStored(old), undefined);
    assert.equal(splitStored(JSON.stringify({ topic: 't', payload: ev })), undefined);
    assert.equal(splitStored(undefined), undefined);
    const item = { text: old, payload: JSON.parse(old) };
    assert.deepEqual(describeStored(item), { eventType: ev.type, time: ev.time, correlationId: 'c1' });
    const fresh = storedText('t', ev, false);
    assert.deepEqual(describeStored({ text: fresh, get payload() { throw new Error('parsed'); } }), { eventType: ev.type, time: ev.time, correlationId: 'c1' });
  });

  it('splits an outbox item once: sending and describing it share the split', () => {
    const item = { id: 1, queue: 'q', partition: 'p', text: storedText('t/x', ev, false), attempts: 0, createdAt: 0, notBefore: 0 };
    const first = splitItem(item);
    assert.equal(first.event, JSON.stringify(ev));
    assert.equal(splitItem(item), first, 'the same split again, not a second parse');
    assert.deepEqual(describeStored(item), { eventType: ev.type, time: ev.time, correlationId: 'c1' });
    assert.deepEqual(Object.keys(item), ['id', 'queue', 'partition', 'text', 'attempts', 'createdAt', 'notBefore'], 'nothing visible added to the item');
    assert.equal(JSON.stringify(item).includes('head'), false);
  });

  it('sends a fresh item with the split it was added with, and splits one read back from the store', async () => {
    const rec = storedRecord('t/x', ev, false);
    assert.deepEqual(rec.split, splitStored(rec.text), 'the split made with the record is the one its text gives');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfg-stored-'));
    const store = createStore({ kind: 'sqlite', path: path.join(dir, 'state.db') });
    const seen = [];
    const ob = new Outbox({ queue: 'q', store, deliver: async (item) => { seen.push({ memo: item.memo, split: splitItem(item) }); } });
    await ob.start();
    await ob.add({ topic: 't/x', payload: ev }, 'p', rec.text, rec.split);
    for (let i = 0; i < 100 && !seen.length; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(seen.length, 1);
    assert.equal(seen[0].memo, rec.split, 'the item held in memory carries the memo');
    assert.equal(seen[0].split, rec.split, 'sent with it, no parse');
    // an item read back from the store has no memo: its text is split
    ob.pause('test');
    await ob.add({ topic: 't/x', payload: ev }, 'p', rec.text, rec.split);
    await ob.close();
    const [item] = await store.heads('q', 1, Date.now());
    assert.equal(item.text, rec.text);
    assert.equal(item.memo, undefined);
    assert.deepEqual(splitItem(item), rec.split);
    assert.notEqual(splitItem(item), rec.split);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

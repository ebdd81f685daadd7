'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const Database = require('better-sqlite3');
const { uuidv7, uuidv7Time } = require('../../dist/lib/events');

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('event ids (UUID version 7)', () => {
  it('carry the time they were made, in the RFC 9562 layout', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    assert.match(id, V7);
    const t = uuidv7Time(id);
    assert.ok(t >= before && t <= after, `${t} within ${before}..${after}`);
    assert.equal(uuidv7Time('2f1c3a4e-1b2c-4d3e-8f40-123456789abc'), undefined, 'a version 4 id carries no time');
  });

  it('increase strictly within a process, also many in one millisecond and when the clock goes back', () => {
    const ids = [];
    for (let i = 0; i < 5000; i++) ids.push(uuidv7(1_800_000_000_000)); // one millisecond: the counter runs over
    ids.push(uuidv7(1_700_000_000_000)); // clock set back
    for (let i = 0; i < 20000; i++) ids.push(uuidv7());
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1] < ids[i], `${ids[i - 1]} < ${ids[i]} at ${i}`);
    assert.ok(ids.every((id) => V7.test(id)));
    assert.equal(new Set(ids).size, ids.length);
    // the random part differs between ids of one millisecond
    const tails = new Set(ids.slice(0, 5000).map((id) => id.slice(19)));
    assert.ok(tails.size > 4990, `${tails.size} distinct random tails`);
  });

  it('go to the end of a SQLite key index: a batch of new keys writes a few pages, not one each', (t) => {
    // The reason for version 7. Pages written by one transaction are counted as the frames
    // it appends to the write-ahead log.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfg-ids-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const pagesWritten = (name, makeId) => {
      const file = path.join(dir, name);
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.exec('CREATE TABLE k (scope TEXT, key TEXT, expires INTEGER, PRIMARY KEY (scope, key)) WITHOUT ROWID');
      const ins = db.prepare('INSERT INTO k VALUES (?, ?, ?)');
      const batch = (n) => db.transaction(() => { for (let i = 0; i < n; i++) ins.run('s', makeId(), i); })();
      batch(50000);
      db.pragma('wal_checkpoint(TRUNCATE)');
      batch(500);
      const frames = (fs.statSync(`${file}-wal`).size - 32) / (db.pragma('page_size', { simple: true }) + 24);
      db.close();
      return frames;
    };
    const ordered = pagesWritten('v7.db', () => uuidv7());
    const random = pagesWritten('v4.db', () => crypto.randomUUID());
    assert.ok(ordered <= 30, `500 ordered keys wrote ${ordered} pages`);
    assert.ok(random >= 300, `500 random keys wrote ${random} pages`);
  });
});

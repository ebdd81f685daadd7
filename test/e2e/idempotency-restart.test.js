'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { startNodeRed } = require('../helpers/child-nr');
const { guardFlow, sendKeys } = require('./idempotency-flow');

const keys = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('idempotency across Node-RED restarts (child process, default SQLite store)', () => {
  it('a stopped and restarted Node-RED keeps its keys in <userDir>/mfg-connect/state.db', async () => {
    let nr = await startNodeRed({ flows: guardFlow() });
    try {
      const ks = keys('grace', 200);
      const first = await sendKeys(nr.url, ks);
      assert.equal(Object.values(first).filter((s) => s === 'new').length, 200, JSON.stringify(Object.values(first).find((s) => s !== 'new')));
      await nr.stop();
      assert.ok(fs.existsSync(path.join(nr.userDir, 'mfg-connect', 'state.db')));
      nr = await startNodeRed({ userDir: nr.userDir });
      const again = await sendKeys(nr.url, [...ks, 'grace-new']);
      assert.equal(Object.values(again).filter((s) => s === 'duplicate').length, 200);
      assert.equal(again['grace-new'], 'new');
    } finally {
      await nr.kill();
    }
  });

  it('SIGKILL mid-stream loses no key that was answered "new"', async () => {
    let nr = await startNodeRed({ flows: guardFlow() });
    const ks = keys('kill', 5000);
    let killed = false;
    let news = 0;
    let killing;
    try {
      // Kill while 32 requests are in flight, some of them mid group commit.
      const first = await sendKeys(nr.url, ks, {
        concurrency: 32,
        stop: () => killed,
        onAnswer: (k, status) => {
          if (status === 'new' && ++news === 300) killing = nr.kill().then(() => { killed = true; });
        },
      });
      await killing;
      const answered = Object.values(first).filter((s) => s === 'new').length;
      assert.ok(answered >= 300 && answered < ks.length, `killed mid-stream (${answered} answered)`);
      nr = await startNodeRed({ userDir: nr.userDir });
      const confirmed = Object.keys(first).filter((k) => first[k] === 'new');
      const again = await sendKeys(nr.url, confirmed, { concurrency: 32 });
      const lost = confirmed.filter((k) => again[k] !== 'duplicate');
      assert.deepEqual(lost, [], `${lost.length} of ${confirmed.length} committed keys were lost`);
    } finally {
      await nr.kill();
    }
  });
});

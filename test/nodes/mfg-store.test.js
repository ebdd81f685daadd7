'use strict';
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { helper, node, start, stop, nextMsg, until, flow: tabbed } = require('../helpers/nr');
const { tmpDir, startRedis, loudSkip, which } = require('../helpers/servers');

const mfgStore = node('mfg-store');
const mfgIdem = node('mfg-idempotency');

function flow(store, creds) {
  return tabbed([
    { id: 'tab', type: 'tab' },
    { id: 'store', type: 'mfg-store', ...store },
    { id: 'idem', type: 'mfg-idempotency', z: 'tab', store: 'store', keyType: 'eventid', mode: 'mark', wires: [['new'], ['dup']] },
    { id: 'new', type: 'helper', z: 'tab' },
    { id: 'dup', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ]);
}

describe('mfg-store config node', () => {
  before(start);
  afterEach(() => helper.unload());
  after(stop);

  it('runs its SQLite file in its own thread unless settings say mfgConnect.storeThread: false', async () => {
    try {
      for (const [storeThread, threaded] of [[undefined, true], [false, false]]) {
        helper.settings({ mfgConnect: { storeThread } });
        await helper.load([mfgStore, mfgIdem], flow({ kind: 'sqlite', path: path.join(tmpDir('store-node-'), 'state.db') }));
        const store = helper.getNode('store').store;
        assert.equal(store.thread !== undefined, threaded, `storeThread ${storeThread}`);
        const got = nextMsg('new');
        helper.getNode('idem').receive({ payload: { id: 'x' } });
        await got;
        await helper.unload();
      }
    } finally {
      helper.settings({});
    }
  });

  it('opens a SQLite file relative to the path given, in WAL mode', async () => {
    const dir = tmpDir('store-node-');
    const file = path.join(dir, 'sub', 'state.db');
    await helper.load([mfgStore, mfgIdem], flow({ kind: 'sqlite', path: file }));
    const got = nextMsg('new');
    helper.getNode('idem').receive({ payload: { id: 'x' } });
    await got;
    assert.ok(fs.existsSync(file));
    assert.ok(fs.existsSync(file + '-wal'), 'write-ahead log in use');
    assert.equal(helper.getNode('store').store.kind, 'sqlite');
    const res = await helper.request().get('/mfg-connect/stores').expect(200);
    const mine = res.body.find((e) => e.path === file);
    assert.deepEqual(mine, { id: `sqlite:${file}`, kind: 'sqlite', state: 'ready', users: 2, path: file });
  });

  it('a store closes when its config node and its last user are gone', async () => {
    const file = path.join(tmpDir('store-node-'), 'state.db');
    await helper.load([mfgStore, mfgIdem], flow({ kind: 'sqlite', path: file }));
    const s = helper.getNode('store').store;
    await helper.unload();
    assert.equal(s.state, 'closed');
    await helper.load([mfgStore, mfgIdem], flow({ kind: 'memory' }));
    const res = await helper.request().get('/mfg-connect/stores').expect(200);
    assert.ok(!res.body.some((e) => e.path === file), 'no longer listed');
  });

  it('a store that cannot open says why, on the config node and to Catch for each msg', async () => {
    const dir = tmpDir('store-node-');
    fs.writeFileSync(path.join(dir, 'file'), 'not a directory');
    await helper.load([mfgStore, mfgIdem], flow({ kind: 'sqlite', path: path.join(dir, 'file', 'state.db') }));
    const cfg = helper.getNode('store');
    assert.match(cfg.openError, /ENOTDIR|EEXIST|cannot open/);
    const idem = helper.getNode('idem');
    assert.equal(idem.status.args.at(-1)[0].fill, 'red');
    const caught = nextMsg('caught');
    idem.receive({ payload: { id: 'x' } });
    assert.match((await caught).error.message, /no state store .*is not available/);
  });

  it('a memory store is bounded by max keys', async () => {
    await helper.load([mfgStore, mfgIdem], flow({ kind: 'memory', maxEntries: 10 }));
    const s = helper.getNode('store').store;
    for (let i = 0; i < 25; i++) await s.claim('x', `k${i}`, { mode: 'mark', leaseMs: 1000, retentionMs: 60_000 });
    assert.equal(s.size, 10);
  });

  it('redis: URL and password come from credentials; status shows the connection', async (t) => {
    if (!which('redis-server')) return loudSkip(t, 'redis-server');
    const redis = await startRedis({ args: ['--requirepass', 'pw-123'] });
    try {
      await helper.load([mfgStore, mfgIdem], flow({ kind: 'redis', path: path.join(tmpDir('store-node-'), 'local.db') }), {
        store: { url: redis.url, password: 'pw-123' },
      });
      const idem = helper.getNode('idem');
      await until(() => /· redis$/.test(idem.status.args.at(-1)[0].text), 5000);
      const listed = await helper.request().get('/mfg-connect/stores').expect(200);
      assert.ok(listed.body.some((e) => e.kind === 'redis' && e.state === 'ready'));
      assert.ok(!JSON.stringify(listed.body).includes('pw-123') && !JSON.stringify(listed.body).includes(String(redis.port)), 'no URL or password');
      const got = nextMsg('new');
      idem.receive({ payload: { id: 'r-1' } });
      assert.equal((await got).idempotency.state, 'committed');
      await redis.stop();
      await until(() => /redis reconnecting/.test(idem.status.args.at(-1)[0].text), 5000);
      assert.equal(idem.status.args.at(-1)[0].fill, 'yellow');
    } finally {
      await redis.stop();
    }
  });

  it('redis: without credentials, the URL and password come from the environment', async (t) => {
    if (!which('redis-server')) return loudSkip(t, 'redis-server');
    const redis = await startRedis({ args: ['--requirepass', 'env-pw'] });
    Object.assign(process.env, { MFG_REDIS_URL: redis.url, MFG_REDIS_PASSWORD: 'env-pw' });
    try {
      await helper.load([mfgStore, mfgIdem], flow({ kind: 'redis', path: path.join(tmpDir('store-node-'), 'local.db') }));
      const got = nextMsg('new');
      helper.getNode('idem').receive({ payload: { id: 'env-1' } });
      assert.equal((await got).idempotency.key, 'env-1');
      assert.equal(helper.getNode('store').store.state, 'ready');
    } finally {
      delete process.env.MFG_REDIS_URL;
      delete process.env.MFG_REDIS_PASSWORD;
      await redis.stop();
    }
  });
});

describe('default state store', () => {
  const { acquireStore, releaseStore } = require('../../dist/nodes/shared/store');
  const red = (mfgConnect) => ({ settings: { mfgConnect: { stateFile: path.join(tmpDir('mfg-default-'), 'state.db'), ...mfgConnect } } });

  it('runs SQLite in its own thread unless settings say mfgConnect.storeThread: false', async () => {
    for (const [settings, threaded] of [[{}, true], [{ storeThread: true }, true], [{ storeThread: false }, false]]) {
      const store = acquireStore(red(settings));
      try {
        assert.equal(store.kind, 'sqlite');
        assert.equal(store.thread !== undefined, threaded, JSON.stringify(settings));
        assert.equal((await store.claim('s', 'k', { mode: 'mark', leaseMs: 1000, retentionMs: 60000 })).status, 'new');
      } finally {
        await releaseStore(store);
      }
      assert.equal(store.state, 'closed', 'the last holder closes it');
    }
  });
});

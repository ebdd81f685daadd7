'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startNodeRed } = require('../helpers/child-nr');
const { startRedis, loudSkip, which } = require('../helpers/servers');
const { guardFlow, sendKeys } = require('./idempotency-flow');

describe('two Node-RED instances sharing keys through one redis-server', () => {
  if (!which('redis-server')) {
    it('needs redis-server', (t) => loudSkip(t, 'redis-server'));
    return;
  }
  let redis;
  const nrs = [];
  before(async () => {
    redis = await startRedis({ args: ['--requirepass', 'plant-secret'] });
    // Same flow, same shared scope, same Redis: the credentials go in flows_cred.json.
    const flows = guardFlow({ store: { kind: 'redis', name: 'plant keys' }, mode: 'eager' });
    for (let i = 0; i < 2; i++) {
      nrs.push(await startNodeRed({ flows, credentials: { store: { url: redis.url, password: 'plant-secret' } } }));
    }
  });
  after(async () => {
    for (const nr of nrs) await nr.kill();
    if (redis) await redis.stop();
  });

  it('1,000 keys sent to both at once give exactly 1,000 "new" in total', async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `order-1000${i}/op-0020/conf-1`);
    // Opposite orders: the instances race for every key and meet in the middle, so
    // neither can take all keys just by starting first.
    const [a, b] = await Promise.all([sendKeys(nrs[0].url, keys, { concurrency: 16 }), sendKeys(nrs[1].url, [...keys].reverse(), { concurrency: 16 })]);
    const statuses = [...Object.values(a), ...Object.values(b)];
    assert.equal(statuses.length, 2000, 'every request answered');
    const errors = statuses.filter((s) => s.startsWith('error'));
    assert.deepEqual(errors, []);
    assert.equal(statuses.filter((s) => s === 'new').length, 1000);
    assert.equal(statuses.filter((s) => s === 'duplicate').length, 1000);
    const twice = keys.filter((k) => a[k] === 'new' && b[k] === 'new');
    assert.deepEqual(twice, [], 'no key was new on both instances');
    assert.ok(Object.values(a).includes('new') && Object.values(b).includes('new'), 'both instances took part');
  });

  it('the credentials never reach the exported flow', async () => {
    const res = await fetch(`${nrs[0].url}/flows`);
    const text = await res.text();
    assert.ok(res.ok);
    assert.ok(!text.includes('plant-secret'));
    assert.ok(text.includes('"kind":"redis"'));
  });
});

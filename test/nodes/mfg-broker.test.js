'use strict';
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { helper, node, start, stop, until, flow } = require('../helpers/nr');
const { startMosquitto, loudSkip, tmpDir, which } = require('../helpers/servers');

const nodes = [node('mfg-plant'), node('mfg-broker'), node('mfg-publish')];

function testFlow(url) {
  return flow([
    { id: 'tab', type: 'tab' },
    { id: 'broker', type: 'mfg-broker', url, protocol: 'auto', keepalive: 30, cleanSession: true, verifyTls: true },
    { id: 'pub', type: 'mfg-publish', z: 'tab', broker: 'broker', topicFrom: 'event', limit: 100, maxAttempts: 0, maxAgeHours: 0 },
  ]);
}

function statusText(id) {
  const calls = helper.getNode(id).status.getCalls();
  return calls.length ? calls[calls.length - 1].args[0].text : '';
}

describe('mfg-broker config node', () => {
  let broker;
  before(start);
  afterEach(async () => {
    await helper.unload();
    if (broker) await broker.stop();
    broker = undefined;
  });
  after(stop);

  async function securedBroker(t) {
    if (!which('mosquitto_passwd') || !which('mosquitto')) {
      loudSkip(t, 'mosquitto');
      return null;
    }
    const dir = tmpDir('mosq-auth-');
    fs.chmodSync(dir, 0o755);
    const pw = path.join(dir, 'passwd');
    execFileSync('mosquitto_passwd', ['-b', '-c', pw, 'line1', 's3cret!'], { stdio: 'ignore' });
    fs.chmodSync(pw, 0o644);
    const b = await startMosquitto({ extra: ['allow_anonymous false', `password_file ${pw}`] });
    // mosquitto rereads its config on SIGHUP after dropping root: let it read the file
    fs.chmodSync(path.dirname(b.child.spawnargs[2]), 0o755);
    fs.chmodSync(b.child.spawnargs[2], 0o644);
    b.passwd = (password) => {
      execFileSync('mosquitto_passwd', ['-b', pw, 'line1', password], { stdio: 'ignore' });
      fs.chmodSync(pw, 0o644);
      b.child.kill('SIGHUP');
    };
    return b;
  }

  it('logs in with the username and password held as credentials', async (t) => {
    broker = await securedBroker(t);
    if (!broker) return;
    await helper.load(nodes, testFlow(broker.url), { broker: { username: 'line1', password: 's3cret!' } });
    await until(() => /^connected/.test(statusText('pub')), 10000);
  });

  it('shows the broker\'s refusal of wrong credentials and keeps trying', async (t) => {
    broker = await securedBroker(t);
    if (!broker) return;
    await helper.load(nodes, testFlow(broker.url), { broker: { username: 'line1', password: 'wrong' } });
    await until(() => /Not authorized|Bad User Name or Password/i.test(statusText('pub')), 10000);
    assert.equal(helper.getNode('pub').status.lastCall.args[0].fill, 'red');
    assert.ok(helper.getNode('broker').warn.getCalls().some((c) => /Not authorized|Bad User Name or Password/i.test(c.args[0])));
    broker.passwd('wrong'); // the plant changes the password on the broker side: no redeploy needed
    await until(() => /^connected/.test(statusText('pub')), 20000);
  });
});

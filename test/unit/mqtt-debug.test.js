'use strict';
// mqtt.js logs through client.log: quiet unless DEBUG (read the way the `debug` package
// reads it, wildcards included) enables mqttjs, so a user can still turn its log on.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.join(__dirname, '..', '..');
// a client towards a closed port: connect() builds the mqtt.js client, nothing needs to answer
const probe = `
const { BackboneClient } = require('./dist/lib/mqtt');
const c = new BackboneClient({ url: 'mqtt://127.0.0.1:1', reconnectInitialMs: 60000 });
c.connect();
const log = c.client.log;
console.log(JSON.stringify({ namespace: log.namespace ?? null, enabled: log.enabled ?? null }));
c.close().then(() => process.exit(0));
`;

function logger(debug) {
  const env = { ...process.env };
  delete env.DEBUG;
  if (debug !== undefined) env.DEBUG = debug;
  const out = execFileSync(process.execPath, ['-e', probe], { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').pop());
}

describe('mqtt.js debug log', () => {
  it('is a no-op when DEBUG is unset or names other namespaces', () => {
    assert.deepEqual(logger(undefined), { namespace: null, enabled: null });
    assert.deepEqual(logger('express:*'), { namespace: null, enabled: null });
    assert.deepEqual(logger('*,-mqttjs*'), { namespace: null, enabled: null });
  });

  it('stays the mqttjs:client logger when DEBUG enables it, by name or by wildcard', () => {
    assert.deepEqual(logger('mqttjs*'), { namespace: 'mqttjs:client', enabled: true });
    assert.deepEqual(logger('*'), { namespace: 'mqttjs:client', enabled: true });
  });
});

'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { msgId } = require('../../dist/nodes/shared/msgid');

describe('msg ids of msgs a node starts', () => {
  it('have Node-RED\'s form and do not repeat', () => {
    const ids = Array.from({ length: 100000 }, msgId);
    assert.ok(ids.every((id) => /^[0-9a-f]{16}$/.test(id)), ids.find((id) => !/^[0-9a-f]{16}$/.test(id)));
    assert.equal(new Set(ids).size, ids.length);
  });

  it('differ between processes', () => {
    const { execFileSync } = require('child_process');
    const other = execFileSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(require.resolve('../../dist/nodes/shared/msgid'))}).msgId())`]).toString();
    assert.match(other, /^[0-9a-f]{16}$/);
    assert.notEqual(other.slice(0, 8), msgId().slice(0, 8));
  });
});

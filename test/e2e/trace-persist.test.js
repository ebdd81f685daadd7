'use strict';
// Traces are kept in the package's state store as well: the path of a business
// transaction can still be looked up after Node-RED was killed and started again.
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { startNodeRed } = require('../helpers/child-nr');

const flows = [
  { id: 'tab', type: 'tab' },
  { id: 'plant', type: 'mfg-plant', enterprise: 'acme', site: 'BER1', area: 'a', line: 'l', system: 'mes' },
  { id: 'inj', type: 'inject', z: 'tab', x: 1, y: 1, once: true, onceDelay: 0.5, repeat: '', props: [{ p: 'payload' }], payload: '{"order":"1000123","count":"5"}', payloadType: 'json', wires: [['ev']] },
  { id: 'ev', type: 'mfg-event', z: 'tab', x: 1, y: 1, plant: 'plant', eventType: 'mfg.production.quantity.confirmed.v1', dataFrom: 'fields', errorOutput: false, outputs: 1,
    mappings: [{ field: 'orderId', vt: 'msg', v: 'payload.order' }, { field: 'operationId', vt: 'str', v: '0010' }, { field: 'quantity.value', vt: 'msg', v: 'payload.count' }, { field: 'quantity.unit', vt: 'str', v: 'PC' }],
    wires: [['val']] },
  { id: 'val', type: 'mfg-validate', z: 'tab', x: 1, y: 1, schemaFrom: 'catalog', maxBytes: 262144, wires: [[], []] },
];

describe('trace persistence', () => {
  let nr;
  after(async () => { if (nr) await nr.stop(); });

  it('finds a transaction path after a SIGKILL and restart', async () => {
    nr = await startNodeRed({ flows });
    let recent;
    for (let i = 0; i < 50; i++) {
      recent = await (await fetch(`${nr.url}/mfg-connect/trace`)).json();
      if (recent.items.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(recent.items.length, 1);
    const id = recent.items[0].correlationId;
    const before = await (await fetch(`${nr.url}/mfg-connect/trace/${id}`)).json();
    assert.deepEqual(before.steps.map((s) => s.type), ['mfg-event', 'mfg-validate']);
    await new Promise((r) => setTimeout(r, 1500)); // the write-behind flush
    await nr.kill();
    nr = await startNodeRed({ userDir: nr.userDir });
    const res = await fetch(`${nr.url}/mfg-connect/trace/${id}`);
    assert.equal(res.status, 200);
    const afterRestart = await res.json();
    assert.equal(afterRestart.correlationId, id);
    assert.deepEqual(afterRestart.steps.map((s) => [s.type, s.outcome]), before.steps.map((s) => [s.type, s.outcome]));
    assert.equal((await fetch(`${nr.url}/mfg-connect/trace/not-a-known-id`)).status, 404);
  });
});

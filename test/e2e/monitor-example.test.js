'use strict';
// The monitor example flow runs as shipped: traffic is counted, bad events land in the
// dead letters, and the trace of a transaction is there.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { startNodeRed } = require('../helpers/child-nr');

const example = require(path.resolve(__dirname, '../../examples/monitor-dead-letter-triage.json'));

describe('example: monitor and dead-letter triage', () => {
  let nr;
  before(async () => { nr = await startNodeRed({ flows: example }); });
  after(() => nr && nr.stop());

  it('fills the metrics, the dead letters and the trace store', async () => {
    let summary;
    let dlq;
    for (let i = 0; i < 120; i++) {
      summary = await (await fetch(`${nr.url}/mfg-connect/monitor/summary`)).json();
      dlq = await (await fetch(`${nr.url}/mfg-connect/dlq/mon-dlq/letters`)).json();
      if (summary.totals.invalid >= 1 && dlq.total >= 1) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.doesNotMatch(nr.output(), /Waiting for missing types|Error loading flows/);
    assert.ok(summary.totals.out >= 4, `events flowed: ${JSON.stringify(summary.totals)}`);
    assert.equal(dlq.total, summary.totals.invalid, 'every invalid event is a dead letter');
    assert.match(dlq.items[0].reason, /operationId/);
    summary = await (await fetch(`${nr.url}/mfg-connect/monitor/summary`)).json();
    assert.equal(summary.deadLetterReasons.length, 1, 'one reason, the missing operationId');
    assert.match(summary.deadLetterReasons[0].reason, /operationId/);
    assert.ok(summary.deadLetterReasons[0].count >= dlq.total);
    const trace = await (await fetch(`${nr.url}/mfg-connect/trace/${dlq.items[0].correlationId}`)).json();
    assert.deepEqual(trace.steps.map((s) => `${s.node}:${s.outcome}`), ['mon-event:out', 'mon-validate:invalid', 'mon-dlq:done']);
  });
});

'use strict';
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { observe, prometheusText, summary, snapshot, historyPoint, quantile, Sampler } = require('../../dist/lib/observability');

describe('metrics and the monitor summary', () => {
  it('exports what was observed in Prometheus text', async () => {
    observe.message('n1', 'mfg-validate', 'mfg.quality.hold.placed.v1', 'in', 3);
    observe.outboxDepth('erp-main', 7);
    const text = await prometheusText();
    assert.match(text, /mfg_messages_total\{node="n1",node_type="mfg-validate",event_type="mfg.quality.hold.placed.v1",outcome="in"\} 3/);
    assert.match(text, /mfg_outbox_depth\{destination="erp-main"\} 7/);
  });

  it('the per-msg lag histogram reads out exactly as a prom-client Histogram of the same observations', async () => {
    const { Registry, Histogram } = require('prom-client');
    const { LabelPairHistogram } = require('../../dist/lib/observability/histogram');
    const buckets = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];
    const ours = new Registry();
    const theirs = new Registry();
    const h = new LabelPairHistogram('lag_seconds', 'help text', ['destination', 'event_type'], buckets, ours);
    const p = new Histogram({ name: 'lag_seconds', help: 'help text', labelNames: ['destination', 'event_type'], buckets, registers: [theirs] });
    const obs = [['erp', 'a', 0.005], ['erp', 'a', 0.0051], ['erp', 'b', 7], ['wms', 'a', 0], ['erp', 'a', 0.3], ['wms', 'a', 1], ['erp', 'b', 0.01]];
    for (const [d, t, v] of obs) {
      h.observe(d, t, v);
      p.observe({ destination: d, event_type: t }, v);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
    const json = async (r) => JSON.parse(JSON.stringify(await r.getMetricsAsJSON()));
    assert.deepEqual(await json(ours), await json(theirs));
    assert.match(await ours.metrics(), /lag_seconds_bucket\{le="0.01",destination="erp",event_type="a"\} 2/);
  });

  it('estimates quantiles from cumulative buckets', () => {
    const b = [[0.1, 50], [1, 90], [5, 100], [Infinity, 100]];
    assert.equal(quantile(b, 100, 0.5), 0.1);
    assert.ok(Math.abs(quantile(b, 100, 0.95) - 3) < 1e-9);
    assert.equal(quantile([], 0, 0.5), 0);
  });

  it('summarises per event type, failures, endpoints, breakers, lag and depths', async () => {
    const T = 'mfg.production.order.released.v1';
    observe.message('ev9', 'mfg-event', T, 'out', 10);
    observe.message('sub9', 'mfg-subscribe', T, 'in', 4);
    observe.message('erp9', 'mfg-erp', T, 'posted', 8);
    observe.message('erp9', 'mfg-erp', T, 'dead-lettered', 2);
    observe.endpoint('erp-sim', 'confirm', 200, 20);
    observe.endpoint('erp-sim', 'confirm', 503, 40);
    observe.breaker('erp-sim', 'open');
    observe.deadLetters('mfg-dlq:d1', 2);
    const now = Date.now();
    observe.lag('erp-sim', T, new Date(now - 2000).toISOString(), now);
    const s = await summary([]);
    const row = s.eventTypes.find((e) => e.type === T);
    assert.equal(row.produced, 14, 'built by mfg-event plus received by mfg-subscribe');
    assert.equal(row.posted, 8);
    assert.equal(row['dead-lettered'], 2);
    const ep = s.endpoints.find((e) => e.endpoint === 'erp-sim');
    assert.equal(ep.count, 2);
    assert.equal(ep.errors, 1);
    assert.deepEqual(ep.statuses, { 200: 1, 503: 1 });
    assert.deepEqual(s.breakers.find((b) => b.destination === 'erp-sim'), { destination: 'erp-sim', state: 'open' });
    assert.equal(s.deadLetters.find((d) => d.origin === 'mfg-dlq:d1').count, 2);
    const lag = s.lag.find((l) => l.destination === 'erp-sim');
    assert.equal(lag.count, 1);
    assert.ok(lag.avgSeconds >= 1.9 && lag.avgSeconds <= 2.5);
    assert.ok(s.failures.find((f) => f.reason === 'dead-lettered').count >= 2);
  });

  it('turns two snapshots into rates per second', async () => {
    const T = 'mfg.material.lot.issued.v1';
    const a = await snapshot(1000);
    observe.message('ev10', 'mfg-event', T, 'out', 30);
    observe.endpoint('wms-sim', 'task', 201, 100);
    const b = await snapshot(4000);
    const p = historyPoint(a, b);
    assert.equal(p.rates[T], 10);
    assert.equal(p.latencyMs['wms-sim'], 100);
    assert.equal(p.t, 4000);
  });

  it('keeps a bounded history', async () => {
    const s = new Sampler(1000, 3);
    for (let i = 0; i < 6; i++) await s.tick(1000 * i);
    assert.equal(s.history.length, 3);
    assert.deepEqual(s.history.map((h) => h.t), [3000, 4000, 5000]);
  });
});

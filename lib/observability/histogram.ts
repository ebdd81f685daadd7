// A histogram for per-msg observations. prom-client's Histogram checks and hashes its
// labels on every observe(), which at thousands of msgs/s costs more than the rest of the
// metric; here a label pair is looked up in nested maps and only the bucket is counted.
// It reads out in prom-client's own shape, so the registry formats it as usual.
import type { Registry } from 'prom-client';

interface Series {
  labels: Record<string, string>;
  /** per bucket, not cumulative; the last one is +Inf */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class LabelPairHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Map<string, Series>>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: [string, string],
    private readonly buckets: number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  observe(a: string, b: string, value: number): void {
    let byB = this.series.get(a);
    if (!byB) this.series.set(a, (byB = new Map()));
    let s = byB.get(b);
    if (!s) byB.set(b, (s = { labels: { [this.labelNames[0]]: a, [this.labelNames[1]]: b }, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 }));
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]) i++;
    s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  reset(): void {
    this.series.clear();
  }

  async get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string; exemplar?: null }[] = [];
    for (const byB of this.series.values()) {
      for (const s of byB.values()) {
        let acc = 0;
        this.buckets.forEach((le, i) => {
          acc += s.counts[i];
          values.push({ value: acc, metricName: `${this.name}_bucket`, exemplar: null, labels: { le, ...s.labels } });
        });
        values.push({ value: s.count, metricName: `${this.name}_bucket`, exemplar: null, labels: { le: '+Inf', ...s.labels } });
        values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
        values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
      }
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

// What the monitor sidebar charts: current figures read from the package's prom-client
// registry, and a short history of rates sampled at a fixed interval.
import { registry } from './metrics';

type Labels = Record<string, string | number>;
interface Value { value: number; labels: Labels; metricName?: string }
interface Metric { name: string; values: Value[] }

/** Events entering the package: built or received (node type -> the outcome that counts them). */
const SOURCES: Record<string, string> = { 'mfg-event': 'out', 'mfg-signal': 'out', 'mfg-webhook-in': 'out', 'mfg-subscribe': 'in' };
const isSource = (nodeType: string, outcome: string) => SOURCES[nodeType] === outcome;
const FAILURES = ['invalid', 'duplicate', 'error', 'retried', 'dead-lettered'];

export interface HistogramStat { count: number; sum: number; avg: number; p50: number; p95: number }

export interface Snapshot {
  t: number;
  produced: Record<string, number>;
  posted: number;
  failures: number;
  lagSum: number;
  lagCount: number;
  latency: Record<string, { sum: number; count: number }>;
  outbox: number;
  deadLetters: number;
}

export interface HistoryPoint {
  t: number;
  /** events/s per event type entering the package */
  rates: Record<string, number>;
  postedPerSec: number;
  failuresPerSec: number;
  /** mean lag of the acknowledgements in the interval, seconds */
  lagSeconds?: number;
  /** mean request latency per endpoint in the interval, ms */
  latencyMs: Record<string, number>;
  outbox: number;
  deadLetters: number;
}

async function read(): Promise<Map<string, Metric>> {
  const all = (await registry.getMetricsAsJSON()) as unknown as Metric[];
  return new Map(all.map((m) => [m.name, m]));
}

const values = (m: Map<string, Metric>, name: string): Value[] => m.get(name)?.values ?? [];

/** Histogram statistics grouped by the given labels (le excluded). */
function histograms(m: Map<string, Metric>, name: string, by: string[]): Map<string, { labels: Labels } & HistogramStat> {
  const groups = new Map<string, { labels: Labels; buckets: [number, number][]; sum: number; count: number }>();
  for (const v of values(m, name)) {
    const key = by.map((b) => String(v.labels[b] ?? '')).join('\u0000');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: Object.fromEntries(by.map((b) => [b, v.labels[b] ?? ''])), buckets: [], sum: 0, count: 0 }));
    if (v.metricName === `${name}_bucket`) g.buckets.push([v.labels.le === '+Inf' ? Infinity : Number(v.labels.le), v.value]);
    else if (v.metricName === `${name}_sum`) g.sum += v.value;
    else if (v.metricName === `${name}_count`) g.count += v.value;
  }
  const out = new Map<string, { labels: Labels } & HistogramStat>();
  for (const [k, g] of groups) {
    g.buckets.sort((a, b) => a[0] - b[0]);
    out.set(k, { labels: g.labels, count: g.count, sum: g.sum, avg: g.count ? g.sum / g.count : 0, p50: quantile(g.buckets, g.count, 0.5), p95: quantile(g.buckets, g.count, 0.95) });
  }
  return out;
}

/** Quantile from cumulative buckets, interpolated inside the bucket (as Prometheus does). */
export function quantile(buckets: [number, number][], count: number, q: number): number {
  if (!count) return 0;
  const rank = q * count;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, c] of buckets) {
    if (c >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1, c - prevCount);
    }
    prevLe = le;
    prevCount = c;
  }
  return prevLe;
}

export async function snapshot(now = Date.now()): Promise<Snapshot> {
  const m = await read();
  const s: Snapshot = { t: now, produced: {}, posted: 0, failures: 0, lagSum: 0, lagCount: 0, latency: {}, outbox: 0, deadLetters: 0 };
  for (const v of values(m, 'mfg_messages_total')) {
    const { node_type: type, event_type: et, outcome } = v.labels as Record<string, string>;
    if (isSource(type, outcome) && et) s.produced[et] = (s.produced[et] || 0) + v.value;
    if (outcome === 'posted') s.posted += v.value;
    if (FAILURES.includes(outcome) && outcome !== 'duplicate') s.failures += v.value;
  }
  for (const h of histograms(m, 'mfg_event_lag_seconds', []).values()) { s.lagSum += h.sum; s.lagCount += h.count; }
  for (const h of histograms(m, 'mfg_endpoint_request_seconds', ['endpoint']).values()) s.latency[String(h.labels.endpoint)] = { sum: h.sum, count: h.count };
  for (const v of values(m, 'mfg_outbox_depth')) s.outbox += v.value;
  for (const v of values(m, 'mfg_dead_letters')) s.deadLetters += v.value;
  return s;
}

export function historyPoint(a: Snapshot, b: Snapshot): HistoryPoint {
  const dt = Math.max(0.001, (b.t - a.t) / 1000);
  const rates: Record<string, number> = {};
  for (const [type, n] of Object.entries(b.produced)) rates[type] = round((n - (a.produced[type] || 0)) / dt);
  const latencyMs: Record<string, number> = {};
  for (const [ep, l] of Object.entries(b.latency)) {
    const c = l.count - (a.latency[ep]?.count || 0);
    if (c > 0) latencyMs[ep] = round(((l.sum - (a.latency[ep]?.sum || 0)) / c) * 1000);
  }
  const lagCount = b.lagCount - a.lagCount;
  const p: HistoryPoint = {
    t: b.t, rates, postedPerSec: round((b.posted - a.posted) / dt), failuresPerSec: round((b.failures - a.failures) / dt),
    latencyMs, outbox: b.outbox, deadLetters: b.deadLetters,
  };
  if (lagCount > 0) p.lagSeconds = round((b.lagSum - a.lagSum) / lagCount);
  return p;
}

/** Samples the registry every `intervalMs` and keeps the last `keep` history points. */
export class Sampler {
  readonly history: HistoryPoint[] = [];
  private last?: Snapshot;
  private timer?: NodeJS.Timeout;
  constructor(readonly intervalMs = 5000, readonly keep = 120) {}
  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
  async tick(now = Date.now()): Promise<void> {
    try {
      const s = await snapshot(now);
      if (this.last) this.history.push(historyPoint(this.last, s));
      if (this.history.length > this.keep) this.history.splice(0, this.history.length - this.keep);
      this.last = s;
    } catch {
      // a registry read never fails in practice; a missed sample is harmless
    }
  }
}

/** Current figures for the sidebar plus the sampled history. */
export async function summary(history: HistoryPoint[] = [], intervalMs?: number) {
  const m = await read();
  const totals: Record<string, number> = { in: 0, out: 0, invalid: 0, duplicate: 0, posted: 0, retried: 0, 'dead-lettered': 0, error: 0 };
  const types = new Map<string, Record<string, number>>();
  const nodes = new Map<string, { node: string; type: string; counts: Record<string, number> }>();
  for (const v of values(m, 'mfg_messages_total')) {
    const { node, node_type: nodeType, event_type: et, outcome } = v.labels as Record<string, string>;
    totals[outcome] = (totals[outcome] || 0) + v.value;
    let n = nodes.get(node);
    if (!n) nodes.set(node, (n = { node, type: nodeType, counts: {} }));
    n.counts[outcome] = (n.counts[outcome] || 0) + v.value;
    if (!et) continue;
    let t = types.get(et);
    if (!t) types.set(et, (t = { produced: 0, posted: 0, invalid: 0, duplicate: 0, error: 0, 'dead-lettered': 0 }));
    if (isSource(nodeType, outcome)) t.produced += v.value;
    if (outcome in t && outcome !== 'produced') t[outcome] += v.value;
  }
  const last = history[history.length - 1];
  return {
    at: Date.now(),
    intervalMs,
    totals,
    eventTypes: [...types].map(([type, c]) => ({ type, ...c, rate: last?.rates[type] ?? 0 })).sort((a, b) => a.type.localeCompare(b.type)),
    nodes: [...nodes.values()],
    failures: FAILURES.map((reason) => ({ reason, count: totals[reason] || 0 })),
    lag: [...histograms(m, 'mfg_event_lag_seconds', ['destination', 'event_type']).values()].map((h) => ({
      destination: h.labels.destination, eventType: h.labels.event_type, count: h.count, avgSeconds: round(h.avg), p50Seconds: round(h.p50), p95Seconds: round(h.p95),
    })),
    outbox: values(m, 'mfg_outbox_depth').map((v) => ({ destination: v.labels.destination, depth: v.value })),
    deadLetters: values(m, 'mfg_dead_letters').map((v) => ({ origin: v.labels.origin, count: v.value })),
    breakers: values(m, 'mfg_breaker_open').map((v) => ({ destination: v.labels.destination, state: v.value >= 1 ? 'open' : v.value > 0 ? 'half-open' : 'closed' })),
    endpoints: endpoints(m),
    history,
  };
}

function endpoints(m: Map<string, Metric>) {
  const byStatus = histograms(m, 'mfg_endpoint_request_seconds', ['endpoint', 'operation', 'status']);
  const all = histograms(m, 'mfg_endpoint_request_seconds', ['endpoint', 'operation']);
  return [...all.values()].map((h) => {
    const statuses: Record<string, number> = {};
    let errors = 0;
    for (const s of byStatus.values()) {
      if (s.labels.endpoint !== h.labels.endpoint || s.labels.operation !== h.labels.operation) continue;
      statuses[String(s.labels.status)] = s.count;
      const code = Number(s.labels.status);
      if (!(code >= 200 && code < 400)) errors += s.count;
    }
    return { endpoint: h.labels.endpoint, operation: h.labels.operation, count: h.count, errors, avgMs: round(h.avg * 1000), p95Ms: round(h.p95 * 1000), statuses };
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** node id -> event types the message metrics have seen at that node. */
export async function observedEventTypes(): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const v of values(await read(), 'mfg_messages_total')) {
    const { node, event_type: et } = v.labels as Record<string, string>;
    if (!et || et === 'other') continue;
    let s = out.get(node);
    if (!s) out.set(node, (s = new Set()));
    s.add(et);
  }
  return out;
}

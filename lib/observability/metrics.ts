// Process-wide metrics of the package (prom-client registry of its own, so that the
// Prometheus endpoint shows only mfg-connect series). Nodes and lib code call the
// observe.* functions; they are cheap (no allocation per call beyond label lookup).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LabelPairHistogram } from './histogram';

export const registry = new Registry();

// Message counts are gathered in plain maps on the hot path (a few per msg and node) and
// handed to prom-client when the registry is read (collect), which costs a label hash each.
interface Pending { labels: { node: string; node_type: string; event_type: string; outcome: string }; n: number }
const pending = new Map<string, Map<string, Map<string, Pending>>>();
function flushMessages(): void {
  for (const byType of pending.values()) for (const byOutcome of byType.values()) for (const p of byOutcome.values()) {
    if (p.n) {
      msgs.inc(p.labels, p.n);
      p.n = 0;
    }
  }
}
const msgs = new Counter({
  name: 'mfg_messages_total',
  help: 'Messages per node and outcome (in, out, invalid, duplicate, posted, retried, dead-lettered, error)',
  labelNames: ['node', 'node_type', 'event_type', 'outcome'] as const,
  registers: [registry],
  collect: flushMessages,
});
const outboxDepth = new Gauge({
  name: 'mfg_outbox_depth',
  help: 'Messages buffered in the durable outbox per destination',
  labelNames: ['destination'] as const,
  registers: [registry],
});
const breaker = new Gauge({
  name: 'mfg_breaker_open',
  help: 'Circuit breaker state per destination: 0 closed, 0.5 half-open, 1 open',
  labelNames: ['destination'] as const,
  registers: [registry],
});
// observed once per delivered msg: the cheap histogram
const lag = new LabelPairHistogram('mfg_event_lag_seconds', 'Event time to acknowledgement by the destination',
  ['destination', 'event_type'], [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 3600], registry);
const endpointLatency = new Histogram({
  name: 'mfg_endpoint_request_seconds',
  help: 'Latency of requests to ERP/WMS/QMS endpoints by status code',
  labelNames: ['endpoint', 'operation', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
const deadLetters = new Gauge({
  name: 'mfg_dead_letters',
  help: 'Dead letters held per store origin',
  labelNames: ['origin'] as const,
  registers: [registry],
});

// counted per msg under load: summed here, handed to prom-client when read
let sampledOut = 0;
new Counter({
  name: 'mfg_trace_sampled_out_total',
  help: 'Msgs whose path was not traced step by step: the trace budget (msgs/s) was used up; failures and duplicates are traced all the same',
  registers: [registry],
  collect() {
    if (sampledOut) {
      this.inc(sampledOut);
      sampledOut = 0;
    }
  },
});

const traceUnpersisted = new Counter({
  name: 'mfg_trace_unpersisted_total',
  help: 'Successful transactions traced in memory only: the trace persistence budget (transactions/s) was used up',
  registers: [registry],
});

export type Outcome = 'in' | 'out' | 'invalid' | 'duplicate' | 'posted' | 'retried' | 'dead-lettered' | 'error';

export const observe = {
  message(nodeId: string, nodeType: string, eventType: string | undefined, outcome: Outcome, n = 1): void {
    const et = eventType || '';
    let byType = pending.get(nodeId);
    if (!byType) pending.set(nodeId, (byType = new Map()));
    let byOutcome = byType.get(et);
    if (!byOutcome) byType.set(et, (byOutcome = new Map()));
    const p = byOutcome.get(outcome);
    if (p) p.n += n;
    else byOutcome.set(outcome, { labels: { node: nodeId, node_type: nodeType, event_type: et, outcome }, n });
  },
  outboxDepth(destination: string, depth: number): void {
    outboxDepth.set({ destination }, depth);
  },
  breaker(destination: string, state: 'closed' | 'half-open' | 'open'): void {
    breaker.set({ destination }, state === 'open' ? 1 : state === 'half-open' ? 0.5 : 0);
  },
  lag(destination: string, eventType: string | undefined, eventTime: string | undefined, now = Date.now()): void {
    const t = eventTime ? Date.parse(eventTime) : NaN;
    if (!Number.isNaN(t)) lag.observe(destination, eventType || '', Math.max(0, (now - t) / 1000));
  },
  endpoint(endpoint: string, operation: string, status: number | string, ms: number): void {
    endpointLatency.observe({ endpoint, operation, status: String(status) }, ms / 1000);
  },
  traceUnpersisted(): void {
    traceUnpersisted.inc();
  },
  traceSampledOut(): void {
    sampledOut++;
  },
  deadLetters(origin: string, count: number): void {
    deadLetters.set({ origin }, count);
  },
};

export async function prometheusText(): Promise<string> {
  return registry.metrics();
}

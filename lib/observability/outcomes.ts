// What an output port of a package node means, for trace steps and metrics.
// Ports not listed are ordinary outputs ('out').
import type { Outcome } from './metrics';

const PORTS: Record<string, Outcome[]> = {
  'mfg-validate': ['out', 'invalid'],
  'mfg-idempotency': ['out', 'duplicate'],
  'mfg-event': ['out', 'error'],
  'mfg-signal': ['out', 'error'],
  'mfg-enrich': ['out', 'error'],
  'mfg-subscribe': ['out', 'invalid'],
  'mfg-erp': ['posted', 'error'],
  'mfg-wms': ['posted', 'error'],
  'mfg-qms': ['posted', 'error'],
  'mfg-dlq': ['out'],
};

/**
 * Nodes that count their own message metrics (they know outcomes the hooks cannot see:
 * delivery after the outbox, retries, dead letters). For them the hooks record trace
 * steps only, so nothing is counted twice.
 */
export const SELF_COUNTING = new Set(['mfg-publish', 'mfg-subscribe', 'mfg-erp', 'mfg-wms', 'mfg-qms', 'mfg-dlq']);

export function portOutcome(nodeType: string, port: number | undefined): Outcome {
  const list = PORTS[nodeType];
  return (list && port !== undefined && list[port]) || 'out';
}

/** Types the trace and the message metrics follow. */
export function isPackageType(type: unknown): type is string {
  return typeof type === 'string' && type.startsWith('mfg-') && !CONFIG_TYPES.has(type);
}

const CONFIG_TYPES = new Set(['mfg-plant', 'mfg-endpoint', 'mfg-store', 'mfg-broker']);

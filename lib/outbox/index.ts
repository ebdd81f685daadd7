// Durable outbox shared by mfg-publish and the ERP/WMS/QMS connectors. See outbox.ts for
// the API and its guarantees, policy.ts for backoff, classification, breaker and rate limit.
export * from './outbox';
export * from './policy';
export { QueueFullError } from '../store/types';
export * from './types';

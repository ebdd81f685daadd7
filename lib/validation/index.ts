export * from './validator';
export { inspectValue, FORBIDDEN_KEYS } from './inspect';

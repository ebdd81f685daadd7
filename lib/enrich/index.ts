export * from './cache';
export * from './enricher';

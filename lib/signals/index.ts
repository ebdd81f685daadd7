export * from './decode';
export * from './rules';
export * from './counters';
export * from './machine';
export * from './state';
export * from './context';
export * from './engine';

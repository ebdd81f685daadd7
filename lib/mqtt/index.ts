export * from './client';
export * from './topics';
export * from './properties';
export * from './receive';

export * from './scenario';
export * from './server';

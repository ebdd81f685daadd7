export * from './scenario';
export * from './server';
export * from './rules';
export * from './flows';
export * from './expect';

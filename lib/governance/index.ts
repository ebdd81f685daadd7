export * from './compat';
export * from './usage';
export * from './asyncapi';
export * from './audit';

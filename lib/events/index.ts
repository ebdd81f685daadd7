export * from './catalog';
export * from './envelope';
export * from './ids';
export * from './plant';
export * from './build';
export * from './samples';

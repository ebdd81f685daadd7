export * from './metrics';
export * from './trace';
export * from './outcomes';
export * from './redact';
export * from './recorder';
export * from './summary';
export * from './trace-persist';
export * from './budget';

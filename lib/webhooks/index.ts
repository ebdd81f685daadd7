export * from './signature';
export * from './replay';

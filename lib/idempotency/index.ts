export * from './key';
export * from './guard';

export * from './redact';
export * from './letters';

export * from './types.ts';
export * from './attributes.ts';
export * from './count.ts';

export * from './types.ts';
export * from './attributes.ts';
export * from './count.ts';
export * from './encoded.ts';

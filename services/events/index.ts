export * from './identity.ts';
export * from './leadEvents.ts';
export * from './streams.ts';

export * from './identity.ts';
export * from './journeyEvents.ts';
export * from './leadEvents.ts';
export * from './repEvents.ts';
export * from './streams.ts';
export * from './suggestionEvents.ts';
export * from './costEvents.ts';

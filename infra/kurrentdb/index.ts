export { createKurrentDbEventStore } from './kurrentdbEventStore.ts';
export type { KurrentDbEventStoreOptions } from './kurrentdbEventStore.ts';
export { createKurrentDbCheckpoints } from './kurrentdbCheckpoints.ts';
export type { KurrentDbCheckpointsOptions } from './kurrentdbCheckpoints.ts';

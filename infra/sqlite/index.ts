export { connectSqliteWriter, createSqliteEventStore } from './sqliteEventStore.ts';
export type { SqliteEventStoreOptions } from './sqliteEventStore.ts';
export { createSqliteLeadIndex } from './sqliteLeadIndex.ts';
export type { SqliteLeadIndexOptions } from './sqliteLeadIndex.ts';
export { createSqliteQuarantine } from './sqliteQuarantine.ts';
export type { SqliteQuarantineOptions } from './sqliteQuarantine.ts';
export { createSqliteCheckpoints } from './sqliteCheckpoints.ts';
export type { SqliteCheckpointsOptions } from './sqliteCheckpoints.ts';

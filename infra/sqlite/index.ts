export { createSqliteEventStore } from './sqliteEventStore.ts';
export type { SqliteEventStoreOptions } from './sqliteEventStore.ts';

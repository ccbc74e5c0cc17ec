import type { DatabaseSync } from 'node:sqlite';

/**
 * The embedded event store's tables, migrated by `PRAGMA user_version`.
 *
 * events: one row per event. `position` is the global order (AUTOINCREMENT so a position is
 * never reused, even after the newest row is deleted by an erasure). The unique index on `id`
 * is the idempotency guarantee at any time distance; the unique index on (stream, revision)
 * makes a lost optimistic-concurrency race impossible even if two connections slipped past the
 * revision check, and serves stream reads and "what is this stream's revision".
 */
export const eventStoreMigrations: readonly string[] = [
  `CREATE TABLE events (
     position  INTEGER PRIMARY KEY AUTOINCREMENT,
     id        TEXT    NOT NULL,
     stream    TEXT    NOT NULL,
     revision  INTEGER NOT NULL,
     type      TEXT    NOT NULL,
     data      TEXT    NOT NULL,
     metadata  TEXT    NOT NULL
   );
   CREATE UNIQUE INDEX events_by_id ON events (id);
   CREATE UNIQUE INDEX events_by_stream_revision ON events (stream, revision);`,
];

/** Brings a database up to the newest of `migrations`, one transaction per step; `what` names it in errors. */
export function migrate(db: DatabaseSync, migrations: readonly string[], what: string): void {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  const current = row.user_version;
  if (current > migrations.length) {
    throw new Error(`${what} schema is version ${current}, newer than this Nudge knows (${migrations.length}); upgrade Nudge`);
  }
  for (let version = current; version < migrations.length; version++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migrations[version]!);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

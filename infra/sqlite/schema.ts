import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { UnavailableError } from '../../services/core/index.ts';

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

/**
 * Opens (creating its folder) a SQLite file in WAL mode and migrates it; any failure is an
 * UnavailableError naming `what` and the path. `full` (default): fsync on every commit, so a
 * commit survives power loss. `normal`: a commit survives the process being killed, and a power
 * cut can only lose the newest commits — for data whose loss is the same as a crash just before
 * writing it.
 */
export function openDurableDatabase(path: string, migrations: readonly string[], what: string, synchronous: 'full' | 'normal' = 'full'): DatabaseSync {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = new DatabaseSync(path, { timeout: 10_000 });
    if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()}`);
    migrate(db, migrations, what);
    return db;
  } catch (error) {
    throw new UnavailableError(`cannot open the ${what} at ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

import { UnavailableError } from '../../services/core/index.ts';
import type { Checkpoints } from '../../services/ports/index.ts';
import { openDurableDatabase } from './schema.ts';

export interface SqliteCheckpointsOptions {
  readonly path: string;
}

/**
 * checkpoints: one row per subscriber. Its own file (not the event store's), so that a
 * subscriber's bookkeeping never takes the store's write lock. MAX() in the upsert keeps a
 * checkpoint from moving backwards when a slow writer stores an older position.
 */
const migrations: readonly string[] = [
  `CREATE TABLE checkpoints (
     name       TEXT PRIMARY KEY,
     position   INTEGER NOT NULL,
     updated_at TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

/**
 *   const checkpoints = createSqliteCheckpoints({ path: 'data/checkpoints.db' });
 *
 * No fsync per save (synchronous = NORMAL): every subscriber already copes with a crash between
 * handling events and saving its position by handling them again idempotently, and a power cut
 * that loses the newest saves is exactly that. The store's own appends stay fsynced. Saves come
 * after every batch of every subscriber, so this takes several fsyncs per batch off a busy server.
 */
export function createSqliteCheckpoints(options: SqliteCheckpointsOptions): Checkpoints {
  const db = openDurableDatabase(options.path, migrations, 'checkpoints', 'normal');
  const select = db.prepare('SELECT position FROM checkpoints WHERE name = ?');
  const upsert = db.prepare(
    `INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET position = MAX(position, excluded.position), updated_at = excluded.updated_at`,
  );
  const remove = db.prepare('DELETE FROM checkpoints WHERE name = ?');
  let open = true;
  const guard = (): void => {
    if (!open) throw new UnavailableError('the checkpoints are closed');
  };
  return {
    get(name) {
      guard();
      const row = select.get(name) as { position: number } | undefined;
      return Promise.resolve(row?.position ?? 0);
    },
    set(name, position) {
      guard();
      upsert.run(name, position, new Date().toISOString());
      return Promise.resolve();
    },
    reset(name) {
      guard();
      remove.run(name);
      return Promise.resolve();
    },
    close() {
      if (open) {
        open = false;
        db.close();
      }
      return Promise.resolve();
    },
  };
}

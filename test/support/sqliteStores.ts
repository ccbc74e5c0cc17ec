import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { SqliteEventStoreOptions } from '../../infra/sqlite/index.ts';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import type { EventStore } from '../../services/ports/index.ts';

/**
 * SQLite event stores on files in fresh folders, for one test file: after each test every store
 * opened is closed and every folder removed. `options` apply to each store (the path aside).
 *
 *   const stores = temporaryStores({ synchronous: 'normal', pollIntervalMs: 10 });
 *   const path = stores.path('nudge-tail-');
 *   const ours = stores.open(path);
 */
export function temporaryStores(options: Omit<SqliteEventStoreOptions, 'path'> = {}): { path(prefix?: string): string; open(path: string): EventStore } {
  const dirs: string[] = [];
  const stores: EventStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    path(prefix = 'nudge-store-') {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return join(dir, 'events.db');
    },
    open(path) {
      const store = createSqliteEventStore({ ...options, path });
      stores.push(store);
      return store;
    },
  };
}

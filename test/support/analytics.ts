import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openClickHouseAnalytics } from '../../infra/clickhouse/index.ts';
import type { Analytics } from '../../services/ports/index.ts';

/**
 * chDB is one engine per process with one data folder: every test in a process shares this
 * folder, and each opens its own database in it, so tests never see each other's tables.
 */
export const chdbTestPath = join(tmpdir(), `nudge-chdb-test-${process.pid}`);
let databases = 0;

/** A fresh, empty database on the embedded engine; `drop()` removes it and closes the client. */
export async function openTestAnalytics(prefix = 'test'): Promise<Analytics & { drop(): Promise<void> }> {
  const database = `${prefix}_${process.pid}_${Date.now().toString(36)}_${databases++}`;
  const analytics = await openClickHouseAnalytics({ engine: 'embedded', path: chdbTestPath, database });
  return Object.assign(analytics, {
    async drop() {
      await analytics.command(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
      await analytics.close();
    },
  });
}

/** Removes the process's chDB folder (call from an afterAll of the last suite, or leave it to tmp cleaning). */
export function removeChdbTestFolder(): void {
  rmSync(chdbTestPath, { recursive: true, force: true });
}

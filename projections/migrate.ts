import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Analytics } from '../services/ports/index.ts';
import { clusterStatement } from './clusterDdl.ts';

/** The shipped migrations: `projections/migrations/NNN_name.sql`, applied in number order. */
export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The statements of the file, in order (split on a `;` that ends a line). */
  readonly statements: readonly string[];
  /** sha256 of the file: an applied migration must never change. */
  readonly checksum: string;
}

export interface MigrationOptions {
  /**
   * A ClickHouse cluster (CLICKHOUSE_CLUSTER): every statement goes through clusterStatement (DDL
   * ON CLUSTER, Replicated engines), `schema_migrations` included, so every host agrees on which
   * migrations ran. Unset: the statements run as written (chDB, one server).
   */
  readonly cluster?: string;
}

export interface MigrationReport {
  readonly applied: readonly Migration[];
  readonly alreadyApplied: number;
}

/** Reads and checks the numbered migration files of a folder (numbers 1, 2, 3, … without gaps). */
export function loadMigrations(dir: string = migrationsDir): Migration[] {
  const files = readdirSync(dir).filter((file) => file.endsWith('.sql')).sort();
  return files.map((file, index) => {
    const match = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration ${file}: name it NNN_snake_case.sql`);
    const version = Number(match[1]);
    if (version !== index + 1) throw new Error(`migration ${file}: expected number ${String(index + 1).padStart(3, '0')} (numbers run 001, 002, … without gaps)`);
    const text = readFileSync(join(dir, file), 'utf8');
    const statements = splitStatements(text);
    if (statements.length === 0) throw new Error(`migration ${file} holds no statement`);
    return { version, name: match[2]!, statements, checksum: createHash('sha256').update(text).digest('hex') };
  });
}

/**
 * Brings the analytics database up to the newest migration (on every host of `options.cluster`). Each applied migration is recorded
 * in `schema_migrations` with its checksum; a recorded one is skipped, and one whose file changed
 * since it was applied stops the start (write a new migration instead). Statements are idempotent
 * (IF NOT EXISTS), so a migration interrupted half-way is simply run again whole.
 */
export async function migrateAnalytics(analytics: Analytics, migrations: readonly Migration[] = loadMigrations(), options: MigrationOptions = {}): Promise<MigrationReport> {
  const { cluster } = options;
  const run = (statement: string) => analytics.command(cluster === undefined ? statement : clusterStatement(statement, cluster));
  await run(`CREATE TABLE IF NOT EXISTS schema_migrations
    (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
    ENGINE = ReplacingMergeTree ORDER BY version`);
  const rows = await analytics.query<{ version: number; name: string; checksum: string }>(
    'SELECT version, argMax(name, applied_at) AS name, argMax(checksum, applied_at) AS checksum FROM schema_migrations GROUP BY version ORDER BY version',
  );
  const recorded = new Map(rows.map((row) => [Number(row.version), row]));
  const newest = Math.max(0, ...recorded.keys());
  if (newest > migrations.length) {
    throw new Error(`the analytics database is at migration ${newest}, newer than this Nudge knows (${migrations.length}); upgrade Nudge`);
  }
  const applied: Migration[] = [];
  for (const migration of migrations) {
    const done = recorded.get(migration.version);
    if (done) {
      if (done.checksum !== migration.checksum) {
        throw new Error(
          `analytics migration ${String(migration.version).padStart(3, '0')}_${migration.name}.sql changed after it was applied; ` +
            'put the change in a new numbered migration',
        );
      }
      continue;
    }
    for (const statement of migration.statements) await run(statement);
    await analytics.insert('schema_migrations', [
      { version: migration.version, name: migration.name, checksum: migration.checksum, applied_at: clickhouseTime(new Date()) },
    ]);
    applied.push(migration);
  }
  return { applied, alreadyApplied: migrations.length - applied.length };
}

/** Splits a migration file into statements: `--` comment lines dropped, split where a line ends in `;`. */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s*--/.test(line)) continue;
    current.push(line);
    if (/;\s*$/.test(line)) {
      const statement = current.join('\n').trim().replace(/;\s*$/, '');
      if (statement.length > 0) statements.push(statement);
      current = [];
    }
  }
  const rest = current.join('\n').trim();
  if (rest.length > 0) statements.push(rest);
  return statements;
}

/** A Date as ClickHouse's DateTime64(3, 'UTC') text: `2026-01-02 03:04:05.678`. */
export function clickhouseTime(at: Date | string): string {
  // Event times are written by toISOString (`2026-01-02T03:04:05.678Z`): cut those as they are.
  const iso = typeof at === 'string' ? (at.length === 24 && at[10] === 'T' && at[23] === 'Z' ? at : new Date(at).toISOString()) : at.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/**
 * Cluster mode (CLICKHOUSE_CLUSTER): given the shipped migrations, written once for one server,
 * when the runner prepares them for a cluster, then every DDL statement runs ON CLUSTER and every
 * MergeTree-family table is replicated. There is no ClickHouse server (let alone a cluster) on the
 * development machine: this checks the SQL text and what the runner sends, not a real cluster.
 */
import { describe, expect, it } from 'vitest';
import { clusterStatement, REPLICA_PATH_ARGUMENTS } from '../../projections/clusterDdl.ts';
import { loadMigrations, migrateAnalytics } from '../../projections/migrate.ts';
import type { Analytics, QueryParams } from '../../services/ports/index.ts';

const CLUSTER = 'nudge_cluster';
const migrations = loadMigrations();
const statements = migrations.flatMap((migration) => migration.statements.map((statement) => ({ file: `${String(migration.version).padStart(3, '0')}_${migration.name}.sql`, statement })));

const ddl = /^\s*(CREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|VIEW|MATERIALIZED\s+VIEW)|ALTER\s+TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/i;
const mergeTreeEngine = /ENGINE\s*=\s*(\w*)MergeTree\b/g;

/** An Analytics that records what it is sent and holds no migrations yet. */
function recordingAnalytics(): Analytics & { readonly sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    database: 'nudge',
    description: 'recording',
    command: (sql: string) => {
      sent.push(sql);
      return Promise.resolve();
    },
    query: <T>(sql: string, _params?: QueryParams) => {
      sent.push(sql);
      return Promise.resolve([] as T[]);
    },
    queryTable: () => Promise.resolve({ columns: [], rows: [] }),
    insert: (table: string) => {
      sent.push(`INSERT INTO ${table}`);
      return Promise.resolve();
    },
    encodeRows: (rows) => ({ encoded: true, columns: Object.keys(rows[0] ?? {}), count: rows.length, body: '' }),
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

describe('migrations on a ClickHouse cluster', () => {
  it('ships migrations that hold tables, views and engines to rewrite (the checks below see something)', () => {
    expect(statements.length).toBeGreaterThanOrEqual(10);
    expect(statements.filter(({ statement }) => /ENGINE\s*=/.test(statement)).length).toBeGreaterThanOrEqual(7);
    expect(statements.filter(({ statement }) => /^\s*CREATE\s+VIEW/i.test(statement)).length).toBeGreaterThanOrEqual(5);
  });

  it.each(statements)('$file: the statement runs ON CLUSTER and each MergeTree engine becomes its Replicated form', ({ statement }) => {
    const rewritten = clusterStatement(statement, CLUSTER);

    const head = ddl.exec(statement);
    expect(head, 'a CREATE TABLE/VIEW/MATERIALIZED VIEW or ALTER TABLE').not.toBeNull();
    expect(rewritten.startsWith(`${head![0]} ON CLUSTER '${CLUSTER}'`)).toBe(true);
    expect(rewritten.match(/ON CLUSTER/g)).toHaveLength(1);

    const engines = [...statement.matchAll(mergeTreeEngine)].map((match) => match[1]!);
    const replicated = [...rewritten.matchAll(mergeTreeEngine)].map((match) => match[1]!);
    expect(replicated).toEqual(engines.map((kind) => `Replicated${kind}`));
    const withPath = rewritten.split(`MergeTree(${REPLICA_PATH_ARGUMENTS}`).length - 1;
    expect(withPath).toBe(engines.length);
    expect(rewritten).not.toMatch(/non_replicated_deduplication_window/);
    // Nothing else changes: without the clause and the engines' new arguments it is the statement as written.
    expect(
      rewritten
        .replace(` ON CLUSTER '${CLUSTER}'`, '')
        .replace(/Replicated(\w*)MergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'(?:, )?/g, '$1MergeTree(')
        .replace(/MergeTree\(\)/g, 'MergeTree')
        .replace(/\breplicated_deduplication_window\b/g, 'non_replicated_deduplication_window'),
    ).toBe(statement);
  });

  it('gives the exact statements for a versioned table and a view', () => {
    const aliases = migrations.find((migration) => migration.name === 'lead_aliases')!.statements[0]!;
    expect(clusterStatement(aliases, CLUSTER)).toBe(`CREATE TABLE IF NOT EXISTS lead_aliases ON CLUSTER 'nudge_cluster'
(
    key       String,
    lead_id   String,
    version   UInt64,
    event_id  String
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version)
ORDER BY key
SETTINGS replicated_deduplication_window = 1000`);

    const state = migrations.find((migration) => migration.name === 'projector_state')!.statements[0]!;
    expect(clusterStatement(state, CLUSTER)).toContain(
      "CREATE TABLE IF NOT EXISTS projector_state ON CLUSTER 'nudge_cluster'\n(\n    name          LowCardinality(String),",
    );
    expect(clusterStatement(state, CLUSTER)).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version)\nORDER BY name");

    const view = migrations.find((migration) => migration.name === 'resolved_views')!.statements[0]!;
    expect(clusterStatement(view, CLUSTER)).toBe(`CREATE VIEW IF NOT EXISTS lead_alias_current ON CLUSTER 'nudge_cluster' AS
SELECT key, argMax(lead_id, version) AS lead_id
FROM lead_aliases
GROUP BY key`);
  });

  it('rewrites the other DDL a future migration may hold, and engines with or without arguments', () => {
    expect(clusterStatement('ALTER TABLE touches ADD COLUMN IF NOT EXISTS device String', CLUSTER)).toBe(`ALTER TABLE touches ON CLUSTER '${CLUSTER}' ADD COLUMN IF NOT EXISTS device String`);
    expect(clusterStatement('DROP TABLE IF EXISTS old_touches', CLUSTER)).toBe(`DROP TABLE IF EXISTS old_touches ON CLUSTER '${CLUSTER}'`);
    expect(clusterStatement('RENAME TABLE a TO b', CLUSTER)).toBe(`RENAME TABLE a TO b ON CLUSTER '${CLUSTER}'`);
    expect(clusterStatement('CREATE TABLE IF NOT EXISTS nudge.t (k String) ENGINE = MergeTree() ORDER BY k', '{cluster}')).toBe(
      "CREATE TABLE IF NOT EXISTS nudge.t ON CLUSTER '{cluster}' (k String) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}') ORDER BY k",
    );
    expect(clusterStatement('CREATE TABLE t (k String, a UInt64, b UInt64) ENGINE=SummingMergeTree((a, b)) ORDER BY k', CLUSTER)).toContain(
      "ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', (a, b)) ORDER BY k",
    );
    expect(
      clusterStatement('CREATE MATERIALIZED VIEW IF NOT EXISTS daily ENGINE = AggregatingMergeTree ORDER BY day AS SELECT toDate(occurred_at) AS day, countState() AS n FROM touches GROUP BY day', CLUSTER),
    ).toBe(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS daily ON CLUSTER '${CLUSTER}' ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}') ORDER BY day AS SELECT toDate(occurred_at) AS day, countState() AS n FROM touches GROUP BY day`,
    );
    // Already replicated: left as it is.
    expect(clusterStatement("CREATE TABLE t (k String) ENGINE = ReplicatedMergeTree('/p/{table}', '{replica}') ORDER BY k", CLUSTER)).toBe(
      `CREATE TABLE t ON CLUSTER '${CLUSTER}' (k String) ENGINE = ReplicatedMergeTree('/p/{table}', '{replica}') ORDER BY k`,
    );
    // Data statements reach every replica through replication.
    expect(clusterStatement('INSERT INTO ad_costs SELECT * FROM old_costs', CLUSTER)).toBe('INSERT INTO ad_costs SELECT * FROM old_costs');
  });

  it('refuses what would run on one host only, a migration that names a cluster itself, and a cluster name that is not one', () => {
    expect(() => clusterStatement('SYSTEM RELOAD DICTIONARIES', CLUSTER)).toThrow(/cannot run this migration statement on a cluster/);
    expect(() => clusterStatement("CREATE TABLE t ON CLUSTER 'x' (k String) ENGINE = MergeTree ORDER BY k", CLUSTER)).toThrow(/already says ON CLUSTER/);
    expect(() => clusterStatement('CREATE TABLE t (k String) ENGINE = MergeTree ORDER BY k', "x' OR '1")).toThrow(/cluster name/);
  });

  it('runs every migration and the migrations record ON CLUSTER, replicated, so every host agrees which ran', async () => {
    const analytics = recordingAnalytics();
    const report = await migrateAnalytics(analytics, migrations, { cluster: CLUSTER });

    expect(report.applied).toHaveLength(migrations.length);
    const commands = analytics.sent.filter((sql) => /^\s*(CREATE|ALTER)/i.test(sql));
    expect(commands[0]).toBe(`CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER '${CLUSTER}'
    (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
    ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}') ORDER BY version`);
    expect(commands.slice(1)).toEqual(statements.map(({ statement }) => clusterStatement(statement, CLUSTER)));
    expect(analytics.sent.filter((sql) => sql === 'INSERT INTO schema_migrations')).toHaveLength(migrations.length);
  });

  it('leaves the statements as written without a cluster (chDB, one server)', async () => {
    const analytics = recordingAnalytics();
    await migrateAnalytics(analytics, migrations);

    const commands = analytics.sent.filter((sql) => /^\s*(CREATE|ALTER)/i.test(sql));
    expect(commands[0]).toMatch(/^CREATE TABLE IF NOT EXISTS schema_migrations\n[\s\S]*ENGINE = ReplacingMergeTree ORDER BY version$/);
    expect(commands.slice(1)).toEqual(statements.map(({ statement }) => statement));
  });
});

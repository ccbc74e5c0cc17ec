/**
 * Migrations are written once, for one server (and chDB); on a ClickHouse cluster
 * (CLICKHOUSE_CLUSTER) the migration runner sends each statement through `clusterStatement`:
 *
 * - DDL runs on every host: `ON CLUSTER '<cluster>'` after the object's name (CREATE TABLE, VIEW,
 *   MATERIALIZED VIEW, DICTIONARY; ALTER, DROP, TRUNCATE), at the end of RENAME;
 * - every MergeTree-family engine becomes its Replicated form, with the replica path written out:
 *   `ReplacingMergeTree(version)` → `ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version)`.
 *   The explicit path (ClickHouse's documented convention) rather than the no-argument form
 *   (the server's `default_replica_path`) so the path does not depend on server settings; the
 *   hosts need the `{shard}` and `{replica}` macros, `{database}` and `{table}` are ClickHouse's own;
 * - `non_replicated_deduplication_window` (the insert deduplication the projector's tokens need
 *   on a single server) becomes `replicated_deduplication_window`, with the same window;
 * - INSERT and OPTIMIZE pass as they are: replication carries them to the other replicas.
 *
 * Anything else is refused rather than run on one host only. Not run against a real cluster
 * here (no ClickHouse server on the development machine): test/projections/clusterDdl.test.ts
 * checks the text for every shipped migration.
 *
 *   clusterStatement('CREATE TABLE IF NOT EXISTS t (k String) ENGINE = MergeTree ORDER BY k', 'nudge')
 *   // CREATE TABLE IF NOT EXISTS t ON CLUSTER 'nudge' (k String) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}') ORDER BY k
 */

/** Where each replicated table keeps its replication log in ClickHouse Keeper, and the replica's name. */
export const REPLICA_PATH_ARGUMENTS = "'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'";

/** A cluster name as `remote_servers` spells it, or a macro such as `{cluster}`. */
export const CLUSTER_NAME = /^[A-Za-z0-9_.{}-]{1,128}$/;

const NAME = '(?:`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)';
const QUALIFIED = `${NAME}(?:\\.${NAME})?`;
/** The statements that take ON CLUSTER right after the object's name. */
const NAMED_DDL = new RegExp(
  `^(\\s*(?:CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TABLE|VIEW|MATERIALIZED\\s+VIEW|DICTIONARY)|ALTER\\s+TABLE|DROP\\s+(?:TABLE|VIEW|DICTIONARY)|TRUNCATE\\s+TABLE)\\s+(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?${QUALIFIED})`,
  'i',
);
const RENAME = /^\s*RENAME\s+TABLE\s/i;
const DATA = /^\s*(?:INSERT|OPTIMIZE)\s/i;
const ENGINE = /\bENGINE\s*=\s*(Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing|Graphite|Coalescing)?MergeTree\b/gi;

/** The statement as it runs on the cluster `cluster` (see the module comment). */
export function clusterStatement(statement: string, cluster: string): string {
  if (!CLUSTER_NAME.test(cluster)) throw new Error(`cluster name ${JSON.stringify(cluster)}: must be letters, digits, _ . - or a {macro}`);
  if (/\bON\s+CLUSTER\b/i.test(statement)) throw new Error(`migration statement already says ON CLUSTER (write migrations for one server; the runner adds it): ${firstLine(statement)}`);
  const on = ` ON CLUSTER '${cluster}'`;
  const named = NAMED_DDL.exec(statement);
  if (named) return replicated(`${named[1]}${on}${statement.slice(named[1]!.length)}`);
  if (RENAME.test(statement)) return `${statement.trimEnd()}${on}`;
  if (DATA.test(statement)) return statement;
  throw new Error(`cannot run this migration statement on a cluster (it would reach one host only): ${firstLine(statement)}`);
}

/** Every MergeTree-family engine in the statement as its Replicated form; the deduplication window setting to match. */
function replicated(statement: string): string {
  let out = '';
  let last = 0;
  for (const match of statement.matchAll(ENGINE)) {
    const end = match.index + match[0].length;
    const args = argumentsAt(statement, end);
    const inner = args === null ? '' : args.text.trim();
    out += `${statement.slice(last, match.index)}ENGINE = Replicated${match[1] ?? ''}MergeTree(${REPLICA_PATH_ARGUMENTS}${inner === '' ? '' : `, ${inner}`})`;
    last = args === null ? end : args.end;
  }
  out += statement.slice(last);
  return out.replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window');
}

/** The engine's parenthesised arguments right after `from` (spaces allowed before them), or null when it has none. */
function argumentsAt(text: string, from: number): { text: string; end: number } | null {
  let open = from;
  while (open < text.length && /\s/.test(text[open]!)) open++;
  if (text[open] !== '(') return null;
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const char = text[i]!;
    if (quote !== null) {
      if (char === '\\') i++;
      else if (char === quote) quote = null;
    } else if (char === "'" || char === '"' || char === '`') {
      quote = char;
    } else if (char === '(') {
      depth++;
    } else if (char === ')' && --depth === 0) {
      return { text: text.slice(open + 1, i), end: i + 1 };
    }
  }
  throw new Error(`unbalanced parentheses after ENGINE: ${firstLine(text.slice(from))}`);
}

function firstLine(statement: string): string {
  return statement.trim().split('\n')[0]!.slice(0, 120);
}

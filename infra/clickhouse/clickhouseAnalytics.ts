import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { mkdirSync } from 'node:fs';
import { AnalyticsError, UnavailableError, ValidationError } from '../../services/core/index.ts';
import type { Analytics, EncodedRows, QueryParams, ResultTable } from '../../services/ports/index.ts';
import { assertColumns, encodeRows } from './encodeRows.ts';

export type ClickHouseAnalyticsOptions =
  /** chDB, the ClickHouse engine in this process, keeping its data in `path`. */
  | { readonly engine: 'embedded'; readonly path: string; readonly database?: string }
  /**
   * A ClickHouse server over HTTP(S): `http://user:password@host:8123`; with `cluster`, one host of
   * that cluster, and the database is created on every host (ON CLUSTER).
   */
  | { readonly engine: 'server'; readonly url: string; readonly database?: string; readonly requestTimeoutMs?: number; readonly cluster?: string };

/** Output settings both engines get, so rows look the same from either: 64-bit counts as JSON numbers. */
const OUTPUT_SETTINGS = { output_format_json_quote_64bit_integers: 0 } as const;

/**
 * The Analytics port on ClickHouse, through `@clickhouse/client` for both engines: chDB in this
 * process (`chdb/connection`), or a server over HTTP. The SQL is the same; two differences are
 * handled here and nowhere else:
 *
 * - chDB's connection ignores the client's `database` and applies per-request settings to its
 *   whole session; so on chDB every statement is sent as `USE <db>; <statement>`, and settings
 *   are only ever written in the SQL (an insert's deduplication token too).
 * - chDB is one engine per process: one data folder at a time (open it again after closing to
 *   switch). Several databases in that folder are fine, which is what tests use.
 *
 *   const analytics = await openClickHouseAnalytics({ engine: 'embedded', path: 'data/clickhouse' });
 */
export async function openClickHouseAnalytics(options: ClickHouseAnalyticsOptions): Promise<Analytics> {
  const database = options.database ?? 'nudge';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(database)) {
    throw new ValidationError('invalid analytics settings', [{ path: 'database', message: 'must be letters, digits and _ (a ClickHouse identifier)' }]);
  }
  let analytics: ClickHouseAnalytics;
  try {
    if (options.engine === 'embedded') {
      mkdirSync(options.path, { recursive: true, mode: 0o700 });
      // chdb types its connection against @clickhouse/client-common, the client against its own
      // bundled copy of the same interface: the shapes match, the declarations differ.
      const connection = createChdbConnection({ path: options.path }) as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'];
      const client = createClient({ connection });
      analytics = new ClickHouseAnalytics(client, 'embedded', database, `embedded chDB in ${options.path}`);
      await client.command({ query: 'SET output_format_json_quote_64bit_integers = 0' });
      await client.command({ query: `CREATE DATABASE IF NOT EXISTS \`${database}\`` });
    } else {
      const url = new URL(options.url);
      const serverClient = (db: string) =>
        createClient({
          url: options.url,
          database: db,
          request_timeout: options.requestTimeoutMs ?? 300_000,
          clickhouse_settings: OUTPUT_SETTINGS,
          compression: { request: false, response: true },
        });
      const bootstrap = serverClient('default');
      try {
        await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS \`${database}\`${clusterClause(options.cluster)}` });
      } finally {
        await bootstrap.close();
      }
      analytics = new ClickHouseAnalytics(serverClient(database), 'server', database, `ClickHouse server at ${url.protocol}//${url.host}`);
    }
  } catch (error) {
    throw new UnavailableError(`cannot open the analytics engine: ${chainOf(error)}`, { cause: error });
  }
  try {
    const [row] = await analytics.query<{ v: string }>('SELECT version() AS v');
    analytics.version = row?.v ?? 'unknown';
  } catch (error) {
    await analytics.close().catch(() => undefined);
    throw new UnavailableError(`cannot open the analytics engine: ${messageOf(error)}`, { cause: error });
  }
  return analytics;
}

/** ` ON CLUSTER '<name>'`, or nothing for one server; the name as CLICKHOUSE_CLUSTER allows it (no quote can be in it). */
function clusterClause(cluster: string | undefined): string {
  if (cluster === undefined) return '';
  if (!/^[A-Za-z0-9_.{}-]{1,128}$/.test(cluster)) throw new ValidationError('invalid analytics settings', [{ path: 'cluster', message: 'must be letters, digits, _ . - or a {macro}' }]);
  return ` ON CLUSTER '${cluster}'`;
}

class ClickHouseAnalytics implements Analytics {
  readonly #client: ClickHouseClient;
  readonly #embedded: boolean;
  readonly #where: string;
  readonly database: string;
  version = 'unknown';
  #closed = false;

  constructor(client: ClickHouseClient, engine: 'embedded' | 'server', database: string, where: string) {
    this.#client = client;
    this.#embedded = engine === 'embedded';
    this.database = database;
    this.#where = where;
  }

  get description(): string {
    return `${this.#where} (ClickHouse ${this.version}), database ${this.database}`;
  }

  async command(sql: string, params: QueryParams = {}): Promise<void> {
    await this.#run(() => this.#client.command({ query: this.#scoped(sql), query_params: { ...params } }));
  }

  async query<T = Record<string, unknown>>(sql: string, params: QueryParams = {}): Promise<T[]> {
    return this.#run(async () => {
      const result = await this.#client.query({ query: this.#scoped(sql), query_params: { ...params }, format: 'JSONEachRow' });
      return result.json<T>();
    });
  }

  async queryTable(sql: string, params: QueryParams = {}): Promise<ResultTable> {
    return this.#run(async () => {
      const result = await this.#client.query({ query: this.#scoped(sql), query_params: { ...params }, format: 'JSONCompactEachRowWithNamesAndTypes' });
      const [names = [], types = [], ...rows] = await result.json<unknown[]>();
      return { columns: names.map((name, i) => ({ name: String(name), type: String(types[i]) })), rows };
    });
  }

  async insert(table: string, rows: readonly Record<string, unknown>[] | EncodedRows, options: { deduplicationToken?: string } = {}): Promise<void> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new ValidationError('cannot insert', [{ path: 'table', message: 'must be a plain table name' }]);
    const token = options.deduplicationToken;
    if (token !== undefined && !/^[A-Za-z0-9_.:-]{1,200}$/.test(token)) {
      throw new ValidationError('cannot insert', [{ path: 'deduplicationToken', message: 'must be 1–200 letters, digits or _.:-' }]);
    }
    const encoded = 'encoded' in rows ? rows : this.encodeRows(rows);
    if (encoded.count === 0) return;
    if ('encoded' in rows) assertColumns(encoded.columns);
    const settings = token === undefined ? '' : ` SETTINGS insert_deduplication_token = '${token}'`;
    const sql = `INSERT INTO \`${table}\` (${encoded.columns.map((column) => `\`${column}\``).join(', ')})${settings} FORMAT JSONCompactEachRow\n${encoded.body}`;
    await this.#run(() => this.#client.exec({ query: this.#scoped(sql) }).then((result) => result.stream.resume()));
  }

  /** JSONCompactEachRow with the column list (encodeRows.ts). */
  encodeRows(rows: readonly Record<string, unknown>[], options: { readonly columns?: readonly string[] } = {}): EncodedRows {
    return encodeRows(rows, options);
  }

  async ping(): Promise<void> {
    const result = await this.#client.ping();
    if (!result.success) throw new UnavailableError(`analytics engine: ${messageOf(result.error)}`, { cause: result.error });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }

  #scoped(sql: string): string {
    return this.#embedded ? `USE \`${this.database}\`;\n${sql}` : sql;
  }

  async #run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new UnavailableError('analytics engine is closed');
    try {
      return await work();
    } catch (error) {
      throw translate(error);
    }
  }
}

/** The engine's own words, without its stack trace; a refused connection is unavailability. */
function translate(error: unknown): Error {
  if (error instanceof ValidationError || error instanceof UnavailableError) return error;
  const code = (error as { code?: unknown }).code;
  const engineCode = typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : undefined;
  const message = messageOf(error).replace(/\s*Stack trace:[\s\S]*$/, '').trim();
  if (engineCode === undefined && /ECONNREFUSED|ENOTFOUND|ECONNRESET|socket hang up|Timeout error/i.test(message)) {
    return new UnavailableError(`analytics engine: ${message}`, { cause: error });
  }
  return new AnalyticsError(message, { engineCode, cause: error });
}

/** The error's message and its causes' (chDB puts the engine's words in the cause). */
function chainOf(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error; current instanceof Error && parts.length < 4; current = current.cause) {
    const message = current.message.replace(/\s*Stack trace:[\s\S]*$/, '').trim();
    if (!parts.some((part) => part.includes(message))) parts.push(message);
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

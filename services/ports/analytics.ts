/**
 * The analytics store: a ClickHouse engine, in-process (chDB) or a server over HTTP. Projection
 * and analytics SQL is written once, in ClickHouse's dialect, against the port's database
 * (`{db}` is not a thing: statements name tables unqualified and run in `database`).
 *
 *   await analytics.command('CREATE TABLE IF NOT EXISTS t (...) ENGINE = MergeTree ORDER BY id');
 *   await analytics.insert('touches', rows, { deduplicationToken: 'touches:g1:100-200' });
 *   const rows = await analytics.query<{ channel: string; n: string }>(
 *     'SELECT channel, count() AS n FROM touches WHERE occurred_at >= {from:DateTime64(3)} GROUP BY channel',
 *     { from: '2026-01-01 00:00:00.000' });
 *
 * Settings belong in the SQL (`... SETTINGS max_execution_time = 10`), never in a side channel:
 * chDB applies side-channel settings to its whole session, so they would leak into the next query.
 *
 * Guarantees (test/contracts/analytics.contract.ts): statements run in `database`, which exists
 * once the adapter is open; query parameters are bound by the engine (`{name:Type}`), never
 * spliced into text; 64-bit integers come back as strings (JSON), other numbers as numbers;
 * two inserts into a table with the same deduplication token store the rows once (tables that
 * use tokens set `non_replicated_deduplication_window`); errors are AnalyticsError with the
 * engine's message.
 */
export interface Analytics {
  /** The database every statement runs in. */
  readonly database: string;
  /** `embedded (chDB <version>)` or `server <url>`: for status output. */
  readonly description: string;
  /** A statement with no result (DDL, INSERT … SELECT, OPTIMIZE). */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** A query whose rows come back as objects (JSONEachRow). */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** A query whose rows come back as arrays, with the column names and types. */
  queryTable(sql: string, params?: QueryParams): Promise<ResultTable>;
  /**
   * Rows into a table, as one insert (the columns are the first row's keys; a key another row lacks
   * is its column default); with a token, a repeat of the same insert is a no-op. The rows may come
   * encoded by `encodeRows` beforehand.
   */
  insert(table: string, rows: readonly Record<string, unknown>[] | EncodedRows, options?: { deduplicationToken?: string }): Promise<void>;
  /**
   * Rows encoded for `insert`, ahead of it: a writer encodes its next batch while the engine takes
   * the current one. The columns are the first row's keys unless `columns` names them (a writer
   * that encodes a batch page by page keeps the first page's). Throws ValidationError for a column
   * name that is not a plain identifier.
   */
  encodeRows(rows: readonly Record<string, unknown>[], options?: { readonly columns?: readonly string[] }): EncodedRows;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type QueryParams = Readonly<Record<string, unknown>>;

/**
 * Rows as `Analytics.encodeRows` encoded them: their columns, their count and the engine's input.
 * The input holds the rows one after the other, so two encodings under the same columns make one
 * by putting their bodies end to end (`concatEncodedRows`).
 */
export interface EncodedRows {
  readonly encoded: true;
  readonly columns: readonly string[];
  readonly count: number;
  readonly body: string;
}

/** The rows of `first`, then those of `second`, as one encoding; both must be under the same columns. */
export function concatEncodedRows(first: EncodedRows, second: EncodedRows): EncodedRows {
  if (first.count === 0) return second;
  if (second.count === 0) return first;
  if (first.columns.length !== second.columns.length || first.columns.some((column, i) => column !== second.columns[i])) {
    throw new Error(`encoded rows under different columns cannot be joined: (${first.columns.join(', ')}) and (${second.columns.join(', ')})`);
  }
  return { encoded: true, columns: first.columns, count: first.count + second.count, body: first.body + second.body };
}

export interface ResultTable {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly unknown[])[];
}

import { AnalyticsError, ValidationError } from '../../services/core/index.ts';
import type { Analytics, ResultTable } from '../../services/ports/index.ts';

export interface AnalystSqlLimits {
  /** Most rows returned; more are cut and `truncated` says so. */
  readonly maxRows: number;
  /** The engine stops the query after this long (max_execution_time). */
  readonly timeoutSeconds: number;
  /** Memory one query may use. Default 4 GiB. */
  readonly maxMemoryBytes?: number;
}

export interface AnalystSqlResult extends ResultTable {
  /** True when the query had more rows than `maxRows`. */
  readonly truncated: boolean;
  readonly elapsedMs: number;
}

/**
 * Runs an analyst's read-only ClickHouse SQL against the projection tables (`nudge sql`,
 * `POST /v1/analytics/sql`). The guard does not rely on string matching:
 *
 * 1. ClickHouse's own parser must read the text as exactly one statement (formatQuerySingleLine
 *    refuses `SELECT 1; DROP TABLE x`): chDB would otherwise run every statement of a script.
 * 2. Its syntax tree must be a SELECT (WITH and UNION included), and must hold no SETTINGS clause:
 *    a query-level `SETTINGS readonly = 0` inside a subquery would undo the guard.
 * 3. It runs as `SELECT * FROM (<query>) LIMIT maxRows + 1 SETTINGS max_execution_time = …,
 *    max_memory_usage = …, readonly = 1`: readonly = 1 makes the engine itself refuse any write,
 *    DDL, settings change and file/url table function, on chDB and on a server alike.
 */
export async function runAnalystSql(analytics: Analytics, sql: string, limits: AnalystSqlLimits): Promise<AnalystSqlResult> {
  const text = sql.trim().replace(/;\s*$/, '');
  if (text.length === 0) throw new ValidationError('invalid query', [{ path: 'sql', message: 'is empty' }]);
  if (text.length > 100_000) throw new ValidationError('invalid query', [{ path: 'sql', message: 'is longer than 100,000 characters' }]);
  const formatted = await parseOne(analytics, text);
  const notSelect = new ValidationError('only reading is allowed', [
    { path: 'sql', message: `must be a SELECT query (this is ${/^[A-Za-z]+/.exec(formatted)?.[0]?.toUpperCase() ?? 'not one'}); the tables are read-only here` },
  ]);
  // ClickHouse explains only a SELECT inside a subquery: anything else is refused right here.
  const ast = (
    await analytics.query<{ explain: string }>(`SELECT explain FROM (EXPLAIN AST ${formatted})`).catch((error: unknown) => {
      if (error instanceof AnalyticsError && /EXPLAIN inside subquery supports only/i.test(error.message)) throw notSelect;
      return refused(error);
    })
  ).map((row) => row.explain.trim());
  if (!/^SelectWithUnionQuery\b|^SelectIntersectExceptQuery\b/.test(ast[0] ?? '')) throw notSelect;
  if (ast.includes('Set')) {
    throw new ValidationError('only reading is allowed', [{ path: 'sql', message: 'may not have a SETTINGS clause: limits and read-only mode are set by the server' }]);
  }
  const memory = limits.maxMemoryBytes ?? 4 * 1024 ** 3;
  const started = performance.now();
  const result = await analytics
    .queryTable(
      `SELECT * FROM (${formatted}) LIMIT ${limits.maxRows + 1}
       SETTINGS max_execution_time = ${limits.timeoutSeconds}, timeout_overflow_mode = 'throw', max_memory_usage = ${memory}, readonly = 1`,
    )
    .catch(refused);
  const truncated = result.rows.length > limits.maxRows;
  return { columns: result.columns, rows: truncated ? result.rows.slice(0, limits.maxRows) : result.rows, truncated, elapsedMs: Math.round(performance.now() - started) };
}

async function parseOne(analytics: Analytics, text: string): Promise<string> {
  const [row] = await analytics.query<{ q: string }>('SELECT formatQuerySingleLine({sql:String}) AS q', { sql: text }).catch(refused);
  if (!row) throw new ValidationError('invalid query', [{ path: 'sql', message: 'could not be read' }]);
  return row.q;
}

/** An engine error about the analyst's query is the analyst's to fix: a 4xx naming `sql`, with the engine's words. */
function refused(error: unknown): never {
  if (error instanceof AnalyticsError) {
    const message = error.message.replace(/^[^:]*DB::Exception: /, '').replace(/\. \(([A-Z_]+)\)$/, ' ($1)');
    const words = error.engineCode === 164 ? `tried to change data or settings, which is not allowed here (${message})` : message;
    throw new ValidationError('the query failed', [{ path: 'sql', message: words }]);
  }
  throw error;
}

/** Rows as CSV (RFC 4180), header first. */
export function toCsv(result: ResultTable): string {
  const cell = (value: unknown): string => {
    const text = cellText(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };


  const lines = [result.columns.map((column) => cell(column.name)).join(','), ...result.rows.map((row) => row.map(cell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** A result cell as text: empty for null, JSON for arrays and maps, the value itself otherwise. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

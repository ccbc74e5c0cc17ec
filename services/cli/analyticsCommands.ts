import { readFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { AnalystSqlResult, ProjectionStatus } from '../../projections/index.ts';
import { cellText, toCsv } from '../../projections/index.ts';
import { parseScoringModel } from '../../projections/scoring/index.ts';
import { ValidationError } from '../core/index.ts';
import type { AdCostReport } from '../ingest/index.ts';

/**
 * Analytics as the CLI reaches it: the engine itself when this process may open it, or the
 * running server's API while `nudge serve` holds the embedded engine's folder.
 */
export interface AnalyticsAccess {
  /** `embedded chDB in …` or `the server at http://…`: said in the output. */
  readonly where: string;
  status(): Promise<ProjectionStatus>;
  /** Empties the tables and projects the store again, telling progress as it goes. */
  rebuild(progress: (status: ProjectionStatus) => void): Promise<ProjectionStatus>;
  sql(sql: string): Promise<AnalystSqlResult>;
  close(): Promise<void>;
}

export interface AnalyticsCliRuntime {
  openAnalytics(): Promise<AnalyticsAccess>;
  /** Ad costs go into the event store (the projector takes them to ClickHouse). */
  importCosts(csv: string): Promise<AdCostReport>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 *   nudge projections status [--json]
 *   nudge projections rebuild [analytics]
 *   nudge sql "<SELECT …>" [--format table|csv|json]
 *   nudge costs import <file.csv>
 *   nudge scoring validate <model.yaml>
 */
export function registerAnalyticsCommands(program: Command, runtime: AnalyticsCliRuntime): void {
  const projections = program.command('projections').description('The ClickHouse projections analytics reads (lag, rebuild)');

  projections
    .command('status')
    .description('Where each projection stands: position, lag behind the event store, rows per table')
    .option('--json', 'as JSON', false)
    .action(async (options: { json: boolean }) => {
      await withAccess(runtime, async (access) => {
        const status = await access.status();
        runtime.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status, access.where));
      });
    });

  projections
    .command('rebuild [name]')
    .description('Empty the projection tables and project the whole event store again, with a progress bar')
    .action(async (name: string | undefined) => {
      if (name !== undefined && name !== 'analytics') {
        runtime.stderr.write(`nudge: no projection called ${name}; the one projection is: analytics\n`);
        process.exitCode = 2;
        return;
      }
      await withAccess(runtime, async (access) => {
        const started = performance.now();
        let bar: cliProgress.SingleBar | null = null;
        const done = await access.rebuild((status) => {
          if (runtime.stderr.isTTY !== true) return;
          bar ??= new cliProgress.SingleBar(
            { format: 'rebuilding analytics [{bar}] {percentage}% | {value}/{total} events | {eta_formatted} left', stream: process.stderr, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          if (bar.getTotal() !== status.head) bar.start(status.head, status.position);
          bar.update(status.position);
        });
        (bar as cliProgress.SingleBar | null)?.stop();
        const seconds = (performance.now() - started) / 1_000;
        runtime.stdout.write(
          `Rebuilt analytics (generation ${done.generation}) from ${done.position.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s ` +
            `(${Math.round(done.position / Math.max(seconds, 0.001)).toLocaleString('en-US')} events/s), ${access.where}\n`,
        );
      });
    });

  program
    .command('sql <query>')
    .description('Run a read-only ClickHouse SELECT over the projection tables (docs/analytics.md lists them)')
    .addOption(new Option('--format <format>', 'output').choices(['table', 'csv', 'json']).default('table'))
    .action(async (query: string, options: { format: 'table' | 'csv' | 'json' }) => {
      await withAccess(runtime, async (access) => {
        const result = await access.sql(query);
        if (options.format === 'csv') runtime.stdout.write(toCsv(result));
        else if (options.format === 'json') runtime.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else runtime.stdout.write(formatTable(result));
        if (result.truncated) runtime.stderr.write(`nudge: only the first ${result.rows.length} rows are shown (NUDGE_SQL_MAX_ROWS)\n`);
      });
    });

  program
    .command('scoring')
    .description('The lead-scoring model (docs/scoring.md)')
    .command('validate <file>')
    .description('Check a scoring model file: every problem with its path and line; exit 1 when there is one')
    .action((file: string) => {
      try {
        const model = parseScoringModel(readFileSync(file, 'utf8'), file);
        runtime.stdout.write(`${file}: ${model.name}: ${model.fit.length} fit, ${model.engagement.length} engagement and ${model.negative.length} negative rules, bands ${model.bands.map((band) => band.name).join('/')}, MQL at ${model.mqlThreshold}\n`);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        runtime.stderr.write(`${file}: ${error.message.split(':')[0]}\n${error.issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}\n`);
        process.exitCode = 1;
      }
    });

  program
    .command('costs')
    .description('Ad spend for ROI in attribution')
    .command('import <file>')
    .description('Record ad spend from a CSV: date,source,medium,campaign,cost[,currency,clicks,impressions] (what nudge demo generate writes)')
    .action(async (file: string) => {
      const report = await runtime.importCosts(readFileSync(file, 'utf8'));
      runtime.stdout.write(`${file}: ${report.stored} rows stored, ${report.unchanged} already there\n`);
    });
}

async function withAccess(runtime: AnalyticsCliRuntime, work: (access: AnalyticsAccess) => Promise<void>): Promise<void> {
  const access = await runtime.openAnalytics();
  try {
    await work(access);
  } finally {
    await access.close();
  }
}

function formatStatus(status: ProjectionStatus, where: string): string {
  const lines = [
    `projection ${status.name} (generation ${status.generation}) in ${status.engine}`,
    `  position ${status.position.toLocaleString('en-US')} of ${status.head.toLocaleString('en-US')}: ${status.lagEvents === 0 ? 'up to date' : `${status.lagEvents.toLocaleString('en-US')} events behind`}` +
      `${status.running ? '' : ' (not projecting in this process)'}`,
    `  last written ${status.updatedAt ?? 'never'}${status.pending ? `; batch ${status.pending.from}–${status.pending.to} is written again on the next start` : ''}`,
    ...(status.shards.length > 1
      ? [
          `  ${status.shards.length} shards:`,
          ...status.shards.map(
            (shard) =>
              `    ${shard.name.padEnd(20)} position ${shard.position.toLocaleString('en-US').padStart(12)}: ${shard.lagEvents === 0 ? 'up to date' : `${shard.lagEvents.toLocaleString('en-US')} events behind`}` +
              `${shard.running ? ' (projecting in this process)' : ''}; last written ${shard.updatedAt ?? 'never'}${shard.pending ? `; batch ${shard.pending.from}–${shard.pending.to} pending` : ''}`,
          ),
        ]
      : []),
    '  rows:',
    ...Object.entries(status.rows).map(([table, rows]) => `    ${table.padEnd(16)} ${rows.toLocaleString('en-US').padStart(12)}`),
    `  (asked ${where})`,
  ];
  return `${lines.join('\n')}\n`;
}

/** A plain text table: names, a rule, then the rows; numbers right-aligned. */
export function formatTable(result: { columns: readonly { name: string; type: string }[]; rows: readonly (readonly unknown[])[] }): string {
  const numeric = result.columns.map((column) => /Int|Float|Decimal/.test(column.type));
  const cells = result.rows.map((row) => row.map(cellText));
  const widths = result.columns.map((column, i) => Math.min(60, Math.max(column.name.length, ...cells.map((row) => row[i]!.length))));
  const pad = (value: string, i: number): string => {
    const cut = value.length > widths[i]! ? `${value.slice(0, widths[i]! - 1)}…` : value;
    return numeric[i] ? cut.padStart(widths[i]!) : cut.padEnd(widths[i]!);
  };
  const lines = [result.columns.map((column, i) => pad(column.name, i)).join('  '), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map((row) => row.map(pad).join('  '))];
  return `${lines.map((line) => line.trimEnd()).join('\n')}\n(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})\n`;
}

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { NotFoundError } from '../core/index.ts';
import type { EventStore, RuleEvaluator } from '../ports/index.ts';
import { JourneyService } from '../../journeys/authoring/index.ts';
import type { JourneyDocument, JourneyIssue } from '../../journeys/document/index.ts';
import { parseJourneySource } from '../../journeys/document/index.ts';
import type { SimulationReport } from '../../journeys/simulation/index.ts';
import { parseWindowBound, simulateJourney, simulationWindowIssues } from '../../journeys/simulation/index.ts';

/** What `nudge journeys simulate` needs from the composition root. */
export interface JourneySimulateRuntime {
  /** The configured event store, opened for reading; the simulation never writes. */
  openStore(): Promise<{ store: EventStore; close(): Promise<void> }>;
  /** The condition evaluator journeys run with (the compiled one). */
  evaluator(): RuleEvaluator;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

interface SimulateOptions {
  from: Date;
  to: Date;
  version?: number;
  json: boolean;
}

/** Rows of the busiest rep-days table. */
const BUSIEST_REP_DAYS = 7;

/**
 *   nudge journeys simulate <file-or-journey-id> --from <date> --to <date> [--version N] [--json]
 *
 * Back-tests a journey over the recorded history: a YAML or JSON file (a draft, validated
 * first), or a stored journey (the published version, else the latest, or --version). Writes
 * nothing; prints what the journey would have done and what became of the leads it touched.
 */
export function registerJourneySimulateCommand(journeysCommand: Command, runtime: JourneySimulateRuntime): void {
  journeysCommand
    .command('simulate <journey>')
    .description('Back-test a journey file or a stored journey over the recorded history, writing nothing: entries, visits, suggestions per rep and day, exits, later stages')
    .requiredOption('--from <date>', 'first day decided: YYYY-MM-DD (UTC) or ISO-8601; earlier events only build the facts', parseBound)
    .requiredOption('--to <date>', 'where the simulation stops (not included): YYYY-MM-DD (UTC) or ISO-8601', parseBound)
    .option('--version <n>', 'the stored version to simulate (default: the published one, else the latest)', parseVersion)
    .option('--json', 'print the report as JSON', false)
    .action(async (journey: string, options: SimulateOptions) => {
      const windowIssues = simulationWindowIssues(options.from, options.to);
      if (windowIssues.length > 0) return fail(runtime, windowIssues.map((issue) => `--${issue.path} ${issue.message}`));
      const isFile = looksLikeFile(journey);
      if (isFile && options.version !== undefined) return fail(runtime, [`--version applies to a stored journey; ${journey} is a file (a draft)`]);
      const draft = isFile ? await readDraft(journey, runtime) : null;
      if (isFile && draft === null) return;

      const opened = await runtime.openStore();
      const bar =
        options.json || runtime.stderr.isTTY !== true
          ? null
          : new cliProgress.SingleBar(
              { format: 'simulate |{bar}| {percentage}% · {value}/{total} events · {eta_formatted} left', stream: process.stderr, hideCursor: true },
              cliProgress.Presets.shades_classic,
            );
      try {
        const chosen = draft === null ? await storedVersion(new JourneyService({ store: opened.store }), journey, options.version) : { document: draft, version: undefined };
        if ('missing' in chosen) return fail(runtime, [chosen.missing]);
        bar?.start(await opened.store.headPosition(), 0);
        const report = await simulateJourney({
          store: opened.store,
          evaluator: runtime.evaluator(),
          document: chosen.document,
          ...(chosen.version === undefined ? {} : { version: chosen.version }),
          from: options.from,
          to: options.to,
          onProgress: (done) => bar?.update(done),
        });
        bar?.stop();
        runtime.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatSimulationReport(report));
      } finally {
        bar?.stop();
        await opened.close();
      }
    });
}

/**
 * The report as text for a terminal: the run, the entries, then tables of node visits,
 * suggestions by action, the busiest rep-days, exits and later stages.
 */
export function formatSimulationReport(report: SimulationReport): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const { suggestions } = report;
  const refusals = Object.entries(report.entryRefusals).map(([reason, count]) => `${reason} ${n(count)}`);
  const busiest = [...suggestions.byRepPerDay]
    .sort((a, b) => b.count - a.count || (a.day < b.day ? -1 : a.day > b.day ? 1 : 0) || (a.ownerId < b.ownerId ? -1 : 1))
    .slice(0, BUSIEST_REP_DAYS);
  const lines = [
    `Back-test of ${report.journeyId} (${report.version === null ? 'draft' : `version ${report.version}`}) from ${report.from} to ${report.to} (end not included)`,
    `Replayed ${n(report.eventsReplayed)} of ${n(report.eventsRead)} events in ${(report.timings.elapsedMs / 1_000).toFixed(1)} s (${n(report.timings.eventsPerSecond)} events/s); nothing was written`,
    '',
    `Leads in the window: ${n(report.leadsConsidered)}; entered: ${n(report.leadsEntered)} (${n(report.entries)} entries); refused: ${refusals.length === 0 ? 'none' : refusals.join(', ')}`,
    `Still in the journey at the end: ${n(report.stillActive)}`,
    '',
    table(
      ['node', 'type', 'visits'],
      Object.entries(report.nodes).map(([id, node]) => [id, node.type, n(node.visits)]),
      [2],
    ),
    `Suggestions: ${n(suggestions.total)}${suggestions.skipped > 0 ? ` (and ${n(suggestions.skipped)} skipped: do not contact)` : ''}${
      suggestions.perDayPeak === null ? '' : `; busiest day ${suggestions.perDayPeak.day} with ${n(suggestions.perDayPeak.count)}`
    }`,
    table(
      ['action', 'suggestions'],
      Object.entries(suggestions.byAction).map(([action, count]) => [action, n(count)]),
      [1],
    ),
    `Busiest rep-days (${busiest.length} of ${n(suggestions.byRepPerDay.length)}):`,
    busiest.length === 0
      ? '  none\n'
      : table(
          ['day', 'rep', 'suggestions', 'by action'],
          busiest.map((row) => [row.day, row.ownerId, n(row.count), Object.entries(row.byAction).map(([action, count]) => `${action} ${n(count)}`).join(', ')]),
          [2],
        ),
    'Exits:',
    Object.keys(report.exits).length === 0
      ? '  none\n'
      : table(
          ['reason', 'instances'],
          Object.entries(report.exits).map(([reason, count]) => [reason, n(count)]),
          [1],
        ),
    `Later stages (of the ${n(report.leadsEntered)} leads that entered, reached after their first entry):`,
    table(
      ['stage', 'leads'],
      Object.entries(report.laterStages).map(([stage, count]) => [stage, n(count)]),
      [1],
    ),
  ];
  return lines.join('\n');
}

/** The stored version asked for (default: the published one, else the latest), or why there is none. */
async function storedVersion(journeys: JourneyService, journeyId: string, version: number | undefined): Promise<{ document: JourneyDocument; version: number } | { missing: string }> {
  try {
    const detail = await journeys.get(journeyId);
    const chosen = version ?? detail.publishedVersion ?? detail.latestVersion;
    return { document: (await journeys.version(journeyId, chosen)).document, version: chosen };
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    const known = await journeys.list();
    return known.some((journey) => journey.id === journeyId)
      ? { missing: error.message }
      : { missing: `no journey ${journeyId} in the event store, nor a file of that name (journeys: ${known.map((journey) => journey.id).join(', ') || 'none yet'})` };
  }
}

/** The draft in the file, or null after printing why it cannot be simulated (exit code 1). */
async function readDraft(file: string, runtime: JourneySimulateRuntime): Promise<JourneyDocument | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(runtime, [`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error)}`]);
    return null;
  }
  const parsed = parseJourneySource(text, { fileName: file, format: 'auto' });
  if (parsed.ok) return parsed.journey;
  for (const issue of parsed.issues) runtime.stderr.write(`${gccLine(file, issue)}\n`);
  fail(runtime, [`${file} is not a valid journey (${parsed.issues.length} error${parsed.issues.length === 1 ? '' : 's'}): nothing simulated`]);
  return null;
}

/** A path (it exists, has a separator or a journey file's extension) rather than a journey id. */
function looksLikeFile(argument: string): boolean {
  return /\.(ya?ml|json)$/i.test(argument) || argument.includes('/') || argument.includes('\\') || existsSync(argument);
}

/** `file:line:column  path  message`, as `nudge journeys validate` prints problems. */
function gccLine(file: string, issue: JourneyIssue): string {
  const where = issue.line === null ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
  return [where, issue.path, issue.message].filter((part) => part !== '').join('  ');
}

function fail(runtime: JourneySimulateRuntime, messages: readonly string[]): void {
  for (const message of messages) runtime.stderr.write(`nudge: ${message}\n`);
  process.exitCode = 1;
}

function parseBound(value: string): Date {
  const date = parseWindowBound(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('must be a date as YYYY-MM-DD (UTC) or an ISO-8601 date-time, e.g. 2026-03-01 or 2026-03-01T09:00:00Z');
  return date;
}

function parseVersion(value: string): number {
  const version = Number(value);
  if (!/^\d+$/.test(value) || version < 1) throw new InvalidArgumentError('must be a version number (1, 2, …)');
  return version;
}

/** Columns padded to their widest cell; the columns listed in `right` are numbers, aligned right. */
function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((cell, column) => (right.includes(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ')}`.trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

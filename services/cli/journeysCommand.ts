import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { JourneyIssue } from '../../journeys/document/index.ts';
import { parseJourneySource } from '../../journeys/document/index.ts';

/** Where `nudge journeys` writes. */
export interface JourneysCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** One file's verdict, as `--json` prints it. */
export interface JourneyFileResult {
  readonly file: string;
  readonly ok: boolean;
  /** The journey's id when the file is valid. */
  readonly journeyId: string | null;
  readonly issues: readonly JourneyIssue[];
  readonly warnings: readonly JourneyIssue[];
}

/**
 *   nudge journeys validate <files...> [--json]
 *
 * Creates the `journeys` command once; each subcommand is added by its own function below, so
 * that push, list, publish, pause, diff and simulate join `validate` the same way.
 */
export function registerJourneysCommand(program: Command, io: JourneysCommandIo = { stdout: process.stdout, stderr: process.stderr }): Command {
  const journeys = program.command('journeys').description('Journeys: the decision trees that suggest the next action to the rep');
  addValidateCommand(journeys, io);
  return journeys;
}

/**
 * Checks journey files as a save would (syntax, shape, every rule), without a server or a store:
 * for editors, pre-commit hooks and pull-request checks. Problems print GCC-style,
 * `file:line:column  path  message`, so that editors and CI annotate the line. Exits 1 when a
 * file is invalid or cannot be read.
 */
function addValidateCommand(journeys: Command, io: JourneysCommandIo): void {
  journeys
    .command('validate <files...>')
    .description('Check journey files (YAML or JSON) as a save would: every problem with its line, path and what to do')
    .option('--json', 'print the results as one JSON document', false)
    .action(async (files: string[], options: { json: boolean }) => {
      const results: JourneyFileResult[] = [];
      for (const file of files) results.push(await validateFile(file));
      const invalid = results.filter((result) => !result.ok).length;
      if (options.json) {
        io.stdout.write(`${JSON.stringify({ ok: invalid === 0, valid: results.length - invalid, invalid, files: results }, null, 2)}\n`);
      } else {
        for (const result of results) io.stdout.write(describe(result));
        io.stdout.write(`${summary(results.length, invalid)}\n`);
      }
      if (invalid > 0) process.exitCode = 1;
    });
}

async function validateFile(file: string): Promise<JourneyFileResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const issue: JourneyIssue = { path: '', message: `cannot be read: ${readProblem(error)}`, line: null, column: null, severity: 'error' };
    return { file, ok: false, journeyId: null, issues: [issue], warnings: [] };
  }
  const parsed = parseJourneySource(text, { fileName: file, format: 'auto' });
  return parsed.ok
    ? { file, ok: true, journeyId: parsed.journey.id, issues: [], warnings: parsed.warnings }
    : { file, ok: false, journeyId: null, issues: parsed.issues, warnings: parsed.warnings };
}

function describe(result: JourneyFileResult): string {
  const lines = [...result.issues, ...result.warnings].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)).map((issue) => gccLine(result.file, issue));
  const head = result.ok
    ? `✓ ${result.file}: ${result.journeyId} is valid${result.warnings.length > 0 ? ` (${count(result.warnings.length, 'warning')})` : ''}`
    : `✗ ${result.file}: ${count(result.issues.length, 'error')}${result.warnings.length > 0 ? `, ${count(result.warnings.length, 'warning')}` : ''}`;
  return result.ok ? [head, ...lines, ''].join('\n') : [...lines, head, ''].join('\n');
}

/** `file:line:column  path  message`: the form editors and CI annotators jump from. */
function gccLine(file: string, issue: JourneyIssue): string {
  const where = issue.line === null ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
  const message = issue.severity === 'warning' ? `warning: ${issue.message}` : issue.message;
  return [where, issue.path, message].filter((part) => part !== '').join('  ');
}

function summary(files: number, invalid: number): string {
  if (invalid === 0) return `${count(files, 'file')} checked: all valid`;
  return `${count(files, 'file')} checked: ${files - invalid} valid, ${invalid} invalid`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function readProblem(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

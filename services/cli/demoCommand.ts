import { dirname, join } from 'node:path';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { ValidationError } from '../core/index.ts';
import type { DemoTally, DemoWorld } from '../demo/index.ts';
import { adCostCsvHeader, adCostCsvLine, buildDemoWorld, countDemoMessage, demoAdCosts, demoLimits, demoMessages, emptyDemoTally, stages } from '../demo/index.ts';

/** What `nudge demo` writes to besides files. */
export interface DemoCommandIo {
  /** Where `--out -` goes; a Node stream gets backpressure. */
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Today, for the default `--start`; the clock when not given. */
  readonly now?: () => Date;
}

interface GenerateOptions {
  leads: number;
  days: number;
  seed: number;
  start?: Date;
  out: string;
  costsOut?: string;
}

/** Lines are written in chunks of about this many characters. */
const CHUNK = 256 * 1024;

/**
 *   nudge demo generate [--leads 500] [--days 90] [--seed 1] [--start YYYY-MM-DD] [--out demo-events.jsonl|-] [--costs-out demo-costs.csv|-]
 * Writes a B2B company's history as Segment messages (JSON lines, for `nudge ingest`) and the ad
 * spend behind its paid visits (CSV). The same seed and start give the same bytes. Returns the
 * `demo` command, for its other subcommands (`demo tour`).
 */
export function registerDemoCommand(program: Command, io: DemoCommandIo): Command {
  const demo = program.command('demo').description('Demo data');
  demo
    .command('generate')
    .description('Write a realistic B2B history as Segment messages (JSON lines) and the ad spend of its paid campaigns (CSV); the same seed and start give the same files')
    .addOption(new Option('--leads <n>', 'contacts (people who identify), in accounts of several').argParser(wholeNumber(demoLimits.leads)).default(500))
    .addOption(new Option('--days <d>', 'length of the history in days').argParser(wholeNumber(demoLimits.days)).default(90))
    .addOption(new Option('--seed <s>', 'seed of the random draws').argParser(wholeNumber(demoLimits.seed)).default(1))
    .addOption(new Option('--start <YYYY-MM-DD>', 'first day, UTC (default: --days days before today)').argParser(parseDay))
    .option('--out <file>', 'the Segment messages, one JSON object per line; - for stdout', 'demo-events.jsonl')
    .option('--costs-out <file>', 'ad cost per paid campaign per day (CSV); - for stdout (default: demo-costs.csv beside --out)')
    .action(async (options: GenerateOptions, command: Command) => {
      // The costs go beside the events unless told otherwise: `--out /tmp/x/demo.jsonl` must not litter the working folder.
      options.costsOut ??= options.out === '-' ? 'demo-costs.csv' : join(dirname(options.out), 'demo-costs.csv');
      if (options.out === '-' && options.costsOut === '-') command.error('error: --out and --costs-out cannot both be - (stdout)', { exitCode: 2 });
      const start = options.start ?? daysBefore(io.now?.() ?? new Date(), options.days);
      const world = buildDemoWorld({ leads: options.leads, days: options.days, seed: options.seed, start });
      const tally = emptyDemoTally();
      await writeText(options.out, '--out', messageChunks(world, tally), io);
      const costs = demoAdCosts(world);
      await writeText(options.costsOut, '--costs-out', chunked([adCostCsvHeader, ...costs.map(adCostCsvLine)]), io);
      const spend = costs.reduce((sum, row) => sum + row.cost, 0);
      io.stderr.write(summary(world, tally, { ...options, start, costRows: costs.length, spend }));
    });
  return demo;
}

function* messageChunks(world: DemoWorld, tally: DemoTally): Generator<string> {
  let chunk = '';
  for (const message of demoMessages(world)) {
    countDemoMessage(tally, message);
    chunk += `${JSON.stringify(message)}\n`;
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

function* chunked(lines: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * Streams the chunks to a file (written beside it and renamed when complete, so a failed run
 * leaves no half file) or to stdout; both wait for the reader when it is slower.
 */
async function writeText(target: string, option: string, chunks: Iterable<string>, io: DemoCommandIo): Promise<void> {
  if (target === '-') {
    if (!(io.stdout instanceof Writable)) {
      for (const chunk of chunks) io.stdout.write(chunk);
      return;
    }
    try {
      await pipeline(Readable.from(chunks), io.stdout, { end: false });
    } catch (error) {
      // The reader went away (`| head`): what it wanted has been written.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    }
    return;
  }
  const partial = `${target}.partial-${process.pid}`;
  try {
    await pipeline(Readable.from(chunks), createWriteStream(partial));
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    const message = (error instanceof Error ? error.message : String(error)).replaceAll(partial, target);
    throw new ValidationError(`cannot write ${target}`, [{ path: option, message }]);
  }
}

function summary(world: DemoWorld, tally: DemoTally, run: GenerateOptions & { start: Date; costRows: number; spend: number }): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const count = (value: number, noun: string): string => `${n(value)} ${noun}${value === 1 ? '' : 's'}`;
  const lastDay = new Date(world.endMs - 1).toISOString().slice(0, 10);
  const types = Object.entries(tally.byType).map(([type, count]) => `${type} ${n(count)}`);
  const funnel = stages.map((stage) => `${stage} ${n(tally.stages[stage])}`);
  const written = [run.out, run.costsOut].filter((file) => file !== '-');
  return [
    `Generated ${count(tally.messages, 'message')}: ${count(world.contacts.length, 'lead')} in ${count(world.accounts.length, 'account')}, ${count(world.visitors.length, 'anonymous visitor')}, ${run.start.toISOString().slice(0, 10)} to ${lastDay} (seed ${run.seed})`,
    `  calls:  ${types.join(' · ')}`,
    `  funnel: ${funnel.join(' → ')}`,
    `  ad spend: ${n(Math.round(run.spend))} USD in ${n(run.costRows)} rows (campaign × day)`,
    ...(written.length > 0 ? [`Wrote ${written.join(' and ')}`] : []),
    ...(run.out !== '-' ? [`Load it with: nudge ingest ${run.out}`] : []),
    '',
  ].join('\n');
}

function wholeNumber(limits: { readonly min: number; readonly max: number }): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isInteger(number) || number < limits.min || number > limits.max) {
      throw new InvalidArgumentError(`must be a whole number from ${limits.min} to ${limits.max}`);
    }
    return number;
  };
}

function parseDay(value: string): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = day === null ? null : new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
  if (date === null || date.toISOString().slice(0, 10) !== value) throw new InvalidArgumentError('must be a date as YYYY-MM-DD, e.g. 2026-01-01');
  return date;
}

/** UTC midnight `days` days before the day of `now`. */
function daysBefore(now: Date, days: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days));
}

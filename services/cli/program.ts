import { Command, InvalidArgumentError, Option } from 'commander';
import type { Config, Role } from '../config/index.ts';
import { describeEnvironment, roles } from '../config/index.ts';
import type { JourneyService } from '../../journeys/authoring/index.ts';
import type { EventStore, RuleEvaluator } from '../ports/index.ts';
import type { QueueView } from '../suggestions/index.ts';
import { formatQueue } from './queueFormat.ts';
import type { AnalyticsAccess } from './analyticsCommands.ts';
import { registerAnalyticsCommands } from './analyticsCommands.ts';
import { registerDemoCommand } from './demoCommand.ts';
import { registerDemoTourCommand } from './demoTourCommand.ts';
import { formatEvent } from './eventFormat.ts';
import type { AdCostReport } from '../ingest/index.ts';
import type { CliIngestion } from './ingestCommand.ts';
import { registerIngestCommand } from './ingestCommand.ts';
import { registerJourneyAuthoringCommands } from './journeyAuthoringCommands.ts';
import { registerJourneySimulateCommand } from './journeySimulateCommand.ts';
import { registerJourneyStatsCommand } from './journeyStatsCommand.ts';
import { registerJourneysCommand } from './journeysCommand.ts';
import { registerQuarantineCommand } from './quarantineCommand.ts';
import type { RepsRuntime } from './repsCommand.ts';
import { registerRepsCommand } from './repsCommand.ts';

/** What the CLI needs from the composition root; main.ts supplies the real adapters. */
export interface CliRuntime {
  readonly version: string;
  loadConfig(): Config;
  openEventStore(config: Config, options: { readOnly: boolean }): EventStore;
  openIngestion(config: Config): Promise<CliIngestion>;
  /** Rebuilds the lead index from the store; resolves with the position it reached. */
  rebuildLeadIndex(config: Config): Promise<number>;
  serve(config: Config, overrides: { host?: string; port?: number; demo?: boolean; roles?: readonly Role[] }): Promise<void>;
  /** A rep's queue as of now (`nudge queue --rep`). */
  readQueue(config: Config, repId: string, options: { action?: string; due?: 'today' | 'overdue' }): Promise<QueueView>;
  /** Sends a rep's morning digest now (`nudge digest send --rep`). */
  sendDigest(config: Config, repId: string, force: boolean): Promise<{ status: 'sent' | 'already_sent'; repId: string; day: string; items: number } | { status: 'failed'; repId: string; day: string; error: string }>;
  /** The condition evaluator journeys run with (for `nudge journeys simulate`). */
  ruleEvaluator(): RuleEvaluator;
  /** The journey service on the configured event store (for `nudge journeys push|list|…`). */
  openJourneys(config: Config): Promise<{ journeys: JourneyService; close(): Promise<void> }>;
  /** Reps and hand reassignment on the configured event store (for `nudge reps …` and `nudge leads assign`). */
  openReps(config: Config): ReturnType<RepsRuntime['openReps']>;
  /** Analytics (projections, SQL): the engine, or the running server's API while it holds the engine. */
  openAnalyticsAccess(config: Config): Promise<AnalyticsAccess>;
  importCosts(config: Config, csv: string): Promise<AdCostReport>;
  /** `http://host:port` of the server this configuration runs (`nudge demo tour`). */
  apiBase(config: Config): string;
  /** The admin API token the CLI asks the running server with. */
  apiToken(config: Config): string;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 *   nudge serve [--host H] [--port P] [--demo | --no-demo] [--role api,ingest-worker,runner,projector,scorer|all]
 *   nudge events tail [-n 20] [--no-follow] [--json]
 *   nudge events stream <name> [--from R] [--backwards] [--limit N] [--json]
 *   nudge config
 *   nudge ingest <file.jsonl>
 *   nudge quarantine list|show|retry|drop
 *   nudge leads rebuild
 *   nudge leads assign <leadId> <repId> --reason "…"
 *   nudge reps add|list|show|update|deactivate|reactivate
 *   nudge demo tour [--rep <id>] [--json]
 *   nudge demo generate [--leads N] [--days D] [--seed S] [--start YYYY-MM-DD] [--out F] [--costs-out F]
 *   nudge journeys validate|push|list|show|publish|pause|archive|diff|simulate|stats
 *   nudge queue --rep <id> [--action A] [--due today|overdue] [--json]
 *   nudge digest send --rep <id> [--force]
 *   nudge projections status|rebuild
 *   nudge sql "<SELECT …>" [--format table|csv|json]
 *   nudge costs import <file.csv>
 */
export function buildProgram(runtime: CliRuntime): Command {
  const program = new Command('nudge')
    .description('Nudge: event-sourced lead nurturing. Journeys suggest the next action to the rep, with the reason.')
    .version(runtime.version)
    .showHelpAfterError()
    // Options after a subcommand belong to it: `journeys simulate … --version 2` is not `nudge --version`.
    .enablePositionalOptions();

  program
    .command('serve')
    .description('Run the API server on the configured backends (embedded by default). This is the main job.')
    .option('--host <host>', 'interface to listen on (overrides HOST)')
    .option('--port <port>', 'port to listen on (overrides PORT)', parsePort)
    .option('--demo', 'load the demo company into an empty data folder first (overrides NUDGE_DEMO; npm start sets it)')
    .option('--no-demo', 'start empty, for real use (overrides NUDGE_DEMO)')
    .option('--role <roles>', `what this process runs, comma-separated: ${roles.join(', ')} (overrides NUDGE_ROLES; docs/scale.md)`, parseRoles)
    .action(async (options: { host?: string; port?: number; demo?: boolean; role?: Role[] }) => {
      const { role, ...rest } = options;
      await runtime.serve(runtime.loadConfig(), { ...rest, ...(role === undefined ? {} : { roles: role }) });
    });

  program
    .command('config')
    .description('List the environment variables Nudge reads, their defaults, and the values in force')
    .action(() => {
      const config = runtime.loadConfig();
      for (const variable of describeEnvironment()) {
        runtime.stdout.write(`${variable.name.padEnd(26)} ${(variable.default || '-').padEnd(12)} ${variable.description}\n`);
      }
      runtime.stdout.write(`\nIn force: data in ${config.dataDir}; API on http://${config.http.host}:${config.http.port}\n`);
    });

  const events = program.command('events').description('Inspect the event store');

  events
    .command('tail')
    .description('Print the newest events, then follow new ones as they are appended (Ctrl-C stops)')
    .addOption(new Option('-n, --lines <count>', 'how many recent events to print first').argParser(parseCount).default(10))
    .option('--no-follow', 'print the recent events and exit')
    .option('--json', 'one JSON object per line', false)
    .action(async (options: { lines: number; follow: boolean; json: boolean }) => {
      const config = runtime.loadConfig();
      const store = runtime.openEventStore(config, { readOnly: true });
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const recent = options.lines === 0 ? [] : await store.readAll({ direction: 'backwards', limit: options.lines });
        for (const event of recent.reverse()) runtime.stdout.write(`${formatEvent(event, options)}\n`);
        if (!options.follow) return;
        const after = recent.at(-1)?.position ?? (await store.headPosition());
        for await (const batch of store.subscribe({ after, signal: stop.signal })) {
          for (const event of batch.events) runtime.stdout.write(`${formatEvent(event, options)}\n`);
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await store.close();
      }
    });

  events
    .command('stream <name>')
    .description('Print the events of one stream, e.g. lead-<id>')
    .option('--from <revision>', 'first revision to print', parseCount)
    .option('--backwards', 'newest first', false)
    .addOption(new Option('--limit <count>', 'most events to print').argParser(parseCount))
    .option('--json', 'one JSON object per line', false)
    .action(async (name: string, options: { from?: number; backwards: boolean; limit?: number; json: boolean }) => {
      const config = runtime.loadConfig();
      const store = runtime.openEventStore(config, { readOnly: true });
      try {
        const revision = await store.streamRevision(name);
        if (revision === null) {
          process.exitCode = 1;
          console.error(`nudge: stream ${name} has no events`);
          return;
        }
        const read = await store.readStream(name, {
          direction: options.backwards ? 'backwards' : 'forwards',
          ...(options.from !== undefined ? { from: options.from } : {}),
          ...(options.limit !== undefined ? { limit: options.limit } : {}),
        });
        for (const event of read) runtime.stdout.write(`${formatEvent(event, options)}\n`);
      } finally {
        await store.close();
      }
    });

  const ingestRuntime = { openIngestion: () => runtime.openIngestion(runtime.loadConfig()), stdout: runtime.stdout, stderr: runtime.stderr };
  registerIngestCommand(program, ingestRuntime);
  registerQuarantineCommand(program, ingestRuntime);

  program
    .command('leads')
    .description('The lead index (identities, profiles, timelines)')
    .command('rebuild')
    .description('Throw the lead index away and rebuild it from the event store (stop the server first)')
    .action(async () => {
      const started = performance.now();
      const position = await runtime.rebuildLeadIndex(runtime.loadConfig());
      runtime.stdout.write(`Lead index rebuilt from ${position} events in ${((performance.now() - started) / 1_000).toFixed(1)} s\n`);
    });

  registerAnalyticsCommands(program, {
    openAnalytics: () => runtime.openAnalyticsAccess(runtime.loadConfig()),
    importCosts: (csv) => runtime.importCosts(runtime.loadConfig(), csv),
    stdout: runtime.stdout,
    stderr: runtime.stderr,
  });
  registerRepsCommand(program, { openReps: () => runtime.openReps(runtime.loadConfig()), stdout: runtime.stdout });
  const demo = registerDemoCommand(program, runtime);
  registerDemoTourCommand(demo, { loadConfig: () => runtime.loadConfig(), apiBase: (config) => runtime.apiBase(config), apiToken: (config) => runtime.apiToken(config), fetch, stdout: runtime.stdout, stderr: runtime.stderr });
  const journeys = registerJourneysCommand(program, runtime);
  registerJourneyAuthoringCommands(journeys, {
    openJourneys: () => runtime.openJourneys(runtime.loadConfig()),
    stdout: runtime.stdout,
    stderr: runtime.stderr,
  });
  const openReadOnlyStore = () => {
    const store = runtime.openEventStore(runtime.loadConfig(), { readOnly: true });
    return Promise.resolve({ store, close: () => store.close() });
  };
  registerJourneySimulateCommand(journeys, { openStore: openReadOnlyStore, evaluator: () => runtime.ruleEvaluator(), stdout: runtime.stdout, stderr: runtime.stderr });
  registerJourneyStatsCommand(journeys, { openStore: openReadOnlyStore, stdout: runtime.stdout });

  program
    .command('queue')
    .description("A rep's queue: what to do today, in order, and why (unassigned: leads without an owner)")
    .requiredOption('--rep <id>', 'the rep, or unassigned')
    .addOption(new Option('--action <action>', 'only this action').choices(['call', 'email', 'chat', 'linkedin', 'meeting', 'task']))
    .addOption(new Option('--due <when>', 'only those due today, or overdue').choices(['today', 'overdue']))
    .option('--json', 'the queue as JSON', false)
    .action(async (options: { rep: string; action?: string; due?: 'today' | 'overdue'; json: boolean }) => {
      const view = await runtime.readQueue(runtime.loadConfig(), options.rep, { ...(options.action ? { action: options.action } : {}), ...(options.due ? { due: options.due } : {}) });
      runtime.stdout.write(options.json ? `${JSON.stringify(view, null, 2)}\n` : formatQueue(view));
    });

  program
    .command('digest')
    .description("The reps' morning digest (nudge serve sends it each morning in the rep's time zone)")
    .command('send')
    .description("Send a rep's digest of today's queue now")
    .requiredOption('--rep <id>', 'the rep')
    .option('--force', 'send even if today’s digest went already', false)
    .action(async (options: { rep: string; force: boolean }) => {
      const outcome = await runtime.sendDigest(runtime.loadConfig(), options.rep, options.force);
      if (outcome.status === 'failed') {
        runtime.stderr.write(`nudge: ${outcome.repId}'s digest for ${outcome.day} could not be sent: ${outcome.error}\n`);
        process.exitCode = 1;
        return;
      }
      runtime.stdout.write(
        outcome.status === 'sent'
          ? `Sent ${outcome.repId}'s digest for ${outcome.day}: ${outcome.items} suggestion${outcome.items === 1 ? '' : 's'} for today\n`
          : `${outcome.repId}'s digest for ${outcome.day} went already (--force sends it again)\n`,
      );
    });

  return program;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return port;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return count;
}

function parseRoles(value: string): Role[] {
  const asked = value.split(',').map((role) => role.trim()).filter((role) => role !== '');
  const unknown = asked.filter((role) => !(roles as readonly string[]).includes(role));
  if (asked.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`must be a comma-separated list of ${roles.join(', ')}${unknown.length > 0 ? ` (not: ${unknown.join(', ')})` : ''}`);
  return asked as Role[];
}

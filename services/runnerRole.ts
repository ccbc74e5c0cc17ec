/**
 * The pieces of the runner role shared by `nudge serve` (services/main.ts) and the runner thread
 * it starts (services/runnerThread.ts): the routing rules and the loops of the lead router and the
 * journey runner. Kept apart from main.ts so the thread loads only what it runs: not the HTTP
 * server, and not the analytics engine's native library, which must be loaded by one thread of a
 * process only.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { createCompiledEvaluator } from '../infra/rules/index.ts';
import { createJourneyRunner } from '../journeys/runner/index.ts';
import type { Config } from './config/index.ts';
import { ConfigError } from './core/index.ts';
import type { RoutingRules } from './leads/index.ts';
import { createLeadRouter, defaultRoutingFile, parseRoutingRules } from './leads/index.ts';
import type { Checkpoints, EventStore } from './ports/index.ts';
import { keepRunning, readSettingFile } from './serverSupport.ts';

/** The routing rules in force: NUDGE_ROUTING_RULES's file, else the shipped one (docs/reps-and-routing.md). */
export function routingRules(config: Config): RoutingRules {
  const file = config.routing.rulesFile ?? defaultRoutingFile;
  const text = readSettingFile('NUDGE_ROUTING_RULES', file);
  try {
    return parseRoutingRules(text, { fileName: file });
  } catch (error) {
    throw new ConfigError(`NUDGE_ROUTING_RULES: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** What of the runner role a process or thread runs: the lead router (first shard only) and the journey runner. */
export interface RunnerWork {
  readonly routing: boolean;
  readonly running: boolean;
}

/**
 * The runner role's loops over `store` until `signal` aborts: the lead router and the journey
 * runner. They keep their state in memory: a failed one is replaced by a fresh instance that
 * rebuilds from the store (never the same instance twice over the same events).
 */
export async function runRunnerLoops(config: Config, parts: { store: EventStore; checkpoints: Checkpoints; logger: Logger }, work: RunnerWork, signal: AbortSignal): Promise<void> {
  const { store, checkpoints, logger } = parts;
  const shard = config.runnerShard;
  const rules = work.routing && config.routing.enabled ? routingRules(config) : null;
  const routing = rules
    ? keepRunning('the lead router', logger, signal, (signal) =>
        createLeadRouter({
          store,
          checkpoints,
          rules,
          onDecision: (leadId, decision) => {
            if (decision.kind === 'assign') logger.debug({ leadId, ownerId: decision.ownerId, rule: decision.ruleId }, `lead routed to ${decision.ownerId} (${decision.reason})`);
            else logger.info({ leadId, team: decision.team, rule: decision.ruleId, why: decision.why, skipped: decision.skipped }, `lead left in team ${decision.team}'s queue: ${decision.why === 'no_reps_in_team' ? 'the team has no reps' : 'no rep of the team is available'}`);
          },
        }).run(signal),
      )
    : Promise.resolve();
  const running = work.running
    ? keepRunning('the journey runner', logger, signal, (signal) =>
        createJourneyRunner({
          ...(shard === undefined ? {} : { shard }),
          store,
          checkpoints,
          evaluator: createCompiledEvaluator(),
          mergeWindowMs: config.suggestions.mergeWindowMs,
          onError: (error, context) => logger.error({ err: error }, `journey runner: ${context}`),
        }).run(signal),
      )
    : Promise.resolve();
  await Promise.all([routing, running]);
}

/** What the runner thread is started with. */
export interface RunnerThreadData {
  readonly config: Config;
  readonly work: RunnerWork;
  /** A port to the main store's writer thread, to commit through (one writer for the file); null: commit on the runner thread. */
  readonly writerPort: MessagePort | null;
}

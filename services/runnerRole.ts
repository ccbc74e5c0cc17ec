/**
 * The pieces of the runner role shared by `nudge serve` (services/main.ts) and the runner thread
 * it starts (services/runnerThread.ts): the logger, the background-loop keeper, the routing rules
 * and the loops of the lead router and the journey runner. Kept apart from main.ts so the thread
 * loads only what it runs: not the HTTP server, and not the analytics engine's native library,
 * which must be loaded by one thread of a process only.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { createCompiledEvaluator } from '../infra/rules/index.ts';
import { createJourneyRunner } from '../journeys/runner/index.ts';
import type { Config } from './config/index.ts';
import { ConfigError } from './core/index.ts';
import type { RoutingRules } from './leads/index.ts';
import { createLeadRouter, defaultRoutingFile, parseRoutingRules } from './leads/index.ts';
import type { Checkpoints, EventStore } from './ports/index.ts';

/** The process's logger: JSON lines, or pretty on a terminal (NUDGE_LOG_FORMAT). */
export function createLogger(config: Config): Logger {
  const usePretty = config.log.format === 'pretty' || (config.log.format === 'auto' && process.stdout.isTTY);
  const options = {
    level: config.log.level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  };
  return usePretty ? pino(options, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })) : pino(options);
}

/**
 * Runs a background loop until the signal aborts; when it fails, logs why and starts it again
 * after a pause that doubles up to a minute, so one bad moment (a locked database, a bug on one
 * event) does not silently stop journeys, routing or the queue for the life of the process.
 */
export async function keepRunning(name: string, logger: Logger, signal: AbortSignal, start: (signal: AbortSignal) => Promise<void>): Promise<void> {
  for (let failures = 0; !signal.aborted; ) {
    try {
      await start(signal);
      failures = 0;
      // Ended without being asked to: start again, but not in a tight loop.
      if (!signal.aborted) await delay(1_000, undefined, { signal }).catch(() => undefined);
    } catch (error) {
      if (signal.aborted) return;
      failures++;
      const pauseMs = Math.min(60_000, 1_000 * 2 ** (failures - 1));
      logger.error({ err: error, retryInMs: pauseMs }, `${name} stopped; starting it again in ${pauseMs / 1_000} s`);
      await delay(pauseMs, undefined, { signal }).catch(() => undefined);
    }
  }
}

/** A file a setting names, as text; a ConfigError naming the setting when it cannot be read. */
export function readSettingFile(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

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
}

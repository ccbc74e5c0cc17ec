/**
 * The composition root: reads configuration once, picks the adapters, starts what is asked.
 * Nothing else in the product imports an adapter (the dependency rule, checked by depcruise).
 */
import { existsSync } from 'node:fs';
import closeWithGrace from 'close-with-grace';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { createSqliteEventStore } from '../infra/sqlite/index.ts';
import packageJson from '../package.json' with { type: 'json' };
import { buildProgram, type CliRuntime } from './cli/program.ts';
import type { Config } from './config/index.ts';
import { loadConfig, resolveApiTokens } from './config/index.ts';
import { ConfigError, NudgeError, UnavailableError } from './core/index.ts';
import { buildApp, DOCS_PREFIX } from './http/index.ts';
import type { EventStore } from './ports/index.ts';

export const version: string = packageJson.version;

export function openEventStore(config: Config, options: { readOnly: boolean } = { readOnly: false }): EventStore {
  const { path, synchronous } = config.eventStore;
  if (options.readOnly && !existsSync(path)) {
    throw new UnavailableError(`no event store at ${path} yet: start the server once (nudge serve) or set NUDGE_DATA_DIR`);
  }
  return createSqliteEventStore({ path, synchronous, readOnly: options.readOnly });
}

export function createLogger(config: Config): Logger {
  const usePretty = config.log.format === 'pretty' || (config.log.format === 'auto' && process.stdout.isTTY);
  const options = {
    level: config.log.level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  };
  return usePretty ? pino(options, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })) : pino(options);
}

/** `nudge serve`: the API server on the configured backends, until SIGINT/SIGTERM. */
export async function serve(config: Config, overrides: { host?: string; port?: number } = {}): Promise<void> {
  const logger = createLogger(config);
  const host = overrides.host ?? config.http.host;
  const port = overrides.port ?? config.http.port;
  const tokens = resolveApiTokens(config.apiTokens, config.dataDir);
  const eventStore = openEventStore(config);
  const app = await buildApp({
    eventStore,
    apiTokens: tokens.tokens,
    logger,
    version,
    bodyLimitBytes: config.http.bodyLimitBytes,
  });

  closeWithGrace({ delay: config.shutdownGraceMs, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await app.close();
    await eventStore.close();
  });

  const address = await app.listen({ host, port });
  const url = address.replace('[::1]', 'localhost');
  logger.info({ url, dataDir: config.dataDir }, `Nudge ${version} listening on ${url}`);
  logger.info(`API docs: ${url}${DOCS_PREFIX} (user: anything, password: the API token)`);
  if (tokens.generated) {
    logger.warn(`Generated an admin API token, kept in ${tokens.file} (mode 0600): ${tokens.tokens[0]}`);
  } else if (tokens.file !== undefined) {
    logger.info(`API token: in ${tokens.file}`);
  }
}

/** Runs the `nudge` command line; returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const runtime: CliRuntime = {
    version,
    loadConfig: () => loadConfig(process.env),
    openEventStore,
    serve,
    stdout: process.stdout,
  };
  try {
    await buildProgram(runtime).parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`nudge: ${error.message}`);
      return 2;
    }
    if (error instanceof NudgeError) {
      console.error(`nudge: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

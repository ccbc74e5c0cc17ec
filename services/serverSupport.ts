/**
 * What `nudge serve` (services/main.ts) and the threads it starts (services/runnerThread.ts,
 * services/projectorThread.ts) share: the logger, the background-loop keeper, reading a file a
 * setting names. Nothing here loads an adapter: a thread loads only what it runs (not the HTTP
 * server, and not the analytics engine's native library, which one thread of a process loads).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config/index.ts';
import { ConfigError } from './core/index.ts';

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


/**
 * The runner thread (`NUDGE_RUNNER_THREAD=on`, the default with the SQLite store): the journey
 * runner and the lead router on a worker thread of `nudge serve`, beside the API and ingestion on
 * the main thread. A second composition root, started only by services/main.ts: it opens its own
 * connections to the event store and the checkpoints (its appends are committed by the main
 * store's writer thread, so the event store has one writer, and each commit wakes the other
 * thread's subscriptions at once), runs the loops until the main thread posts 'stop', then closes
 * its files and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSqliteCheckpoints, createSqliteEventStore } from '../infra/sqlite/index.ts';
import type { RunnerThreadData } from './runnerRole.ts';
import { runRunnerLoops } from './runnerRole.ts';
import { createLogger } from './serverSupport.ts';

const { config, work, writerPort } = workerData as RunnerThreadData;
if (parentPort === null || config.eventStore.kind !== 'sqlite') throw new Error('services/runnerThread.ts runs as the SQLite runner thread of nudge serve');
const port = parentPort;
const logger = createLogger(config).child({ thread: 'runner' });
const stop = new AbortController();
port.on('message', (message) => {
  if (message === 'stop') stop.abort();
});
// Commits through the main store's writer thread: the file has one writer, so the runner's commits
// and ingestion's never wait on each other's lock or fsync apart. Without one, on this thread
// (blocking here blocks only the runner).
const store = createSqliteEventStore({
  path: config.eventStore.path,
  synchronous: config.eventStore.synchronous,
  ...(writerPort === null ? { writerThread: false } : { writerPort }),
});
const checkpoints = createSqliteCheckpoints({ path: config.journeys.checkpointsPath });
let exitCode = 0;
try {
  await runRunnerLoops(config, { store, checkpoints, logger }, work, stop.signal);
} catch (error) {
  logger.error({ err: error }, 'the runner thread failed');
  exitCode = 1;
} finally {
  await checkpoints.close().catch((error: unknown) => logger.error({ err: error }, 'closing the checkpoints failed'));
  await store.close().catch((error: unknown) => logger.error({ err: error }, 'closing the event store failed'));
}
// Ends this thread only (not the process), whatever timers the loops left (a journey's next wake-up).
process.exit(exitCode);

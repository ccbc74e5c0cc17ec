/**
 * The projector thread (`NUDGE_PROJECTOR_THREAD=on`, the default with the SQLite store): the
 * analytics projector on a worker thread of `nudge serve`. It reads the store through its own
 * read-only connection (each commit of the process wakes it at once), turns the events into rows
 * and encodes them here; the engine stays on the main thread (chDB's native library is loaded by
 * one thread of a process), which takes each insert through a MessagePort
 * (infra/clickhouse/analyticsOverPort.ts). A second composition root, started only by
 * services/main.ts: it runs until the main thread posts 'stop', answers 'rebuild' requests, then
 * closes its files and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyticsOverPort } from '../infra/clickhouse/analyticsOverPort.ts';
import { createSqliteEventStore } from '../infra/sqlite/index.ts';
import { ProjectorService } from '../projections/index.ts';
import type { ProjectorThreadData, ProjectorThreadReply, ProjectorThreadRequest } from './projectorThreadProtocol.ts';
import { createLogger, keepRunning } from './serverSupport.ts';

const { config, analyticsPort, engine } = workerData as ProjectorThreadData;
if (parentPort === null || config.eventStore.kind !== 'sqlite') throw new Error('services/projectorThread.ts runs as the projector thread of nudge serve on the SQLite store');
const port = parentPort;
const logger = createLogger(config).child({ thread: 'projector' });
const stop = new AbortController();
const store = createSqliteEventStore({ path: config.eventStore.path, readOnly: true });
const analytics = analyticsOverPort(analyticsPort, engine);
const shard = config.projectorShard;
const projections = new ProjectorService({ store, analytics, ...(shard === undefined ? {} : { shard }) });
port.on('message', (message: ProjectorThreadRequest) => {
  if (message === 'stop') {
    stop.abort();
    return;
  }
  if (message.op === 'rebuild') {
    projections.rebuild().then(
      () => port.postMessage({ id: message.id } satisfies ProjectorThreadReply),
      (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies ProjectorThreadReply),
    );
  }
});
let exitCode = 0;
try {
  await keepRunning('the analytics projector', logger, stop.signal, (signal) => projections.run(signal));
} catch (error) {
  logger.error({ err: error }, 'the projector thread failed');
  exitCode = 1;
} finally {
  await analytics.close();
  await store.close().catch((error: unknown) => logger.error({ err: error }, 'closing the event store failed'));
}
// Ends this thread only (not the process), whatever timers the projector left.
process.exit(exitCode);

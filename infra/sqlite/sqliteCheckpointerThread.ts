/**
 * The SQLite event store's checkpointer thread: it copies the WAL into the database file in the
 * background, so the writer thread's commits never run a checkpoint themselves. Under load the WAL
 * grows by a page per random-key index entry (ids, streams): with SQLite's automatic checkpoints,
 * one commit in a few dozen copied tens of megabytes and fsynced the file, and every message of
 * that commit, and of the commits queued behind it, waited for it.
 *
 * Every `intervalMs` it runs a PASSIVE checkpoint on a connection of its own: it copies what the
 * readers no longer need and never blocks the writer or a reader. The WAL starts over from its
 * beginning only when a write finds it wholly copied; while commits keep coming, a checkpoint
 * rarely ends before the next one, so once the WAL holds `restartFrames` frames the thread asks
 * the writer to copy the few frames left between two of its commits (its next commit then starts
 * the WAL over). Every commit waits while the writer copies, so before asking the thread catches
 * up (walCatchUp.ts): the writer is left the frames of the last few milliseconds, not of the last
 * interval. While the writer finishes, the thread stays out of its way. Started and stopped by the writer thread
 * (sqliteWriterThread.ts):
 *
 *   ← { finish: true }      copy the rest: the WAL holds restartFrames frames or more
 *   → { finished: true }    the writer copied them; ask again when the WAL has grown back
 *   → { close: true }       close the connection and end
 *   ← { failed: message }   a checkpoint failed (not for being busy): the thread ends, and the
 *                           writer goes back to SQLite's automatic checkpoints
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointResult } from './walCatchUp.ts';
import { catchUpBeforeFinish } from './walCatchUp.ts';

export interface CheckpointerOptions {
  readonly path: string;
  /** How often to copy the WAL into the file. */
  readonly intervalMs: number;
  /** WAL size (in pages) from which the writer is asked to copy the rest, so the WAL starts over. */
  readonly restartFrames: number;
}

export type CheckpointerMessage = { readonly finished: true } | { readonly close: true };
export type CheckpointerReply = { readonly finish: true } | { readonly failed: string };

/** Asked, and no answer for this many intervals: the writer has no commits to finish after (another process writes); ask again. */
const ASK_PATIENCE_INTERVALS = 8;

const port = parentPort;
if (port === null) throw new Error('sqliteCheckpointerThread.ts runs as a worker thread of the SQLite event store');
const options = workerData as CheckpointerOptions;

let db: DatabaseSync | null = null;
let timer: NodeJS.Timeout | undefined;
/** When the writer was asked to finish (performance.now()), and has not said it has; null: not asked. */
let askedAt: number | null = null;

function stop(): void {
  clearTimeout(timer);
  timer = undefined;
  db?.close();
  db = null;
  port?.close();
}

function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: unknown }).errcode;
  return code === 5 || code === 6 || (error instanceof Error && /database is locked|database table is locked/.test(error.message));
}

function checkpoint(connection: DatabaseSync): CheckpointResult {
  return connection.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() as unknown as CheckpointResult;
}

function tick(): void {
  if (db === null) return;
  try {
    // While the writer finishes, a checkpoint here would only make its own one busy.
    if (askedAt !== null && performance.now() - askedAt > ASK_PATIENCE_INTERVALS * options.intervalMs) askedAt = null;
    if (askedAt === null) {
      const connection = db;
      if (catchUpBeforeFinish(() => checkpoint(connection), options.restartFrames).ask) {
        askedAt = performance.now();
        port?.postMessage({ finish: true } satisfies CheckpointerReply);
      }
    }
  } catch (error) {
    // Another connection's checkpoint is running: try again next time.
    if (!isBusy(error)) {
      port?.postMessage({ failed: error instanceof Error ? error.message : String(error) } satisfies CheckpointerReply);
      stop();
      return;
    }
  }
  timer = setTimeout(tick, options.intervalMs);
}

try {
  // Only ever checkpoints: it waits for no lock (a busy checkpoint is simply tried again).
  db = new DatabaseSync(options.path, { timeout: 0 });
  port.on('message', (message: CheckpointerMessage) => {
    if ('close' in message) stop();
    else askedAt = null;
  });
  timer = setTimeout(tick, options.intervalMs);
} catch (error) {
  port.postMessage({ failed: error instanceof Error ? error.message : String(error) } satisfies CheckpointerReply);
  stop();
}

/**
 * The SQLite event store's writer thread: it owns the store's write connection and runs its group
 * commits (SqliteAppender), so the inserts, the WAL writes and the fsync of each commit happen
 * beside the event loop instead of blocking it. Started by the store (sqliteEventStore.ts); talks
 * to it in plain messages:
 *
 *   → { id, packed }                       a group commit (its appends packed: writerPacking.ts)
 *   ← { id, outcomes } | { id, failure }   its outcomes, or why the whole commit failed
 *   ← { opened: false, failure }           the file could not be opened (then the thread ends)
 *   → { close: true }                      close the connection and end
 *   ← { committed: rows }                  the rows a connected store's commit stored, so that the
 *                                          owner's tail holds every event in order (see below)
 *   → { connect: port }                    serve group commits on this MessagePort too: another
 *                                          store of the process (on another thread) commits
 *                                          through this connection instead of its own, so the
 *                                          file has one writer and its commits never wait on
 *                                          each other's lock; { close: true } on that port ends
 *                                          only that port
 *
 * With `checkpointer` options it starts the checkpointer thread (sqliteCheckpointerThread.ts) and
 * turns its connection's automatic checkpoints off: checkpoints then run beside the commits, and
 * the writer only copies the last few frames between two commits when the checkpointer asks (so
 * that the WAL starts over). Should the checkpointer fail, automatic checkpoints come back. On
 * close it stops the checkpointer first.
 */
import type { DatabaseSync } from 'node:sqlite';
import { extname } from 'node:path';
import { type MessagePort, parentPort, Worker, workerData } from 'node:worker_threads';
import type { CheckpointerMessage, CheckpointerOptions, CheckpointerReply } from './sqliteCheckpointerThread.ts';
import type { AppendOutcome, AppendRequest } from './sqliteAppender.ts';
import { SqliteAppender } from './sqliteAppender.ts';
import { type PackedRequests, textOf, unpackRequests } from './writerPacking.ts';
import { AUTOCHECKPOINT_PAGES, type CommitAnnouncement, commitsChannelName, openWriterConnection, type WriterConnectionOptions } from './sqliteWriterConnection.ts';

export type WriterMessage = { readonly id: number; readonly packed: PackedRequests } | { readonly close: true } | { readonly connect: MessagePort };

/** A stored event as the store's tail keeps it: position, id, stream, revision, type, data and metadata (JSON). */
export type CommittedRow = [position: number, id: string, stream: string, revision: number, type: string, data: string, metadata: string];

export type WriterReply =
  | { readonly id: number; readonly outcomes: readonly AppendOutcome[] }
  | { readonly committed: readonly CommittedRow[] }
  | { readonly id: number; readonly failure: string }
  | { readonly opened: false; readonly failure: string };

if (parentPort === null) throw new Error('sqliteWriterThread.ts runs as a worker thread of the SQLite event store');
const port: MessagePort = parentPort;

const options = workerData as WriterConnectionOptions;
let db: DatabaseSync | null = null;
let appender: SqliteAppender | null = null;
try {
  db = openWriterConnection(options);
  appender = new SqliteAppender(db);
} catch (error) {
  port.postMessage({ opened: false, failure: error instanceof Error ? error.message : String(error) } satisfies WriterReply);
  port.close();
}

/**
 * Each commit that stored events is announced here, so that every store of the file in this
 * process wakes its subscriptions at once (posting costs a few hundred microseconds at times: here
 * it is off the event loops that ask for the commits).
 */
const commits = new BroadcastChannel(commitsChannelName(options.path));
commits.unref();

/** The checkpointer thread, while it runs. */
let checkpointer: Worker | null = null;
/** The checkpointer asked for the last frames to be copied (after the next commit). */
let finishCheckpoint = false;
if (db !== null && options.checkpointer && options.path !== ':memory:') startCheckpointer(db, options.checkpointer);

function startCheckpointer(connection: DatabaseSync, settings: NonNullable<WriterConnectionOptions['checkpointer']>): void {
  const extension = extname(new URL(import.meta.url).pathname);
  const worker = new Worker(new URL(`./sqliteCheckpointerThread${extension}`, import.meta.url), {
    workerData: { path: options.path, ...settings } satisfies CheckpointerOptions,
  });
  worker.unref();
  connection.exec('PRAGMA wal_autocheckpoint = 0');
  checkpointer = worker;
  const fallBack = (): void => {
    if (checkpointer !== worker) return;
    checkpointer = null;
    finishCheckpoint = false;
    if (connection.isOpen) connection.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  worker.on('message', (reply: CheckpointerReply) => {
    if ('finish' in reply) finishCheckpoint = true;
    else fallBack();
  });
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
}

/** Copies the frames the checkpointer left, between two commits, so the next commit starts the WAL over. */
function finishCheckpointing(): void {
  if (!finishCheckpoint || db === null || checkpointer === null) return;
  try {
    const result = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() as { busy: number };
    // Busy: the checkpointer is copying right now; try again after the next commit.
    if (result.busy !== 0) return;
  } catch {
    return;
  }
  finishCheckpoint = false;
  checkpointer.postMessage({ finished: true } satisfies CheckpointerMessage);
}

/** Stops the checkpointer (it closes its connection), then runs `then`. */
function stopCheckpointer(then: () => void): void {
  const worker = checkpointer;
  if (worker === null) {
    then();
    return;
  }
  checkpointer = null;
  worker.ref();
  worker.once('exit', then);
  worker.postMessage({ close: true } satisfies CheckpointerMessage);
}

/** The ports other stores commit through: closed with the owner's, so those stores know and the thread can end. */
const connected = new Set<MessagePort>();
serve(port, true);

/** Group commits asked for on `from`: the store that started the thread (owner), or one it connected. */
function serve(from: MessagePort, owner: boolean): void {
  from.on('message', (message: WriterMessage) => {
    if ('connect' in message) {
      const other = message.connect;
      connected.add(other);
      // Its store's thread may end without a word (a crash): then forget the port.
      other.on('close', () => connected.delete(other));
      serve(other, false);
      return;
    }
    if ('close' in message) {
      connected.delete(from);
      if (!owner) {
        from.close();
        return;
      }
      stopCheckpointer(() => {
        for (const other of connected) other.close();
        commits.close();
        db?.close();
        from.close();
      });
      return;
    }
    if (appender === null) {
      from.postMessage({ id: message.id, failure: 'the writer connection is not open' } satisfies WriterReply);
      return;
    }
    try {
      const requests = unpackRequests(message.packed);
      const outcomes = appender.commit(requests);
      from.postMessage({ id: message.id, outcomes } satisfies WriterReply);
      const rows = owner ? null : committedRows(requests, outcomes);
      // The owner learns of its own commits from the answers, and of the others' from their rows,
      // all in commit order on its port: its tail stays whole, so its subscribers read from memory.
      if (rows !== null && rows.length > 0) port.postMessage({ committed: rows } satisfies WriterReply);
      const newest = newestPosition(outcomes);
      if (newest !== null) commits.postMessage({ writer: options.announceAs ?? null, newest } satisfies CommitAnnouncement);
    } catch (error) {
      from.postMessage({ id: message.id, failure: error instanceof Error ? error.message : String(error) } satisfies WriterReply);
    }
    finishCheckpointing();
  });
}

/** The position of the newest event a commit stored, or null when it stored none. */
function newestPosition(outcomes: readonly AppendOutcome[]): number | null {
  let newest: number | null = null;
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    for (const stored of outcome.stored) if (newest === null || stored.position > newest) newest = stored.position;
  }
  return newest;
}

/** The rows a commit stored, in position order. */
function committedRows(requests: readonly AppendRequest[], outcomes: readonly AppendOutcome[]): CommittedRow[] {
  const rows: CommittedRow[] = [];
  outcomes.forEach((outcome, r) => {
    if (!outcome.ok) return;
    const { stream, events } = requests[r]!;
    for (const { index, position, revision } of outcome.stored) {
      const event = events[index]!;
      rows.push([position, event.id, stream, revision, event.type, textOf(event.data), textOf(event.metadata)]);
    }
  });
  return rows.sort((a, b) => a[0] - b[0]);
}

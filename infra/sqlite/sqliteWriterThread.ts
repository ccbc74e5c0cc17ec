/**
 * The SQLite event store's writer thread: it owns the store's write connection and runs its group
 * commits (SqliteAppender), so the inserts, the WAL writes and the fsync of each commit happen
 * beside the event loop instead of blocking it. Started by the store (sqliteEventStore.ts); talks
 * to it in plain messages:
 *
 *   → { id, requests }                     a group commit
 *   ← { id, outcomes } | { id, failure }   its outcomes, or why the whole commit failed
 *   ← { opened: false, failure }           the file could not be opened (then the thread ends)
 *   → { close: true }                      close the connection and end
 *   → { connect: port }                    serve group commits on this MessagePort too: another
 *                                          store of the process (on another thread) commits
 *                                          through this connection instead of its own, so the
 *                                          file has one writer and its commits never wait on
 *                                          each other's lock; { close: true } on that port ends
 *                                          only that port
 */
import type { DatabaseSync } from 'node:sqlite';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { AppendOutcome, AppendRequest } from './sqliteAppender.ts';
import { SqliteAppender } from './sqliteAppender.ts';
import { openWriterConnection, type WriterConnectionOptions } from './sqliteWriterConnection.ts';

export type WriterMessage = { readonly id: number; readonly requests: readonly AppendRequest[] } | { readonly close: true } | { readonly connect: MessagePort };

export type WriterReply =
  | { readonly id: number; readonly outcomes: readonly AppendOutcome[] }
  | { readonly id: number; readonly failure: string }
  | { readonly opened: false; readonly failure: string };

const port = parentPort;
if (port === null) throw new Error('sqliteWriterThread.ts runs as a worker thread of the SQLite event store');

let db: DatabaseSync | null = null;
let appender: SqliteAppender | null = null;
try {
  db = openWriterConnection(workerData as WriterConnectionOptions);
  appender = new SqliteAppender(db);
} catch (error) {
  port.postMessage({ opened: false, failure: error instanceof Error ? error.message : String(error) } satisfies WriterReply);
  port.close();
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
      if (owner) {
        for (const other of connected) other.close();
        db?.close();
      }
      connected.delete(from);
      from.close();
      return;
    }
    if (appender === null) {
      from.postMessage({ id: message.id, failure: 'the writer connection is not open' } satisfies WriterReply);
      return;
    }
    try {
      from.postMessage({ id: message.id, outcomes: appender.commit(message.requests) } satisfies WriterReply);
    } catch (error) {
      from.postMessage({ id: message.id, failure: error instanceof Error ? error.message : String(error) } satisfies WriterReply);
    }
  });
}

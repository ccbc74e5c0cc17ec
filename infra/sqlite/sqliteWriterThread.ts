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
 */
import type { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { AppendOutcome, AppendRequest } from './sqliteAppender.ts';
import { SqliteAppender } from './sqliteAppender.ts';
import { openWriterConnection, type WriterConnectionOptions } from './sqliteWriterConnection.ts';

export type WriterMessage = { readonly id: number; readonly requests: readonly AppendRequest[] } | { readonly close: true };

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

port.on('message', (message: WriterMessage) => {
  if ('close' in message) {
    db?.close();
    port.close();
    return;
  }
  if (appender === null) return;
  try {
    port.postMessage({ id: message.id, outcomes: appender.commit(message.requests) } satisfies WriterReply);
  } catch (error) {
    port.postMessage({ id: message.id, failure: error instanceof Error ? error.message : String(error) } satisfies WriterReply);
  }
});

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { ConcurrencyError, UnavailableError } from '../../services/core/index.ts';
import { expectationMismatch } from '../../services/ports/appendRules.ts';
import type { ExpectedRevision } from '../../services/ports/index.ts';

/**
 * The write side of the SQLite event store: group commits on one connection. It runs on the
 * store's writer thread (see sqliteWriterThread.ts), or on the caller's thread for an in-memory
 * store; either way it takes and gives plain data, so the same code serves both.
 */

/** One append of a group commit, its events already serialised (recordedAt in the metadata). */
export interface AppendRequest {
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly SerialisedEvent[];
}

/**
 * An event as the file takes it: data and metadata as JSON text, or as that text's UTF-8 bytes
 * (how they reach the writer thread: writerPacking.ts). Either is stored as TEXT.
 */
export interface SerialisedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string | Uint8Array;
  readonly metadata: string | Uint8Array;
}

/** What became of one append: the positions and revisions of the events stored (by index in the request), or why it failed. */
export type AppendOutcome =
  | { readonly ok: true; readonly streamRevision: number | null; readonly stored: readonly StoredEvent[]; readonly duplicates: readonly string[] }
  | { readonly ok: false; readonly error: AppendFailure };

export interface StoredEvent {
  /** Index of the event in its request. */
  readonly index: number;
  readonly position: number;
  readonly revision: number;
}

/** An append's failure as data (errors do not cross threads whole). */
export type AppendFailure =
  | { readonly kind: 'concurrency'; readonly stream: string; readonly expected: number | 'noStream' | 'streamExists'; readonly actual: number | null }
  | { readonly kind: 'unavailable'; readonly message: string };

export function failureOf(error: unknown, stream: string, expected: ExpectedRevision, revisionNow: () => number | null): AppendFailure {
  if (error instanceof ConcurrencyError) return { kind: 'concurrency', stream: error.stream, expected: error.expected, actual: error.actual };
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('UNIQUE constraint failed: events.stream, events.revision')) {
    const actual = revisionNow();
    return { kind: 'concurrency', stream, expected: expected === 'any' ? (actual ?? 'noStream') : expected, actual };
  }
  return { kind: 'unavailable', message: `event store: ${message}` };
}

/** SQLite's words never leave the adapter: a revision clash is a ConcurrencyError, the rest is unavailability. */
export function errorOf(failure: AppendFailure): Error {
  return failure.kind === 'concurrency' ? new ConcurrencyError(failure.stream, failure.expected, failure.actual) : new UnavailableError(failure.message);
}

/** Most stream revisions remembered between group commits (then it starts over). */
const MAX_KNOWN_REVISIONS = 200_000;

export class SqliteAppender {
  readonly #db: DatabaseSync;
  readonly #statements: {
    readonly findId: StatementSync;
    readonly streamRevision: StatementSync;
    readonly insert: StatementSync;
    readonly head: StatementSync;
    readonly savepoint: StatementSync;
    readonly release: StatementSync;
    readonly rollbackTo: StatementSync;
  };
  /**
   * Stream revisions this connection knows (null: no such stream), so an append need not look its
   * stream's up. Valid while the store's head is the one this connection last saw: a group commit
   * that finds another writer's events after it starts over. The unique (stream, revision) index
   * stays the guard behind it.
   */
  readonly #revisions = new Map<string, number | null>();
  #knownHead: number | null = null;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#statements = {
      findId: db.prepare('SELECT 1 AS found FROM events WHERE id = ?'),
      streamRevision: db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?'),
      // Data and metadata may come as UTF-8 bytes: CAST makes them TEXT as they are (a string stays as it is).
      insert: db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT)) ON CONFLICT(id) DO NOTHING'),
      head: db.prepare('SELECT MAX(position) AS head FROM events'),
      savepoint: db.prepare('SAVEPOINT append'),
      release: db.prepare('RELEASE append'),
      rollbackTo: db.prepare('ROLLBACK TO append'),
    };
  }

  /**
   * One group commit: every request in one transaction (one fsync), each in its own savepoint, in
   * order, so its expectation sees the appends before it and its failure undoes only itself.
   * Throws (having rolled back) when the transaction itself fails: then nothing of it is stored.
   */
  commit(requests: readonly AppendRequest[]): AppendOutcome[] {
    const db = this.#db;
    const { savepoint, release, rollbackTo } = this.#statements;
    const outcomes: AppendOutcome[] = [];
    let newest: number | null = null;
    try {
      db.exec('BEGIN IMMEDIATE');
      const head = (this.#statements.head.get() as { head: number | null }).head ?? 0;
      if (head !== this.#knownHead || this.#revisions.size > MAX_KNOWN_REVISIONS) this.#revisions.clear();
      for (const request of requests) {
        savepoint.run();
        try {
          const outcome = this.#append(request);
          release.run();
          outcomes.push(outcome);
          const last = outcome.stored[outcome.stored.length - 1];
          if (last !== undefined) newest = last.position;
        } catch (error) {
          rollbackTo.run();
          release.run();
          this.#revisions.delete(request.stream);
          outcomes.push({ ok: false, error: failureOf(error, request.stream, request.expected, () => this.#revisionOf(request.stream)) });
        }
      }
      db.exec('COMMIT');
      this.#knownHead = newest ?? head;
      return outcomes;
    } catch (error) {
      this.#revisions.clear();
      this.#knownHead = null;
      if (db.isOpen && db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * Reads the stream's revision, checks the expectation, then inserts each event with
   * ON CONFLICT(id) DO NOTHING so a stored id costs no extra lookup: an insert that changes no
   * row is a duplicate. Only when the expectation fails are ids looked up, because a retry of an
   * append that already landed (every id stored) must succeed as a no-op, not conflict.
   */
  #append(request: AppendRequest): Extract<AppendOutcome, { ok: true }> {
    const { insert, findId } = this.#statements;
    const { stream, events } = request;
    const known = this.#revisions.get(stream);
    const current = known === undefined ? this.#revisionOf(stream) : known;
    const mismatch = expectationMismatch(stream, request.expected, current);
    if (mismatch) {
      const allStored = events.length > 0 && events.every((event) => findId.get(event.id) !== undefined);
      if (allStored) return { ok: true, streamRevision: current, stored: [], duplicates: events.map((event) => event.id) };
      throw mismatch;
    }
    const stored: StoredEvent[] = [];
    const duplicates: string[] = [];
    let revision = current ?? -1;
    for (const [index, event] of events.entries()) {
      const result = insert.run(event.id, stream, revision + 1, event.type, event.data, event.metadata);
      if (result.changes === 0) {
        duplicates.push(event.id);
        continue;
      }
      revision += 1;
      stored.push({ index, position: Number(result.lastInsertRowid), revision });
    }
    const streamRevision = stored.length === 0 ? current : revision;
    this.#revisions.set(stream, streamRevision);
    return { ok: true, streamRevision, stored, duplicates };
  }

  #revisionOf(stream: string): number | null {
    return (this.#statements.streamRevision.get(stream) as { revision: number | null }).revision;
  }
}

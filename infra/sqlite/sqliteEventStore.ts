import { EventEmitter, once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Clock, NewEvent, RecordedEvent } from '../../services/core/index.ts';
import { ConcurrencyError, systemClock, UnavailableError, ValidationError } from '../../services/core/index.ts';
import { appendIssues, expectationMismatch } from '../../services/ports/index.ts';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  SubscriptionBatch,
} from '../../services/ports/index.ts';
import { eventStoreMigrations, migrate } from './schema.ts';

export interface SqliteEventStoreOptions {
  /** Database file, or ':memory:' for a throw-away store. */
  readonly path: string;
  /**
   * `full` (default): every commit is fsynced before the append resolves, so an acknowledged
   * event survives a power cut. `normal`: survives a killed process but not a power cut;
   * faster on slow disks.
   */
  readonly synchronous?: 'full' | 'normal';
  readonly readOnly?: boolean;
  readonly clock?: Clock;
  /** How often a subscription looks for events written by another process. Default 200 ms. */
  readonly pollIntervalMs?: number;
  /** How long a writer waits for another process's write lock. Default 5 s. */
  readonly busyTimeoutMs?: number;
}

/** A row as an array, in the column order of COLUMNS: arrays skip building a keyed object per row. */
type EventRow = [position: number, id: string, stream: string, revision: number, type: string, data: string, metadata: string];
const COLUMNS = 'position, id, stream, revision, type, data, metadata';

/** A row of the tail, decoded on its first read and then shared by every reader. */
interface TailEntry {
  readonly row: EventRow;
  event: RecordedEvent | undefined;
}

/** Newest events kept for subscribers (between TAIL_EVENTS and twice that): a few seconds of a busy store. */
/** Most stream revisions remembered between group commits (then it starts over). */
const MAX_KNOWN_REVISIONS = 200_000;

const TAIL_EVENTS = 20_000;

interface PendingAppend {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: Error): void;
}

/**
 * The embedded EventStore on node:sqlite: one file, WAL mode, one transaction per append.
 *
 *   const store = createSqliteEventStore({ path: 'data/events.db' });
 *
 * node:sqlite is synchronous: appends asked for in one turn of the event loop are committed
 * together in one transaction (group commit, one fsync for all), each in order and each in its
 * own savepoint, so appends from one process are serialised without locks; appends from another
 * process wait on SQLite's write lock (BEGIN IMMEDIATE) and then see the committed revision.
 */
export function createSqliteEventStore(options: SqliteEventStoreOptions): EventStore {
  return new SqliteEventStore(options);
}

class SqliteEventStore implements EventStore {
  readonly #db: DatabaseSync;
  readonly #clock: Clock;
  readonly #pollIntervalMs: number;
  readonly #appended = new EventEmitter();
  readonly #closing = new AbortController();
  readonly #pending: PendingAppend[] = [];
  /**
   * The newest events this connection appended, contiguous in position: every subscriber of a
   * busy store (router, runner, queue, projector…) reads the same fresh events, so they are served
   * from here, each row decoded once, instead of each subscriber querying and parsing them again.
   * Events another process appends break the run; the tail then restarts at our next append and
   * everything outside it is read from the file.
   */
  readonly #tail: TailEntry[] = [];
  /** Rows of the current group commit's successful appends, for the tail once it is durable. */
  #committing: EventRow[] = [];
  /**
   * Stream revisions this connection knows (null: no such stream), so an append need not look its
   * stream's up. Valid while the store's head is the one this connection last saw: a group commit
   * that finds another writer's events after it starts over. The unique (stream, revision) index
   * stays the guard behind it.
   */
  readonly #revisions = new Map<string, number | null>();
  #knownHead: number | null = null;
  readonly #statements: {
    findId: StatementSync;
    streamRevision: StatementSync;
    storedIds: StatementSync;
    insert: StatementSync;
    readForwards: StatementSync;
    readBackwards: StatementSync;
    readAllAfter: StatementSync;
    readAllBefore: StatementSync;
    head: StatementSync;
    savepoint: StatementSync;
    release: StatementSync;
    rollbackTo: StatementSync;
  };

  constructor(options: SqliteEventStoreOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#pollIntervalMs = options.pollIntervalMs ?? 200;
    this.#appended.setMaxListeners(0);
    const memory = options.path === ':memory:';
    if (!memory && !options.readOnly) mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    try {
      this.#db = new DatabaseSync(options.path, {
        readOnly: options.readOnly ?? false,
        timeout: options.busyTimeoutMs ?? 5_000,
      });
      if (!options.readOnly) {
        if (!memory) this.#db.exec('PRAGMA journal_mode = WAL');
        this.#db.exec(`PRAGMA synchronous = ${(options.synchronous ?? 'full').toUpperCase()}`);
        // The id index takes random keys (UUIDs): a page cache of 64 MiB keeps its pages in
        // memory instead of re-reading them from the file on every append.
        this.#db.exec('PRAGMA cache_size = -65536');
        // Checkpoint the WAL into the file every ~40 MB rather than SQLite's default ~4 MB: a
        // batch of appends dirties many pages of the two random-key indexes (ids, streams), so at
        // the default nearly every commit also ran a checkpoint, copying and fsyncing those pages
        // a second time. Measured: about 1.6× the append rate for 500-event commits.
        this.#db.exec('PRAGMA wal_autocheckpoint = 10000');
        migrate(this.#db, eventStoreMigrations, 'event store');
      }
    } catch (error) {
      throw new UnavailableError(`cannot open event store at ${options.path}: ${messageOf(error)}`, { cause: error });
    }
    this.#statements = {
      findId: this.#db.prepare('SELECT 1 AS found FROM events WHERE id = ?'),
      streamRevision: this.#db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?'),
      // One call for a whole batch of ids: each is a probe of the unique index on id.
      storedIds: this.#db.prepare('SELECT id FROM events WHERE id IN (SELECT value FROM json_each(?))'),
      insert: this.#db.prepare(
        'INSERT INTO events (id, stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      readForwards: this.#db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
      ),
      readBackwards: this.#db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
      ),
      readAllAfter: this.#db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`),
      readAllBefore: this.#db.prepare(`SELECT ${COLUMNS} FROM events WHERE position < ? ORDER BY position DESC LIMIT ?`),
      head: this.#db.prepare('SELECT MAX(position) AS head FROM events'),
      savepoint: this.#db.prepare('SAVEPOINT append'),
      release: this.#db.prepare('RELEASE append'),
      rollbackTo: this.#db.prepare('ROLLBACK TO append'),
    };
    for (const read of [this.#statements.readForwards, this.#statements.readBackwards, this.#statements.readAllAfter, this.#statements.readAllBefore]) {
      read.setReturnArrays(true);
    }
  }

  append(stream: string, events: readonly NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    try {
      this.#assertOpen();
      validateAppend(stream, events, expected);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.#pending.push({ stream, events, expected, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  /**
   * Group commit: every append requested during one turn of the event loop shares one
   * transaction and so one fsync. Each append runs in its own savepoint, in the order it was
   * asked for, so its expectation sees the appends before it and its failure undoes only itself.
   * Nothing resolves before the shared COMMIT is durable.
   */
  #flush(): void {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return;
    const db = this.#db;
    const outcomes: ({ ok: AppendResult } | { error: Error })[] = [];
    try {
      this.#assertOpen();
      const recordedAt = this.#clock.now().toISOString();
      db.exec('BEGIN IMMEDIATE');
      const head = (this.#statements.head.get() as { head: number | null }).head ?? 0;
      if (head !== this.#knownHead || this.#revisions.size > MAX_KNOWN_REVISIONS) this.#revisions.clear();
      const { savepoint, release, rollbackTo } = this.#statements;
      this.#committing = [];
      for (const request of batch) {
        savepoint.run();
        const rowsBefore = this.#committing.length;
        try {
          outcomes.push({ ok: this.#appendInTransaction(request.stream, request.events, request.expected, recordedAt) });
          release.run();
        } catch (error) {
          rollbackTo.run();
          release.run();
          this.#committing.length = rowsBefore;
          outcomes.push({ error: translate(error, request.stream, request.expected, () => this.#revisionOf(request.stream)) });
        }
      }
      db.exec('COMMIT');
      this.#knownHead = this.#committing.length === 0 ? head : this.#committing[this.#committing.length - 1]![0];
      this.#remember(this.#committing);
      this.#committing = [];
    } catch (error) {
      this.#committing = [];
      this.#revisions.clear();
      this.#knownHead = null;
      if (db.isOpen && db.isTransaction) db.exec('ROLLBACK');
      const failure = translate(error, '', 'any', () => null);
      for (const request of batch) request.reject(failure);
      return;
    }
    if (outcomes.some((outcome) => 'ok' in outcome && outcome.ok.appended.length > 0)) this.#appended.emit('appended');
    batch.forEach((request, index) => {
      const outcome = outcomes[index]!;
      if ('ok' in outcome) request.resolve(outcome.ok);
      else request.reject(outcome.error);
    });
  }

  /**
   * Reads the stream's revision, checks the expectation, then inserts each event with
   * ON CONFLICT(id) DO NOTHING so a stored id costs no extra lookup: an insert that changes no
   * row is a duplicate. Only when the expectation fails are ids looked up, because a retry of an
   * append that already landed (every id stored) must succeed as a no-op, not conflict.
   */
  #appendInTransaction(stream: string, events: readonly NewEvent[], expected: ExpectedRevision, recordedAt: string): AppendResult {
    const { insert, findId } = this.#statements;
    const current = this.#revisionInTransaction(stream);
    const mismatch = expectationMismatch(stream, expected, current);
    if (mismatch) {
      const allStored = events.length > 0 && events.every((event) => findId.get(event.id) !== undefined);
      if (allStored) return { streamRevision: current, appended: [], duplicates: events.map((event) => event.id) };
      throw mismatch;
    }
    const appended: RecordedEvent[] = [];
    const duplicates: string[] = [];
    let revision = current ?? -1;
    for (const event of events) {
      const metadata = { ...event.metadata, recordedAt };
      const data = JSON.stringify(event.data);
      const metadataJson = JSON.stringify(metadata);
      const result = insert.run(event.id, stream, revision + 1, event.type, data, metadataJson);
      if (result.changes === 0) {
        duplicates.push(event.id);
        continue;
      }
      revision += 1;
      const position = Number(result.lastInsertRowid);
      this.#committing.push([position, event.id, stream, revision, event.type, data, metadataJson]);
      appended.push({ id: event.id, stream, revision, position, type: event.type, data: event.data, metadata });
    }
    const streamRevision = appended.length === 0 ? current : revision;
    this.#revisions.set(stream, streamRevision);
    return { streamRevision, appended, duplicates };
  }

  /** Inside a group commit: from what this connection knows, else from the file. */
  #revisionInTransaction(stream: string): number | null {
    const known = this.#revisions.get(stream);
    return known === undefined ? this.#revisionOf(stream) : known;
  }

  #revisionOf(stream: string): number | null {
    const row = this.#statements.streamRevision.get(stream) as { revision: number | null };
    return row.revision;
  }

  readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.#run(() => {
      const limit = options.limit ?? -1;
      const rows =
        options.direction === 'backwards'
          ? this.#statements.readBackwards.all(stream, options.from ?? Number.MAX_SAFE_INTEGER, limit)
          : this.#statements.readForwards.all(stream, options.from ?? 0, limit);
      return (rows as unknown as EventRow[]).map(toRecorded);
    });
  }

  /** Events after `after` when the tail holds the next one (null: read the file), at most `limit` (-1: all). */
  #readTail(after: number, limit: number): RecordedEvent[] | null {
    const tail = this.#tail;
    const first = tail[0]?.row[0];
    if (first === undefined || after + 1 < first || after >= tail[tail.length - 1]!.row[0]) return null;
    const start = after + 1 - first;
    const end = limit < 0 ? tail.length : Math.min(tail.length, start + limit);
    // Reading to the tail's end: another process may have appended after it, and a short page
    // means "that was the end of the store" to a subscriber, so then read the file instead.
    if (end === tail.length && (this.#statements.head.get() as { head: number | null }).head !== tail[tail.length - 1]!.row[0]) return null;
    const events: RecordedEvent[] = [];
    for (let i = start; i < end; i++) {
      const entry = tail[i]!;
      events.push((entry.event ??= shared(toRecorded(entry.row))));
    }
    return events;
  }

  /** Adds a durable commit's rows to the tail, restarting it where the positions jump (another process wrote). */
  #remember(rows: readonly EventRow[]): void {
    const tail = this.#tail;
    for (const row of rows) {
      const last = tail[tail.length - 1];
      if (last !== undefined && row[0] !== last.row[0] + 1) tail.length = 0;
      tail.push({ row, event: undefined });
    }
    if (tail.length > 2 * TAIL_EVENTS) tail.splice(0, tail.length - TAIL_EVENTS);
  }

  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.#run(() => this.#readAllNow(options));
  }

  #readAllNow(options: ReadAllOptions): RecordedEvent[] {
    const limit = options.limit ?? -1;
    if (options.direction !== 'backwards') {
      const fromTail = this.#readTail(options.after ?? 0, limit);
      if (fromTail !== null) return fromTail;
    }
    const rows =
      options.direction === 'backwards'
        ? this.#statements.readAllBefore.all(options.before ?? Number.MAX_SAFE_INTEGER, limit)
        : this.#statements.readAllAfter.all(options.after ?? 0, limit);
    return (rows as unknown as EventRow[]).map(toRecorded);
  }

  async *subscribe(options: SubscribeOptions = {}): AsyncGenerator<SubscriptionBatch> {
    const maxBatchSize = options.maxBatchSize ?? 500;
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new ValidationError('invalid subscription', [{ path: 'maxBatchSize', message: 'must be a whole number ≥ 1' }]);
    }
    const stop = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    let checkpoint = options.after ?? 0;
    let announced = false;
    while (!stop.aborted) {
      const events = this.#readAllNow({ after: checkpoint, limit: maxBatchSize });
      if (events.length > 0) {
        checkpoint = events[events.length - 1]!.position;
        const caughtUp = events.length < maxBatchSize;
        announced ||= caughtUp;
        yield { events, caughtUp };
        continue;
      }
      if (!announced) {
        announced = true;
        yield { events: [], caughtUp: true };
        continue;
      }
      await this.#nextAppendOrPoll(stop);
    }
  }

  /**
   * Wakes on an append in this process at once, or after the poll interval for appends by other
   * processes. The poll timer is a ref'd timer on purpose: a live subscription keeps the process up.
   */
  async #nextAppendOrPoll(stop: AbortSignal): Promise<void> {
    const done = new AbortController();
    const signal = AbortSignal.any([stop, done.signal]);
    try {
      await Promise.race([once(this.#appended, 'appended', { signal }), delay(this.#pollIntervalMs, undefined, { signal })]);
    } catch {
      // Stopped: the loop condition ends the iteration.
    } finally {
      done.abort();
    }
  }

  streamRevision(stream: string): Promise<number | null> {
    return this.#run(() => this.#revisionOf(stream));
  }

  storedIds(ids: readonly string[]): Promise<Set<string>> {
    return this.#run(() => {
      if (ids.length === 0) return new Set<string>();
      const rows = this.#statements.storedIds.all(JSON.stringify(ids)) as { id: string }[];
      return new Set(rows.map((row) => row.id));
    });
  }

  headPosition(): Promise<GlobalPosition> {
    return this.#run(() => (this.#statements.head.get() as { head: number | null }).head ?? 0);
  }

  ping(): Promise<void> {
    return this.#run(() => {
      this.#statements.head.get();
    });
  }

  close(): Promise<void> {
    if (!this.#closing.signal.aborted) {
      this.#flush();
      this.#closing.abort();
      this.#db.close();
    }
    return Promise.resolve();
  }

  #run<T>(read: () => T): Promise<T> {
    try {
      this.#assertOpen();
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(error instanceof Error && !isSqliteError(error) ? error : new UnavailableError(`event store: ${messageOf(error)}`, { cause: error }));
    }
  }

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new UnavailableError('event store is closed');
  }
}

/** Frozen (one level deep, where a mistaken write would land), since every subscriber gets this same object. */
function shared(event: RecordedEvent): RecordedEvent {
  if (typeof event.data === 'object' && event.data !== null) Object.freeze(event.data);
  Object.freeze(event.metadata);
  return Object.freeze(event);
}

function toRecorded([position, id, stream, revision, type, data, metadata]: EventRow): RecordedEvent {
  return {
    id,
    stream,
    revision,
    position,
    type,
    data: JSON.parse(data) as unknown,
    metadata: JSON.parse(metadata) as RecordedEvent['metadata'],
  };
}

function validateAppend(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): void {
  const issues = appendIssues(stream, events, expected);
  if (issues.length > 0) throw new ValidationError('cannot append', issues);
}

function isSqliteError(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'ERR_SQLITE_ERROR';
}

/** SQLite's words never leave the adapter: a revision clash is a ConcurrencyError, the rest is unavailability. */
function translate(error: unknown, stream: string, expected: ExpectedRevision, revisionNow: () => number | null): Error {
  if (!isSqliteError(error)) return error instanceof Error ? error : new Error(String(error));
  const message = messageOf(error);
  if (message.includes('UNIQUE constraint failed: events.stream, events.revision')) {
    const actual = revisionNow();
    return new ConcurrencyError(stream, expected === 'any' ? (actual ?? 'noStream') : expected, actual);
  }
  return new UnavailableError(`event store: ${message}`, { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

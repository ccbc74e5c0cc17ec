import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { BroadcastChannel, MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Clock, NewEvent, RecordedEvent } from '../../services/core/index.ts';
import { systemClock, UnavailableError, ValidationError } from '../../services/core/index.ts';
import { appendIssues, subscriptionSettings } from '../../services/ports/index.ts';
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
import type { AppendOutcome, AppendRequest, SerialisedEvent } from './sqliteAppender.ts';
import { errorOf, SqliteAppender } from './sqliteAppender.ts';
import { IdFilter } from './storedIdFilter.ts';
import { type CommitAnnouncement, commitsChannelName, openWriterConnection, type WriterConnectionOptions } from './sqliteWriterConnection.ts';
import type { CommittedRow, WriterMessage, WriterReply } from './sqliteWriterThread.ts';
import { packRequests, transferOf } from './writerPacking.ts';

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
  /**
   * How often a subscription looks for events written by another process. Default 200 ms. (Another
   * thread of this process, a worker thread with its own store on the same file, wakes it at once.)
   */
  readonly pollIntervalMs?: number;
  /** How long a writer waits for another process's write lock. Default 5 s. */
  readonly busyTimeoutMs?: number;
  /**
   * Commit on a writer thread of the store's own (default for a file): the inserts, WAL writes
   * and fsync of each group commit then run beside the event loop instead of stopping it, and
   * the next group gathers while one commits. `false` commits on the caller's thread (always so
   * for ':memory:').
   */
  readonly writerThread?: boolean;
  /**
   * Commit through another store's writer thread, on the same file in this process (another
   * thread's store): the port `connectSqliteWriter(thatStore)` gave. The file then has one writer
   * connection: commits never wait on each other's lock, and the writer keeps its knowledge of
   * stream revisions. This store's own connection only reads; closing it leaves the writer to its
   * owner, and when the owner closes it this store's appends fail as unavailable.
   */
  readonly writerPort?: MessagePort;
  /**
   * With a writer thread of the store's own: checkpoint the WAL into the file on a thread of
   * their own (default), so no commit waits for a checkpoint; `false`: in the commits, SQLite's
   * automatic checkpoints (every ~40 MB of WAL). `intervalMs` (default 250) is how often the
   * checkpointer copies the WAL; `restartFrames` (default 40,000 pages, ~160 MB) how large the WAL
   * may grow before the writer copies the last frames between two commits so that it starts over.
   */
  readonly checkpointer?: false | { readonly intervalMs?: number; readonly restartFrames?: number };
}

const CHECKPOINT_INTERVAL_MS = 250;
const CHECKPOINT_RESTART_FRAMES = 40_000;

/** A row as an array, in the column order of COLUMNS: arrays skip building a keyed object per row. */
/** A row as read from the file, and as the writer thread hands over another store's commits. */
type EventRow = CommittedRow;
const COLUMNS = 'position, id, stream, revision, type, data, metadata';

/** A forward read: the events, the position it read up to, and whether it stopped at its limit (more may follow). */
interface ForwardRead {
  readonly events: RecordedEvent[];
  readonly position: number;
  readonly full: boolean;
}

/** A row of the tail, decoded on its first read and then shared by every reader. */
interface TailEntry {
  readonly row: EventRow;
  event: RecordedEvent | undefined;
}

/** An append as this thread builds it: data and metadata as text, which the tail keeps too. */
type TextAppend = AppendRequest & { readonly events: readonly (SerialisedEvent & { readonly data: string; readonly metadata: string })[] };

/** Newest events kept for subscribers (between TAIL_EVENTS and twice that): a few seconds of a busy store. */
const TAIL_EVENTS = 20_000;

interface PendingAppend {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  /** Each event's data as JSON, written when the append was asked for. */
  readonly data: readonly string[];
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

/**
 * A port on which another store of this process (on another thread, on the same file) commits
 * through `store`'s writer thread (`SqliteEventStoreOptions.writerPort`); null when `store` has
 * no writer thread (another adapter, ':memory:', read-only, or `writerThread: false`).
 *
 *   const port = connectSqliteWriter(store);
 *   new Worker(file, { workerData: { port }, transferList: [port] });
 *   // in the worker: createSqliteEventStore({ path, writerPort: workerData.port })
 */
export function connectSqliteWriter(store: EventStore): MessagePort | null {
  return store instanceof SqliteEventStore ? store.connectWriter() : null;
}

/**
 * Resolves once `store` has read the ids already in its file into memory (see `storedIds`), at
 * once when it has not started to (or is not a SQLite store). For tests and diagnostics.
 */
export function storedIdsRead(store: EventStore): Promise<void> {
  return store instanceof SqliteEventStore ? store.storedIdsRead() : Promise.resolve();
}

/** The stored-ids filter of a store, and how far it holds every event in order. */
interface StoredIds {
  readonly filter: IdFilter;
  /** Settles once the ids in the file when it was made are all in the filter. */
  readonly ready: Promise<void>;
  /** Every event up to this position is in the filter; -1 while they are being read. */
  through: number;
}

/** Ids read from the file a chunk at a time (one stretch of the event loop each) when the stored-ids filter is made. */
const ID_CHUNK = 5_000;

class SqliteEventStore implements EventStore {
  readonly #db: DatabaseSync;
  readonly #clock: Clock;
  readonly #pollIntervalMs: number;
  readonly #appended = new EventEmitter();
  /**
   * Every store of this process on the same file (another thread's included) hears of each commit
   * here, so its subscriptions wake at once instead of at their next poll.
   */
  readonly #commits: BroadcastChannel | null;
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
  /**
   * The ids of the stored events, in memory (a Bloom filter), so that `storedIds` reads the id
   * index only for ids that may be stored: at ingestion, nearly every id asked about is new, and
   * each probe of the index read its pages again (every commit drops this connection's page cache;
   * on a store larger than memory, a disk read per message). Made at the first `storedIds`, from
   * the id index a chunk at a time; then every event this store sees committed is added, and what
   * other processes appended is read by position before each answer. Null until then.
   */
  #ids: StoredIds | null = null;
  /** Group commits on this thread (':memory:', or writerThread false); null when the writer thread commits. */
  readonly #appender: SqliteAppender | null;
  readonly #writer: WriterThread | SharedWriter | null;
  /** The group commit the writer thread is running: the next one gathers meanwhile. */
  #inFlight: Promise<void> | null = null;
  readonly #statements: {
    streamRevision: StatementSync;
    storedIds: StatementSync;
    idsByValue: StatementSync;
    idsAfter: StatementSync;
    readForwards: StatementSync;
    readBackwards: StatementSync;
    readAllAfter: StatementSync;
    readTypesAfter: StatementSync;
    readAllBefore: StatementSync;
    head: StatementSync;
  };

  constructor(options: SqliteEventStoreOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#pollIntervalMs = options.pollIntervalMs ?? 200;
    this.#appended.setMaxListeners(0);
    const memory = options.path === ':memory:';
    const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
    const synchronous = options.synchronous ?? 'full';
    if (!memory && !options.readOnly) mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    try {
      if (options.readOnly) {
        this.#db = new DatabaseSync(options.path, { readOnly: true, timeout: busyTimeoutMs });
      } else {
        this.#db = openWriterConnection({ path: options.path, synchronous, busyTimeoutMs });
        migrate(this.#db, eventStoreMigrations, 'event store');
      }
    } catch (error) {
      throw new UnavailableError(`cannot open event store at ${options.path}: ${messageOf(error)}`, { cause: error });
    }
    const writerPort = options.readOnly || memory ? undefined : options.writerPort;
    const threaded = writerPort !== undefined || (!options.readOnly && !memory && options.writerThread !== false);
    const checkpointer = options.checkpointer === false ? null : { intervalMs: options.checkpointer?.intervalMs ?? CHECKPOINT_INTERVAL_MS, restartFrames: options.checkpointer?.restartFrames ?? CHECKPOINT_RESTART_FRAMES };
    // The writer thread's own commits and those of the stores connected to it reach this store
    // through the thread (answers, then the others' rows), never through the commits channel.
    const announceAs = threaded && writerPort === undefined ? randomUUID() : null;
    this.#writer =
      writerPort !== undefined
        ? new SharedWriter(writerPort)
        : announceAs !== null
          ? new WriterThread({ path: options.path, synchronous, busyTimeoutMs, checkpointer, announceAs }, (rows) => this.#committedElsewhere(rows))
          : null;
    this.#commits = memory ? null : new BroadcastChannel(commitsChannelName(options.path));
    if (this.#commits !== null) {
      this.#commits.onmessage = (message: { readonly data: unknown }) => {
        const { writer, newest } = message.data as CommitAnnouncement;
        // Its own writer thread's: known already, or soon, from the thread. One of its own commits (through another
        // store's writer): known once its answer is in, and then the tail holds it.
        if (announceAs !== null && writer === announceAs) return;
        const known = this.#tail.at(-1)?.row[0];
        if (known !== undefined && newest <= known) return;
        this.#appended.emit('appended');
      };
      // Listening must not keep the process up: a live subscription's poll timer does that.
      this.#commits.unref();
    }
    this.#appender = options.readOnly || threaded ? null : new SqliteAppender(this.#db);
    this.#statements = {
      streamRevision: this.#db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?'),
      // One call for a whole batch of ids: each is a probe of the unique index on id.
      storedIds: this.#db.prepare('SELECT id FROM events WHERE id IN (SELECT value FROM json_each(?))'),
      // The id index alone, in its own order (no table rows): how the stored-ids filter is made.
      idsByValue: this.#db.prepare('SELECT id FROM events INDEXED BY events_by_id WHERE id > ? ORDER BY id LIMIT ?'),
      idsAfter: this.#db.prepare('SELECT position, id FROM events WHERE position > ? ORDER BY position'),
      readForwards: this.#db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
      ),
      readBackwards: this.#db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
      ),
      readAllAfter: this.#db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`),
      // A subscription to some types: the others are passed over without being read into JavaScript.
      readTypesAfter: this.#db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ? AND type IN (SELECT value FROM json_each(?)) ORDER BY position ASC LIMIT ?`,
      ),
      readAllBefore: this.#db.prepare(`SELECT ${COLUMNS} FROM events WHERE position < ? ORDER BY position DESC LIMIT ?`),
      head: this.#db.prepare('SELECT MAX(position) AS head FROM events'),
    };
    for (const read of [this.#statements.readForwards, this.#statements.readBackwards, this.#statements.readAllAfter, this.#statements.readTypesAfter, this.#statements.readAllBefore, this.#statements.idsAfter]) {
      read.setReturnArrays(true);
    }
  }

  append(stream: string, events: readonly NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    let data: string[];
    try {
      this.#assertOpen();
      validateAppend(stream, events, expected);
      data = serialisedData(events);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.#pending.push({ stream, events, data, expected, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  /**
   * Group commit: every append requested while the previous commit ran (or during one turn of the
   * event loop) shares one transaction and so one fsync, each in order and in its own savepoint
   * (SqliteAppender). The events are serialised here, once: the same text goes to the file and to
   * the tail. Nothing resolves before the shared COMMIT is durable.
   */
  #flush(): void {
    if (this.#inFlight !== null || this.#pending.length === 0) return;
    const batch = this.#pending.splice(0);
    const recordedAt = this.#clock.now().toISOString();
    const metadata = batch.map((request) => request.events.map((event) => ({ ...event.metadata, recordedAt })));
    const requests: TextAppend[] = batch.map((request, r) => ({
      stream: request.stream,
      expected: request.expected,
      events: request.events.map((event, e) => ({ id: event.id, type: event.type, data: request.data[e]!, metadata: JSON.stringify(metadata[r]![e]) })),
    }));
    const settle = (outcomes: readonly AppendOutcome[]): void => {
      const rows: EventRow[] = [];
      const results = outcomes.map((outcome, r): AppendResult | Error => {
        if (!outcome.ok) return errorOf(outcome.error);
        const request = batch[r]!;
        const serialised = requests[r]!.events;
        const appended = outcome.stored.map(({ index, position, revision }): RecordedEvent => {
          const event = request.events[index]!;
          rows.push([position, event.id, request.stream, revision, event.type, serialised[index]!.data, serialised[index]!.metadata]);
          return { id: event.id, stream: request.stream, revision, position, type: event.type, data: event.data, metadata: metadata[r]![index]! };
        });
        return { streamRevision: outcome.streamRevision, appended, duplicates: [...outcome.duplicates] };
      });
      this.#remember(rows);
      if (rows.length > 0) {
        this.#appended.emit('appended');
        // A writer thread announces its commits to the other stores itself.
        if (this.#writer === null) this.#commits?.postMessage({ writer: null, newest: rows[rows.length - 1]![0] } satisfies CommitAnnouncement);
      }
      batch.forEach((request, r) => {
        const result = results[r]!;
        if (result instanceof Error) request.reject(result);
        else request.resolve(result);
      });
    };
    const fail = (error: unknown): void => {
      const failure = error instanceof UnavailableError ? error : new UnavailableError(`event store: ${messageOf(error)}`, { cause: error });
      for (const request of batch) request.reject(failure);
    };
    if (this.#writer === null) {
      try {
        this.#assertOpen();
        if (this.#appender === null) throw new UnavailableError('event store: opened read-only');
        settle(this.#appender.commit(requests));
      } catch (error) {
        fail(error);
      }
      return;
    }
    this.#inFlight = this.#writer.commit(requests).then(settle, fail).finally(() => {
      this.#inFlight = null;
      this.#flush();
    });
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

  /**
   * Events after `after` when the tail holds the next one (null: read the file): at most `limit`
   * (-1: all), of `types` only when given (the others are passed over undecoded), and how far it read.
   */
  #readTail(after: number, limit: number, types: ReadonlySet<string> | null): ForwardRead | null {
    const tail = this.#tail;
    const first = tail[0]?.row[0];
    if (first === undefined || after + 1 < first) return null;
    const newest = tail[tail.length - 1]!.row[0];
    if (after >= newest) {
      // Caught up with the tail (a subscriber checking that nothing came after its last batch):
      // nothing to read unless another process appended after it, which the head tells.
      return after === newest && (this.#statements.head.get() as { head: number | null }).head === newest ? { events: [], position: after, full: false } : null;
    }
    const events: RecordedEvent[] = [];
    let i = after + 1 - first;
    for (; i < tail.length && (limit < 0 || events.length < limit); i++) {
      const entry = tail[i]!;
      if (types !== null && !types.has(entry.row[4])) continue;
      events.push((entry.event ??= shared(entry.row)));
    }
    // Read to the tail's end: another process may have appended after it, and a short page
    // means "that was the end of the store" to a subscriber, so then read the file instead.
    if (i === tail.length && (this.#statements.head.get() as { head: number | null }).head !== tail[tail.length - 1]!.row[0]) return null;
    return { events, position: tail[i - 1]!.row[0], full: limit >= 0 && events.length === limit };
  }

  /** Events after `after` in global order, from the tail or the file: as #readTail, for subscriptions. */
  #readForwards(after: number, limit: number, filter: { readonly types: ReadonlySet<string>; readonly json: string } | null): ForwardRead {
    const fromTail = this.#readTail(after, limit, filter?.types ?? null);
    if (fromTail !== null) return fromTail;
    if (filter === null) {
      const events = (this.#statements.readAllAfter.all(after, limit) as unknown as EventRow[]).map(toRecorded);
      return { events, position: events.at(-1)?.position ?? after, full: limit >= 0 && events.length === limit };
    }
    // Up to the head as of now, so that a short page means "passed over everything up to there".
    const head = (this.#statements.head.get() as { head: number | null }).head ?? 0;
    const events = (this.#statements.readTypesAfter.all(after, head, filter.json, limit) as unknown as EventRow[]).map(toRecorded);
    const full = limit >= 0 && events.length === limit;
    return { events, position: full ? events.at(-1)!.position : Math.max(after, head), full };
  }

  /** Another store's commit through this store's writer thread: its rows join the tail, and subscribers wake. */
  #committedElsewhere(rows: readonly EventRow[]): void {
    this.#remember(rows);
    this.#appended.emit('appended');
  }

  /** Adds a durable commit's rows to the tail, restarting it where the positions jump (another process wrote). */
  #remember(rows: readonly EventRow[]): void {
    const ids = this.#ids;
    if (ids !== null) {
      for (const row of rows) {
        ids.filter.add(row[1]);
        // In order with what the filter holds: no need to read it back.
        if (row[0] === ids.through + 1) ids.through = row[0];
      }
    }
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
      const fromTail = this.#readTail(options.after ?? 0, limit, null);
      if (fromTail !== null) return fromTail.events;
    }
    const rows =
      options.direction === 'backwards'
        ? this.#statements.readAllBefore.all(options.before ?? Number.MAX_SAFE_INTEGER, limit)
        : this.#statements.readAllAfter.all(options.after ?? 0, limit);
    return (rows as unknown as EventRow[]).map(toRecorded);
  }

  async *subscribe(options: SubscribeOptions = {}): AsyncGenerator<SubscriptionBatch> {
    const { maxBatchSize, types } = subscriptionSettings(options);
    const filter = types === null ? null : { types, json: JSON.stringify([...types]) };
    const stop = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    let checkpoint = options.after ?? 0;
    let announced = false;
    while (!stop.aborted) {
      const read = this.#readForwards(checkpoint, maxBatchSize, filter);
      if (read.position > checkpoint) {
        checkpoint = read.position;
        const caughtUp = !read.full;
        announced ||= caughtUp;
        yield { events: read.events, position: checkpoint, caughtUp };
        continue;
      }
      if (!announced) {
        announced = true;
        yield { events: [], position: checkpoint, caughtUp: true };
        continue;
      }
      await this.#nextAppendOrPoll(stop);
    }
  }

  /**
   * Wakes on an append in this process at once, or after the poll interval for appends by other
   * processes. The poll timer is a ref'd timer on purpose: a live subscription keeps the process up.
   */
  #nextAppendOrPoll(stop: AbortSignal): Promise<void> {
    // Plain listeners and a timer, removed on waking: a wait per commit and subscriber, so no
    // AbortController, AbortSignal.any or AbortError (each with a stack trace) per wait.
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#appended.off('appended', wake);
        stop.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, this.#pollIntervalMs);
      this.#appended.once('appended', wake);
      stop.addEventListener('abort', wake, { once: true });
      if (stop.aborted) wake();
    });
  }

  streamRevision(stream: string): Promise<number | null> {
    return this.#run(() => (this.#statements.streamRevision.get(stream) as { revision: number | null }).revision);
  }

  /** Reads the id index only for the ids the filter may hold (`#ids`); all of them until the filter is made. */
  storedIds(ids: readonly string[]): Promise<Set<string>> {
    return this.#run(() => {
      if (ids.length === 0) return new Set<string>();
      const filter = this.#idFilter();
      const candidates = filter === null ? ids : ids.filter((id) => filter.mayHold(id));
      if (candidates.length === 0) return new Set<string>();
      const rows = this.#statements.storedIds.all(JSON.stringify(candidates)) as { id: string }[];
      return new Set(rows.map((row) => row.id));
    });
  }

  /** See `storedIdsRead`. */
  storedIdsRead(): Promise<void> {
    return this.#ids?.ready ?? Promise.resolve();
  }

  /**
   * The stored-ids filter, holding every event in the file; null while it is being made (the first
   * call starts that). Events past the newest it knows in order (another process appended them, so
   * no commit of ours brought them) are read first.
   */
  #idFilter(): IdFilter | null {
    const ids = this.#ids;
    if (ids === null) {
      this.#readIds();
      return null;
    }
    if (ids.through < 0) return null;
    for (const [position, id] of this.#statements.idsAfter.iterate(ids.through) as Iterable<[number, string]>) {
      ids.filter.add(id);
      ids.through = position;
    }
    return ids.filter;
  }

  /**
   * Makes the filter from the id index, a chunk at a time with the event loop let in between.
   * Every event up to the head as of the start is in every chunk's snapshot (events are never
   * removed), so once the index is read the filter holds all of them; those committed meanwhile
   * are added as they commit, or read by position at the next `storedIds`.
   */
  #readIds(): void {
    const head = (this.#statements.head.get() as { head: number | null }).head ?? 0;
    const filter = new IdFilter(2 * head);
    const read = async (): Promise<void> => {
      // Not in this turn: `ids` below is assigned first.
      await new Promise((resolve) => setImmediate(resolve));
      let after = '';
      for (;;) {
        if (this.#closing.signal.aborted) return;
        const rows = this.#statements.idsByValue.all(after, ID_CHUNK) as { id: string }[];
        for (const row of rows) filter.add(row.id);
        if (rows.length < ID_CHUNK) break;
        after = rows[rows.length - 1]!.id;
        await new Promise((resolve) => setImmediate(resolve));
      }
      ids.through = head;
    };
    const ids: StoredIds = {
      filter,
      through: -1,
      ready: read().catch(() => {
        // The file could not be read (closed meanwhile, or an I/O error): the next storedIds starts over.
        if (this.#ids === ids) this.#ids = null;
      }),
    };
    this.#ids = ids;
  }

  headPosition(): Promise<GlobalPosition> {
    return this.#run(() => (this.#statements.head.get() as { head: number | null }).head ?? 0);
  }

  ping(): Promise<void> {
    return this.#run(() => {
      this.#writer?.assertWorking();
      this.#statements.head.get();
    });
  }

  /** See `connectSqliteWriter`. */
  connectWriter(): MessagePort | null {
    this.#assertOpen();
    return this.#writer instanceof WriterThread ? this.#writer.connect() : null;
  }

  /** Commits what was asked for before it, then ends subscriptions and closes the file. */
  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#flush();
    while (this.#inFlight !== null) await this.#inFlight;
    this.#closing.abort();
    this.#commits?.close();
    await this.#writer?.close();
    this.#db.close();
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

/** An event read from the file, decoded: a plain object, the cheapest for readers that use every field. */
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

/**
 * An event of the tail, the one object every subscriber of this store gets: frozen, its data and
 * metadata decoded from JSON on first use (and frozen one level deep, where a mistaken write would
 * land). Most subscribers of a server look at the type and the stream first and skip most events
 * (the SDR queue and the journey statistics skip every touch), so those are never decoded. The
 * accessors are own enumerable properties, so a spread, a clone or JSON of the event holds the
 * decoded values. Not for reads from the file: a reader that decodes everything (the projector) is
 * about a third slower through accessors than on a plain object (bench/analytics.ts --quick).
 */
function shared(row: EventRow): RecordedEvent {
  return Object.freeze(decodedOnUse(row));
}

function decodedOnUse(row: EventRow): RecordedEvent {
  const [position, id, stream, revision, type] = row;
  let dataText = row[5];
  let metadataText = row[6];
  let data: unknown = UNDECODED;
  let metadata: RecordedEvent['metadata'] | typeof UNDECODED = UNDECODED;
  return {
    id,
    stream,
    revision,
    position,
    type,
    get data(): unknown {
      if (data === UNDECODED) {
        data = JSON.parse(dataText) as unknown;
        // The text is not needed any more: a reader that keeps the event after the tail lets it go keeps only the decoded data.
        dataText = '';
        if (typeof data === 'object' && data !== null) Object.freeze(data);
      }
      return data;
    },
    get metadata(): RecordedEvent['metadata'] {
      if (metadata === UNDECODED) {
        metadata = JSON.parse(metadataText) as RecordedEvent['metadata'];
        metadataText = '';
        Object.freeze(metadata);
      }
      return metadata;
    },
  };
}

const UNDECODED: unique symbol = Symbol('undecoded');

/** Each event's data as JSON; data JSON cannot hold (a BigInt, a cycle) is a ValidationError naming the event. */
function serialisedData(events: readonly NewEvent[]): string[] {
  return events.map((event, index) => {
    try {
      return JSON.stringify(event.data);
    } catch (error) {
      throw new ValidationError('cannot append', [{ path: `events[${index}].data`, message: `cannot be written as JSON (${messageOf(error)})` }]);
    }
  });
}

function validateAppend(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): void {
  const issues = appendIssues(stream, events, expected);
  if (issues.length > 0) throw new ValidationError('cannot append', issues);
}

function isSqliteError(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'ERR_SQLITE_ERROR';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What a store holds of the writer thread it commits through: group commits asked for by id and
 * answered by id. It does not keep the process alive while idle. Once the writer is gone every
 * append fails, and so does `ping` (readiness), rather than waiting for ever.
 */
abstract class WriterClient {
  readonly #waiting = new Map<number, { resolve(outcomes: AppendOutcome[]): void; reject(error: Error): void }>();
  #next = 0;
  #broken: UnavailableError | null = null;

  /** Sends a message to the writer thread, moving the `transfer` buffers to it. */
  protected abstract send(message: WriterMessage, transfer?: readonly ArrayBuffer[]): void;
  /** Keeps the process alive (a commit is waiting) or lets it end. */
  protected abstract hold(held: boolean): void;

  commit(requests: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    if (this.#broken !== null) return Promise.reject(this.#broken);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.hold(true);
      const packed = packRequests(requests);
      this.send({ id, packed }, transferOf(packed));
    });
  }

  assertWorking(): void {
    if (this.#broken !== null) throw this.#broken;
  }

  protected get broken(): boolean {
    return this.#broken !== null;
  }

  /** An answer to one of this client's commits. */
  protected receive(reply: Extract<WriterReply, { id: number }>): void {
    const waiting = this.#waiting.get(reply.id);
    if (waiting === undefined) return;
    this.#waiting.delete(reply.id);
    if (this.#waiting.size === 0) this.hold(false);
    if ('outcomes' in reply) waiting.resolve([...reply.outcomes]);
    else waiting.reject(new UnavailableError(`event store: ${reply.failure}`));
  }

  protected breakWith(error: UnavailableError): void {
    if (this.#broken !== null) return;
    this.#broken = error;
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
  }
}

/** The store's own writer thread (sqliteWriterThread.ts), one group commit at a time; other stores may connect to it. */
class WriterThread extends WriterClient {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  constructor(options: WriterConnectionOptions, committedElsewhere: (rows: readonly EventRow[]) => void) {
    super();
    // The source runs as .ts (type stripping), the installed package as compiled .js.
    const extension = extname(new URL(import.meta.url).pathname);
    this.#worker = new Worker(new URL(`./sqliteWriterThread${extension}`, import.meta.url), { workerData: options });
    this.#worker.unref();
    this.#worker.on('message', (reply: WriterReply) => {
      if ('id' in reply) this.receive(reply);
      else if ('committed' in reply) committedElsewhere(reply.committed);
      else this.breakWith(new UnavailableError(`cannot open the event store's writer connection at ${options.path}: ${reply.failure}`));
    });
    this.#worker.on('error', (error: Error) => this.breakWith(new UnavailableError(`event store: the writer thread failed: ${error.message}`, { cause: error })));
    this.#exited = new Promise((resolve) =>
      this.#worker.once('exit', () => {
        this.breakWith(new UnavailableError('event store: the writer thread has stopped'));
        resolve();
      }),
    );
  }

  protected send(message: WriterMessage, transfer: readonly ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  protected hold(held: boolean): void {
    if (held) this.#worker.ref();
    else this.#worker.unref();
  }

  /** A port on which another store commits through this thread (its end of a new channel). */
  connect(): MessagePort | null {
    if (this.broken) return null;
    const { port1, port2 } = new MessageChannel();
    this.#worker.postMessage({ connect: port2 } satisfies WriterMessage, [port2]);
    return port1;
  }

  async close(): Promise<void> {
    if (!this.broken) {
      // Held until the thread has closed the file (an unref'd thread would let the process end first).
      this.hold(true);
      this.send({ close: true });
    }
    await this.#exited;
  }
}

/**
 * Another store's writer thread, reached over the port `connectSqliteWriter` gave. When the owner
 * closes the writer (or the thread stops), the port closes and every append from then on fails.
 */
class SharedWriter extends WriterClient {
  readonly #port: MessagePort;

  constructor(port: MessagePort) {
    super();
    this.#port = port;
    port.on('message', (reply: WriterReply) => {
      if ('id' in reply) this.receive(reply);
    });
    port.on('close', () => this.breakWith(new UnavailableError('event store: the writer thread this store commits through has stopped')));
    port.unref();
  }

  protected send(message: WriterMessage, transfer: readonly ArrayBuffer[] = []): void {
    this.#port.postMessage(message, transfer);
  }

  protected hold(held: boolean): void {
    if (held) this.#port.ref();
    else this.#port.unref();
  }

  /** Ends this store's use of the writer; the writer stays with its owner. */
  close(): Promise<void> {
    if (!this.broken) {
      this.send({ close: true });
      this.breakWith(new UnavailableError('event store is closed'));
      this.#port.close();
    }
    return Promise.resolve();
  }
}

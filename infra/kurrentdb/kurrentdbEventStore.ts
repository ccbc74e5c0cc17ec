import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { AllStreamResolvedEvent, AllStreamSubscription, AppendStreamRequest, KurrentDBClient, ReadPosition, ResolvedEvent } from '@kurrent/kurrentdb-client';
import type { Clock, NewEvent, RecordedEvent } from '../../services/core/index.ts';
import { systemClock, UnavailableError, ValidationError } from '../../services/core/index.ts';
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
import { appendIssues, expectationMismatch, subscriptionSettings } from '../../services/ports/index.ts';
import { connectKurrentDb } from './connectionString.ts';
import { isMissingStream, isWrongExpectedVersion, mayBeConflict, toStreamState, translateError } from './errorTranslation.ts';
import { toAllPosition, toGlobalPosition, toRevision } from './globalPositions.ts';
import { jsonEventData, toEventData, toRecordedEvent } from './recordedEvents.ts';
import { DOMAIN_STREAMS_FILTER, EVENT_ID_CLAIMED, eventIdStream, isDomainEvent, isDomainStream } from './reservedStreams.ts';

export interface KurrentDbEventStoreOptions {
  /** `kurrentdb://[user:password@]host[:port][,…][?tls=false&…]` (KurrentDB 25.1 or later). */
  readonly connectionString: string;
  readonly clock?: Clock;
  /**
   * How often a caught-up subscription reads again when no live notification came: a safety net
   * under KurrentDB's live subscription, which wakes subscribers at once. Default 1 s.
   */
  readonly pollIntervalMs?: number;
  /** How long `ping` waits for an answer. Default 5 s. */
  readonly pingTimeoutMs?: number;
}

/** Events asked of KurrentDB per read of $all. */
const PAGE = 1_000;
/** Appends that hit a conflict the id guard explains are tried again, at most this often. */
const MAX_ATTEMPTS = 5;
/** Appends to different streams queued together share one transaction up to these sizes. */
const GROUP_MAX_EVENTS = 500;
const GROUP_MAX_BYTES = 512 * 1024;
/** Id claims looked up at once after a conflict. */
const LOOKUP_CONCURRENCY = 16;

interface PendingAppend {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  /** `events` without the repeats of an id within this call (the first one stays). */
  readonly unique: readonly NewEvent[];
  readonly bytes: number;
  readonly expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: Error): void;
}

interface StreamWrite {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
}

/**
 * The EventStore on KurrentDB (formerly EventStoreDB), for Nudge at scale: every process (API,
 * ingest workers, runners, projector) on any host shares one store.
 *
 *   const store = createKurrentDbEventStore({ connectionString: 'kurrentdb://kurrentdb:2113?tls=false' });
 *
 * The client is `@kurrent/kurrentdb-client`, Kurrent's official Node.js client and the maintained
 * successor of `@eventstore/db-client` (which was renamed, and only receives fixes under the new
 * name): it speaks KurrentDB's gRPC API, including the multi-stream append of KurrentDB 25.1 that
 * the id guard below needs, and reads through Kurrent's Rust client. Needs KurrentDB 25.1 or later.
 *
 * How the port's guarantees are kept:
 *
 * - Expected revisions are KurrentDB's own (`any`, `no_stream`, `stream_exists`, a revision), so a
 *   stale writer is refused by the server; the refusal becomes a ConcurrencyError with the
 *   expected revision and the revision the stream is at.
 *
 * - An event id is stored at most once, whenever it comes again (the id guard). KurrentDB's own
 *   deduplication only recognises a retry of the same write (same expected revision, or ids still
 *   in a recent-writes cache), not an id sent again a week later. So every append is one
 *   multi-stream transaction: the events to their stream, and for each event one claim event to
 *   the stream `nudge.event-id-<uuid>`, expected not to exist (NO_STREAM). Either everything is
 *   written or nothing is. An id that was ever stored has its claim stream, so a second write of
 *   it fails as a whole (as a revision clash, or otherwise when KurrentDB's own idempotency check
 *   sees the first ids of the batch stored and not the rest); the adapter then looks up which ids
 *   are claimed, and which revision the stream is at: all claimed → a successful no-op reporting them in `duplicates`; some new and the
 *   expectation broken → ConcurrencyError; some new and the expectation holding → the new ones are
 *   written (again in one transaction with their claims). Each claim has a fresh event id, so
 *   KurrentDB's own idempotency can never take a claim for a retry and let it pass. The guard holds
 *   across processes and restarts, for ever, as long as nobody deletes `nudge.event-id-*` streams
 *   (they are the store's index of ids: keep them out of scavenge rules and $maxAge). Its cost is
 *   one tiny stream per event, written in the same transaction.
 *
 * - Positions: KurrentDB's commit position as a number (see globalPositions.ts). A multi-stream
 *   append answers with the revisions it reached, not each event's position, so an append reads
 *   its events back from their stream (one read per append) to return them as recorded.
 *
 * - Order: appends made through one store object are sent one transaction at a time, in the order
 *   they were asked for (appends to different streams queued together share a transaction, which
 *   KurrentDB writes in request order), so their positions follow the calls; a transaction that
 *   fails is split and each append tried alone, so each succeeds or fails by itself.
 *
 * - `readAll` and `subscribe` read $all filtered on the server by stream name: KurrentDB's own
 *   streams (`$…`) and the adapter's (`nudge.…`) are left out. A subscription reads pages of $all
 *   from its checkpoint (strictly after it), says `caughtUp` on the page that reaches the end, then
 *   waits for KurrentDB's live subscription to signal new events (or the poll interval) and reads
 *   again: positions always come from the same reads, whether catching up or live.
 */
export function createKurrentDbEventStore(options: KurrentDbEventStoreOptions): EventStore {
  return new KurrentDbEventStore(options);
}

class KurrentDbEventStore implements EventStore {
  readonly #client: KurrentDBClient;
  readonly #clock: Clock;
  readonly #pollIntervalMs: number;
  readonly #pingTimeoutMs: number;
  readonly #closing = new AbortController();
  readonly #queue: PendingAppend[] = [];
  #draining: Promise<void> | null = null;
  /** One live subscription to $all per store, shared by its subscribers to learn of new events. */
  #live: AllStreamSubscription | null = null;
  #liveEvents = 0;
  readonly #liveSignal = new EventEmitter();

  constructor(options: KurrentDbEventStoreOptions) {
    this.#client = connectKurrentDb(options.connectionString);
    this.#clock = options.clock ?? systemClock;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.#pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
    this.#liveSignal.setMaxListeners(0);
  }

  append(stream: string, events: readonly NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    try {
      this.#assertOpen();
      validateAppend(stream, events, expected);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const unique = withoutRepeats(events);
    const bytes = unique.reduce((sum, event) => sum + approximateSize(event), 0);
    return new Promise<AppendResult>((resolve, reject) => {
      this.#queue.push({ stream, events, unique, bytes, expected, resolve, reject });
      // Appends asked for in one turn of the event loop are looked at together.
      this.#draining ??= new Promise<void>((done) => setImmediate(done)).then(() => this.#drain());
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const group = takeGroup(this.#queue);
        if (group.length > 1 && (await this.#appendTogether(group))) continue;
        for (const request of group) {
          await this.#appendAlone(request).then(
            (result) => request.resolve(result),
            (error: unknown) => request.reject(error instanceof Error ? error : new Error(String(error))),
          );
        }
      }
    } finally {
      this.#draining = null;
    }
  }

  /** One transaction for appends to different streams; false (nothing written) when any of them cannot go through. */
  async #appendTogether(group: readonly PendingAppend[]): Promise<boolean> {
    let revisions: Map<string, bigint>;
    try {
      revisions = await this.#write(group.map((request) => ({ stream: request.stream, events: request.unique, expected: request.expected })));
    } catch {
      return false;
    }
    const readBacks = await Promise.allSettled(group.map((request) => this.#readBack(request.stream, revisions.get(request.stream), request.unique.length)));
    group.forEach((request, index) => {
      const outcome = readBacks[index]!;
      if (outcome.status === 'rejected') request.reject(translateError(outcome.reason, `read back ${request.stream}`));
      else request.resolve({ streamRevision: outcome.value.at(-1)!.revision, appended: outcome.value, duplicates: duplicatesOf(request.events, new Set()) });
    });
    return true;
  }

  /** One append, with the id guard's conflict resolution (see the class comment). */
  async #appendAlone(request: PendingAppend): Promise<AppendResult> {
    const { stream, events, expected } = request;
    if (request.unique.length === 0) {
      const current = await this.#revisionOf(stream);
      const mismatch = expectationMismatch(stream, expected, current);
      if (mismatch) throw mismatch;
      return { streamRevision: current, appended: [], duplicates: [] };
    }
    const claimed = new Set<string>();
    let pending = request.unique;
    for (let attempt = 1; ; attempt++) {
      let revisions: Map<string, bigint>;
      try {
        revisions = await this.#write([{ stream, events: pending, expected }]);
      } catch (error) {
        const refusal = translateError(error, `append to ${stream}`, expected);
        if (!mayBeConflict(error)) throw refusal;
        let nowClaimed: Set<string>;
        let current: number | null;
        try {
          [nowClaimed, current] = await Promise.all([this.#claimedIds(pending), this.#revisionOf(stream)]);
        } catch {
          throw refusal;
        }
        for (const id of nowClaimed) claimed.add(id);
        pending = pending.filter((event) => !claimed.has(idKey(event.id)));
        if (pending.length === 0) return { streamRevision: current, appended: [], duplicates: duplicatesOf(events, claimed) };
        const mismatch = expectationMismatch(stream, expected, current);
        if (mismatch) throw mismatch;
        // Neither stored ids nor the expectation explain a refusal that was not a clash: it stands.
        if (nowClaimed.size === 0 && !isWrongExpectedVersion(error)) throw refusal;
        if (attempt >= MAX_ATTEMPTS) {
          throw new UnavailableError(`KurrentDB: append to ${stream} refused ${attempt} times, though neither its expected revision nor its event ids explain it`, { cause: error });
        }
        continue;
      }
      const appended = await this.#readBack(stream, revisions.get(stream), pending.length);
      return { streamRevision: appended.at(-1)!.revision, appended, duplicates: duplicatesOf(events, claimed) };
    }
  }

  /** The events, and one claim per event id, in one multi-stream transaction; the revisions each stream reached. */
  async #write(writes: readonly StreamWrite[]): Promise<Map<string, bigint>> {
    const recordedAt = this.#clock.now().toISOString();
    const requests: AppendStreamRequest[] = writes.map(({ stream, events, expected }) => ({
      streamName: stream,
      events: events.map((event) => toEventData(event, recordedAt)),
      expectedState: toStreamState(expected),
    }));
    for (const { stream, events } of writes) {
      for (const event of events) {
        // A fresh id per claim: KurrentDB must never take a repeated claim for a retried write.
        const claim = jsonEventData(randomUUID(), EVENT_ID_CLAIMED, { eventId: event.id, stream });
        requests.push({ streamName: eventIdStream(event.id), events: [claim], expectedState: 'no_stream' });
      }
    }
    const result = await this.#client.multiStreamAppend(requests);
    return new Map(result.responses.map((response) => [response.streamName, response.revision]));
  }

  /** The `count` events a transaction just wrote to `stream`, ending at revision `last`, as recorded. */
  async #readBack(stream: string, last: bigint | undefined, count: number): Promise<RecordedEvent[]> {
    if (last === undefined) throw new UnavailableError(`KurrentDB: append to ${stream}: the server did not say which revision the stream reached`);
    const read = await this.#collect(this.#client.readStream(stream, { fromRevision: last - BigInt(count) + 1n, maxCount: count }), `read back ${stream}`);
    const events = read.flatMap((resolved) => (resolved.event ? [toRecordedEvent(resolved.event)] : []));
    if (events.length !== count) throw new UnavailableError(`KurrentDB: append to ${stream}: read back ${events.length} of the ${count} events written`);
    return events;
  }

  /** Which of these events' ids have a claim stream, i.e. were stored before (lower-case keys). */
  async #claimedIds(events: readonly Pick<NewEvent, 'id'>[]): Promise<Set<string>> {
    const claimed = new Set<string>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < events.length) {
        const event = events[next++]!;
        if ((await this.#revisionOf(eventIdStream(event.id))) !== null) claimed.add(idKey(event.id));
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, events.length) }, worker));
    return claimed;
  }

  async #revisionOf(stream: string): Promise<number | null> {
    const [last] = await this.#collect(this.#client.readStream(stream, { direction: 'backwards', fromRevision: 'end', maxCount: 1 }), `read ${stream}`);
    return last?.event ? toRevision(last.event.revision) : null;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    const backwards = options.direction === 'backwards';
    const limit = options.limit === undefined ? undefined : Math.trunc(options.limit);
    if ((limit !== undefined && limit <= 0) || (backwards && options.from !== undefined && options.from < 0)) return [];
    const from = options.from === undefined || options.from < 0 ? (backwards ? 'end' : 'start') : BigInt(Math.trunc(options.from));
    const read = await this.#collect(
      this.#client.readStream(stream, { direction: backwards ? 'backwards' : 'forwards', fromRevision: from, ...(limit === undefined ? {} : { maxCount: limit }) }),
      `read ${stream}`,
    );
    return read.flatMap((resolved) => (resolved.event ? [toRecordedEvent(resolved.event)] : []));
  }

  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.#readAllRange(options);
  }

  /**
   * Pages of $all filtered to the domain's streams. KurrentDB reads $all from a position
   * inclusively (and backwards from just before it), so each page asks for one event more and
   * drops what is not strictly past the bound.
   */
  async #readAllRange(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.#assertOpen();
    const backwards = options.direction === 'backwards';
    let bound = options.direction === 'backwards' ? options.before : (options.after ?? 0);
    if (bound !== undefined && (!Number.isSafeInteger(bound) || bound < 0)) {
      throw new ValidationError('cannot read the event log', [{ path: backwards ? 'before' : 'after', message: 'must be a position: a whole number ≥ 0' }]);
    }
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0 || (backwards && bound === 0)) return [];
    const events: RecordedEvent[] = [];
    for (;;) {
      const want = Math.min(limit - events.length, PAGE) + 1;
      const page = await this.#readPage(backwards, bound, want);
      let last: GlobalPosition | undefined;
      for (const resolved of page) {
        const event = resolved.event;
        if (event === undefined) continue;
        const position = toGlobalPosition(event.position);
        last = position;
        if (bound !== undefined && (backwards ? position >= bound : position <= bound)) continue;
        if (!isDomainEvent(event.streamId, event.type)) continue;
        events.push(toRecordedEvent(event));
        if (events.length >= limit) return events;
      }
      if (page.length < want || last === undefined) return events;
      bound = last;
    }
  }

  #readPage(backwards: boolean, bound: GlobalPosition | undefined, count: number, filtered = true): Promise<AllStreamResolvedEvent[]> {
    const fromPosition: ReadPosition = bound === undefined || bound === 0 ? (backwards ? 'end' : 'start') : toAllPosition(bound);
    return this.#collect(
      this.#client.readAll({
        direction: backwards ? 'backwards' : 'forwards',
        fromPosition,
        maxCount: count,
        ...(filtered ? { filter: DOMAIN_STREAMS_FILTER } : {}),
      }),
      'read $all',
    );
  }

  async *subscribe(options: SubscribeOptions = {}): AsyncGenerator<SubscriptionBatch> {
    const { maxBatchSize, types } = subscriptionSettings(options);
    this.#assertOpen();
    const stop = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    let checkpoint = options.after ?? 0;
    let announced = false;
    while (!stop.aborted) {
      // Noted before reading: a live event after this point wakes the wait below even if it came mid-read.
      this.#ensureLive();
      const seen = this.#liveEvents;
      let events: RecordedEvent[];
      try {
        events = await this.#readAllRange({ after: checkpoint, limit: maxBatchSize });
      } catch (error) {
        // Closing the store mid-read ends the subscription quietly, as aborting does.
        if (stop.aborted) break;
        throw error;
      }
      if (stop.aborted) break;
      if (events.length > 0) {
        checkpoint = events.at(-1)!.position;
        const caughtUp = events.length < maxBatchSize;
        announced ||= caughtUp;
        // Types are picked here, after the read: the batch still carries the subscriber past the others.
        yield { events: types === null ? events : events.filter((event) => types.has(event.type)), position: checkpoint, caughtUp };
        continue;
      }
      if (!announced) {
        announced = true;
        yield { events: [], position: checkpoint, caughtUp: true };
        continue;
      }
      await this.#nextLiveEventOrPoll(seen, stop);
    }
  }

  /**
   * KurrentDB's live subscription to $all, from its end, only as a doorbell: subscribers read the
   * events themselves. If it fails (the server restarts), the doorbell is rebuilt by the next
   * subscriber that waits; meanwhile the poll interval still finds new events, and a read that
   * cannot reach the server fails the subscription with UnavailableError.
   */
  #ensureLive(): void {
    if (this.#live !== null || this.#closing.signal.aborted) return;
    const live = this.#client.subscribeToAll({ fromPosition: 'end', filter: DOMAIN_STREAMS_FILTER });
    live.on('data', () => {
      this.#liveEvents += 1;
      this.#liveSignal.emit('event');
    });
    live.on('error', () => {
      if (this.#live === live) this.#live = null;
    });
    this.#live = live;
  }

  async #nextLiveEventOrPoll(seen: number, stop: AbortSignal): Promise<void> {
    if (this.#liveEvents !== seen) return;
    const done = new AbortController();
    const signal = AbortSignal.any([stop, done.signal]);
    try {
      // A ref'd timer on purpose: a live subscription keeps the process up.
      await Promise.race([once(this.#liveSignal, 'event', { signal }), delay(this.#pollIntervalMs, undefined, { signal })]);
    } catch {
      // Stopped: the loop condition ends the iteration.
    } finally {
      done.abort();
    }
  }

  async streamRevision(stream: string): Promise<number | null> {
    this.#assertOpen();
    return this.#revisionOf(stream);
  }

  /** The ids whose claim stream exists (looked up a few at a time), as given. */
  async storedIds(ids: readonly string[]): Promise<Set<string>> {
    this.#assertOpen();
    const claimed = await this.#claimedIds(ids.map((id) => ({ id })));
    return new Set(ids.filter((id) => claimed.has(idKey(id))));
  }

  async headPosition(): Promise<GlobalPosition> {
    const [newest] = await this.#readAllRange({ direction: 'backwards', limit: 1 });
    return newest?.position ?? 0;
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    const timeout = new AbortController();
    try {
      await Promise.race([
        this.#readPage(true, undefined, 1, false),
        delay(this.#pingTimeoutMs, undefined, { signal: timeout.signal }).then(() => {
          throw new UnavailableError(`KurrentDB did not answer within ${this.#pingTimeoutMs} ms`);
        }),
      ]);
    } finally {
      timeout.abort();
    }
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    // Appends already asked for are sent and settled before the connection goes.
    await this.#draining;
    const live = this.#live;
    this.#live = null;
    await live?.unsubscribe().catch(() => undefined);
    await this.#client.dispose();
  }

  /** Drains one of the client's reads; a stream that does not exist reads as no events. */
  async #collect<T extends ResolvedEvent | AllStreamResolvedEvent>(read: AsyncIterable<T>, doing: string): Promise<T[]> {
    const items: T[] = [];
    try {
      for await (const item of read) items.push(item);
    } catch (error) {
      if (isMissingStream(error)) return [];
      throw translateError(error, doing);
    }
    return items;
  }

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new UnavailableError('event store is closed');
  }
}

/** Appends to different streams, in call order, that can share one transaction. */
function takeGroup(queue: PendingAppend[]): PendingAppend[] {
  const group: PendingAppend[] = [];
  const streams = new Set<string>();
  const ids = new Set<string>();
  let events = 0;
  let bytes = 0;
  while (queue.length > 0) {
    const next = queue[0]!;
    if (group.length > 0) {
      const fits =
        next.unique.length > 0 &&
        !streams.has(next.stream) &&
        !next.unique.some((event) => ids.has(idKey(event.id))) &&
        events + next.unique.length <= GROUP_MAX_EVENTS &&
        bytes + next.bytes <= GROUP_MAX_BYTES;
      if (!fits) break;
    }
    queue.shift();
    group.push(next);
    if (next.unique.length === 0) break;
    streams.add(next.stream);
    for (const event of next.unique) ids.add(idKey(event.id));
    events += next.unique.length;
    bytes += next.bytes;
  }
  return group;
}

function idKey(id: string): string {
  return id.toLowerCase();
}

function withoutRepeats(events: readonly NewEvent[]): NewEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    const key = idKey(event.id);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The call's ids that were not stored by it, in call order: repeats within the call and ids stored before. */
function duplicatesOf(events: readonly NewEvent[], storedBefore: ReadonlySet<string>): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const event of events) {
    const key = idKey(event.id);
    if (seen.has(key) || storedBefore.has(key)) duplicates.push(event.id);
    seen.add(key);
  }
  return duplicates;
}

/** Roughly what an event and its claim weigh in a transaction, to keep shared transactions well under KurrentDB's limit. */
function approximateSize(event: NewEvent): number {
  return (JSON.stringify(event.data)?.length ?? 0) + JSON.stringify(event.metadata).length + event.type.length + 400;
}

function validateAppend(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): void {
  const issues = appendIssues(stream, events, expected);
  if (issues.every((issue) => issue.path !== 'stream') && !isDomainStream(stream)) {
    issues.push({ path: 'stream', message: 'must not start with "$" or "nudge." (KurrentDB\'s and the store\'s own streams)' });
  }
  events.forEach((event, index) => {
    if (typeof event.type === 'string' && event.type.startsWith('$')) issues.push({ path: `events[${index}].type`, message: 'must not start with "$" (KurrentDB\'s own event types)' });
  });
  if (issues.length > 0) throw new ValidationError('cannot append', issues);
}

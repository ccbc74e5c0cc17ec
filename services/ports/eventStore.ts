import type { NewEvent, RecordedEvent } from '../core/index.ts';

/**
 * What a writer expects of a stream before its append:
 * - `'any'`: no check;
 * - `'noStream'`: the stream must not exist yet;
 * - `'streamExists'`: the stream must have at least one event;
 * - a number: the revision of the stream's last event (0 after the first event).
 */
export type ExpectedRevision = 'any' | 'noStream' | 'streamExists' | number;

/** A place in the global order. 0 means "before the first event"; events start at 1. */
export type GlobalPosition = number;

export const START: GlobalPosition = 0;

export interface AppendResult {
  /** The stream's revision after the append (null: the stream still does not exist). */
  readonly streamRevision: number | null;
  /** The events this call stored, in order, with their revisions and positions. */
  readonly appended: readonly RecordedEvent[];
  /** Ids that were already stored (by an earlier call, or earlier in this call) and were skipped. */
  readonly duplicates: readonly string[];
}

export interface ReadStreamOptions {
  /** First revision to return (inclusive). Default: the start, or the end when reading backwards. */
  readonly from?: number;
  readonly direction?: 'forwards' | 'backwards';
  /** Most events to return. Default: all. */
  readonly limit?: number;
}

export type ReadAllOptions =
  | {
      readonly direction?: 'forwards';
      /** Return events strictly after this position. Default: START. */
      readonly after?: GlobalPosition;
      readonly limit?: number;
    }
  | {
      readonly direction: 'backwards';
      /** Return events strictly before this position, newest first. Default: the end. */
      readonly before?: GlobalPosition;
      readonly limit?: number;
    };

export interface SubscribeOptions {
  /** The subscriber's stored checkpoint: delivery starts strictly after it. Default: START. */
  readonly after?: GlobalPosition;
  /** Most events in one batch. Default: 500. */
  readonly maxBatchSize?: number;
  /** Aborting ends the iteration cleanly. */
  readonly signal?: AbortSignal;
  /**
   * Only events of these types are delivered; the others are passed over (an adapter that can
   * skips them without reading or decoding them). Batches still carry the subscriber past them
   * (`position`), so a batch may then hold no events. Default: every event.
   */
  readonly types?: readonly string[];
}

export interface SubscriptionBatch {
  /**
   * Events in global order. Empty in the one batch that announces "caught up" on an idle store,
   * and, with `types`, in a batch that only passed over events of other types.
   */
  readonly events: readonly RecordedEvent[];
  /**
   * How far this batch read: its last event's position, or beyond it when events of other types
   * were passed over. The checkpoint to store: `subscribe({ after: position })` resumes right after.
   */
  readonly position: GlobalPosition;
  /** True when this batch reached the end of the store as it was when read: from here on, live. */
  readonly caughtUp: boolean;
}

/**
 * The event store: append-only streams of events, one global order across them.
 *
 *   const { appended, duplicates } = await store.append('lead-42', [event], { expectedRevision: 3 });
 *   for await (const { events } of store.subscribe({ after: checkpoint })) { ...; checkpoint = events.at(-1).position }
 *
 * Guarantees every adapter proves by running test/contracts/eventStore.contract.ts:
 * - an append is atomic and durable once its promise resolves;
 * - an event id (a UUID) is stored at most once, whenever it comes again: repeated ids are
 *   skipped and reported in `duplicates`. An append whose events are all duplicates is a
 *   successful no-op whatever its expected revision, so a retried append is safe;
 * - when an append has new events and the expected revision does not hold, nothing is stored
 *   and it fails with ConcurrencyError (expected and actual revisions);
 * - `readAll` and `subscribe` deliver every event once, in global order; a subscriber that
 *   stores the position of the last event it handled resumes after it, even in a new process.
 */
export interface EventStore {
  append(stream: string, events: readonly NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;

  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /** Catch-up then live: batches in global order, from `after` on, until aborted or closed. */
  subscribe(options?: SubscribeOptions): AsyncIterable<SubscriptionBatch>;

  /**
   * Which of these event ids are stored (in any stream), as given. Ingestion asks it of each
   * batch to recognise a message it stored before, whenever that was.
   */
  storedIds(ids: readonly string[]): Promise<Set<string>>;

  /** The revision of the stream's last event, or null when the stream does not exist. */
  streamRevision(stream: string): Promise<number | null>;

  /** The position of the newest event (START when empty): with a checkpoint, gives the lag. */
  headPosition(): Promise<GlobalPosition>;

  /** Resolves when the store can serve reads and writes; throws UnavailableError otherwise. */
  ping(): Promise<void>;

  /** Ends subscriptions and releases the backend. */
  close(): Promise<void>;
}

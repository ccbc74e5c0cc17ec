/**
 * The message envelope every fact in Nudge travels in (DESIGN.md, "Events").
 *
 * A domain event is `{ type, data }`; the envelope adds what the store and the readers need:
 * an id for idempotency, the stream it belongs to, its place in that stream and in the global
 * order, and metadata about time and causation. Times are ISO-8601 strings in UTC so that an
 * event reads the same in every store, log line and replay.
 */

/** A domain event before it has an identity: what happened, in the past tense. */
export interface Event<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/** A command: what someone asks the system to do, in the imperative. */
export interface Command<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata?: CommandMetadata;
}

export interface CommandMetadata {
  /** Id of the request or message that carried the command; becomes the events' causationId. */
  readonly messageId?: string;
  /** Id that ties together everything one outside request caused. */
  readonly correlationId?: string;
}

export interface EventMetadata {
  /** When it happened in the world (a touch's client time, a decision's logical time). */
  readonly occurredAt: string;
  /** When the store accepted it; set by the store, never by the writer. */
  readonly recordedAt: string;
  /** The id of the message that directly caused this event, when there was one. */
  readonly causationId: string | null;
  /** The id shared by every message one outside request set in motion. */
  readonly correlationId: string | null;
  /** Version of the event's data schema, so readers can upcast old shapes. */
  readonly schemaVersion: number;
}

/** An event ready to append: it has an id (a UUID, for idempotency) and metadata but no place yet. */
export interface NewEvent<E extends Event = Event> {
  readonly id: string;
  readonly type: E['type'];
  readonly data: E['data'];
  readonly metadata: Omit<EventMetadata, 'recordedAt'>;
}

/** An event as stored: with its stream, its revision in that stream and its global position. */
export interface RecordedEvent<E extends Event = Event> {
  readonly id: string;
  readonly stream: string;
  /** 0 for a stream's first event, then 1, 2, … without gaps. */
  readonly revision: number;
  /** Strictly increasing across all streams, starting at 1; gaps are allowed. */
  readonly position: number;
  readonly type: E['type'];
  readonly data: E['data'];
  readonly metadata: EventMetadata;
}

import type { Clock } from './clock.ts';
import type { IdGenerator } from './ids.ts';
import { newId } from './ids.ts';
import type { Event, NewEvent, RecordedEvent } from './message.ts';

export interface NewEventOptions {
  /** Defaults to a fresh UUIDv7; pass a derived id to make a retry idempotent. */
  readonly id?: string;
  /** When it happened; defaults to the clock's now. */
  readonly occurredAt?: Date | string;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** The message that caused this event: sets causationId and carries its correlationId on. */
  readonly causedBy?: Pick<RecordedEvent, 'id' | 'metadata'> | { readonly messageId?: string; readonly correlationId?: string };
  readonly schemaVersion?: number;
}

/**
 * Wraps a domain event in the envelope:
 *   newEvent({ type: 'OwnerAssigned', data }, { clock, causedBy: command.metadata })
 */
export function newEvent<E extends Event>(event: E, options: NewEventOptions = {}): NewEvent<E> {
  const occurredAt = options.occurredAt ?? options.clock?.now() ?? new Date();
  const { causationId, correlationId } = causation(options.causedBy);
  return {
    id: options.id ?? (options.ids ?? newId)(),
    type: event.type,
    data: event.data,
    metadata: {
      occurredAt: typeof occurredAt === 'string' ? canonicalTime(occurredAt) : occurredAt.toISOString(),
      causationId,
      correlationId,
      schemaVersion: options.schemaVersion ?? 1,
    },
  };
}

/**
 * What `toISOString` writes: a time already in that form is kept as it is (ingestion passes
 * thousands a second). Days 29–31 go through Date, which knows which months have them.
 */
const CANONICAL_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

function canonicalTime(time: string): string {
  return CANONICAL_TIME.test(time) ? time : new Date(time).toISOString();
}

function causation(cause: NewEventOptions['causedBy']): { causationId: string | null; correlationId: string | null } {
  if (cause === undefined) return { causationId: null, correlationId: null };
  if ('metadata' in cause) {
    return { causationId: cause.id, correlationId: cause.metadata.correlationId ?? cause.id };
  }
  return {
    causationId: cause.messageId ?? null,
    correlationId: cause.correlationId ?? cause.messageId ?? null,
  };
}

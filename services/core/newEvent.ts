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
      occurredAt: typeof occurredAt === 'string' ? new Date(occurredAt).toISOString() : occurredAt.toISOString(),
      causationId,
      correlationId,
      schemaVersion: options.schemaVersion ?? 1,
    },
  };
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

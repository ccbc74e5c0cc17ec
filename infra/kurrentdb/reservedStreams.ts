import type { RegexFilter } from '@kurrent/kurrentdb-client';

/**
 * Streams the adapter keeps for itself in KurrentDB, next to the domain's streams.
 *
 * Everything under `nudge.` belongs to the adapter: one `nudge.event-id-<uuid>` stream per stored
 * event id (the id guard, see kurrentdbEventStore.ts) and one `nudge.checkpoint-<name>` stream per
 * subscriber checkpoint. KurrentDB's own streams start with `$`. Neither kind is part of the
 * domain's history, so `readAll`, `subscribe` and `headPosition` leave them out, and the domain
 * may not append to such names (the domain's streams are `lead-…`, `visitor-…`, `journey-…`, …).
 */
export const RESERVED_PREFIX = 'nudge.';
export const EVENT_ID_STREAM_PREFIX = `${RESERVED_PREFIX}event-id-`;
export const CHECKPOINT_STREAM_PREFIX = `${RESERVED_PREFIX}checkpoint-`;

/** The event type of an id claim: the only event of its `nudge.event-id-<uuid>` stream. */
export const EVENT_ID_CLAIMED = 'NudgeEventIdClaimed';

/**
 * The server-side filter for reads of $all: stream names that start neither with `$` nor with
 * `nudge.`. KurrentDB evaluates it with .NET regular expressions, which have negative lookahead.
 */
export const DOMAIN_STREAMS_REGEX = '^(?!\\$|nudge\\.)';

/** DOMAIN_STREAMS_REGEX as the client's filter (what its `streamNameFilter()` builds). */
export const DOMAIN_STREAMS_FILTER: RegexFilter = { filterOn: 'streamName', regex: DOMAIN_STREAMS_REGEX, checkpointInterval: 1 };

/** Event ids are UUIDs; KurrentDB hands them back in lower case, so the guard's key is lower case too. */
export function eventIdStream(eventId: string): string {
  return `${EVENT_ID_STREAM_PREFIX}${eventId.toLowerCase()}`;
}

export function checkpointStream(name: string, scope: string | undefined): string {
  return `${CHECKPOINT_STREAM_PREFIX}${scope === undefined || scope === '' ? '' : `${scope}:`}${name}`;
}

/** A stream of the domain's history, as opposed to KurrentDB's (`$…`) or the adapter's (`nudge.…`). */
export function isDomainStream(stream: string): boolean {
  return !stream.startsWith('$') && !stream.startsWith(RESERVED_PREFIX);
}

/** KurrentDB writes `$`-typed events (tombstones, metadata, links) into ordinary streams too. */
export function isDomainEvent(stream: string, type: string): boolean {
  return isDomainStream(stream) && !type.startsWith('$');
}

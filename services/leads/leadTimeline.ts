import type { RecordedEvent } from '../core/index.ts';
import { ValidationError } from '../core/index.ts';
import { isJourneyWalkEvent, isLeadEvent, isSuggestionEvent, streams } from '../events/index.ts';
import type { EventStore, Page } from '../ports/index.ts';
import type { LeadProfile } from './leadProfile.ts';

/** One event on a lead's timeline. */
export interface TimelineEntry {
  readonly eventId: string;
  readonly type: string;
  readonly stream: string;
  readonly occurredAt: string;
  readonly data: unknown;
}

export interface TimelineQuery {
  readonly limit: number;
  /** Opaque, from the previous page's `next`. */
  readonly cursor?: string | undefined;
}

/**
 * A lead's timeline, newest first, read from the event store itself: the lead's stream, the
 * streams of the anonymous visitors linked to it (their touches from before the identification)
 * and those of the leads merged into it, with the visitors those brought. The profile says which
 * streams those are (`anonymousIds`, `mergedLeadIds`), so nothing is copied at ingestion: the
 * store is the only place an event's data lives.
 *
 * On it: the lead's own events (touches, identities, traits, stages, owner, score…), journey
 * walks and suggestions. Events of one instant keep the store's order (newest position first).
 *
 *   const page = await leadTimeline(store, profile, { limit: 50 });
 *   const next = await leadTimeline(store, profile, { limit: 50, cursor: page.next });
 */
export async function leadTimeline(store: EventStore, lead: LeadProfile, query: TimelineQuery): Promise<Page<TimelineEntry>> {
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
  const names = [
    streams.lead(lead.id),
    ...lead.mergedLeadIds.map((id) => streams.lead(id)),
    ...lead.anonymousIds.map((anonymousId) => streams.visitor(anonymousId)),
  ];
  const events = (await Promise.all([...new Set(names)].map((name) => store.readStream(name)))).flat().filter(onTimeline);
  events.sort(newestFirst);
  const start = after === null ? 0 : events.findIndex((event) => newestFirst(event, after) > 0);
  const rest = start < 0 ? [] : events.slice(start);
  const page = rest.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((event) => ({ eventId: event.id, type: event.type, stream: event.stream, occurredAt: event.metadata.occurredAt, data: event.data })),
    next: rest.length > query.limit && last ? encodeCursor(last) : null,
  };
}

function onTimeline(event: RecordedEvent): boolean {
  return isLeadEvent(event) || isJourneyWalkEvent(event) || isSuggestionEvent(event);
}

interface Place {
  readonly position: number;
  readonly metadata: { readonly occurredAt: string };
}

/** Newer occurredAt first; in one instant, the later position first. */
function newestFirst(a: Place, b: Place): number {
  const at = a.metadata.occurredAt;
  const bt = b.metadata.occurredAt;
  if (at !== bt) return at < bt ? 1 : -1;
  return b.position - a.position;
}

function encodeCursor(event: Place): string {
  return Buffer.from(JSON.stringify([event.metadata.occurredAt, event.position])).toString('base64url');
}

function decodeCursor(cursor: string): Place {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === 2 && typeof parts[0] === 'string' && Number.isSafeInteger(parts[1])) {
      return { metadata: { occurredAt: parts[0] }, position: parts[1] as number };
    }
  } catch {
    // Reported below.
  }
  throw new ValidationError('invalid cursor', [{ path: 'cursor', message: 'is not a cursor this server returned' }]);
}

import type { RecordedEvent } from '../../services/core/index.ts';
import type { TouchRecorded } from '../../services/events/index.ts';

/**
 * An event as journeys see it: the `event` and `trigger` facts, the thing a trigger or a wait
 * `until` matches by name. Touches keep their Segment name (`Webinar Attended`); lead-state and
 * suggestion events get the documented system names (`Lifecycle Stage Changed`,
 * `Suggestion Completed`), with their data as `properties`.
 */
export interface EventFacts {
  readonly eventId: string;
  readonly name: string;
  /** The stored event type (`TouchRecorded`, `LifecycleStageChanged`, …). */
  readonly type: string;
  readonly occurredAt: string;
  /** occurredAt in epoch milliseconds. */
  readonly at: number;
  readonly channel: string | null;
  readonly source: string | null;
  readonly medium: string | null;
  readonly campaign: string | null;
  readonly term: string | null;
  readonly content: string | null;
  readonly properties: Readonly<Record<string, unknown>>;
  /** For suggestion events: the suggestion they are about (see `SuggestionFacts`). */
  readonly suggestion: Readonly<Record<string, unknown>> | null;
}

/** System names of the events that are not touches; the names triggers and waits use. */
export const systemEventNameOfType: Readonly<Record<string, string>> = {
  LeadIdentified: 'Lead Identified',
  VisitorLinked: 'Visitor Linked',
  AccountAssociated: 'Account Associated',
  TraitsUpdated: 'Traits Updated',
  LifecycleStageChanged: 'Lifecycle Stage Changed',
  LeadStatusChanged: 'Lead Status Changed',
  LeadTagged: 'Lead Tagged',
  LeadUntagged: 'Lead Untagged',
  OwnerAssigned: 'Owner Assigned',
  LeadScoreChanged: 'Lead Score Changed',
  LeadsMerged: 'Leads Merged',
  SuggestionAccepted: 'Suggestion Accepted',
  SuggestionCompleted: 'Suggestion Completed',
  SuggestionDismissed: 'Suggestion Dismissed',
  SuggestionSnoozed: 'Suggestion Snoozed',
  SuggestionExpired: 'Suggestion Expired',
  EmailSent: 'Email Sent',
};

/** The name a trigger or wait matches this stored event by; null for events that are not inputs (journey walk events, definitions). */
export function eventNameOf(event: Pick<RecordedEvent, 'type' | 'data'>): string | null {
  if (event.type === 'TouchRecorded') return (event.data as TouchRecorded['data']).name;
  return systemEventNameOfType[event.type] ?? null;
}

/** The event as facts; null when journeys do not handle this type. */
export function eventFactsOf(
  event: Pick<RecordedEvent, 'id' | 'type' | 'data' | 'metadata'>,
  suggestion: Readonly<Record<string, unknown>> | null = null,
): EventFacts | null {
  const name = eventNameOf(event);
  if (name === null) return null;
  const occurredAt = event.metadata.occurredAt;
  const at = Date.parse(occurredAt);
  if (event.type === 'TouchRecorded') {
    const touch = event.data as TouchRecorded['data'];
    return {
      eventId: event.id,
      name,
      type: event.type,
      occurredAt,
      at,
      channel: touch.channel,
      source: touch.utm.source,
      medium: touch.utm.medium,
      campaign: touch.utm.campaign,
      term: touch.utm.term,
      content: touch.utm.content,
      properties: touch.properties,
      suggestion: null,
    };
  }
  const { messageId: _messageId, ...properties } = (event.data ?? {}) as Record<string, unknown>;
  const extra = event.type === 'LifecycleStageChanged' ? { stage: properties.to } : event.type === 'LeadStatusChanged' ? { status: properties.to } : {};
  return {
    eventId: event.id,
    name,
    type: event.type,
    occurredAt,
    at,
    channel: null,
    source: null,
    medium: null,
    campaign: null,
    term: null,
    content: null,
    properties: { ...properties, ...extra },
    suggestion,
  };
}

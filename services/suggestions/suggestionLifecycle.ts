import type { Decider } from '../core/index.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/index.ts';
import type { SuggestionEvent, TouchRecorded } from '../events/index.ts';
import type { dismissReasons, suggestionOutcomes } from '../events/index.ts';

/**
 * A suggestion's life, decided on the lead's stream (where it was proposed):
 *
 *   proposed ──accept──► accepted ──complete──► completed (outcome)
 *      │  ▲                 │
 *      │  └──(snooze ends)──┤ snooze ──► snoozed (until) ──accept / complete / dismiss …
 *      ├──complete (one click from the queue)
 *      ├──dismiss (reason) ──► dismissed
 *      └──expire (past expiresAt) ──► expired
 *
 * completed, dismissed and expired are final: any command after them is refused with a
 * ConflictError that says what happened (HTTP 409). A completed call or meeting that reached the
 * person is also recorded as a touch on the `sales` channel, so journeys and attribution see it.
 */
export type SuggestionStatus = 'proposed' | 'accepted' | 'snoozed' | 'completed' | 'dismissed' | 'expired';
export type SuggestionOutcome = (typeof suggestionOutcomes)[number];
export type DismissReason = (typeof dismissReasons)[number];

export type SuggestionCommand =
  | { type: 'AcceptSuggestion'; data: { suggestionId: string; by: string | null } }
  | { type: 'CompleteSuggestion'; data: { suggestionId: string; by: string | null; outcome: SuggestionOutcome; note: string | null } }
  | { type: 'DismissSuggestion'; data: { suggestionId: string; by: string | null; reason: DismissReason; note: string | null } }
  | { type: 'SnoozeSuggestion'; data: { suggestionId: string; by: string | null; until: string } }
  | { type: 'ExpireSuggestion'; data: { suggestionId: string } };

export interface SuggestionState {
  readonly suggestionId: string;
  readonly action: string;
  readonly status: SuggestionStatus;
  readonly expiresAt: string;
  readonly snoozedUntil: string | null;
  readonly at: string | null;
}

/** The suggestions of one lead, by id (only suggestion events matter; the rest passes through). */
export type LeadSuggestions = ReadonlyMap<string, SuggestionState>;

/** Outcomes of a call or meeting in which the person was reached: those count as a touch. */
export const reachedOutcomes: ReadonlySet<string> = new Set(['connected', 'left_voicemail', 'meeting_booked', 'replied', 'not_interested']);
const touchNames: Readonly<Record<string, string>> = { call: 'Call Completed', meeting: 'Meeting Held' };

type LifecycleEvent = SuggestionEvent | TouchRecorded;

export const suggestionLifecycle: Decider<SuggestionCommand, LeadSuggestions, LifecycleEvent> = {
  initialState: () => new Map(),
  evolve(state, event) {
    const at = 'metadata' in event ? (event as { metadata: { occurredAt: string } }).metadata.occurredAt : null;
    switch (event.type) {
      case 'SuggestionProposed':
        return withSuggestion(state, {
          suggestionId: event.data.suggestionId,
          action: event.data.action,
          status: 'proposed',
          expiresAt: event.data.expiresAt,
          snoozedUntil: null,
          at,
        });
      case 'SuggestionAccepted':
        return update(state, event.data.suggestionId, { status: 'accepted', snoozedUntil: null, at });
      case 'SuggestionSnoozed':
        return update(state, event.data.suggestionId, { status: 'snoozed', snoozedUntil: event.data.until, at });
      case 'SuggestionCompleted':
        return update(state, event.data.suggestionId, { status: 'completed', at });
      case 'SuggestionDismissed':
        return update(state, event.data.suggestionId, { status: 'dismissed', at });
      case 'SuggestionExpired':
        return update(state, event.data.suggestionId, { status: 'expired', at });
      default:
        return state;
    }
  },
  decide(command, state, { now }) {
    const suggestion = state.get(command.data.suggestionId);
    if (!suggestion) throw new NotFoundError(`no suggestion ${command.data.suggestionId}`);
    if (suggestion.status === 'completed' || suggestion.status === 'dismissed' || suggestion.status === 'expired') {
      throw new ConflictError(`suggestion ${suggestion.suggestionId} is already ${suggestion.status}${suggestion.at ? ` (${suggestion.at})` : ''}: it cannot be changed any more`);
    }
    switch (command.type) {
      case 'AcceptSuggestion':
        if (suggestion.status === 'accepted') return [];
        return [{ type: 'SuggestionAccepted', data: { suggestionId: suggestion.suggestionId, by: command.data.by } }];
      case 'CompleteSuggestion': {
        const { outcome, note, by } = command.data;
        if (outcome === 'other' && !note) throw new ValidationError('An outcome of "other" needs a note', [{ path: 'note', message: 'is required when the outcome is other' }]);
        const events: LifecycleEvent[] = [{ type: 'SuggestionCompleted', data: { suggestionId: suggestion.suggestionId, by, outcome, note } }];
        const touchName = touchNames[suggestion.action];
        if (touchName && reachedOutcomes.has(outcome)) events.push(salesTouch(touchName, suggestion, outcome, now));
        return events;
      }
      case 'DismissSuggestion': {
        const { reason, note, by } = command.data;
        if (reason === 'other' && !note) throw new ValidationError('A reason of "other" needs a note', [{ path: 'note', message: 'is required when the reason is other' }]);
        return [{ type: 'SuggestionDismissed', data: { suggestionId: suggestion.suggestionId, by, reason, note } }];
      }
      case 'SnoozeSuggestion': {
        const until = Date.parse(command.data.until);
        if (Number.isNaN(until) || until <= now.getTime()) {
          throw new ValidationError('Snooze until a time in the future', [{ path: 'until', message: 'must be a date-time after now' }]);
        }
        if (until >= Date.parse(suggestion.expiresAt)) {
          throw new ConflictError(`suggestion ${suggestion.suggestionId} expires at ${suggestion.expiresAt}: snooze it to an earlier time, or dismiss it`);
        }
        return [{ type: 'SuggestionSnoozed', data: { suggestionId: suggestion.suggestionId, by: command.data.by, until: new Date(until).toISOString() } }];
      }
      case 'ExpireSuggestion':
        if (now.getTime() < Date.parse(suggestion.expiresAt)) {
          throw new ConflictError(`suggestion ${suggestion.suggestionId} expires only at ${suggestion.expiresAt}`);
        }
        return [{ type: 'SuggestionExpired', data: { suggestionId: suggestion.suggestionId } }];
      default: {
        const unknown: never = command;
        throw new TypeError(`unknown command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

function withSuggestion(state: LeadSuggestions, suggestion: SuggestionState): LeadSuggestions {
  const next = new Map(state);
  next.set(suggestion.suggestionId, suggestion);
  return next;
}

function update(state: LeadSuggestions, suggestionId: string, change: Partial<SuggestionState>): LeadSuggestions {
  const current = state.get(suggestionId);
  return current ? withSuggestion(state, { ...current, ...change }) : state;
}

function salesTouch(name: string, suggestion: SuggestionState, outcome: string, now: Date): TouchRecorded {
  const at = now.toISOString();
  return {
    type: 'TouchRecorded',
    data: {
      messageId: `suggestion:${suggestion.suggestionId}`,
      call: 'track',
      name,
      pageName: null,
      channel: 'sales',
      channelRule: 'suggestion-completed',
      occurredAt: at,
      receivedAt: at,
      utm: { source: null, medium: null, campaign: null, term: null, content: null },
      clickIds: {},
      url: null,
      referrer: null,
      properties: { suggestionId: suggestion.suggestionId, action: suggestion.action, outcome },
      anonymousId: null,
      userId: null,
      ip: null,
      userAgent: null,
    },
  };
}

import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../services/core/index.ts';
import type { SuggestionCommand } from '../../services/suggestions/index.ts';
import { suggestionLifecycle } from '../../services/suggestions/index.ts';

const id = '0190f0a0-0000-7000-8000-000000000001';
const now = new Date('2026-03-02T12:00:00Z');

const proposed = (action = 'call') => ({
  type: 'SuggestionProposed' as const,
  data: { suggestionId: id, action, expiresAt: '2026-03-07T10:00:00.000Z' },
  metadata: { occurredAt: '2026-03-02T10:00:00.000Z' },
});
const history = {
  proposed: [proposed()],
  accepted: [proposed(), { type: 'SuggestionAccepted', data: { suggestionId: id, by: 'rep' } }],
  snoozed: [proposed(), { type: 'SuggestionSnoozed', data: { suggestionId: id, by: 'rep', until: '2026-03-03T09:00:00.000Z' } }],
  completed: [proposed(), { type: 'SuggestionCompleted', data: { suggestionId: id, by: 'rep', outcome: 'connected', note: null } }],
  dismissed: [proposed(), { type: 'SuggestionDismissed', data: { suggestionId: id, by: 'rep', reason: 'bad_timing', note: null } }],
  expired: [proposed(), { type: 'SuggestionExpired', data: { suggestionId: id } }],
} as const;

const commands: Record<string, SuggestionCommand> = {
  accept: { type: 'AcceptSuggestion', data: { suggestionId: id, by: 'rep' } },
  complete: { type: 'CompleteSuggestion', data: { suggestionId: id, by: 'rep', outcome: 'meeting_booked', note: null } },
  dismiss: { type: 'DismissSuggestion', data: { suggestionId: id, by: 'rep', reason: 'not_relevant', note: null } },
  snooze: { type: 'SnoozeSuggestion', data: { suggestionId: id, by: 'rep', until: '2026-03-04T09:00:00.000Z' } },
};

function decide(given: readonly unknown[], command: SuggestionCommand, at = now) {
  let state = suggestionLifecycle.initialState();
  for (const event of given) state = suggestionLifecycle.evolve(state, event as never);
  return suggestionLifecycle.decide(command, state, { now: at }).map((event) => event.type);
}

describe('suggestion lifecycle: allowed transitions', () => {
  const allowed: [keyof typeof history, string, string[]][] = [
    ['proposed', 'accept', ['SuggestionAccepted']],
    ['proposed', 'complete', ['SuggestionCompleted', 'TouchRecorded']],
    ['proposed', 'dismiss', ['SuggestionDismissed']],
    ['proposed', 'snooze', ['SuggestionSnoozed']],
    ['accepted', 'accept', []],
    ['accepted', 'complete', ['SuggestionCompleted', 'TouchRecorded']],
    ['accepted', 'dismiss', ['SuggestionDismissed']],
    ['accepted', 'snooze', ['SuggestionSnoozed']],
    ['snoozed', 'accept', ['SuggestionAccepted']],
    ['snoozed', 'complete', ['SuggestionCompleted', 'TouchRecorded']],
    ['snoozed', 'dismiss', ['SuggestionDismissed']],
    ['snoozed', 'snooze', ['SuggestionSnoozed']],
  ];
  it.each(allowed)('given %s, when %s, then %j', (state, command, events) => {
    expect(decide(history[state], commands[command]!)).toEqual(events);
  });

  it('expires an open suggestion once its expiry has passed, not before', () => {
    const expire: SuggestionCommand = { type: 'ExpireSuggestion', data: { suggestionId: id } };
    expect(decide(history.accepted, expire, new Date('2026-03-07T10:00:00Z'))).toEqual(['SuggestionExpired']);
    expect(() => decide(history.accepted, expire, new Date('2026-03-07T09:59:59Z'))).toThrow(ConflictError);
  });
});

describe('suggestion lifecycle: refused transitions', () => {
  for (const final of ['completed', 'dismissed', 'expired'] as const) {
    it.each(Object.keys(commands))(`refuses %s on a ${final} suggestion with 409, saying it is ${final}`, (command) => {
      expect(() => decide(history[final], commands[command]!)).toThrow(new RegExp(`already ${final}`));
      expect(() => decide(history[final], commands[command]!)).toThrow(ConflictError);
    });
  }

  it('refuses a snooze into the past or past the expiry, and "other" without a note', () => {
    expect(() => decide(history.proposed, { ...commands.snooze!, data: { suggestionId: id, by: null, until: '2026-03-01T00:00:00.000Z' } } as SuggestionCommand)).toThrow(ValidationError);
    expect(() => decide(history.proposed, { ...commands.snooze!, data: { suggestionId: id, by: null, until: '2026-03-08T00:00:00.000Z' } } as SuggestionCommand)).toThrow(/expires at/);
    expect(() => decide(history.proposed, { type: 'CompleteSuggestion', data: { suggestionId: id, by: null, outcome: 'other', note: null } })).toThrow(ValidationError);
    expect(() => decide(history.proposed, { type: 'DismissSuggestion', data: { suggestionId: id, by: null, reason: 'other', note: null } })).toThrow(ValidationError);
  });

  it('answers 404 for a suggestion the lead does not have', () => {
    expect(() => decide([], commands.accept!)).toThrow(NotFoundError);
  });
});

describe('suggestion lifecycle: completion as a touch', () => {
  it('records a reached call as a sales touch, and not a call nobody answered, nor a task', () => {
    let state = suggestionLifecycle.initialState();
    state = suggestionLifecycle.evolve(state, proposed() as never);
    const reached = suggestionLifecycle.decide(commands.complete!, state, { now });
    expect(reached[1]).toMatchObject({ type: 'TouchRecorded', data: { name: 'Call Completed', channel: 'sales', properties: { outcome: 'meeting_booked' } } });
    expect(suggestionLifecycle.decide({ type: 'CompleteSuggestion', data: { suggestionId: id, by: null, outcome: 'no_answer', note: null } }, state, { now })).toHaveLength(1);

    let task = suggestionLifecycle.initialState();
    task = suggestionLifecycle.evolve(task, proposed('task') as never);
    expect(suggestionLifecycle.decide(commands.complete!, task, { now })).toHaveLength(1);
  });
});

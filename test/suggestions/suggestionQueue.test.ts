import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../services/core/index.ts';
import { deriveId } from '../../services/core/index.ts';
import { reasonText, SuggestionQueue, UNASSIGNED } from '../../services/suggestions/index.ts';

let position = 0;
function event(stream: string, type: string, data: Record<string, unknown>, at = '2026-03-02T08:00:00.000Z'): RecordedEvent {
  position++;
  return { id: deriveId('q', String(position)), stream, revision: position, position, type, data, metadata: { occurredAt: at, recordedAt: at, causationId: null, correlationId: null, schemaVersion: 1 } };
}

const reason = {
  journeyId: 'webinar-follow-up',
  journeyName: 'Webinar follow-up',
  version: 1,
  path: ['check-fit', 'call-now'],
  decisions: [
    {
      node: 'check-fit',
      label: 'Worth a call?',
      chosen: 0,
      next: 'call-now',
      branches: [{ index: 0, label: null, holds: true, checks: [{ at: 'all[0]', fact: 'score', path: '$.fit', operator: 'greaterThanInclusive', value: 60, factValue: 78, holds: true }] }],
    },
  ],
  trigger: { eventId: 'e1', name: 'Webinar Attended', occurredAt: '2026-03-01T16:00:00.000Z' },
  event: { eventId: 'e1', name: 'Webinar Attended', occurredAt: '2026-03-01T16:00:00.000Z' },
};

function proposed(lead: string, n: number, options: { priority?: string; dueAt?: string; action?: string; at?: string } = {}): RecordedEvent {
  return event(
    `lead-${lead}`,
    'SuggestionProposed',
    {
      suggestionId: deriveId('s', String(n)),
      leadId: lead,
      journeyId: 'webinar-follow-up',
      version: 1,
      instanceId: deriveId('i', String(n)),
      node: 'call-now',
      action: options.action ?? 'call',
      priority: options.priority ?? 'normal',
      title: `suggestion ${n}`,
      body: null,
      subject: null,
      dueAt: options.dueAt ?? '2026-03-02T09:00:00.000Z',
      expiresAt: '2026-03-09T09:00:00.000Z',
      ownerId: null,
      reason,
    },
    options.at,
  );
}

const now = new Date('2026-03-02T12:00:00Z');
const titles = (items: readonly { title: string }[]) => items.map((item) => item.title);

describe('the SDR queue', () => {
  it('orders by priority, then lead score, then due time, then age', () => {
    const queue = new SuggestionQueue();
    for (const lead of ['a', 'b', 'c', 'd']) queue.apply(event(`lead-${lead}`, 'OwnerAssigned', { ownerId: 'rep-ana', previousOwnerId: null, reason: 'test' }));
    queue.apply(event('lead-b', 'LeadScoreChanged', { fit: 80, engagement: 10, total: 90, band: 'A' }));
    queue.apply(event('lead-c', 'LeadScoreChanged', { fit: 40, engagement: 10, total: 50, band: 'C' }));
    queue.apply(proposed('a', 1, { priority: 'normal' }));
    queue.apply(proposed('b', 2, { priority: 'normal' }));
    queue.apply(proposed('c', 3, { priority: 'urgent' }));
    queue.apply(proposed('d', 4, { priority: 'normal', dueAt: '2026-03-02T07:00:00.000Z' }));
    queue.apply(proposed('d', 5, { priority: 'normal', dueAt: '2026-03-02T07:00:00.000Z', at: '2026-03-02T06:00:00.000Z' }));

    const view = queue.queue('rep-ana', { now });

    expect(titles(view.today)).toEqual(['suggestion 3', 'suggestion 2', 'suggestion 5', 'suggestion 4', 'suggestion 1']);
    expect(view.counts).toMatchObject({ open: 5, proposed: 5, overdue: 5, dueToday: 5 });
  });

  it('shows at most the daily capacity as today, the rest later in order, and keeps tomorrow’s for later', () => {
    const queue = new SuggestionQueue();
    queue.apply(event('lead-a', 'OwnerAssigned', { ownerId: 'rep-ana', previousOwnerId: null, reason: 'test' }));
    for (let n = 1; n <= 4; n++) queue.apply(proposed('a', n, { dueAt: `2026-03-02T0${n}:00:00.000Z` }));
    queue.apply(proposed('a', 5, { dueAt: '2026-03-03T09:00:00.000Z' }));

    const view = queue.queue('rep-ana', { now, capacity: 2 });

    expect(titles(view.today)).toEqual(['suggestion 1', 'suggestion 2']);
    expect(titles(view.later)).toEqual(['suggestion 3', 'suggestion 4', 'suggestion 5']);
    expect(titles(queue.queue('rep-ana', { now, due: 'overdue' }).today)).toHaveLength(4);
  });

  it('ends "today" at midnight in the rep’s time zone', () => {
    const queue = new SuggestionQueue();
    queue.apply(event('lead-a', 'OwnerAssigned', { ownerId: 'rep-ana', previousOwnerId: null, reason: 'test' }));
    queue.apply(proposed('a', 1, { dueAt: '2026-03-02T20:00:00.000Z' }));
    // 20:00 UTC is already tomorrow in Singapore (UTC+8), still today in New York.
    expect(queue.queue('rep-ana', { now, timeZone: 'Asia/Singapore' }).today).toHaveLength(0);
    expect(queue.queue('rep-ana', { now, timeZone: 'America/New_York' }).today).toHaveLength(1);
  });

  it('moves a suggestion with its lead when the owner changes, and keeps an unowned lead’s in the team queue', () => {
    const queue = new SuggestionQueue();
    queue.apply(proposed('a', 1));
    expect(queue.queue(UNASSIGNED, { now }).today).toHaveLength(1);
    queue.apply(event('lead-a', 'OwnerAssigned', { ownerId: 'rep-bo', previousOwnerId: null, reason: 'routing' }));
    expect(queue.queue(UNASSIGNED, { now }).today).toHaveLength(0);
    expect(queue.queue('rep-bo', { now }).today).toHaveLength(1);
    queue.apply(event('lead-a', 'OwnerAssigned', { ownerId: 'rep-cy', previousOwnerId: 'rep-bo', reason: 'manual' }));
    expect(queue.queue('rep-bo', { now }).counts.open).toBe(0);
    expect(queue.queue('rep-cy', { now }).today[0]?.lead.ownerId).toBe('rep-cy');
  });

  it('hides a snoozed suggestion until its time, counts closed ones by state, and lists what has expired', () => {
    const queue = new SuggestionQueue();
    queue.apply(event('lead-a', 'OwnerAssigned', { ownerId: 'rep-ana', previousOwnerId: null, reason: 'test' }));
    queue.apply(proposed('a', 1));
    queue.apply(proposed('a', 2));
    queue.apply(proposed('a', 3));
    queue.apply(event('lead-a', 'SuggestionSnoozed', { suggestionId: deriveId('s', '1'), by: 'rep-ana', until: '2026-03-02T15:00:00.000Z' }));
    queue.apply(event('lead-a', 'SuggestionCompleted', { suggestionId: deriveId('s', '2'), by: 'rep-ana', outcome: 'connected', note: null }));

    expect(titles(queue.queue('rep-ana', { now }).today)).toEqual(['suggestion 3']);
    expect(titles(queue.queue('rep-ana', { now: new Date('2026-03-02T15:00:00Z') }).today)).toEqual(['suggestion 1', 'suggestion 3']);
    expect(queue.queue('rep-ana', { now }).counts).toMatchObject({ open: 2, snoozed: 1, proposed: 1, completed: 1 });
    expect(queue.expiredBy(new Date('2026-03-09T09:00:00Z')).map((item) => item.title).sort()).toEqual(['suggestion 1', 'suggestion 3']);
  });

  it('shows the lead’s summary and the recorded reason in words', () => {
    const queue = new SuggestionQueue();
    queue.apply(event('lead-a', 'TraitsUpdated', { messageId: 'm', traits: { firstName: 'Mei', lastName: 'Tan', title: 'CMO', email: 'mei@acme.example' } }));
    queue.apply(event('lead-a', 'AccountAssociated', { messageId: 'm2', accountId: 'acme', via: 'group', groupId: 'acme', domain: null, name: 'Acme', traits: {} }));
    queue.apply(proposed('a', 1));
    const [item] = queue.queue(UNASSIGNED, { now }).today;
    expect(item?.lead).toMatchObject({ name: 'Mei Tan', title: 'CMO', email: 'mei@acme.example', company: 'Acme' });
    expect(item?.reason).toBe('Webinar Attended on 1 Mar 2026 · Worth a call?: fit score 78 ≥ 60');
    expect(reasonText({ ...reason, decisions: [{ ...reason.decisions[0]!, chosen: null, next: 'wait', branches: [{ ...reason.decisions[0]!.branches[0]!, holds: false, checks: [{ ...reason.decisions[0]!.branches[0]!.checks[0]!, factValue: 40, holds: false }] }] }] })).toBe(
      'Webinar Attended on 1 Mar 2026 · Worth a call?: fit score 40 < 60',
    );
  });

  it('shows one suggestion with every reason when a second journey merged into it', () => {
    const queue = new SuggestionQueue();
    queue.apply(proposed('a', 1));
    queue.apply(
      event('lead-a', 'SuggestionMerged', {
        journeyId: 'new-inbound-lead',
        version: 1,
        instanceId: deriveId('i', '9'),
        node: 'call-now',
        suggestionId: deriveId('s', '1'),
        mergedSuggestionId: deriveId('s', '9'),
        reason: { ...reason, journeyId: 'new-inbound-lead', decisions: [], trigger: { eventId: 'e2', name: 'Demo Requested', occurredAt: '2026-03-02T07:00:00.000Z' }, event: null },
      }),
    );
    const [item] = queue.queue(UNASSIGNED, { now }).today;
    expect(queue.queue(UNASSIGNED, { now }).today).toHaveLength(1);
    expect(item?.alsoBecause).toEqual([expect.objectContaining({ journeyId: 'new-inbound-lead', reason: 'Demo Requested on 2 Mar 2026' })]);
  });

  it('moves a merged lead’s suggestions to the surviving lead and its owner', () => {
    const queue = new SuggestionQueue();
    queue.apply(event('lead-a', 'OwnerAssigned', { ownerId: 'rep-ana', previousOwnerId: null, reason: 'test' }));
    queue.apply(event('lead-b', 'OwnerAssigned', { ownerId: 'rep-bo', previousOwnerId: null, reason: 'test' }));
    queue.apply(proposed('b', 1));
    queue.apply(event('lead-a', 'LeadsMerged', { messageId: 'm', mergedLeadId: 'b', identities: [] }));
    expect(queue.queue('rep-bo', { now }).counts.open).toBe(0);
    expect(queue.queue('rep-ana', { now }).today.map((item) => item.leadId)).toEqual(['a']);
  });
});

/**
 * When a lead becomes routable, and what the ledger knows then: given the events of the store in
 * order, then the lead routing would be tried for (once), with its facts.
 */
import { describe, expect, it } from 'vitest';
import type { LedgerEvent, RoutableLead } from '../../../services/leads/index.ts';
import { RoutingLedger } from '../../../services/leads/index.ts';

let sequence = 0;
function event(stream: string, type: string, data: Record<string, unknown>, occurredAt = '2026-03-02T10:00:00.000Z'): LedgerEvent {
  return { id: `e${++sequence}`, stream, type, data, metadata: { occurredAt } };
}
const identified = (leadId: string, messageId: string) => event(`lead-${leadId}`, 'LeadIdentified', { messageId, via: 'identify', identities: [{ kind: 'userId', value: leadId }] });
const traits = (leadId: string, messageId: string, values: Record<string, unknown>) => event(`lead-${leadId}`, 'TraitsUpdated', { messageId, traits: values });
const account = (leadId: string, messageId: string, accountId: string, values: Record<string, unknown> = {}) =>
  event(`lead-${leadId}`, 'AccountAssociated', { messageId, accountId, via: 'group', groupId: accountId, domain: null, name: null, traits: values });
const touch = (stream: string, messageId: string, channel: string, source: string | null, occurredAt: string) =>
  event(stream, 'TouchRecorded', { messageId, call: 'track', name: 'Page Viewed', channel, utm: { source }, occurredAt }, occurredAt);
const owner = (leadId: string, ownerId: string) => event(`lead-${leadId}`, 'OwnerAssigned', { ownerId, previousOwnerId: null, reason: 'territory' });

/** Which events made a lead routable: their index in `events`, and the facts then. */
function routable(events: readonly LedgerEvent[], ledger = new RoutingLedger()): { at: number; routable: RoutableLead }[] {
  const found: { at: number; routable: RoutableLead }[] = [];
  events.forEach((one, at) => {
    const result = ledger.apply(one);
    if (result !== null) found.push({ at, routable: result });
  });
  return found;
}

describe('a lead becomes routable', () => {
  it('not at an identify that says nothing of where it is, but at the group call that follows, with the account’s facts', () => {
    const found = routable([
      identified('L1', 'm1'),
      account('L1', 'm1', 'A1'), // inferred from the email domain: no traits yet
      traits('L1', 'm1', { email: 'mei@acme.example', title: 'CMO' }),
      account('L1', 'm2', 'A1', { country: 'JP', industry: 'Software', employees: 450 }),
      traits('L1', 'm3', { country: 'US' }),
    ]);

    expect(found).toEqual([{ at: 3, routable: { lead: { id: 'L1', traits: {}, accountId: 'A1', firstTouch: null }, account: { id: 'A1', traits: { country: 'JP', industry: 'Software', employees: 450 } } } }]);
  });

  it('at once when the identify gives a country of the lead’s own', () => {
    const found = routable([identified('L1', 'm1'), traits('L1', 'm1', { country: 'DE', plan: 'ignored' })]);

    expect(found.map(({ at, routable: { lead } }) => [at, lead.traits])).toEqual([[1, { country: 'DE' }]]);
  });

  it('at the touch of a track call that identified it', () => {
    const found = routable([identified('L1', 'm1'), touch('lead-L1', 'm1', 'paid_search', 'google', '2026-03-02T10:00:00.000Z')]);

    expect(found.map(({ at }) => at)).toEqual([1]);
    expect(found[0]!.routable.lead.firstTouch).toEqual({ channel: 'paid_search', source: 'google', at: '2026-03-02T10:00:00.000Z' });
  });

  it('at its next call when the identify said nothing else, and never again', () => {
    const found = routable([identified('L1', 'm1'), traits('L1', 'm2', { title: 'VP Sales' }), traits('L1', 'm3', { country: 'FR' }), touch('lead-L1', 'm4', 'direct', null, '2026-03-02T11:00:00Z')]);

    expect(found.map(({ at }) => at)).toEqual([1]);
  });

  it('at the identify’s account when another lead of the account has an owner (the account owner will win)', () => {
    const ledger = new RoutingLedger();
    routable([identified('L1', 'm1'), account('L1', 'm1', 'A1'), owner('L1', 'rep-ana')], ledger);

    const found = routable([identified('L2', 'm9'), account('L2', 'm9', 'A1')], ledger);

    expect(found.map(({ at, routable: { lead } }) => [at, lead.id, lead.accountId])).toEqual([[1, 'L2', 'A1']]);
    expect(ledger.accountOwners('A1')).toEqual([{ repId: 'rep-ana', leads: 1 }]);
  });

  it('never, when it got an owner before (a tracking call or a person)', () => {
    expect(routable([identified('L1', 'm1'), owner('L1', 'rep-ana'), account('L1', 'm2', 'A1', { country: 'US' })])).toEqual([]);
  });

  it('never, while it is only an anonymous visitor', () => {
    expect(routable([touch('visitor-v1', 'm1', 'organic_search', 'google', '2026-03-01T08:00:00Z'), touch('lead-L1', 'm2', 'direct', null, '2026-03-02T08:00:00Z')])).toEqual([]);
  });
});

describe('what the ledger knows of a lead', () => {
  it('its first touch counts the visits it made before it was known', () => {
    const found = routable([
      touch('visitor-v1', 'm0', 'paid_social', 'linkedin', '2026-03-01T08:00:00Z'),
      identified('L1', 'm1'),
      event('lead-L1', 'VisitorLinked', { messageId: 'm1', anonymousId: 'v1' }),
      touch('lead-L1', 'm1', 'direct', null, '2026-03-02T09:00:00Z'),
    ]);

    expect(found[0]!.routable.lead.firstTouch).toEqual({ channel: 'paid_social', source: 'linkedin', at: '2026-03-01T08:00:00Z' });
  });

  it('owned leads and the day’s assignments per rep, moved by reassignments and merges', () => {
    const ledger = new RoutingLedger();
    routable([identified('L1', 'm1'), owner('L1', 'rep-ana'), identified('L2', 'm2'), owner('L2', 'rep-ben'), owner('L2', 'rep-ana')], ledger);
    expect([ledger.ownedLeads('rep-ana'), ledger.ownedLeads('rep-ben')]).toEqual([2, 0]);
    expect([ledger.assignedOn('rep-ana', '2026-03-02'), ledger.assignedOn('rep-ben', '2026-03-02')]).toEqual([2, 1]);

    routable([identified('L3', 'm3'), event('lead-L3', 'LeadsMerged', { messageId: 'm4', mergedLeadId: 'L2', identities: [] })], ledger);
    expect(ledger.ownerOf('L3')).toBe('rep-ana');
    expect(ledger.ownedLeads('rep-ana')).toBe(2);
  });
});

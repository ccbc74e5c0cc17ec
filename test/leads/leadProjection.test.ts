import { describe, expect, it } from 'vitest';
import type { LeadProfile, ProjectableEvent } from '../../services/leads/index.ts';
import { emptyLead, projectLeadEvent } from '../../services/leads/index.ts';
import type { IndexChange, IndexedLead, LeadIndexReader } from '../../services/ports/index.ts';

/** A reader over fixed leads and identities (the projection only reads). */
function reader(leads: readonly LeadProfile[], identities: Record<string, string> = {}): LeadIndexReader {
  const byId = new Map(leads.map((lead): [string, IndexedLead] => [lead.id, { id: lead.id, document: lead, mergedInto: null }]));
  const unused = () => Promise.reject(new Error('not used by the projection'));
  return {
    checkpoint: () => Promise.resolve(0),
    leadOfIdentity: (key) => Promise.resolve(identities[key] ?? null),
    accountOfKey: () => Promise.resolve(null),
    lead: (leadId) => Promise.resolve(byId.get(leadId) ?? null),
    account: () => Promise.resolve(null),
    wasApplied: () => Promise.resolve(false),
    searchLeads: unused,
  };
}

const known: LeadProfile = { ...emptyLead('L1', '2026-11-01T10:00:00.000Z'), traits: { title: 'CEO' } };
const event = (stream: string, type: string, occurredAt: string, data: unknown = {}): ProjectableEvent => ({ id: `e-${type}-${occurredAt}`, stream, type, data, metadata: { occurredAt, causationId: null } });
const puts = (changes: IndexChange[]) => changes.filter((change): change is Extract<IndexChange, { kind: 'putLead' }> => change.kind === 'putLead');

describe('projectLeadEvent: activity-only puts', () => {
  it('a touch on a known lead that only moves its activity time is an activity-only put', async () => {
    const [put] = puts(await projectLeadEvent(reader([known]), event('lead-L1', 'TouchRecorded', '2026-11-02T00:00:00.000Z')));
    expect(put).toMatchObject({ leadId: 'L1', activityOnly: true, search: { updatedAt: '2026-11-02T00:00:00.000Z' } });
    expect((put!.document as LeadProfile).updatedAt).toBe('2026-11-02T00:00:00.000Z');
  });

  it("a linked visitor's touch is the lead's activity, activity-only too", async () => {
    const changes = await projectLeadEvent(reader([known], { 'anonymousId:a1': 'L1' }), event('visitor-a1', 'TouchRecorded', '2026-11-02T00:00:00.000Z'));
    expect(puts(changes)).toMatchObject([{ leadId: 'L1', activityOnly: true }]);
  });

  it('is a full put when anything else changes: an earlier touch moves createdAt, traits change, the lead is new', async () => {
    const earlier = puts(await projectLeadEvent(reader([known]), event('lead-L1', 'TouchRecorded', '2026-10-01T00:00:00.000Z')));
    expect(earlier[0]?.activityOnly).toBeUndefined();
    expect((earlier[0]?.document as LeadProfile).createdAt).toBe('2026-10-01T00:00:00.000Z');
    const traits = puts(await projectLeadEvent(reader([known]), event('lead-L1', 'TraitsUpdated', '2026-11-02T00:00:00.000Z', { traits: { title: 'CTO' } })));
    expect(traits[0]?.activityOnly).toBeUndefined();
    // A lead the index does not hold starts empty: its first touch is a whole new document (the
    // index writes it in full whatever the flag says, having none).
    const fresh = puts(await projectLeadEvent(reader([]), event('lead-L9', 'TouchRecorded', '2026-11-02T00:00:00.000Z')));
    expect(fresh[0]).toMatchObject({ leadId: 'L9', document: { id: 'L9', createdAt: '2026-11-02T00:00:00.000Z' } });
  });
});

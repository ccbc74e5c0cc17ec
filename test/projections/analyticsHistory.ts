import { deriveId, newEvent } from '../../services/core/index.ts';
import type { Identity } from '../../services/events/index.ts';
import { AD_COSTS_STREAM, streams } from '../../services/events/index.ts';
import type { EventStore } from '../../services/ports/index.ts';

export interface TouchSpec {
  readonly name?: string;
  readonly channel?: string;
  readonly source?: string | null;
  readonly medium?: string | null;
  readonly campaign?: string | null;
  readonly content?: string | null;
}

/**
 * Writes small, hand-made lead histories into a store, as ingestion would have written them:
 * `owner` is `lead:<id>` or `visitor:<anonymousId>`; times are ISO strings.
 */
export function analyticsHistory(store: EventStore) {
  let n = 0;
  const id = (...parts: string[]) => deriveId('analytics-history', ...parts, String(n++));
  const streamOf = (owner: string) => (owner.startsWith('visitor:') ? streams.visitor(owner.slice(8)) : streams.lead(owner.replace(/^lead:/, '')));
  return {
    async touch(owner: string, at: string, spec: TouchSpec = {}) {
      const messageId = id('touch', owner, at);
      await store.append(streamOf(owner), [
        newEvent(
          {
            type: 'TouchRecorded',
            data: {
              messageId,
              call: 'track',
              name: spec.name ?? 'Page Viewed',
              pageName: null,
              channel: spec.channel ?? 'direct',
              channelRule: 'test',
              occurredAt: at,
              receivedAt: at,
              utm: { source: spec.source ?? null, medium: spec.medium ?? null, campaign: spec.campaign ?? null, term: null, content: spec.content ?? null },
              clickIds: {},
              url: null,
              referrer: null,
              properties: {},
              anonymousId: owner.startsWith('visitor:') ? owner.slice(8) : null,
              userId: null,
              ip: null,
              userAgent: null,
            },
          },
          { id: messageId, occurredAt: at },
        ),
      ]);
    },
    async identify(leadId: string, at: string, identities: readonly Identity[] = [{ kind: 'email', value: `${leadId}@example.com` }]) {
      await store.append(streams.lead(leadId), [newEvent({ type: 'LeadIdentified', data: { messageId: id('identify'), via: 'identify', identities: [...identities] } }, { id: id('e'), occurredAt: at })]);
    },
    async traits(leadId: string, at: string, traits: Record<string, unknown>) {
      await store.append(streams.lead(leadId), [newEvent({ type: 'TraitsUpdated', data: { messageId: id('traits'), traits } }, { id: id('e'), occurredAt: at })]);
    },
    async account(leadId: string, at: string, accountId: string, traits: Record<string, unknown>) {
      await store.append(streams.lead(leadId), [
        newEvent({ type: 'AccountAssociated', data: { messageId: id('group'), accountId, via: 'group', groupId: accountId, domain: null, name: null, traits } }, { id: id('e'), occurredAt: at }),
      ]);
    },
    async link(leadId: string, anonymousId: string, at: string) {
      await store.append(streams.lead(leadId), [newEvent({ type: 'VisitorLinked', data: { messageId: id('link'), anonymousId } }, { id: id('e'), occurredAt: at })]);
    },
    async stage(leadId: string, to: string, at: string, amount: number | null = null, from: string | null = null) {
      await store.append(streams.lead(leadId), [
        newEvent({ type: 'LifecycleStageChanged', data: { messageId: id('stage'), from, to, amount, currency: amount === null ? null : 'USD' } }, { id: id('e'), occurredAt: at }),
      ]);
    },
    async owner(leadId: string, repId: string, at: string) {
      await store.append(streams.lead(leadId), [newEvent({ type: 'OwnerAssigned', data: { ownerId: repId, previousOwnerId: null, reason: 'test' } }, { id: id('e'), occurredAt: at })]);
    },
    async status(leadId: string, to: string, at: string) {
      await store.append(streams.lead(leadId), [newEvent({ type: 'LeadStatusChanged', data: { messageId: id('status'), from: null, to } }, { id: id('e'), occurredAt: at })]);
    },
    /** `mergedLeadId` turned out to be `survivorId`. */
    async merge(survivorId: string, mergedLeadId: string, at: string) {
      await store.append(streams.lead(survivorId), [
        newEvent({ type: 'LeadsMerged', data: { messageId: id('merge'), mergedLeadId, identities: [] } }, { id: id('e'), occurredAt: at }),
      ]);
    },
    async cost(day: string, source: string, medium: string, campaign: string, cost: number) {
      await store.append(AD_COSTS_STREAM, [
        newEvent({ type: 'AdCostReported', data: { date: day, source, medium, campaign, cost, currency: 'USD', clicks: null, impressions: null } }, { id: id('cost', day, source, medium, campaign, String(cost)), occurredAt: `${day}T00:00:00.000Z` }),
      ]);
    },
  };
}

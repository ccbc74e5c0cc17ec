import type { EventMetadata } from '../core/index.ts';
import type { AccountAssociated, LeadEvent } from '../events/index.ts';
import { identityKey, isLeadEvent, leadIdOfStream, visitorOfStream } from '../events/index.ts';
import type { IndexChange, LeadIndexReader, LeadSearchFields } from '../ports/index.ts';
import type { LeadProfile } from './leadProfile.ts';
import { displayName, emptyLead, evolveLead, primaryEmail } from './leadProfile.ts';

/** An event as the projection needs it: stored, or about to be (no position yet). */
export interface ProjectableEvent {
  readonly id: string;
  readonly stream: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Pick<EventMetadata, 'occurredAt' | 'causationId'>;
}

/** An account as the read side shows it. */
export interface AccountProfile {
  readonly id: string;
  readonly name: string | null;
  readonly domain: string | null;
  readonly groupIds: readonly string[];
  readonly domains: readonly string[];
  readonly traits: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * What one event changes in the lead index. Reads go through `index` (inside the caller's
 * transaction, so they see the events projected before this one); apply the result before
 * projecting the next event.
 */
export async function projectLeadEvent(index: LeadIndexReader, event: ProjectableEvent): Promise<IndexChange[]> {
  if (!isLeadEvent(event)) return [];
  const leadEvent = event as unknown as LeadEvent;
  const at = event.metadata.occurredAt;
  const changes: IndexChange[] = [];

  const anonymousId = visitorOfStream(event.stream);
  if (anonymousId !== null) {
    // A visitor's touch: once the visitor is linked to a lead, it is that lead's activity.
    const leadId = await index.leadOfIdentity(`anonymousId:${anonymousId}`);
    if (leadId !== null) {
      const lead = await loadLead(index, leadId, at);
      changes.push(putLead(evolveLead(lead, leadEvent, at), lead));
    }
    return changes;
  }

  const leadId = leadIdOfStream(event.stream);
  if (leadId === null) return changes;
  const lead = await loadLead(index, leadId, at);

  switch (leadEvent.type) {
    case 'LeadIdentified':
      for (const identity of leadEvent.data.identities) changes.push({ kind: 'linkIdentity', key: identityKey(identity), leadId });
      break;
    case 'VisitorLinked':
      changes.push({ kind: 'linkIdentity', key: `anonymousId:${leadEvent.data.anonymousId}`, leadId });
      break;
    case 'AccountAssociated':
      changes.push(...(await associateAccount(index, leadEvent, at)));
      break;
    case 'LeadsMerged': {
      const merged = await index.lead(leadEvent.data.mergedLeadId);
      changes.push({ kind: 'mergeLead', from: leadEvent.data.mergedLeadId, into: leadId });
      for (const identity of leadEvent.data.identities) changes.push({ kind: 'linkIdentity', key: identityKey(identity), leadId });
      changes.push(putLead(evolveLead(lead, leadEvent, at, (merged?.document as LeadProfile | undefined) ?? null)));
      return changes;
    }
    default:
      break;
  }
  changes.push(putLead(evolveLead(lead, leadEvent, at), lead));
  return changes;
}

async function loadLead(index: LeadIndexReader, leadId: string, at: string): Promise<LeadProfile> {
  const stored = await index.lead(leadId);
  return stored === null ? emptyLead(leadId, at) : (stored.document as LeadProfile);
}

/** `before` is the lead the event found: a touch that moved only its activity time says so (`activityOnly`). */
function putLead(lead: LeadProfile, before?: LeadProfile): IndexChange {
  const activityOnly = before !== undefined && onlyActivityMoved(before, lead);
  return { kind: 'putLead', leadId: lead.id, document: lead, search: searchFields(lead), ...(activityOnly ? { activityOnly } : {}) };
}

/** Whether `after` is `before` with at most a new `updatedAt` (evolveLead keeps every untouched field as it was). */
function onlyActivityMoved(before: LeadProfile, after: LeadProfile): boolean {
  for (const key of Object.keys(after) as (keyof LeadProfile)[]) {
    if (key !== 'updatedAt' && after[key] !== before[key]) return false;
  }
  return Object.keys(before).length === Object.keys(after).length;
}

export function searchFields(lead: LeadProfile): LeadSearchFields {
  const company = lead.traits.company;
  return {
    email: primaryEmail(lead),
    name: displayName(lead),
    company: typeof company === 'string' ? company : typeof company === 'object' && company !== null && typeof (company as { name?: unknown }).name === 'string' ? (company as { name: string }).name : (lead.account?.name ?? null),
    stage: lead.stage,
    status: lead.status,
    accountId: lead.account?.id ?? null,
    ownerId: lead.ownerId,
    updatedAt: lead.updatedAt,
  };
}

async function associateAccount(index: LeadIndexReader, event: AccountAssociated, at: string): Promise<IndexChange[]> {
  const { accountId, groupId, domain, name, traits } = event.data;
  const stored = await index.account(accountId);
  const current: AccountProfile = (stored?.document as AccountProfile | undefined) ?? {
    id: accountId,
    name: null,
    domain: null,
    groupIds: [],
    domains: [],
    traits: {},
    createdAt: at,
    updatedAt: at,
  };
  const account: AccountProfile = {
    ...current,
    name: name ?? current.name,
    domain: current.domain ?? domain,
    groupIds: groupId === null || current.groupIds.includes(groupId) ? current.groupIds : [...current.groupIds, groupId],
    domains: domain === null || current.domains.includes(domain) ? current.domains : [...current.domains, domain],
    traits: { ...current.traits, ...traits },
    createdAt: at < current.createdAt ? at : current.createdAt,
    updatedAt: at > current.updatedAt ? at : current.updatedAt,
  };
  const changes: IndexChange[] = [{ kind: 'putAccount', accountId, document: account }];
  if (groupId !== null) changes.push({ kind: 'linkAccount', key: `groupId:${groupId}`, accountId });
  if (domain !== null) changes.push({ kind: 'linkAccount', key: `domain:${domain}`, accountId });
  return changes;
}

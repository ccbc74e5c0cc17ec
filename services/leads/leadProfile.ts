import { assertNever } from '../core/index.ts';
import type { Identity, LeadEvent } from '../events/index.ts';
import { identityKey } from '../events/index.ts';

/**
 * A lead as the read side shows it: folded from the lead's stream by `evolveLead`, kept in the
 * lead index, returned by `GET /v1/leads/:id`.
 */
export interface LeadProfile {
  readonly id: string;
  readonly createdAt: string;
  /** Time of the newest event on the lead (activity, not storage time). */
  readonly updatedAt: string;
  readonly identities: readonly Identity[];
  readonly anonymousIds: readonly string[];
  /** Current traits, last write wins per trait; their history is the stream's TraitsUpdated events. */
  readonly traits: Readonly<Record<string, unknown>>;
  readonly stage: string | null;
  readonly stageHistory: readonly StageChange[];
  readonly status: string | null;
  readonly statusChangedAt: string | null;
  readonly tags: readonly string[];
  readonly account: { readonly id: string; readonly name: string | null; readonly domain: string | null } | null;
  readonly ownerId: string | null;
  readonly score: { readonly fit: number; readonly engagement: number; readonly total: number; readonly band: string; readonly at: string } | null;
  /** Leads found to be this same person and merged into this one. */
  readonly mergedLeadIds: readonly string[];
}

export interface StageChange {
  readonly from: string | null;
  readonly to: string;
  readonly at: string;
  readonly amount: number | null;
  readonly currency: string | null;
}

export function emptyLead(id: string, at: string): LeadProfile {
  return {
    id,
    createdAt: at,
    updatedAt: at,
    identities: [],
    anonymousIds: [],
    traits: {},
    stage: null,
    stageHistory: [],
    status: null,
    statusChangedAt: null,
    tags: [],
    account: null,
    ownerId: null,
    score: null,
    mergedLeadIds: [],
  };
}

/**
 * The lead after one more event of its stream; `at` is the event's occurredAt. Pure.
 * A merge needs the merged lead's profile, which the caller passes as `merged`.
 */
export function evolveLead(lead: LeadProfile, event: LeadEvent, at: string, merged?: LeadProfile | null): LeadProfile {
  const touched = { ...lead, updatedAt: at > lead.updatedAt ? at : lead.updatedAt, createdAt: at < lead.createdAt ? at : lead.createdAt };
  switch (event.type) {
    case 'TouchRecorded':
      return touched;
    case 'LeadIdentified':
      return { ...touched, identities: addIdentities(lead.identities, event.data.identities) };
    case 'VisitorLinked':
      return { ...touched, anonymousIds: addUnique(lead.anonymousIds, [event.data.anonymousId]) };
    case 'AccountAssociated':
      return { ...touched, account: { id: event.data.accountId, name: event.data.name ?? lead.account?.name ?? null, domain: event.data.domain ?? null } };
    case 'TraitsUpdated': {
      const traits: Record<string, unknown> = { ...lead.traits };
      for (const [name, value] of Object.entries(event.data.traits)) {
        if (value === null) delete traits[name];
        else traits[name] = value;
      }
      return { ...touched, traits };
    }
    case 'LifecycleStageChanged': {
      const change = { from: event.data.from, to: event.data.to, at, amount: event.data.amount, currency: event.data.currency };
      // Late-arriving changes keep the history in time order; the stage is the latest change's.
      const stageHistory = [...lead.stageHistory, change].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      return { ...touched, stageHistory, stage: stageHistory[stageHistory.length - 1]!.to };
    }
    case 'LeadStatusChanged':
      return { ...touched, status: event.data.to, statusChangedAt: at };
    case 'LeadTagged':
      return { ...touched, tags: addUnique(lead.tags, event.data.tags) };
    case 'LeadUntagged':
      return { ...touched, tags: lead.tags.filter((tag) => !event.data.tags.includes(tag)) };
    case 'OwnerAssigned':
      return { ...touched, ownerId: event.data.ownerId };
    case 'LeadScoreChanged':
      return { ...touched, score: { ...event.data, at } };
    case 'LeadsMerged':
      return mergeLeads(touched, event.data.mergedLeadId, event.data.identities, merged ?? null);
    default:
      return assertNever(event);
  }
}

/** The survivor keeps its own values; the merged lead fills what the survivor lacks. */
function mergeLeads(lead: LeadProfile, mergedLeadId: string, identities: readonly Identity[], merged: LeadProfile | null): LeadProfile {
  const base = { ...lead, identities: addIdentities(lead.identities, identities), mergedLeadIds: addUnique(lead.mergedLeadIds, [mergedLeadId]) };
  if (merged === null) return base;
  const stageHistory = [...lead.stageHistory, ...merged.stageHistory].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return {
    ...base,
    createdAt: merged.createdAt < lead.createdAt ? merged.createdAt : lead.createdAt,
    updatedAt: merged.updatedAt > lead.updatedAt ? merged.updatedAt : lead.updatedAt,
    identities: addIdentities(base.identities, merged.identities),
    anonymousIds: addUnique(lead.anonymousIds, merged.anonymousIds),
    traits: { ...merged.traits, ...lead.traits },
    stageHistory,
    stage: stageHistory.length > 0 ? stageHistory[stageHistory.length - 1]!.to : null,
    status: lead.status ?? merged.status,
    statusChangedAt: lead.status === null ? merged.statusChangedAt : lead.statusChangedAt,
    tags: addUnique(lead.tags, merged.tags),
    account: lead.account ?? merged.account,
    ownerId: lead.ownerId ?? merged.ownerId,
    score: lead.score ?? merged.score,
    mergedLeadIds: addUnique(base.mergedLeadIds, merged.mergedLeadIds),
  };
}

function addIdentities(current: readonly Identity[], more: readonly Identity[]): readonly Identity[] {
  const keys = new Set(current.map(identityKey));
  const added = more.filter((identity) => {
    const key = identityKey(identity);
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  });
  return added.length === 0 ? current : [...current, ...added];
}

function addUnique(current: readonly string[], more: readonly string[]): readonly string[] {
  const added = more.filter((value, index) => !current.includes(value) && more.indexOf(value) === index);
  return added.length === 0 ? current : [...current, ...added];
}

/** The display name: the `name` trait, else first + last name, else null. */
export function displayName(lead: LeadProfile): string | null {
  const { name, first_name: first, last_name: last, firstName, lastName } = lead.traits as Record<string, unknown>;
  if (typeof name === 'string' && name.trim() !== '') return name.trim();
  const parts = [first ?? firstName, last ?? lastName].filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  return parts.length > 0 ? parts.join(' ') : null;
}

export function primaryEmail(lead: LeadProfile): string | null {
  return lead.identities.find((identity) => identity.kind === 'email')?.value ?? null;
}

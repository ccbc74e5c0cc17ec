import type { FieldIssue, NewEvent } from '../core/index.ts';
import { deriveId, newEvent } from '../core/index.ts';
import type { Identity, LeadEvent } from '../events/index.ts';
import { identityKey, streams } from '../events/index.ts';
import type { AccountProfile, LeadProfile, LeadSettings } from '../leads/index.ts';
import { businessDomain, matchListValue } from '../leads/index.ts';
import type { LeadIndexReader } from '../ports/index.ts';
import type { ChannelRules } from './channels/index.ts';
import { canonicalEventName, isSystemEvent } from './channels/index.ts';
import { identitiesOfMessage, STATE_TRAITS } from './identitiesOfMessage.ts';
import type { ReceivedMessage } from './segment/receivedMessage.ts';
import { touchFromMessage } from './touchFromMessage.ts';

export interface PlanContext {
  /** Reads inside the ingestion transaction: they see the messages planned before this one. */
  readonly index: LeadIndexReader;
  readonly settings: LeadSettings;
  readonly channelRules: ChannelRules;
}

/** What one message becomes: events for exactly one stream (so it lands atomically), or a rejection. */
export type Plan =
  | { readonly kind: 'append'; readonly stream: string; readonly leadId: string | null; readonly events: readonly NewEvent<LeadEvent>[] }
  | { readonly kind: 'rejected'; readonly issues: readonly FieldIssue[] };

type Draft = LeadEvent;

/**
 * Identity resolution and event planning for one Segment message.
 *
 * - The message's identities (userId, email, phone, chat handles, anonymousId) are looked up;
 *   no lead → a new lead (if the message names anyone) or an anonymous visitor's touch;
 *   one lead → that lead; several → they are the same person and are merged into one survivor
 *   (the lead of the userId, else the oldest), unless two of them carry different userIds:
 *   different userIds are different people, so those are never merged by an identify.
 * - Every event of a message goes to one stream, so a message is stored whole or not at all, and
 *   each event's id is derived from the messageId, so a resend is recognised.
 */
export async function planMessage(received: ReceivedMessage, context: PlanContext): Promise<Plan> {
  const message = received.message;
  const issues: FieldIssue[] = [];
  const identities = identitiesOfMessage(message);
  const anonymousId = message.anonymousId ?? null;

  if (message.type === 'alias') return planAlias(received, context);

  const resolution = await resolveLead(context.index, identities, anonymousId, message.userId ?? null);
  const drafts: Draft[] = [];
  // System events are recognised in any spelling (`lead_tagged`, `LeadTagged`).
  const systemEvent = message.type === 'track' ? systemEventName(message.event) : null;
  const isTouch = (message.type === 'track' && systemEvent === null) || message.type === 'page' || message.type === 'screen';

  if (resolution.leadId === null && identities.length === 0 && isTouch) {
    // Nobody known yet: the touch waits on the visitor's stream until an identify links it.
    const events = [touchEvent(received, context)];
    return { kind: 'append', stream: streams.visitor(anonymousId!), leadId: null, events: envelope(received, events) };
  }

  const leadId = resolution.leadId ?? deriveId('lead', message.messageId);
  const lead = resolution.profile;
  drafts.push(...resolution.merges);
  const ours = identities.filter((identity) => !resolution.foreignKeys.has(identityKey(identity)));
  const newIdentities = ours.filter((identity) => !resolution.ownedKeys.has(identityKey(identity)));
  if (message.type === 'identify') {
    drafts.push({ type: 'LeadIdentified', data: { messageId: message.messageId, via: 'identify', identities: ours } });
  } else if (newIdentities.length > 0) {
    drafts.push({ type: 'LeadIdentified', data: { messageId: message.messageId, via: 'track', identities: newIdentities } });
  }
  const anonymousKey = `anonymousId:${anonymousId}`;
  if (anonymousId !== null && !resolution.ownedKeys.has(anonymousKey) && !resolution.foreignKeys.has(anonymousKey)) {
    drafts.push({ type: 'VisitorLinked', data: { messageId: message.messageId, anonymousId } });
  }

  switch (message.type) {
    case 'identify': {
      const traits = message.traits ?? {};
      drafts.push(...(await emailDomainAccount(received, lead, identities, traits, context, resolution)));
      const changed = changedTraits(lead?.traits ?? {}, traits);
      if (Object.keys(changed).length > 0) drafts.push({ type: 'TraitsUpdated', data: { messageId: message.messageId, traits: changed } });
      const stage = traits.lifecycle_stage ?? traits.lifecycleStage;
      if (stage !== undefined && stage !== null) drafts.push(...stageChange(received, lead, stage, traits.amount ?? null, traits.currency ?? null, 'traits.lifecycle_stage', context, issues));
      const status = traits.lead_status ?? traits.leadStatus;
      if (status !== undefined && status !== null) drafts.push(...statusChange(received, lead, status, 'traits.lead_status', context, issues));
      break;
    }
    case 'group':
      drafts.push(await groupAccount(received, message.groupId, message.traits ?? {}, context));
      break;
    case 'track':
      if (systemEvent !== null) drafts.push(...stateEvent(received, systemEvent, message.properties ?? {}, lead, context, issues));
      else drafts.push(touchEvent(received, context));
      break;
    case 'page':
    case 'screen':
      drafts.push(touchEvent(received, context));
      break;
    default: {
      const unexpected: never = message;
      throw new Error(`unexpected call ${JSON.stringify(unexpected)}`);
    }
  }
  if (issues.length > 0) return { kind: 'rejected', issues };
  return { kind: 'append', stream: streams.lead(leadId), leadId, events: envelope(received, drafts) };
}

interface Resolution {
  readonly leadId: string | null;
  readonly profile: LeadProfile | null;
  /** Identity keys the resolved lead owns (counting the leads merged into it). */
  readonly ownedKeys: ReadonlySet<string>;
  /** Identity keys that stay with another lead this one must not be merged with. */
  readonly foreignKeys: ReadonlySet<string>;
  readonly merges: readonly Draft[];
}

async function resolveLead(index: LeadIndexReader, identities: readonly Identity[], anonymousId: string | null, userId: string | null): Promise<Resolution> {
  const keys = identities.map(identityKey);
  if (anonymousId !== null) keys.push(`anonymousId:${anonymousId}`);
  const owners = new Map<string, string[]>();
  const userKey = userId === null ? null : `userId:${userId}`;
  let userOwner: string | undefined;
  for (const key of keys) {
    const owner = await index.leadOfIdentity(key);
    if (owner === null) continue;
    const owned = owners.get(owner);
    if (owned === undefined) owners.set(owner, [key]);
    else owned.push(key);
    if (key === userKey) userOwner = owner;
  }
  if (owners.size === 1 && (userId === null || userOwner !== undefined)) {
    // The common case: every identity the call names that is known is one lead's, and nothing conflicts.
    const [owner, ownedKeys] = owners.entries().next().value!;
    const stored = await index.lead(owner);
    return { leadId: owner, profile: (stored?.document as LeadProfile | undefined) ?? null, ownedKeys: new Set(ownedKeys), foreignKeys: NO_KEYS, merges: [] };
  }
  const profiles = new Map<string, LeadProfile>();
  for (const owner of owners.keys()) {
    const stored = await index.lead(owner);
    if (stored !== null) profiles.set(owner, stored.document as LeadProfile);
  }
  const foreignKeys = new Set<string>();
  if (userId !== null && userOwner === undefined) {
    // A userId nobody has yet: leads that already carry another userId are other people, even
    // when they share this call's email or device.
    for (const [owner, ownedKeys] of [...owners]) {
      if (userIdsOf(profiles.get(owner)).length === 0) continue;
      for (const key of ownedKeys) foreignKeys.add(key);
      owners.delete(owner);
    }
  }
  if (owners.size === 0) return { leadId: null, profile: null, ownedKeys: new Set(), foreignKeys, merges: [] };
  const survivor =
    userOwner ??
    [...owners.keys()].sort((a, b) => {
      const at = (profiles.get(a)?.createdAt ?? '') .localeCompare(profiles.get(b)?.createdAt ?? '');
      return at !== 0 ? at : a.localeCompare(b);
    })[0]!;
  const survivorUserIds = userIdsOf(profiles.get(survivor));
  const ownedKeys = new Set(owners.get(survivor));
  const merges: Draft[] = [];
  for (const [owner, ownedByOther] of owners) {
    if (owner === survivor) continue;
    const other = profiles.get(owner);
    const otherUserIds = userIdsOf(other);
    const conflict = otherUserIds.length > 0 && survivorUserIds.length > 0 && !otherUserIds.some((id) => survivorUserIds.includes(id));
    if (conflict) {
      // Two people with their own userIds share an email or a device: keep them apart.
      for (const key of ownedByOther) foreignKeys.add(key);
      continue;
    }
    merges.push({ type: 'LeadsMerged', data: { messageId: '', mergedLeadId: owner, identities: [...(other?.identities ?? [])] } });
    for (const key of ownedByOther) ownedKeys.add(key);
  }
  return { leadId: survivor, profile: profiles.get(survivor) ?? null, ownedKeys, foreignKeys, merges };
}

const NO_KEYS: ReadonlySet<string> = new Set();

function userIdsOf(profile: LeadProfile | undefined): string[] {
  return (profile?.identities ?? []).filter((identity) => identity.kind === 'userId').map((identity) => identity.value);
}

/** alias(userId, previousId): the previous id (an old userId or an anonymousId) is this user. */
async function planAlias(received: ReceivedMessage, context: PlanContext): Promise<Plan> {
  const message = received.message;
  if (message.type !== 'alias') throw new Error('planAlias needs an alias call');
  const { previousId, userId, messageId } = message;
  const index = context.index;
  const previousLead = (await index.leadOfIdentity(`userId:${previousId}`)) ?? (await index.leadOfIdentity(`anonymousId:${previousId}`));
  const userLead = await index.leadOfIdentity(`userId:${userId}`);
  const drafts: Draft[] = [];
  const leadId = userLead ?? previousLead ?? deriveId('lead', messageId);
  if (userLead === null) drafts.push({ type: 'LeadIdentified', data: { messageId, via: 'alias', identities: [{ kind: 'userId', value: userId }] } });
  if (previousLead === null) {
    // Unknown previous id: it may be an old userId or a device's anonymousId; link it as both.
    drafts.push({ type: 'LeadIdentified', data: { messageId, via: 'alias', identities: [{ kind: 'userId', value: previousId }] } });
    drafts.push({ type: 'VisitorLinked', data: { messageId, anonymousId: previousId } });
  } else if (userLead !== null && previousLead !== userLead) {
    const merged = await index.lead(previousLead);
    drafts.push({ type: 'LeadsMerged', data: { messageId, mergedLeadId: previousLead, identities: [...((merged?.document as LeadProfile | undefined)?.identities ?? [])] } });
  }
  if (drafts.length === 0) drafts.push({ type: 'LeadIdentified', data: { messageId, via: 'alias', identities: [{ kind: 'userId', value: userId }] } });
  return { kind: 'append', stream: streams.lead(leadId), leadId, events: envelope(received, drafts) };
}

function touchEvent(received: ReceivedMessage, context: PlanContext): Draft {
  return { type: 'TouchRecorded', data: touchFromMessage(received, context.channelRules) };
}

/**
 * A business email joins the lead to the account of its domain: the account a group call already
 * formed with that domain when there is one, else an account of the domain alone.
 */
async function emailDomainAccount(
  received: ReceivedMessage,
  lead: LeadProfile | null,
  identities: readonly Identity[],
  traits: Record<string, unknown>,
  context: PlanContext,
  resolution: Resolution,
): Promise<Draft[]> {
  if (lead?.account || resolution.merges.length > 0) return [];
  const email = identities.find((identity) => identity.kind === 'email');
  const domain = email === undefined ? null : businessDomain(email.value, context.settings);
  if (domain === null) return [];
  const company = typeof traits.company === 'string' ? traits.company : null;
  const existing = await context.index.accountOfKey(`domain:${domain}`);
  // A contact's own `company` trait names a new account, never renames one a group call named.
  const existingName = existing === null ? null : ((await context.index.account(existing))?.document as AccountProfile | undefined)?.name ?? null;
  return [
    {
      type: 'AccountAssociated',
      data: { messageId: received.message.messageId, accountId: existing ?? deriveId('account', 'domain', domain), via: 'email_domain', groupId: null, domain, name: existing === null ? company : existingName, traits: {} },
    },
  ];
}

async function groupAccount(received: ReceivedMessage, groupId: string, traits: Record<string, unknown>, context: PlanContext): Promise<Draft> {
  const domain = domainOf(traits.domain) ?? domainOf(traits.website);
  const accountId =
    (await context.index.accountOfKey(`groupId:${groupId}`)) ??
    (domain === null ? null : await context.index.accountOfKey(`domain:${domain}`)) ??
    deriveId('account', 'group', groupId);
  const name = typeof traits.name === 'string' && traits.name.trim() !== '' ? traits.name.trim() : null;
  return { type: 'AccountAssociated', data: { messageId: received.message.messageId, accountId, via: 'group', groupId, domain, name, traits } };
}

function domainOf(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const raw = value.trim().toLowerCase();
  try {
    const host = new URL(raw.includes('://') ? raw : `https://${raw}`).hostname;
    return host.replace(/^www\./, '') || null;
  } catch {
    return null;
  }
}

function changedTraits(current: Readonly<Record<string, unknown>>, incoming: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (STATE_TRAITS.has(name) || value === undefined) continue;
    if (JSON.stringify(current[name]) !== JSON.stringify(value)) changed[name] = value;
  }
  return changed;
}

function stageChange(
  received: ReceivedMessage,
  lead: LeadProfile | null,
  rawStage: unknown,
  rawAmount: unknown,
  rawCurrency: unknown,
  path: string,
  context: PlanContext,
  issues: FieldIssue[],
): Draft[] {
  const stage = matchListValue(context.settings.stages, rawStage);
  if (stage === null) {
    issues.push({ path, message: `must be one of the lifecycle stages: ${context.settings.stages.join(', ')}` });
    return [];
  }
  const amount = rawAmount === null || rawAmount === undefined || rawAmount === '' ? null : Number(rawAmount);
  if (amount !== null && !Number.isFinite(amount)) {
    issues.push({ path: path.replace(/[^.]+$/, 'amount'), message: 'must be a number' });
    return [];
  }
  const currency = typeof rawCurrency === 'string' && rawCurrency.trim() !== '' ? rawCurrency.trim().toUpperCase() : null;
  if (lead?.stage === stage && amount === null) return [];
  return [{ type: 'LifecycleStageChanged', data: { messageId: received.message.messageId, from: lead?.stage ?? null, to: stage, amount, currency } }];
}

function statusChange(received: ReceivedMessage, lead: LeadProfile | null, rawStatus: unknown, path: string, context: PlanContext, issues: FieldIssue[]): Draft[] {
  const status = matchListValue(context.settings.statuses, rawStatus);
  if (status === null) {
    issues.push({ path, message: `must be one of the lead statuses: ${context.settings.statuses.join(', ')}` });
    return [];
  }
  if (lead?.status === status) return [];
  return [{ type: 'LeadStatusChanged', data: { messageId: received.message.messageId, from: lead?.status ?? null, to: status } }];
}

function systemEventName(name: string): string | null {
  const canonical = canonicalEventName(name) ?? name;
  return isSystemEvent(canonical) ? canonical : null;
}

function stateEvent(
  received: ReceivedMessage,
  name: string,
  properties: Record<string, unknown>,
  lead: LeadProfile | null,
  context: PlanContext,
  issues: FieldIssue[],
): Draft[] {
  const messageId = received.message.messageId;
  switch (name) {
    case 'Lifecycle Stage Changed':
      return stageChange(received, lead, properties.stage, properties.amount ?? properties.value ?? null, properties.currency ?? null, 'properties.stage', context, issues);
    case 'Lead Status Changed':
      return statusChange(received, lead, properties.status, 'properties.status', context, issues);
    case 'Lead Tagged':
    case 'Lead Untagged': {
      const tags = tagsOf(properties);
      if (tags.length === 0) {
        issues.push({ path: 'properties.tags', message: 'must name at least one tag (tag: "x" or tags: ["x", "y"])' });
        return [];
      }
      return [{ type: name === 'Lead Tagged' ? 'LeadTagged' : 'LeadUntagged', data: { messageId, tags } }];
    }
    case 'Owner Assigned': {
      const owner = properties.owner_id ?? properties.ownerId;
      if (typeof owner !== 'string' || owner.trim() === '') {
        issues.push({ path: 'properties.owner_id', message: 'must name the owner (a rep id)' });
        return [];
      }
      if (lead?.ownerId === owner.trim()) return [];
      const reason = typeof properties.reason === 'string' ? properties.reason : 'assigned through the tracking API';
      return [{ type: 'OwnerAssigned', data: { messageId, ownerId: owner.trim(), previousOwnerId: lead?.ownerId ?? null, reason } }];
    }
    default: {
      // Other state-changing events (unsubscribes, bounces, …) are recorded as traits with their time.
      const trait = `${name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_')}_at`;
      return [{ type: 'TraitsUpdated', data: { messageId, traits: { [trait]: received.occurredAt } } }];
    }
  }
}

function tagsOf(properties: Record<string, unknown>): string[] {
  const raw = [properties.tag, ...(Array.isArray(properties.tags) ? (properties.tags as unknown[]) : [properties.tags])];
  return [...new Set(raw.filter((tag): tag is string => typeof tag === 'string' && tag.trim() !== '').map((tag) => tag.trim()))];
}

/**
 * The id of the `index`-th event a message becomes. A message's events are appended together,
 * so its first event's id is in the store exactly when the message was stored.
 */
export function messageEventId(messageId: string, index: number): string {
  if (index !== 0) return deriveId('segment', messageId, String(index));
  // Ingestion asks for a message's first id twice (is it stored? then its envelope): keep the newest ones.
  let id = firstIds.get(messageId);
  if (id === undefined) {
    id = deriveId('segment', messageId, '0');
    if (firstIds.size >= FIRST_IDS_KEPT) firstIds.clear();
    firstIds.set(messageId, id);
  }
  return id;
}

const FIRST_IDS_KEPT = 10_000;
const firstIds = new Map<string, string>();

/** Envelopes with ids derived from the messageId: the same message always yields the same event ids. */
function envelope(received: ReceivedMessage, drafts: readonly Draft[]): NewEvent<LeadEvent>[] {
  const { messageId } = received.message;
  return drafts.map((draft, index) => {
    const data = 'messageId' in draft.data && draft.data.messageId === '' ? { ...draft.data, messageId } : draft.data;
    return newEvent({ ...draft, data } as LeadEvent, {
      id: messageEventId(messageId, index),
      occurredAt: received.occurredAt,
      causedBy: { messageId },
    });
  });
}

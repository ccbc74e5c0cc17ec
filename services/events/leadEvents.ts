import { z } from 'zod';
import { identitySchema } from './identity.ts';

/**
 * Events of a lead's stream, `lead-<leadId>` (DESIGN.md "Events"). Every event written by
 * ingestion carries the Segment `messageId` it came from, so a message is applied once.
 */
const messageId = z.string().min(1).max(256);
const isoTime = z.iso.datetime({ offset: true });
const json = z.record(z.string(), z.unknown());
const optionalText = z.string().nullable();

/** Where a touch came from, as utm_* parameters name it. */
export const utmSchema = z.object({
  source: optionalText,
  medium: optionalText,
  campaign: optionalText,
  term: optionalText,
  content: optionalText,
});
export type Utm = z.infer<typeof utmSchema>;

/** A contact with the lead: an ad click, a page or content view, a webinar, a chat, an email click. */
export const touchRecordedSchema = z.object({
  messageId,
  /** Segment call the touch came from. */
  call: z.enum(['track', 'page', 'screen']),
  /** The event name (track) or `Page Viewed` / `Screen Viewed`. */
  name: z.string().min(1),
  /** The page or screen name, for page and screen calls. */
  pageName: optionalText,
  channel: z.string().min(1),
  /** Id of the classification rule that chose the channel: the reason for it. */
  channelRule: z.string().min(1),
  occurredAt: isoTime,
  receivedAt: isoTime,
  utm: utmSchema,
  clickIds: z.record(z.string(), z.string()),
  url: optionalText,
  referrer: optionalText,
  properties: json,
  anonymousId: optionalText,
  userId: optionalText,
  ip: optionalText,
  userAgent: optionalText,
});
export type TouchRecorded = { type: 'TouchRecorded'; data: z.infer<typeof touchRecordedSchema> };

/** The identities a call named for this lead (all of them, so that the call itself is on record). */
export const leadIdentifiedSchema = z.object({
  messageId,
  via: z.enum(['identify', 'track', 'alias', 'merge']),
  identities: z.array(identitySchema),
});
export type LeadIdentified = { type: 'LeadIdentified'; data: z.infer<typeof leadIdentifiedSchema> };

/** An anonymous visitor turned out to be this lead: its earlier touches count for the lead. */
export const visitorLinkedSchema = z.object({ messageId, anonymousId: z.string().min(1) });
export type VisitorLinked = { type: 'VisitorLinked'; data: z.infer<typeof visitorLinkedSchema> };

/** The lead belongs to an account: named by a group call, or inferred from a business email domain. */
export const accountAssociatedSchema = z.object({
  messageId,
  accountId: z.string().min(1),
  via: z.enum(['group', 'email_domain']),
  groupId: optionalText,
  domain: optionalText,
  name: optionalText,
  /** The account's traits as the call sent them (group traits); merged last-write-wins per trait. */
  traits: json,
});
export type AccountAssociated = { type: 'AccountAssociated'; data: z.infer<typeof accountAssociatedSchema> };

/** Traits that changed, with their new values (null: the trait was cleared). */
export const traitsUpdatedSchema = z.object({ messageId, traits: json });
export type TraitsUpdated = { type: 'TraitsUpdated'; data: z.infer<typeof traitsUpdatedSchema> };

/** The lead moved to another lifecycle stage; the time of the change is the event's occurredAt. */
export const lifecycleStageChangedSchema = z.object({
  messageId,
  from: optionalText,
  to: z.string().min(1),
  /** Deal amount, for stages that carry one (opportunity, customer). */
  amount: z.number().finite().nullable(),
  currency: optionalText,
});
export type LifecycleStageChanged = { type: 'LifecycleStageChanged'; data: z.infer<typeof lifecycleStageChangedSchema> };

export const leadStatusChangedSchema = z.object({ messageId, from: optionalText, to: z.string().min(1) });
export type LeadStatusChanged = { type: 'LeadStatusChanged'; data: z.infer<typeof leadStatusChangedSchema> };

export const leadTaggedSchema = z.object({ messageId, tags: z.array(z.string().min(1)).min(1) });
export type LeadTagged = { type: 'LeadTagged'; data: z.infer<typeof leadTaggedSchema> };
export type LeadUntagged = { type: 'LeadUntagged'; data: z.infer<typeof leadTaggedSchema> };

/** A rep owns the lead from now on (routing or a person's choice). */
export const ownerAssignedSchema = z.object({
  /** Set when a tracking call assigned the owner; routing and people assign without one. */
  messageId: messageId.optional(),
  ownerId: z.string().min(1),
  previousOwnerId: optionalText,
  reason: z.string(),
});
export type OwnerAssigned = { type: 'OwnerAssigned'; data: z.infer<typeof ownerAssignedSchema> };

/** Written by the scorer. */
export const leadScoreChangedSchema = z.object({
  fit: z.number(),
  engagement: z.number(),
  total: z.number(),
  band: z.string(),
});
export type LeadScoreChanged = { type: 'LeadScoreChanged'; data: z.infer<typeof leadScoreChangedSchema> };

/**
 * Another lead turned out to be the same person (two identities met in one call); recorded on the
 * surviving lead. Later events for any of the merged lead's identities go to the survivor.
 */
export const leadsMergedSchema = z.object({ messageId, mergedLeadId: z.string().min(1), identities: z.array(identitySchema) });
export type LeadsMerged = { type: 'LeadsMerged'; data: z.infer<typeof leadsMergedSchema> };

export type LeadEvent =
  | TouchRecorded
  | LeadIdentified
  | VisitorLinked
  | AccountAssociated
  | TraitsUpdated
  | LifecycleStageChanged
  | LeadStatusChanged
  | LeadTagged
  | LeadUntagged
  | OwnerAssigned
  | LeadScoreChanged
  | LeadsMerged;

/** A visitor's stream, `visitor-<anonymousId>`, holds only touches made before the lead was known. */
export type VisitorEvent = TouchRecorded;

export const leadEventSchemas = {
  TouchRecorded: touchRecordedSchema,
  LeadIdentified: leadIdentifiedSchema,
  VisitorLinked: visitorLinkedSchema,
  AccountAssociated: accountAssociatedSchema,
  TraitsUpdated: traitsUpdatedSchema,
  LifecycleStageChanged: lifecycleStageChangedSchema,
  LeadStatusChanged: leadStatusChangedSchema,
  LeadTagged: leadTaggedSchema,
  LeadUntagged: leadTaggedSchema,
  OwnerAssigned: ownerAssignedSchema,
  LeadScoreChanged: leadScoreChangedSchema,
  LeadsMerged: leadsMergedSchema,
} as const satisfies Record<LeadEvent['type'], z.ZodType>;

export function isLeadEvent(event: { type: string }): event is LeadEvent {
  return Object.hasOwn(leadEventSchemas, event.type);
}

import { z } from 'zod';

/**
 * Suggestions: what a journey proposes to the lead's rep, and what the rep did with it. They live
 * on the lead's stream (`lead-<id>`) so that journeys and analytics see every decision next to
 * the touches that led to it. A suggestion is keyed by (lead, journey, instance, node, visit):
 * its id is derived from those, so a replay or a retry never proposes it twice.
 */
const isoTime = z.iso.datetime({ offset: true });

export const suggestionActions = ['call', 'email', 'chat', 'linkedin', 'meeting', 'task'] as const;
export const suggestionPriorities = ['low', 'normal', 'high', 'urgent'] as const;
export const suggestionOutcomes = [
  /** An email suggestion the rep approved and Nudge sent (recorded by the send, not chosen by hand). */
  'email_sent',
  'connected',
  'left_voicemail',
  'no_answer',
  'meeting_booked',
  'replied',
  'not_interested',
  'wrong_contact',
  'other',
] as const;
export const dismissReasons = ['not_relevant', 'bad_timing', 'already_done', 'wrong_data', 'other'] as const;

/** One leaf condition as it was evaluated (services/ports RuleEvaluator's ConditionCheck). */
export const conditionCheckSchema = z.object({
  at: z.string(),
  fact: z.string(),
  path: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  operator: z.string(),
  value: z.unknown(),
  factValue: z.unknown(),
  holds: z.boolean(),
});

/** How a branch node chose: each branch tried, in order, with its conditions; null = otherwise. */
export const branchDecisionSchema = z.object({
  node: z.string(),
  label: z.string().nullable(),
  chosen: z.number().int().nullable(),
  next: z.string(),
  branches: z.array(
    z.object({
      index: z.number().int(),
      label: z.string().nullable(),
      holds: z.boolean(),
      checks: z.array(conditionCheckSchema),
    }),
  ),
});
export type BranchDecision = z.infer<typeof branchDecisionSchema>;

/** Why a suggestion was made: enough for a rep to read "why" without re-evaluating anything. */
export const suggestionReasonSchema = z.object({
  journeyId: z.string(),
  journeyName: z.string(),
  version: z.number().int(),
  /** Node ids walked since the lead entered, ending with the suggest node. */
  path: z.array(z.string()),
  decisions: z.array(branchDecisionSchema),
  trigger: z.object({ eventId: z.string(), name: z.string(), occurredAt: isoTime }),
  /** The event whose handling led here (the trigger, an awaited event, or null for a timer). */
  event: z.object({ eventId: z.string(), name: z.string(), occurredAt: isoTime }).nullable(),
});
export type SuggestionReason = z.infer<typeof suggestionReasonSchema>;

export const suggestionProposedSchema = z.object({
  suggestionId: z.string().uuid(),
  leadId: z.string(),
  journeyId: z.string(),
  version: z.number().int(),
  instanceId: z.string().uuid(),
  node: z.string(),
  action: z.enum(suggestionActions),
  priority: z.enum(suggestionPriorities),
  title: z.string(),
  body: z.string().nullable(),
  subject: z.string().nullable(),
  dueAt: isoTime,
  expiresAt: isoTime,
  /** The lead's owner when proposed; null: the team queue. */
  ownerId: z.string().nullable(),
  reason: suggestionReasonSchema,
});
export type SuggestionProposed = { type: 'SuggestionProposed'; data: z.infer<typeof suggestionProposedSchema> };

const bySomeone = { suggestionId: z.string().uuid(), by: z.string().nullable() };
export const suggestionAcceptedSchema = z.object(bySomeone);
export type SuggestionAccepted = { type: 'SuggestionAccepted'; data: z.infer<typeof suggestionAcceptedSchema> };
export const suggestionCompletedSchema = z.object({ ...bySomeone, outcome: z.enum(suggestionOutcomes), note: z.string().nullable() });
export type SuggestionCompleted = { type: 'SuggestionCompleted'; data: z.infer<typeof suggestionCompletedSchema> };
export const suggestionDismissedSchema = z.object({ ...bySomeone, reason: z.enum(dismissReasons), note: z.string().nullable() });
export type SuggestionDismissed = { type: 'SuggestionDismissed'; data: z.infer<typeof suggestionDismissedSchema> };
export const suggestionSnoozedSchema = z.object({ ...bySomeone, until: isoTime });
export type SuggestionSnoozed = { type: 'SuggestionSnoozed'; data: z.infer<typeof suggestionSnoozedSchema> };
export const suggestionExpiredSchema = z.object({ suggestionId: z.string().uuid() });
export type SuggestionExpired = { type: 'SuggestionExpired'; data: z.infer<typeof suggestionExpiredSchema> };

const address = z.object({ name: z.string(), address: z.string() });

/**
 * A rep approved an email suggestion's draft (possibly edited) and asked Nudge to send it. Its id
 * is derived from the suggestion id: a second request for the same suggestion finds it stored and
 * sends nothing, so a send is never started twice.
 */
export const emailSendRequestedSchema = z.object({
  suggestionId: z.string().uuid(),
  by: z.string().nullable(),
  from: address,
  to: address,
  subject: z.string(),
  /** The body as the rep approved it (plain text; the HTML part is built from it, escaped). */
  body: z.string(),
  unsubscribeUrl: z.string(),
  messageId: z.string(),
});
export type EmailSendRequested = { type: 'EmailSendRequested'; data: z.infer<typeof emailSendRequestedSchema> };

/** An attempt is about to be made: the lease on it (its id is derived from suggestion and attempt, so two senders cannot both make attempt n). */
export const emailSendAttemptedSchema = z.object({ suggestionId: z.string().uuid(), attempt: z.number().int().positive() });
export type EmailSendAttempted = { type: 'EmailSendAttempted'; data: z.infer<typeof emailSendAttemptedSchema> };

export const emailSentSchema = z.object({
  suggestionId: z.string().uuid(),
  messageId: z.string(),
  transport: z.enum(['smtp', 'outbox']),
  detail: z.string(),
  attempt: z.number().int().positive(),
});
export type EmailSent = { type: 'EmailSent'; data: z.infer<typeof emailSentSchema> };

/** An attempt failed; `nextAttemptAt` null: no more attempts (permanent failure or attempts used up). */
export const emailSendFailedSchema = z.object({
  suggestionId: z.string().uuid(),
  attempt: z.number().int().positive(),
  error: z.string(),
  retryable: z.boolean(),
  nextAttemptAt: z.iso.datetime({ offset: true }).nullable(),
});
export type EmailSendFailed = { type: 'EmailSendFailed'; data: z.infer<typeof emailSendFailedSchema> };

/** A rep's morning digest went out (stream `digest-<repId>`; the id is derived from rep and local day). */
export const digestSentSchema = z.object({
  repId: z.string(),
  /** The rep's local day, YYYY-MM-DD. */
  day: z.string(),
  items: z.number().int().nonnegative(),
  messageId: z.string(),
  transport: z.enum(['smtp', 'outbox']),
});
export type DigestSent = { type: 'DigestSent'; data: z.infer<typeof digestSentSchema> };

export type EmailEvent = EmailSendRequested | EmailSendAttempted | EmailSent | EmailSendFailed;

export const emailEventSchemas = {
  EmailSendRequested: emailSendRequestedSchema,
  EmailSendAttempted: emailSendAttemptedSchema,
  EmailSent: emailSentSchema,
  EmailSendFailed: emailSendFailedSchema,
} as const satisfies Record<EmailEvent['type'], z.ZodType>;

export type SuggestionEvent =
  | SuggestionProposed
  | SuggestionAccepted
  | SuggestionCompleted
  | SuggestionDismissed
  | SuggestionSnoozed
  | SuggestionExpired;

export const suggestionEventSchemas = {
  SuggestionProposed: suggestionProposedSchema,
  SuggestionAccepted: suggestionAcceptedSchema,
  SuggestionCompleted: suggestionCompletedSchema,
  SuggestionDismissed: suggestionDismissedSchema,
  SuggestionSnoozed: suggestionSnoozedSchema,
  SuggestionExpired: suggestionExpiredSchema,
} as const satisfies Record<SuggestionEvent['type'], z.ZodType>;

export function isSuggestionEvent(event: { type: string }): event is SuggestionEvent {
  return Object.hasOwn(suggestionEventSchemas, event.type);
}

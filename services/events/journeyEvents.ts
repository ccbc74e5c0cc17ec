import { z } from 'zod';
import { branchDecisionSchema, suggestionReasonSchema } from './suggestionEvents.ts';

/**
 * Journeys. Two kinds of stream:
 * - `journey-<id>`: the definition's history (drafts, publications, pause, archive);
 * - `lead-<id>`: each lead's walk through journeys (entered, steps, waits, timers, exits, and
 *   refused entries, so that "why isn't this lead in the journey?" has an answer).
 * Walk events carry the journey version the instance is pinned to and the instance id; their
 * metadata.occurredAt is the logical time of the decision (an event's time or a timer's due time).
 */
const isoTime = z.iso.datetime({ offset: true });
const journeyId = z.string().min(1);
const version = z.number().int().positive();
const instanceId = z.string().uuid();

// --- journey-<id> ---

export const journeyDraftSavedSchema = z.object({
  journeyId,
  version,
  /** The validated document, as JSON. */
  document: z.record(z.string(), z.unknown()),
  /** The text as the author wrote it (YAML or JSON), kept for diffs and comments. */
  source: z.string(),
  savedBy: z.string().nullable(),
});
export type JourneyDraftSaved = { type: 'JourneyDraftSaved'; data: z.infer<typeof journeyDraftSavedSchema> };

/** The version new entries use from now on; publishing a paused journey's version resumes it. */
export const journeyPublishedSchema = z.object({ journeyId, version, by: z.string().nullable() });
export type JourneyPublished = { type: 'JourneyPublished'; data: z.infer<typeof journeyPublishedSchema> };
export const journeyPausedSchema = z.object({ journeyId, by: z.string().nullable() });
export type JourneyPaused = { type: 'JourneyPaused'; data: z.infer<typeof journeyPausedSchema> };
export const journeyArchivedSchema = z.object({ journeyId, by: z.string().nullable() });
export type JourneyArchived = { type: 'JourneyArchived'; data: z.infer<typeof journeyArchivedSchema> };

export type JourneyDefinitionEvent = JourneyDraftSaved | JourneyPublished | JourneyPaused | JourneyArchived;

// --- lead-<id> ---

const eventRef = z.object({ eventId: z.string(), name: z.string(), occurredAt: isoTime });

export const journeyEnteredSchema = z.object({
  journeyId,
  version,
  instanceId,
  start: z.string(),
  /** The trigger event as facts see it (`trigger`): kept so templates and conditions can use it later. */
  trigger: z.record(z.string(), z.unknown()),
});
export type JourneyEntered = { type: 'JourneyEntered'; data: z.infer<typeof journeyEnteredSchema> };

export const entryRefusals = ['already_active', 'reentry_never', 'reentry_window', 'journey_paused'] as const;
export const journeyEntryRefusedSchema = z.object({
  journeyId,
  version,
  reason: z.enum(entryRefusals),
  trigger: eventRef,
  /** The instance the lead is in (already_active). */
  activeInstanceId: instanceId.nullable(),
  /** When re-entry becomes possible (reentry_window). */
  reentryAllowedAt: isoTime.nullable(),
});
export type JourneyEntryRefused = { type: 'JourneyEntryRefused'; data: z.infer<typeof journeyEntryRefusedSchema> };

export const journeyStepTakenSchema = z.object({
  journeyId,
  version,
  instanceId,
  node: z.string(),
  nodeType: z.enum(['branch', 'suggest', 'wait']),
  next: z.string(),
  /** For a branch: how it chose. */
  decision: branchDecisionSchema.nullable(),
  /** For a wait `until`: the event that ended it. */
  matched: eventRef.nullable(),
  /** For a suggest node: the suggestion, or why none was made (e.g. do_not_contact). */
  suggestionId: z.string().uuid().nullable(),
  skipped: z.string().nullable(),
});
export type JourneyStepTaken = { type: 'JourneyStepTaken'; data: z.infer<typeof journeyStepTakenSchema> };

export const journeyWaitStartedSchema = z.object({
  journeyId,
  version,
  instanceId,
  node: z.string(),
  kind: z.enum(['for', 'until']),
  /** The awaited event's name (until). */
  until: z.string().nullable(),
  /** When the wait ends (for) or times out (until). */
  dueAt: isoTime,
});
export type JourneyWaitStarted = { type: 'JourneyWaitStarted'; data: z.infer<typeof journeyWaitStartedSchema> };

export const journeyTimerElapsedSchema = z.object({
  journeyId,
  version,
  instanceId,
  node: z.string(),
  kind: z.enum(['wait', 'timeout']),
  dueAt: isoTime,
  next: z.string(),
});
export type JourneyTimerElapsed = { type: 'JourneyTimerElapsed'; data: z.infer<typeof journeyTimerElapsedSchema> };

export const journeyExitedSchema = z.object({
  journeyId,
  version,
  instanceId,
  /** The node the lead was at (an exit node, or the wait it left from). */
  node: z.string().nullable(),
  /** `completed` or an exit node's reason; an exitWhen's reason; `journey_archived`. */
  reason: z.string(),
  // error: the walk passed too many nodes without a wait (the validator prevents it; kept as a guard).
  via: z.enum(['exit_node', 'exit_when', 'archived', 'error']),
  /** For exit_when: the conditions that held. */
  checks: z.array(z.unknown()).nullable(),
});
export type JourneyExited = { type: 'JourneyExited'; data: z.infer<typeof journeyExitedSchema> };

/**
 * The walk reached a suggest node while the lead already had an open suggestion of the same
 * action from another journey, proposed within the merge window: instead of nagging the rep twice,
 * this journey's reason joins that suggestion, and the instance treats it as its own (its waits
 * for suggestion events match it).
 */
export const suggestionMergedSchema = z.object({
  journeyId,
  version,
  instanceId,
  node: z.string(),
  /** The open suggestion this one joined. */
  suggestionId: z.string().uuid(),
  /** The id the suggestion would have had (for tracing). */
  mergedSuggestionId: z.string().uuid(),
  reason: suggestionReasonSchema,
});
export type SuggestionMerged = { type: 'SuggestionMerged'; data: z.infer<typeof suggestionMergedSchema> };

export type JourneyWalkEvent =
  | SuggestionMerged
  | JourneyEntered
  | JourneyEntryRefused
  | JourneyStepTaken
  | JourneyWaitStarted
  | JourneyTimerElapsed
  | JourneyExited;

export const journeyEventSchemas = {
  JourneyDraftSaved: journeyDraftSavedSchema,
  JourneyPublished: journeyPublishedSchema,
  JourneyPaused: journeyPausedSchema,
  JourneyArchived: journeyArchivedSchema,
  JourneyEntered: journeyEnteredSchema,
  JourneyEntryRefused: journeyEntryRefusedSchema,
  JourneyStepTaken: journeyStepTakenSchema,
  JourneyWaitStarted: journeyWaitStartedSchema,
  JourneyTimerElapsed: journeyTimerElapsedSchema,
  JourneyExited: journeyExitedSchema,
  SuggestionMerged: suggestionMergedSchema,
} as const satisfies Record<(JourneyDefinitionEvent | JourneyWalkEvent)['type'], z.ZodType>;

const walkTypes = new Set<string>(['SuggestionMerged', 'JourneyEntered', 'JourneyEntryRefused', 'JourneyStepTaken', 'JourneyWaitStarted', 'JourneyTimerElapsed', 'JourneyExited']);
const definitionTypes = new Set<string>(['JourneyDraftSaved', 'JourneyPublished', 'JourneyPaused', 'JourneyArchived']);

export function isJourneyWalkEvent(event: { type: string }): event is JourneyWalkEvent {
  return walkTypes.has(event.type);
}

export function isJourneyDefinitionEvent(event: { type: string }): event is JourneyDefinitionEvent {
  return definitionTypes.has(event.type);
}

import { z } from 'zod';
import { suggestionActions, suggestionPriorities } from '../../services/events/index.ts';
import type { TopLevelCondition } from '../../services/ports/index.ts';

/**
 * The journey document (journeys/README.md, after ../shared/JOURNEYS.md) as a zod schema: the
 * shape only. What the shape cannot say (every `next` names a node, every node is reachable, facts
 * and operators are known, templates resolve, durations parse, cycles pass through a wait) is
 * checked by `validateJourney`, which reports both kinds of problem with the same YAML paths.
 */

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a slug: lowercase letters, digits and dashes, like webinar-follow-up');
const nodeId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'must be a node id: letters, digits, dashes and underscores, like call-now');
/** Checked by the validator, which names the problem; here only a non-empty string. */
const duration = z.string().min(1, 'must be a duration like P3D');
const text = z.string().min(1, 'must not be empty');

const factReference = z.strictObject({
  fact: z.string().min(1),
  path: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

const leafCondition = z.strictObject({
  fact: z.string().min(1, 'must name a fact'),
  operator: z.string().min(1, 'must name an operator'),
  value: z.unknown(),
  path: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

type ConditionShape = z.infer<typeof leafCondition> | { all: ConditionShape[] } | { any: ConditionShape[] } | { not: ConditionShape };

const condition: z.ZodType<ConditionShape> = z.lazy(() =>
  z.union([z.strictObject({ all: z.array(condition) }), z.strictObject({ any: z.array(condition) }), z.strictObject({ not: condition }), leafCondition]),
);

/** A `when`: json-rules-engine's top level is always `all`, `any` or `not`. */
export const topLevelConditionSchema = z.union([
  z.strictObject({ all: z.array(condition) }),
  z.strictObject({ any: z.array(condition) }),
  z.strictObject({ not: condition }),
]) as unknown as z.ZodType<TopLevelCondition>;

export { factReference as factReferenceSchema };

export { suggestionActions, suggestionPriorities };
export type SuggestionAction = (typeof suggestionActions)[number];
export type SuggestionPriority = (typeof suggestionPriorities)[number];

const label = z.string().max(200).optional();

const branchNode = z.strictObject({
  type: z.literal('branch'),
  label,
  /** First branch whose condition holds wins; `otherwise` when none does. */
  branches: z.array(z.strictObject({ label, when: topLevelConditionSchema, next: nodeId })).min(1, 'needs at least one branch'),
  otherwise: nodeId,
});

const suggestNode = z.strictObject({
  type: z.literal('suggest'),
  label,
  action: z.enum(suggestionActions),
  priority: z.enum(suggestionPriorities).default('normal'),
  /** Due this long after the suggestion is proposed. Default: at once. */
  dueIn: duration.optional(),
  /** Expires this long after it is proposed. Default P7D. */
  expiresIn: duration.optional(),
  title: text.max(300),
  /** Plain text; for `email` the draft's body. */
  body: z.string().max(20_000).optional(),
  /** The draft's subject: required for `email`. */
  subject: z.string().max(300).optional(),
  next: nodeId,
});

const awaitedEvent = z.strictObject({
  /** An event name: a touch (`Webinar Attended`) or a system event (`Suggestion Completed`). */
  event: text,
  /** A condition the awaited event must also meet; `event` is the candidate event. */
  when: topLevelConditionSchema.optional(),
  /** For suggestion events: also match suggestions other instances proposed. Default false. */
  anySuggestion: z.boolean().optional(),
});

/**
 * A wait is either `for` a duration, or `until` an event with a `timeout` and an `onTimeout`
 * node. One object rather than a union, so that a mix-up gets a message naming the field.
 */
const waitNode = z
  .strictObject({
    type: z.literal('wait'),
    label,
    for: duration.optional(),
    until: awaitedEvent.optional(),
    timeout: duration.optional(),
    onTimeout: nodeId.optional(),
    next: nodeId,
  })
  .superRefine((node, ctx) => {
    if (node.for !== undefined && node.until !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'a wait is either `for` a duration or `until` an event, not both' });
    } else if (node.for === undefined && node.until === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a wait needs `for: <duration>` or `until: { event: ... }`' });
    } else if (node.for !== undefined) {
      for (const field of ['timeout', 'onTimeout'] as const) {
        if (node[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `only a wait \`until\` an event has a ${field}` });
      }
    } else {
      if (node.timeout === undefined) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'a wait `until` an event needs a timeout (how long to wait at most)' });
      if (node.onTimeout === undefined) ctx.addIssue({ code: 'custom', path: ['onTimeout'], message: 'a wait `until` an event needs onTimeout: the node to go to when it times out' });
    }
  });

const exitNode = z.strictObject({
  type: z.literal('exit'),
  label,
  /** Recorded with JourneyExited. Default `completed`. */
  reason: slug.optional(),
});

export const journeyNodeSchema = z.discriminatedUnion('type', [branchNode, suggestNode, waitNode, exitNode], {
  error: () => 'type must be one of branch, suggest, wait, exit',
});

export const journeyDocumentSchema = z.strictObject({
  apiVersion: z.literal('nudge/v1', { error: () => 'must be nudge/v1' }),
  kind: z.literal('Journey', { error: () => 'must be Journey' }),
  id: slug,
  name: text.max(200),
  description: z.string().max(2_000).optional(),
  trigger: z.strictObject({ event: text, when: topLevelConditionSchema.optional() }),
  /** `never`, `always`, or a duration since the last entry. Default `never`. */
  reentry: z.union([z.literal('never'), z.literal('always'), duration], { error: () => 'must be never, always or a duration like P30D' }).default('never'),
  exitWhen: z.array(z.strictObject({ reason: slug, when: topLevelConditionSchema })).default([]),
  start: nodeId,
  nodes: z.record(nodeId, journeyNodeSchema).refine((nodes) => Object.keys(nodes).length > 0, 'needs at least one node'),
});

export type JourneyDocument = z.infer<typeof journeyDocumentSchema>;
export type JourneyNode = z.infer<typeof journeyNodeSchema>;
export type BranchNode = z.infer<typeof branchNode>;
export type SuggestNode = z.infer<typeof suggestNode>;
export type WaitNode = z.infer<typeof waitNode>;
export type ExitNode = z.infer<typeof exitNode>;
export type AwaitedEvent = z.infer<typeof awaitedEvent>;

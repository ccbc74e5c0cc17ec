import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FieldIssue } from '../../core/index.ts';
import { fieldIssues } from '../../core/index.ts';

/**
 * Segment's tracking API message (https://segment.com/docs/connections/spec/common/), as the
 * Segment SDKs send it. Fields Nudge does not use are kept as sent, so nothing a client sent is
 * lost when a message is quarantined or re-submitted.
 */
export const callTypes = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type CallType = (typeof callTypes)[number];

const MAX_ID = 256;
const MAX_NAME = 200;

/** Segment accepts ids as strings or numbers; Nudge stores them as strings. */
const identifier = z
  .union([z.string(), z.number().finite()], { error: 'must be a string' })
  .transform((value) => String(value).trim())
  .pipe(z.string().min(1, 'must not be empty').max(MAX_ID, `must be at most ${MAX_ID} characters`));

const time = z
  .string({ error: 'must be an ISO-8601 date-time string' })
  .refine((value) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.test(value) && !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 date-time');

/** A JSON object (not an array, not null), kept as sent: its keys are strings by JSON's rules. */
const object = z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { error: 'must be an object' });

const campaign = z
  .looseObject({
    source: z.unknown().optional(),
    medium: z.unknown().optional(),
    name: z.unknown().optional(),
    term: z.unknown().optional(),
    content: z.unknown().optional(),
  })
  .optional();

const context = z
  .looseObject({
    campaign,
    page: z.looseObject({ url: z.unknown().optional(), path: z.unknown().optional(), referrer: z.unknown().optional(), title: z.unknown().optional(), search: z.unknown().optional() }).optional(),
    ip: z.unknown().optional(),
    userAgent: z.unknown().optional(),
    traits: object.optional(),
  }, { error: 'must be an object' })
  .optional();

const common = {
  messageId: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(MAX_ID, `must be at most ${MAX_ID} characters`).optional(),
  userId: identifier.nullish(),
  anonymousId: identifier.nullish(),
  context,
  integrations: object.optional(),
  timestamp: time.optional(),
  originalTimestamp: time.optional(),
  sentAt: time.optional(),
  receivedAt: z.unknown().optional(),
  writeKey: z.unknown().optional(),
};

const who = (message: { userId?: string | null | undefined; anonymousId?: string | null | undefined }) =>
  (message.userId ?? null) !== null || (message.anonymousId ?? null) !== null;
const needsWho = { error: 'userId or anonymousId is required', path: ['userId'] };

const track = z.looseObject({
  ...common,
  type: z.literal('track'),
  event: z.string({ error: 'must be a string' }).trim().min(1, 'must name the event').max(MAX_NAME, `must be at most ${MAX_NAME} characters`),
  properties: object.optional(),
});
const page = z.looseObject({
  ...common,
  type: z.literal('page'),
  name: z.string({ error: 'must be a string' }).max(MAX_NAME, `must be at most ${MAX_NAME} characters`).nullish(),
  category: z.string({ error: 'must be a string' }).max(MAX_NAME).nullish(),
  properties: object.optional(),
});
const screen = page.extend({ type: z.literal('screen') });
const identify = z.looseObject({ ...common, type: z.literal('identify'), traits: object.optional() });
const group = z.looseObject({ ...common, type: z.literal('group'), groupId: identifier, traits: object.optional() });
const alias = z.looseObject({ ...common, type: z.literal('alias'), previousId: identifier, userId: identifier });

export const segmentMessageSchema = z.discriminatedUnion(
  'type',
  [track.refine(who, needsWho), page.refine(who, needsWho), screen.refine(who, needsWho), identify.refine(who, needsWho), group.refine(who, needsWho), alias],
  { error: `type must be one of ${callTypes.join(', ')}` },
);
export type SegmentMessage = z.output<typeof segmentMessageSchema>;

export type ParsedMessage = { ok: true; message: SegmentMessage & { messageId: string } } | { ok: false; issues: FieldIssue[] };

/**
 * Validates one message; `type` forces the call type of a single-call endpoint (`/v1/track`).
 * Issue paths are prefixed (`batch[3].event`) so a client sees exactly what failed.
 */
export function parseSegmentMessage(raw: unknown, options: { type?: CallType; path?: readonly PropertyKey[] } = {}): ParsedMessage {
  const prefix = options.path ?? [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, issues: fieldIssues([{ path: [], message: 'must be a JSON object' }], prefix) };
  }
  const input = options.type === undefined ? raw : { ...raw, type: options.type };
  const parsed = segmentMessageSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: fieldIssues(parsed.error.issues, prefix) };
  const message = parsed.data;
  // A message without an id gets one derived from its content, so an identical resend is a duplicate.
  const messageId = message.messageId ?? `content-${createHash('sha256').update(JSON.stringify(raw)).digest('base64url')}`;
  return { ok: true, message: { ...message, messageId } };
}

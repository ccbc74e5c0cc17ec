import { z } from 'zod';

/**
 * The facts a journey's conditions and templates may name (journeys/README.md "Facts"). One
 * place that says what each fact is, which params it takes and which paths lead somewhere, so
 * that the validator, the template renderer and the documentation agree.
 */
export interface FactDefinition {
  readonly name: string;
  readonly description: string;
  /** Params the fact takes; null when it takes none. */
  readonly params: z.ZodType | null;
  /**
   * Fields a path may start with (`$.traits.country` starts with `traits`); null when the fact
   * is a number and takes no path. A field listed in `openFields` accepts any sub-path.
   */
  readonly fields: readonly string[] | null;
  readonly openFields: readonly string[];
}

const nameOrNames = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** Fields of an event as conditions see it (`event`, `trigger`, and the candidate of a wait `until`). */
export const eventFields = ['name', 'type', 'occurredAt', 'channel', 'source', 'medium', 'campaign', 'term', 'content', 'properties', 'suggestion'] as const;

export const leadFields = [
  'id',
  'createdAt',
  'stage',
  'stageChangedAt',
  'status',
  'ownerId',
  'tags',
  'traits',
  'email',
  'userId',
  'phone',
  'accountId',
  'doNotContact',
] as const;

export const accountFields = ['id', 'name', 'domain', 'traits', 'leadCount'] as const;
export const scoreFields = ['fit', 'engagement', 'total', 'band'] as const;
export const suggestionsFields = ['count', 'open', 'completed', 'dismissed', 'expired', 'lastAction', 'lastStatus', 'lastOutcome', 'lastDismissReason'] as const;

export const touchesParams = z.strictObject({
  /** Touch name(s), e.g. `Content Viewed`. Default: every touch. */
  name: nameOrNames.optional(),
  channel: nameOrNames.optional(),
  /** Only touches in the last N days before now. Default: all of the lead's history. */
  withinDays: z.number().positive().optional(),
});

export const daysSinceParams = z.strictObject({
  /** An event name: a touch (`Email Clicked`) or a system event (`Lifecycle Stage Changed`). */
  event: z.string().min(1),
});

export const suggestionsParams = z.strictObject({
  action: nameOrNames.optional(),
  /** Node id(s) of this journey that proposed them. */
  node: nameOrNames.optional(),
  /** `this` (default): this journey's suggestions; `any`: every journey's. */
  journey: z.enum(['this', 'any']).optional(),
});

export const factCatalog: Readonly<Record<string, FactDefinition>> = {
  lead: {
    name: 'lead',
    description: 'The lead: traits, stage, status, owner, tags, identities, account id.',
    params: null,
    fields: leadFields,
    openFields: ['traits'],
  },
  account: {
    name: 'account',
    description: "The lead's account: name, domain, traits (industry, size, country), number of leads. Missing when the lead has none.",
    params: null,
    fields: accountFields,
    openFields: ['traits'],
  },
  score: {
    name: 'score',
    description: 'The lead score as the scorer last recorded it: fit, engagement, total, band. Missing before the first score.',
    params: null,
    fields: scoreFields,
    openFields: [],
  },
  trigger: {
    name: 'trigger',
    description: 'The event that entered the lead into this journey.',
    params: null,
    fields: eventFields,
    openFields: ['properties', 'suggestion'],
  },
  event: {
    name: 'event',
    description: 'The event being handled now (in a wait `until`: the candidate event).',
    params: null,
    fields: eventFields,
    openFields: ['properties', 'suggestion'],
  },
  touches: {
    name: 'touches',
    description: 'How many touches the lead had, filtered by name, channel and days back: a number.',
    params: touchesParams,
    fields: null,
    openFields: [],
  },
  daysSince: {
    name: 'daysSince',
    description: 'Days (with fractions) since the newest event of that name on the lead; missing when there was none.',
    params: daysSinceParams,
    fields: null,
    openFields: [],
  },
  suggestions: {
    name: 'suggestions',
    description: 'Earlier suggestions for this lead (this journey by default): counts by state, last action, status, outcome.',
    params: suggestionsParams,
    fields: suggestionsFields,
    openFields: [],
  },
};

export const factNames: readonly string[] = Object.keys(factCatalog);

/** Roots a template may use: `{{lead.traits.firstName}}`, `{{trigger.properties.webinar_title}}`. */
export const templateRoots = ['lead', 'account', 'score', 'trigger', 'event'] as const;

import { z } from 'zod';
import type { FieldIssue } from '../../core/index.ts';
import { fieldIssues, fieldPath, ValidationError } from '../../core/index.ts';
import shippedRules from './channelRules.json' with { type: 'json' };
import { eventNameKey } from './eventNames.ts';
import { matchesSite } from './sites.ts';
import type { TouchFacts } from './touchFacts.ts';

/** The channels a touch is credited to (docs/channels.md). */
export const channels = [
  'organic_search',
  'paid_search',
  'paid_social',
  'organic_social',
  'email',
  'referral',
  'display',
  'direct',
  'webinar',
  'content',
  'chat',
  'events',
  'sales',
  'other',
] as const;
export type Channel = (typeof channels)[number];

/** The rule id a classification reports when no rule matched (its channel is `other`); reserved. */
export const unmatchedRuleId = 'unmatched';

// ---- the file format ------------------------------------------------------------------------

/** The signals a condition can test; how each compares is in `compileStringTest`. */
const textFields = ['eventName', 'source', 'medium', 'campaign', 'term', 'content', 'referrerDomain', 'pageUrl', 'clickId'] as const;
type TextField = (typeof textFields)[number];

/** One operator: `equals`, `in`, `inList` (a named list of the file), `matches` (a regex), `exists`. */
export interface StringTest {
  readonly equals?: string;
  readonly in?: readonly string[];
  readonly inList?: string;
  readonly matches?: string;
  readonly exists?: boolean;
}

/** A condition names exactly one test; `all`, `any` and `not` combine them. */
export type RuleCondition =
  | { readonly [F in TextField]: { readonly [K in F]: StringTest } }[TextField]
  | { readonly noReferrer: true }
  | { readonly noCampaign: true }
  | { readonly all: readonly RuleCondition[] }
  | { readonly any: readonly RuleCondition[] }
  | { readonly not: RuleCondition };

/**
 * An object that names exactly one of `keys`: an unknown key is reported by name (a typo such as
 * `mediun` says so) instead of as a second, confusing "exactly one" error.
 */
function oneOf<Shape extends z.ZodRawShape>(shape: Shape, what: string) {
  const keys = Object.keys(shape);
  return z.looseObject(shape).superRefine((value, ctx) => {
    const unknown = Object.keys(value).filter((key) => !keys.includes(key));
    for (const key of unknown) ctx.addIssue({ code: 'custom', path: [key], message: `unknown ${what} "${key}" (expected one of ${keys.join(', ')})` });
    const named = Object.keys(value).filter((key) => keys.includes(key) && (value as Record<string, unknown>)[key] !== undefined);
    if (unknown.length === 0 && named.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `must name exactly one of ${keys.join(', ')}${named.length > 1 ? ` (found ${named.join(', ')}; combine tests with all / any)` : ''}` });
    }
  });
}

const regexSchema = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    try {
      new RegExp(pattern, 'i');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${error instanceof Error ? error.message : String(error)}` });
    }
  });

const stringTestSchema = oneOf(
  {
    equals: z.string().min(1).optional(),
    in: z.array(z.string().min(1)).min(1).optional(),
    inList: z.string().min(1).optional(),
    matches: regexSchema.optional(),
    exists: z.boolean().optional(),
  },
  'operator',
);

const conditionSchema: z.ZodType<RuleCondition> = z.lazy(() =>
  oneOf(
    {
      eventName: stringTestSchema.optional(),
      source: stringTestSchema.optional(),
      medium: stringTestSchema.optional(),
      campaign: stringTestSchema.optional(),
      term: stringTestSchema.optional(),
      content: stringTestSchema.optional(),
      referrerDomain: stringTestSchema.optional(),
      pageUrl: stringTestSchema.optional(),
      clickId: stringTestSchema.optional(),
      noReferrer: z.literal(true).optional(),
      noCampaign: z.literal(true).optional(),
      all: z.array(conditionSchema).min(1).optional(),
      any: z.array(conditionSchema).min(1).optional(),
      not: conditionSchema.optional(),
    },
    'condition',
  ),
) as z.ZodType<RuleCondition>;

const ruleSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes')
    .refine((id) => id !== unmatchedRuleId, `"${unmatchedRuleId}" is reserved for touches no rule matches`),
  channel: z.enum(channels, { error: `must be one of ${channels.join(', ')}` }),
  description: z.string().optional(),
  when: conditionSchema,
});

/** The rules file (docs/channels.md, "Overriding the rules"). */
export const channelRulesFileSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1),
  description: z.string().optional(),
  lists: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'list names are letters, digits, _ and -'), z.array(z.string().trim().min(1))).default({}),
  rules: z.array(ruleSchema).min(1),
});
export type ChannelRulesFile = z.input<typeof channelRulesFileSchema>;

// ---- compiled rules -------------------------------------------------------------------------

export interface ChannelRule {
  readonly id: string;
  readonly channel: Channel;
  readonly description: string | null;
  /** The condition as the file wrote it. */
  readonly when: RuleCondition;
  /** The condition compiled once at load: lists resolved, regexes built. */
  readonly test: (facts: TouchFacts) => boolean;
}

/** Ordered channel rules, ready to classify: the first rule whose condition holds names the channel. */
export interface ChannelRules {
  readonly version: 1;
  readonly lists: ReadonlyMap<string, readonly string[]>;
  readonly rules: readonly ChannelRule[];
}

/**
 * Rules from the text of a rules file (the server reads `NUDGE_CHANNEL_RULES`). A file replaces the
 * shipped rules as a whole. Throws `ValidationError` naming each bad field (`rules[3].when.medium.matches`).
 *
 *   const rules = loadChannelRules(readFileSync(path, 'utf8'));
 */
export function loadChannelRules(jsonText: string): ChannelRules {
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch (error) {
    throw new ValidationError('channel rules are not valid JSON', [{ path: '', message: error instanceof Error ? error.message : String(error) }]);
  }
  return compileChannelRules(value);
}

/** Rules from an already parsed rules file; throws `ValidationError` like `loadChannelRules`. */
export function compileChannelRules(value: unknown): ChannelRules {
  const parsed = channelRulesFileSchema.safeParse(value);
  if (!parsed.success) throw new ValidationError('invalid channel rules', fieldIssues(parsed.error.issues));
  const file = parsed.data;
  const lists = new Map(Object.entries(file.lists).map(([name, entries]) => [name, entries.map((entry) => entry.toLowerCase())]));
  const issues: FieldIssue[] = [];
  const firstIndexOf = new Map<string, number>();
  const rules = file.rules.map((rule, index): ChannelRule => {
    const earlier = firstIndexOf.get(rule.id);
    if (earlier === undefined) firstIndexOf.set(rule.id, index);
    else issues.push({ path: fieldPath(['rules', index, 'id']), message: `duplicate rule id "${rule.id}" (also rules[${earlier}])` });
    return {
      id: rule.id,
      channel: rule.channel,
      description: rule.description ?? null,
      when: rule.when,
      test: compileCondition(rule.when, ['rules', index, 'when'], lists, issues),
    };
  });
  if (issues.length > 0) throw new ValidationError('invalid channel rules', issues);
  return { version: 1, lists, rules };
}

type Test = (facts: TouchFacts) => boolean;

function compileCondition(condition: RuleCondition, path: readonly PropertyKey[], lists: ReadonlyMap<string, readonly string[]>, issues: FieldIssue[]): Test {
  if ('all' in condition) {
    const parts = condition.all.map((part, index) => compileCondition(part, [...path, 'all', index], lists, issues));
    return (facts) => parts.every((part) => part(facts));
  }
  if ('any' in condition) {
    const parts = condition.any.map((part, index) => compileCondition(part, [...path, 'any', index], lists, issues));
    return (facts) => parts.some((part) => part(facts));
  }
  if ('not' in condition) {
    const inner = compileCondition(condition.not, [...path, 'not'], lists, issues);
    return (facts) => !inner(facts);
  }
  if ('noReferrer' in condition) return (facts) => facts.referrerHost === undefined;
  if ('noCampaign' in condition) {
    return (facts) => facts.source === undefined && facts.medium === undefined && facts.campaign === undefined && facts.clickIds.length === 0;
  }
  const field = textFields.find((name) => name in condition)!;
  const test = (condition as Record<TextField, StringTest>)[field];
  const matchValue = compileStringTest(field, test, [...path, field], lists, issues);
  if (field === 'clickId') return (facts) => (test.exists === false ? facts.clickIds.length === 0 : facts.clickIds.some((name) => matchValue(name)));
  const read = readerOf(field);
  return (facts) => {
    const value = read(facts);
    if (test.exists !== undefined) return (value !== undefined) === test.exists;
    return value !== undefined && matchValue(value);
  };
}

function readerOf(field: Exclude<TextField, 'clickId'>): (facts: TouchFacts) => string | undefined {
  switch (field) {
    case 'eventName':
      return (facts) => facts.eventName;
    case 'referrerDomain':
      return (facts) => facts.referrerHost;
    case 'source':
    case 'medium':
    case 'campaign':
    case 'term':
    case 'content':
    case 'pageUrl':
      return (facts) => facts[field];
    default: {
      const unexpected: never = field;
      throw new Error(`no reader for ${String(unexpected)}`);
    }
  }
}

/**
 * How a field compares with `equals` / `in` / `inList`: event names by `eventNameKey` (case and
 * separators forgiven), sources and referrer domains as sites, everything else case-insensitively.
 * `matches` is a case-insensitive regex on the value as sent.
 */
function compileStringTest(
  field: TextField,
  test: StringTest,
  path: readonly PropertyKey[],
  lists: ReadonlyMap<string, readonly string[]>,
  issues: FieldIssue[],
): (value: string) => boolean {
  if (test.exists !== undefined) return () => true;
  if (test.matches !== undefined) {
    const regex = new RegExp(test.matches, 'i');
    return (value) => regex.test(value);
  }
  let entries: readonly string[];
  if (test.inList !== undefined) {
    const list = lists.get(test.inList);
    if (list === undefined) {
      const known = [...lists.keys()];
      issues.push({ path: fieldPath([...path, 'inList']), message: `no list named "${test.inList}" in lists (${known.length === 0 ? 'there are none' : `known: ${known.join(', ')}`})` });
      return () => false;
    }
    entries = list;
  } else {
    entries = test.equals !== undefined ? [test.equals] : (test.in ?? []);
  }
  if (field === 'source' || field === 'referrerDomain') {
    return (value) => entries.some((entry) => matchesSite(value, entry));
  }
  const key = field === 'eventName' ? eventNameKey : (value: string) => value.trim().toLowerCase();
  const wanted = new Set(entries.map(key));
  return (value) => wanted.has(key(value));
}

/** The shipped rules (services/ingest/channels/channelRules.json), compiled once. */
export const defaultChannelRules: ChannelRules = compileChannelRules(shippedRules);

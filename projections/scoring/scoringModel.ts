import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { FieldIssue } from '../../services/core/index.ts';
import { ValidationError } from '../../services/core/index.ts';

/** The shipped model: projections/scoring/defaultScoringModel.yaml. */
export const defaultScoringModelFile = join(dirname(fileURLToPath(import.meta.url)), 'defaultScoringModel.yaml');

/**
 * What a fit or negative condition looks at, as of the moment scored:
 * - `trait.<name>`: the lead's trait (identify traits, `unsubscribed`, `<event>_at`, …);
 * - `account.<name>`: the lead's account's trait (group traits: `employees`, `industry`, …);
 * - `country`: the lead's `country` trait, else its account's;
 * - `email_domain`: the domain of the lead's newest email address;
 * - `free_mail`: whether that domain is a free-mail provider (NUDGE_FREE_MAIL_DOMAINS);
 * - `status`: the lead status.
 */
const fieldPattern = /^(trait\.[A-Za-z0-9_$-]{1,64}|account\.[A-Za-z0-9_$-]{1,64}|country|email_domain|free_mail|status)$/;
const text = z.string().min(1).max(200);
const finite = z.number().finite();

const leafSchema = z
  .object({
    field: z.string().regex(fieldPattern, 'must be trait.<name>, account.<name>, country, email_domain, free_mail or status'),
    equals: z.union([z.string().max(200), finite, z.boolean()]).optional(),
    in: z.array(text).min(1).max(500).optional(),
    words: z.array(text).min(1).max(500).optional(),
    endsWith: z.array(text).min(1).max(500).optional(),
    between: z.tuple([finite, finite]).optional(),
    gte: finite.optional(),
    lt: finite.optional(),
    exists: z.boolean().optional(),
  })
  .strict()
  .superRefine((leaf, context) => {
    const operators = (['equals', 'in', 'words', 'endsWith', 'between', 'gte', 'lt', 'exists'] as const).filter((key) => leaf[key] !== undefined);
    if (operators.length !== 1) {
      context.addIssue({ code: 'custom', message: `needs exactly one operator of equals, in, words, endsWith, between, gte, lt, exists (has ${operators.length === 0 ? 'none' : operators.join(', ')})` });
    }
    if (leaf.between && leaf.between[0] > leaf.between[1]) context.addIssue({ code: 'custom', path: ['between'], message: 'must be [low, high] with low ≤ high' });
  });
export type LeafCondition = z.infer<typeof leafSchema>;

export type Condition = LeafCondition | { readonly any: readonly Condition[] } | { readonly all: readonly Condition[] };
const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([z.object({ any: z.array(conditionSchema).min(1).max(50) }).strict(), z.object({ all: z.array(conditionSchema).min(1).max(50) }).strict(), leafSchema]),
);

const ruleId = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and - (like senior-title)');

const conditionRuleSchema = z
  .object({ id: ruleId, description: z.string().max(500).optional(), when: conditionSchema, points: finite })
  .strict();
export type ConditionRule = z.infer<typeof conditionRuleSchema>;

const engagementRuleSchema = z
  .object({
    id: ruleId,
    description: z.string().max(500).optional(),
    /** Touch names (Segment event names, `Page Viewed`, …) the rule counts; any when absent. */
    events: z.array(text).min(1).max(100).optional(),
    /** Channels the rule counts; any when absent. */
    channels: z.array(text).min(1).max(50).optional(),
    points: finite,
    /** Each touch's points halve every this many days; no decay when absent. */
    halfLifeDays: z.number().positive().max(3_650).optional(),
    /** Most points the rule gives, however many touches. */
    cap: z.number().positive().optional(),
  })
  .strict()
  .refine((rule) => rule.events !== undefined || rule.channels !== undefined, { message: 'needs events, channels or both (which touches it counts)' });
export type EngagementRule = z.infer<typeof engagementRuleSchema>;

const bandSchema = z.object({ name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be a short name like A or hot'), min: finite.optional() }).strict();

export const scoringModelSchema = z
  .object({
    name: z.string().min(1).max(200),
    /** A lead whose total reaches this is marketing-qualified by score. */
    mqlThreshold: finite,
    /** The scorer records LeadScoreChanged when the band changes or the total moves by at least this. */
    changeThreshold: z.number().positive().default(5),
    bands: z.array(bandSchema).min(1).max(20),
    fit: z.array(conditionRuleSchema).max(200).default([]),
    engagement: z.array(engagementRuleSchema).max(200).default([]),
    negative: z.array(conditionRuleSchema).max(200).default([]),
  })
  .strict()
  .superRefine((model, context) => {
    const seen = new Map<string, string>();
    for (const section of ['fit', 'engagement', 'negative'] as const) {
      model[section].forEach((rule, index) => {
        const before = seen.get(rule.id);
        if (before) context.addIssue({ code: 'custom', path: [section, index, 'id'], message: `${rule.id} is already the id of a rule in ${before}` });
        seen.set(rule.id, section);
      });
    }
    model.negative.forEach((rule, index) => {
      if (rule.points > 0) context.addIssue({ code: 'custom', path: ['negative', index, 'points'], message: 'must be ≤ 0 (a negative rule takes points away)' });
    });
    model.bands.forEach((band, index) => {
      const last = index === model.bands.length - 1;
      if (last && band.min !== undefined) context.addIssue({ code: 'custom', path: ['bands', index, 'min'], message: 'the last band takes every total below the others: leave out its min' });
      if (!last && band.min === undefined) context.addIssue({ code: 'custom', path: ['bands', index, 'min'], message: 'is required on every band but the last' });
      const previous = model.bands[index - 1]?.min;
      if (!last && index > 0 && previous !== undefined && band.min !== undefined && band.min >= previous) {
        context.addIssue({ code: 'custom', path: ['bands', index, 'min'], message: `must be below the band above it (${previous}): bands go from the highest down` });
      }
    });
    const names = new Set<string>();
    model.bands.forEach((band, index) => {
      if (names.has(band.name)) context.addIssue({ code: 'custom', path: ['bands', index, 'name'], message: `${band.name} is named twice` });
      names.add(band.name);
    });
  });
export type ScoringModel = z.infer<typeof scoringModelSchema>;

/**
 * Reads a scoring model from YAML (or JSON) text; every problem is reported with its path and,
 * when the text says where, its line: `bands[3].min (line 14): the last band …`.
 */
export function parseScoringModel(source: string, fileName = 'scoring model'): ScoringModel {
  const document = parseDocument(source, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ValidationError(`${fileName} is not valid YAML`, document.errors.map((error) => ({ path: `line ${error.linePos?.[0].line ?? '?'}`, message: error.message.split('\n')[0]! })));
  }
  const parsed = scoringModelSchema.safeParse(document.toJS());
  if (parsed.success) return parsed.data;
  const lineOf = (path: readonly PropertyKey[]): string => {
    const node = document.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (!node?.range) return '';
    return ` (line ${source.slice(0, node.range[0]).split('\n').length})`;
  };
  const issues: FieldIssue[] = parsed.error.issues.map((issue) => ({ path: `${formatPath(issue.path)}${lineOf(issue.path)}`, message: issue.message }));
  throw new ValidationError(`${fileName} is not a valid scoring model`, issues);
}

export function loadScoringModel(file: string = defaultScoringModelFile): ScoringModel {
  return parseScoringModel(readFileSync(file, 'utf8'), file);
}

/** The band a total falls in. */
export function bandOf(model: ScoringModel, total: number): string {
  for (const band of model.bands) if (band.min === undefined || total >= band.min) return band.name;
  return model.bands[model.bands.length - 1]!.name;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '') || '(model)';
}

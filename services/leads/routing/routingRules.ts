import type { Node } from 'yaml';
import { isScalar, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { fieldPath, ValidationError } from '../../core/index.ts';
import { teamSchema } from '../reps/repFields.ts';

/**
 * The routing rules document (YAML, or JSON): named regions (lists of countries), ordered rules
 * that choose a team from lead and account facts, and the fallback team. The first rule whose
 * `when` holds chooses; every condition of a `when` must hold; a list holds when any of its
 * values does. docs/reps-and-routing.md explains the format with a worked example.
 *
 *   const rules = parseRoutingRules(readFileSync('routing.yaml', 'utf8'));
 */
export type RoutingStrategy = 'round_robin' | 'least_loaded';

/** The rule id OwnerAssigned names when the account owner won (`routing:account-owner`). */
export const ACCOUNT_OWNER_RULE = 'account-owner';
/** The rule id of the fallback team (`routing:fallback`). */
export const FALLBACK_RULE = 'fallback';

export interface RuleConditions {
  /** Upper-case country codes. */
  readonly country?: ReadonlySet<string>;
  /** Lower-case region names. */
  readonly region?: ReadonlySet<string>;
  /** Lower-case industries. */
  readonly industry?: ReadonlySet<string>;
  /** Inclusive bounds on the account's employees. */
  readonly employees?: { readonly min: number; readonly max: number };
  /** Lower-case utm sources of the lead's first touch. */
  readonly source?: ReadonlySet<string>;
  /** Lower-case channels of the lead's first touch. */
  readonly channel?: ReadonlySet<string>;
}

export interface RoutingRule {
  readonly id: string;
  readonly description: string | null;
  readonly when: RuleConditions;
  readonly team: string;
  readonly strategy: RoutingStrategy;
}

export interface RoutingRules {
  /** Country code (upper case) → region name (lower case), from the document's `regions`. */
  readonly regions: ReadonlyMap<string, string>;
  readonly rules: readonly RoutingRule[];
  /** Where a lead goes when no rule holds; its id is `fallback`. */
  readonly fallback: RoutingRule;
}

/** One problem with the document, by path and (when it can be found) line. */
export interface RoutingRulesIssue {
  readonly path: string;
  readonly message: string;
  readonly line: number | null;
  readonly column: number | null;
}

export class RoutingRulesInvalidError extends ValidationError {
  readonly problems: readonly RoutingRulesIssue[];

  constructor(problems: readonly RoutingRulesIssue[], fileName?: string) {
    super(
      `the routing rules${fileName === undefined ? '' : ` in ${fileName}`} are not valid`,
      problems.map((problem) => ({ path: problem.path, message: problem.line === null ? problem.message : `line ${problem.line}: ${problem.message}` })),
    );
    this.problems = problems;
  }
}

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, - and _ (up to 64), like emea or enterprise-us');
const countryCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, like US or DE')
  .transform((code) => code.toUpperCase());
/** One value, or a list of them (any of which holds): `country: US` is `country: [US]`. */
const oneOrMore = <T extends z.ZodType<string, string>>(item: T) =>
  z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(item).min(1, 'must list at least one value'));
const text = z.string().trim().min(1, 'must not be empty');
const strategy = z.enum(['round_robin', 'least_loaded'], 'must be round_robin or least_loaded').default('round_robin');

const whenSchema = z.strictObject({
  country: oneOrMore(countryCode).optional(),
  region: oneOrMore(slug).optional(),
  industry: oneOrMore(text).optional(),
  employees: z
    .strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
    .refine((range) => range.min !== undefined || range.max !== undefined, 'must give min, max or both')
    .refine((range) => range.min === undefined || range.max === undefined || range.min <= range.max, 'min must not be more than max')
    .optional(),
  source: oneOrMore(text).optional(),
  channel: oneOrMore(text).optional(),
});

const documentSchema = z.strictObject({
  apiVersion: z.literal('nudge/v1', 'must be nudge/v1'),
  kind: z.literal('Routing', 'must be Routing'),
  description: z.string().optional(),
  regions: z.record(slug, z.array(countryCode)).default({}),
  rules: z
    .array(
      z.strictObject({
        id: slug,
        description: z.string().optional(),
        when: whenSchema.default({}),
        team: teamSchema,
        strategy,
      }),
    )
    .default([]),
  fallback: z.strictObject({ team: teamSchema, strategy }),
});
type RoutingDocument = z.output<typeof documentSchema>;

/** Reads and checks a rules document; throws RoutingRulesInvalidError with every problem. */
export function parseRoutingRules(source: string, options: { fileName?: string } = {}): RoutingRules {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'silent' });
  const fail = (problems: RoutingRulesIssue[]): never => {
    throw new RoutingRulesInvalidError(problems, options.fileName);
  };
  if (doc.errors.length > 0) {
    fail(doc.errors.map((error) => ({ path: '', message: `is not valid YAML: ${error.message.split('\n')[0]!}`, ...position(lines, error.pos[0]) })));
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined) fail([{ path: '', message: 'is empty: a routing document starts with apiVersion: nudge/v1 and kind: Routing', line: 1, column: 1 }]);
  const where = (path: readonly PropertyKey[]): { line: number | null; column: number | null } => {
    for (let length = path.length; length >= 0; length--) {
      const node = doc.getIn(path.slice(0, length) as (string | number)[], true) as Node | undefined;
      if (node?.range) return position(lines, node.range[0]);
    }
    return { line: null, column: null };
  };
  // `country: USA` is read as `country: [USA]`; its problem is at `country`, as written, not `country[0]`.
  const asWritten = (path: readonly PropertyKey[]): readonly PropertyKey[] =>
    path.at(-1) === 0 && isScalar(doc.getIn(path.slice(0, -1) as (string | number)[], true)) ? path.slice(0, -1) : path;
  const problem = (path: readonly PropertyKey[], message: string): RoutingRulesIssue => ({ path: fieldPath(asWritten(path)), message, ...where(asWritten(path)) });
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues.map((issue) => problem(issue.path, issue.message)));
  const document = parsed.data!;
  const problems = crossChecks(document).map(({ path, message }) => problem(path, message));
  if (problems.length > 0) fail(problems);
  return compile(document);
}

function crossChecks(document: RoutingDocument): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const regionOf = new Map<string, string>();
  for (const [region, countries] of Object.entries(document.regions)) {
    countries.forEach((country, index) => {
      const other = regionOf.get(country);
      if (other !== undefined && other !== region) problems.push({ path: ['regions', region, index], message: `${country} is already in region ${other}: a country belongs to one region` });
      regionOf.set(country, region);
    });
  }
  const seen = new Map<string, number>();
  document.rules.forEach((rule, index) => {
    if (rule.id === ACCOUNT_OWNER_RULE || rule.id === FALLBACK_RULE) problems.push({ path: ['rules', index, 'id'], message: `${rule.id} is reserved: choose another id` });
    const earlier = seen.get(rule.id);
    if (earlier !== undefined) problems.push({ path: ['rules', index, 'id'], message: `${rule.id} is already the id of rules[${earlier}]: rule ids are unique (OwnerAssigned names them)` });
    seen.set(rule.id, index);
    (rule.when.region ?? []).forEach((region, at) => {
      if (Object.hasOwn(document.regions, region)) return;
      const known = Object.keys(document.regions);
      problems.push({ path: ['rules', index, 'when', 'region', at], message: `no region ${region} in regions${known.length === 0 ? ' (none is defined)' : `: defined are ${known.join(', ')}`}` });
    });
  });
  return problems;
}

function compile(document: RoutingDocument): RoutingRules {
  const regions = new Map<string, string>();
  for (const [region, countries] of Object.entries(document.regions)) for (const country of countries) regions.set(country, region);
  const lower = (values: readonly string[] | undefined): ReadonlySet<string> | undefined => (values === undefined ? undefined : new Set(values.map((value) => value.toLowerCase())));
  const rules = document.rules.map(
    (rule): RoutingRule => ({
      id: rule.id,
      description: rule.description ?? null,
      team: rule.team,
      strategy: rule.strategy,
      when: {
        ...(rule.when.country === undefined ? {} : { country: new Set(rule.when.country) }),
        ...(rule.when.region === undefined ? {} : { region: lower(rule.when.region)! }),
        ...(rule.when.industry === undefined ? {} : { industry: lower(rule.when.industry)! }),
        ...(rule.when.employees === undefined ? {} : { employees: { min: rule.when.employees.min ?? 0, max: rule.when.employees.max ?? Number.POSITIVE_INFINITY } }),
        ...(rule.when.source === undefined ? {} : { source: lower(rule.when.source)! }),
        ...(rule.when.channel === undefined ? {} : { channel: lower(rule.when.channel)! }),
      },
    }),
  );
  const fallback: RoutingRule = { id: FALLBACK_RULE, description: 'no rule held', when: {}, team: document.fallback.team, strategy: document.fallback.strategy };
  return { regions, rules, fallback };
}

function position(lines: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

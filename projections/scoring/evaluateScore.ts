import { bandOf, type Condition, type LeafCondition, type ScoringModel } from './scoringModel.ts';
import { normaliseWords, ruleColumn } from './scoringSql.ts';

/** What the model reads of one lead as of one moment (the newest value of each fact at or before it). */
export interface LeadSnapshot {
  /** Trait name → value as recorded (JSON values). */
  readonly traits: Readonly<Record<string, unknown>>;
  readonly accountTraits: Readonly<Record<string, unknown>>;
  /** The newest email identity, normalised (lower case), or null. */
  readonly email: string | null;
  readonly status: string | null;
  /** Touches at or before `asOf`. */
  readonly touches: readonly { readonly name: string; readonly channel: string; readonly occurredAt: string }[];
  readonly asOf: string;
}

export interface ScoreBreakdown {
  /** Rule column (`fit__senior_title`) → points. */
  readonly rules: Readonly<Record<string, number>>;
  readonly fit: number;
  readonly engagement: number;
  readonly negative: number;
  readonly total: number;
  readonly band: string;
}

/**
 * The scoring model evaluated in plain TypeScript, with exactly the semantics of the generated
 * SQL (scoringSql.ts). It is the reference the tests hold the SQL to; the product scores in
 * ClickHouse.
 */
export function evaluateScore(model: ScoringModel, lead: LeadSnapshot, freeMail: ReadonlySet<string>): ScoreBreakdown {
  const rules: Record<string, number> = {};
  const value = (field: string): string | null => fieldValue(field, lead, freeMail);
  let fit = 0;
  for (const rule of model.fit) fit += rules[ruleColumn('fit', rule.id)] = holds(rule.when, value) ? rule.points : 0;
  let negative = 0;
  for (const rule of model.negative) negative += rules[ruleColumn('negative', rule.id)] = holds(rule.when, value) ? rule.points : 0;
  let engagement = 0;
  const asOf = Date.parse(lead.asOf);
  for (const rule of model.engagement) {
    let sum = 0;
    for (const touch of lead.touches) {
      const at = Date.parse(touch.occurredAt);
      if (at > asOf) continue;
      if (rule.events && !rule.events.includes(touch.name)) continue;
      if (rule.channels && !rule.channels.includes(touch.channel)) continue;
      sum += rule.halfLifeDays === undefined ? rule.points : rule.points * 2 ** (-(asOf - at) / (rule.halfLifeDays * 86_400_000));
    }
    const points = rule.cap === undefined ? sum : Math.min(rule.cap, sum);
    engagement += rules[ruleColumn('engagement', rule.id)] = points;
  }
  const total = fit + engagement + negative;
  return { rules, fit, engagement, negative, total, band: bandOf(model, total) };
}

function fieldValue(field: string, lead: LeadSnapshot, freeMail: ReadonlySet<string>): string | null {
  const domain = lead.email === null ? null : lead.email.toLowerCase().split('@').at(-1)!;
  if (field.startsWith('trait.')) return jsonText(lead.traits[field.slice('trait.'.length)]);
  if (field.startsWith('account.')) return jsonText(lead.accountTraits[field.slice('account.'.length)]);
  switch (field) {
    case 'country':
      return jsonText(lead.traits.country) ?? jsonText(lead.accountTraits.country);
    case 'email_domain':
      return domain;
    case 'free_mail':
      return domain === null ? null : freeMail.has(domain) ? 'true' : 'false';
    case 'status':
      return lead.status === '' ? null : lead.status;
    default:
      throw new Error(`unknown scoring field ${field}`);
  }
}

/** As ClickHouse reads the recorded JSON: a string as is, null (or never set) missing, anything else as JSON text. */
function jsonText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function holds(condition: Condition, value: (field: string) => string | null): boolean {
  if ('any' in condition) return condition.any.some((c) => holds(c, value));
  if ('all' in condition) return condition.all.every((c) => holds(c, value));
  return leafHolds(condition, value(condition.field));
}

function leafHolds(leaf: LeafCondition, x: string | null): boolean {
  if (leaf.exists !== undefined) return leaf.exists === (x !== null);
  if (leaf.words) {
    const haystack = ` ${normaliseWords(x ?? '')} `;
    return leaf.words.some((word) => haystack.includes(` ${normaliseWords(word)} `));
  }
  if (leaf.endsWith) return leaf.endsWith.some((suffix) => (x ?? '').toLowerCase().endsWith(suffix.toLowerCase()));
  if (x === null) return false;
  if (leaf.equals !== undefined) {
    if (typeof leaf.equals === 'boolean') return (leaf.equals ? ['true', '1'] : ['false', '0']).includes(x.toLowerCase());
    if (typeof leaf.equals === 'number') return numberOf(x) === leaf.equals;
    return x.toLowerCase() === leaf.equals.toLowerCase();
  }
  if (leaf.in) return leaf.in.some((item) => item.toLowerCase() === x.toLowerCase());
  const n = numberOf(x);
  if (n === null) return false;
  if (leaf.between) return n >= leaf.between[0] && n <= leaf.between[1];
  if (leaf.gte !== undefined) return n >= leaf.gte;
  if (leaf.lt !== undefined) return n < leaf.lt;
  return false;
}

/** ClickHouse's toFloat64OrNull: a plain decimal number, else null. */
function numberOf(text: string): number | null {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : null;
}

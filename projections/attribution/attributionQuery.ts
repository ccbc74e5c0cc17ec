import { z } from 'zod';
import { type Clock, type FieldIssue, ValidationError, fieldIssues, systemClock } from '../../services/core/index.ts';
import { type AttributionModel, attributionModels } from './attributionModels.ts';
import { parseInstant } from '../isoInstant.ts';

/** What credit is grouped by: a column of touches_resolved. */
export const attributionKeys = ['channel', 'source', 'medium', 'campaign', 'content'] as const;
export type AttributionKey = (typeof attributionKeys)[number];

const DAY_MS = 86_400_000;
/** Longest lookback and half-life accepted: ten years is far past any sales cycle. */
const MAX_DAYS = 3_650;
/** Longest period accepted (from to to): twenty years. With the lookback, what a query reads spans under 2^40 ms, which the Markov query's packed touches rely on. */
export const MAX_PERIOD_DAYS = 7_305;

/** A query as `attribute` and `compareModels` take it: every field present. */
export interface AttributionQuery {
  readonly model: AttributionModel;
  /** A lifecycle stage: a lead converts the first time it reaches it or any later stage. */
  readonly conversion: string;
  /** ISO instants (the schema gives `2026-01-01T00:00:00.000Z`): conversions at or after `from` and before `to` count. */
  readonly from: string;
  readonly to: string;
  readonly by: AttributionKey;
  readonly lookbackDays: number;
  readonly halfLifeDays: number;
}

export interface AttributionQueryOptions {
  /** The ordered lifecycle stages (LeadSettings.stages). */
  readonly stages: readonly string[];
  /** Where "now" comes from for the default `to`. */
  readonly clock?: Clock;
}

/**
 * The attribution query of an HTTP query string (every value a string) or of code: unknown
 * fields are ignored, missing ones take their defaults (model linear, conversion the last stage,
 * to now, from 90 days before to, by channel, lookbackDays 90, halfLifeDays 7). Every message
 * names its field.
 *
 *   const schema = attributionQuerySchema({ stages: settings.stages });
 *   const query = schema.parse({ model: 'u_shaped', conversion: 'opportunity', from: '2026-01-01' });
 */
export function attributionQuerySchema(options: AttributionQueryOptions) {
  const stages = options.stages;
  const clock = options.clock ?? systemClock;
  if (stages.length === 0) throw new RangeError('attributionQuerySchema: stages must list at least one lifecycle stage');
  return z
    .object({
      model: z.enum(attributionModels, { error: `model must be one of ${attributionModels.join(', ')}` }).default('linear'),
      conversion: z
        .string({ error: `conversion must be a lifecycle stage: one of ${stages.join(', ')}` })
        .transform((value, context) => {
          const stage = stageNamed(stages, value);
          if (stage === null) context.issues.push({ code: 'custom', input: value, message: `conversion must be a lifecycle stage: one of ${stages.join(', ')}` });
          return stage ?? value;
        })
        .optional(),
      from: instant('from').optional(),
      to: instant('to').optional(),
      by: z.enum(attributionKeys, { error: `by must be one of ${attributionKeys.join(', ')}` }).default('channel'),
      lookbackDays: days('lookbackDays').default(90),
      halfLifeDays: days('halfLifeDays').default(7),
    })
    .transform((query, context): AttributionQuery => {
      const to = query.to ?? clock.now();
      const from = query.from ?? new Date(to.getTime() - 90 * DAY_MS);
      if (from.getTime() >= to.getTime()) {
        context.issues.push({ code: 'custom', input: query, path: ['from'], message: `from must be before to (${to.toISOString()})` });
      } else if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) {
        context.issues.push({ code: 'custom', input: query, path: ['from'], message: `from must be at most 20 years before to (${to.toISOString()})` });
      }
      return { ...query, conversion: query.conversion ?? stages[stages.length - 1]!, from: from.toISOString(), to: to.toISOString() };
    });
}

/** The period of a query as instants; a ValidationError names a bound that is not an ISO date or date-time. */
export function periodOf(query: Pick<AttributionQuery, 'from' | 'to'>): { from: Date; to: Date } {
  const issues: FieldIssue[] = [];
  const read = (field: 'from' | 'to'): Date => {
    const at = typeof query[field] === 'string' ? parseInstant(query[field]) : null;
    if (at === null) issues.push({ path: field, message: `${field} must be an ISO date (2026-01-31) or date-time (2026-01-31T12:00:00Z)` });
    return at ?? new Date(Number.NaN);
  };
  const period = { from: read('from'), to: read('to') };
  if (issues.length === 0 && !(period.from.getTime() < period.to.getTime())) issues.push({ path: 'from', message: `from must be before to (${period.to.toISOString()})` });
  else if (issues.length === 0 && period.to.getTime() - period.from.getTime() > MAX_PERIOD_DAYS * DAY_MS) {
    issues.push({ path: 'from', message: `from must be at most 20 years before to (${period.to.toISOString()})` });
  }
  if (issues.length > 0) throw new ValidationError('invalid attribution query', issues);
  return period;
}

/** Parses an attribution query, or throws a ValidationError listing every failing field. */
export function parseAttributionQuery(input: unknown, options: AttributionQueryOptions): AttributionQuery {
  const result = attributionQuerySchema(options).safeParse(input ?? {});
  if (!result.success) throw new ValidationError('invalid attribution query', fieldIssues(result.error.issues));
  return result.data;
}

/** The configured spelling of a stage, forgiving case and surrounding spaces; null when not a stage. */
function stageNamed(stages: readonly string[], value: string): string | null {
  const wanted = value.trim().toLowerCase();
  return stages.find((stage) => stage.toLowerCase() === wanted) ?? null;
}


/** `2026-01-31` (midnight UTC) or `2026-01-31T12:00:00Z` / `…+02:00` (no offset: UTC). */
function instant(field: string) {
  const message = `${field} must be an ISO date (2026-01-31) or date-time (2026-01-31T12:00:00Z)`;
  return z.string({ error: message }).transform((text, context) => {
    const at = parseInstant(text);
    if (at === null) context.issues.push({ code: 'custom', input: text, message });
    else if (at.getUTCFullYear() < 1970 || at.getUTCFullYear() > 2299) context.issues.push({ code: 'custom', input: text, message: `${field} must be between 1970 and 2299` });
    return at ?? new Date(Number.NaN);
  });
}


function days(field: string) {
  return z.coerce
    .number({ error: `${field} must be a number of days` })
    .refine((value) => value > 0 && value <= MAX_DAYS, { message: `${field} must be more than 0 and at most ${MAX_DAYS} days` });
}

import { z } from 'zod';
import { ValidationError, fieldIssues } from '../../services/core/index.ts';
import { parseInstant } from '../isoInstant.ts';

/** How funnel figures are split within a cohort. */
export const funnelGroupings = ['none', 'channel', 'owner'] as const;
export type FunnelGroupBy = (typeof funnelGroupings)[number];

/** How the forecast is split: the whole pipeline, or also per owner. */
export const forecastGroupings = ['none', 'owner'] as const;
export type ForecastGroupBy = (typeof forecastGroupings)[number];

/** The longest trailing window accepted: ten years is far past any sales cycle. */
export const MAX_WINDOW_DAYS = 3_650;

/**
 * GET /v1/analytics/funnel's query string (every value a string) or the same from code. Unknown
 * fields are ignored; every message names its field. The output is the input checked, with
 * defaults, so parsing it again gives the same query.
 *
 *   const query = funnelQuerySchema.parse({ from: '2026-01-01', to: '2026-03-31', groupBy: 'owner' });
 */
export const funnelQuerySchema = z
  .object({
    /** Cohorts from this one's month on (a date or date-time; no offset: UTC). */
    from: instant('from').optional(),
    /** Cohorts up to and including this one's month. */
    to: instant('to').optional(),
    groupBy: z.enum(funnelGroupings, { error: `groupBy must be one of ${funnelGroupings.join(', ')}` }).default('none'),
  })
  .superRefine((query, context) => {
    const from = query.from === undefined ? null : parseInstant(query.from);
    const to = query.to === undefined ? null : parseInstant(query.to);
    if (from !== null && to !== null && to.getTime() < from.getTime()) {
      context.addIssue({ code: 'custom', path: ['to'], message: `to must not be before from (${query.from})` });
    }
  });
export type FunnelQueryInput = z.input<typeof funnelQuerySchema>;
export type FunnelQuery = z.output<typeof funnelQuerySchema>;

/**
 * GET /v1/analytics/forecast's query string or the same from code; defaults: asOf now, a
 * trailing window of 180 days, no split by owner, rates on fewer than 20 leads flagged.
 *
 *   const query = forecastQuerySchema.parse({ asOf: '2026-07-01', windowDays: '90', groupBy: 'owner' });
 */
export const forecastQuerySchema = z.object({
  /** The instant the forecast stands at: stage changes before it count (default: now). */
  asOf: instant('asOf').optional(),
  windowDays: wholeNumber('windowDays', 1, MAX_WINDOW_DAYS, 'a whole number of days').default(180),
  groupBy: z.enum(forecastGroupings, { error: `groupBy must be one of ${forecastGroupings.join(', ')}` }).default('none'),
  /** A rate measured on fewer leads than this is flagged as a small sample. */
  minSampleSize: wholeNumber('minSampleSize', 1, 1_000_000, 'a whole number of leads').default(20),
});
export type ForecastQueryInput = z.input<typeof forecastQuerySchema>;
export type ForecastQuery = z.output<typeof forecastQuerySchema>;

/** Parses a funnel query, or throws a ValidationError listing every failing field. */
export function parseFunnelQuery(input: unknown): FunnelQuery {
  const result = funnelQuerySchema.safeParse(input ?? {});
  if (!result.success) throw new ValidationError('invalid funnel query', fieldIssues(result.error.issues));
  return result.data;
}

/** Parses a forecast query, or throws a ValidationError listing every failing field. */
export function parseForecastQuery(input: unknown): ForecastQuery {
  const result = forecastQuerySchema.safeParse(input ?? {});
  if (!result.success) throw new ValidationError('invalid forecast query', fieldIssues(result.error.issues));
  return result.data;
}


export { parseInstant };

// DateTime64(3) holds 1900–2299; before 1970 no lead had a stage.
const FIRST_YEAR = 1970;
const LAST_YEAR = 2299;

function instant(field: string) {
  const message = `${field} must be an ISO date (2026-01-31) or date-time (2026-01-31T12:00:00Z)`;
  return z.string({ error: message }).superRefine((text, context) => {
    const at = parseInstant(text);
    if (at === null) context.addIssue({ code: 'custom', message });
    else if (at.getUTCFullYear() < FIRST_YEAR || at.getUTCFullYear() > LAST_YEAR) {
      context.addIssue({ code: 'custom', message: `${field} must be between ${FIRST_YEAR} and ${LAST_YEAR}` });
    }
  });
}

function wholeNumber(field: string, min: number, max: number, what: string) {
  const message = `${field} must be ${what} from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

import type { FieldIssue } from '../../services/core/index.ts';

/** A back-test covers at most this many days: enough for a year and a season, bounded in cost. */
export const MAX_SIMULATION_DAYS = 400;

const DAY_MS = 86_400_000;

/**
 * What is wrong with a simulation window, by field (`from`, `to`); empty when it is fine. The
 * API and the CLI report these as they are, so both refuse the same windows in the same words.
 */
export function simulationWindowIssues(from: Date, to: Date): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (Number.isNaN(from.getTime())) issues.push({ path: 'from', message: 'must be a date (YYYY-MM-DD) or an ISO-8601 date-time' });
  if (Number.isNaN(to.getTime())) issues.push({ path: 'to', message: 'must be a date (YYYY-MM-DD) or an ISO-8601 date-time' });
  if (issues.length > 0) return issues;
  if (to.getTime() <= from.getTime()) return [{ path: 'to', message: `must be after from (${from.toISOString()})` }];
  if (to.getTime() - from.getTime() > MAX_SIMULATION_DAYS * DAY_MS) {
    return [{ path: 'to', message: `must be at most ${MAX_SIMULATION_DAYS} days after from (${from.toISOString()})` }];
  }
  return [];
}

/**
 * A window bound as people type it: `2026-03-01` (that day's UTC midnight) or an ISO-8601
 * date-time with its offset. Anything else is an invalid date (see simulationWindowIssues).
 */
export function parseWindowBound(text: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const date = new Date(`${text}T00:00:00.000Z`);
    // `2026-02-30` is not a day: Date would roll it over to March 2.
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text ? date : new Date(Number.NaN);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return new Date(Number.NaN);
  return new Date(text);
}

import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../services/core/index.ts';
import { forecastQuerySchema, funnelQuerySchema, funnelStages, parseForecastQuery, parseFunnelQuery } from '../../../projections/funnel/index.ts';

/** The issues a schema reports for an input, as `path: message`. */
function issues(schema: typeof funnelQuerySchema | typeof forecastQuerySchema, input: unknown): string[] {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('funnel query', () => {
  it('takes ISO dates and date-times and defaults groupBy to none; parsing its output again changes nothing', () => {
    const query = funnelQuerySchema.parse({ from: '2026-01-01', to: '2026-03-31T23:59:59Z', groupBy: 'channel' });
    expect(query).toEqual({ from: '2026-01-01', to: '2026-03-31T23:59:59Z', groupBy: 'channel' });
    expect(funnelQuerySchema.parse(query)).toEqual(query);
    expect(funnelQuerySchema.parse({})).toEqual({ groupBy: 'none' });
  });

  it('names the field of a date it cannot read', () => {
    expect(issues(funnelQuerySchema, { from: 'last month' })).toEqual(['from: from must be an ISO date (2026-01-31) or date-time (2026-01-31T12:00:00Z)']);
    expect(issues(funnelQuerySchema, { to: '2026-02-30' })).toEqual(['to: to must be an ISO date (2026-01-31) or date-time (2026-01-31T12:00:00Z)']);
    expect(issues(funnelQuerySchema, { from: 20260101 })).toEqual(['from: from must be an ISO date (2026-01-31) or date-time (2026-01-31T12:00:00Z)']);
    expect(issues(funnelQuerySchema, { from: '1969-12-31' })).toEqual(['from: from must be between 1970 and 2299']);
  });

  it('refuses a to before from, on to', () => {
    expect(issues(funnelQuerySchema, { from: '2026-03-01', to: '2026-02-01' })).toEqual(['to: to must not be before from (2026-03-01)']);
  });

  it('lists the groupings it knows', () => {
    expect(issues(funnelQuerySchema, { groupBy: 'rep' })).toEqual(['groupBy: groupBy must be one of none, channel, owner']);
  });

  it('throws a ValidationError with every failing field from parseFunnelQuery', () => {
    const error = (() => {
      try {
        parseFunnelQuery({ from: 'x', groupBy: 'y' });
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual(['from', 'groupBy']);
  });
});

describe('forecast query', () => {
  it('reads numbers from query-string text and fills in the defaults', () => {
    expect(forecastQuerySchema.parse({})).toEqual({ windowDays: 180, groupBy: 'none', minSampleSize: 20 });
    expect(forecastQuerySchema.parse({ asOf: '2026-07-01', windowDays: '90', minSampleSize: '10', groupBy: 'owner' })).toEqual({
      asOf: '2026-07-01',
      windowDays: 90,
      minSampleSize: 10,
      groupBy: 'owner',
    });
  });

  it('names windowDays and its range when it is not a whole number of days in range', () => {
    const message = 'windowDays: windowDays must be a whole number of days from 1 to 3650';
    for (const windowDays of ['abc', '0', '1.5', '3651', '-7']) expect(issues(forecastQuerySchema, { windowDays })).toEqual([message]);
  });

  it('names minSampleSize, asOf and groupBy in their messages', () => {
    expect(issues(forecastQuerySchema, { minSampleSize: '0' })).toEqual(['minSampleSize: minSampleSize must be a whole number of leads from 1 to 1000000']);
    expect(issues(forecastQuerySchema, { asOf: 'now' })).toEqual(['asOf: asOf must be an ISO date (2026-01-31) or date-time (2026-01-31T12:00:00Z)']);
    // The forecast splits by owner only.
    expect(issues(forecastQuerySchema, { groupBy: 'channel' })).toEqual(['groupBy: groupBy must be one of none, owner']);
  });

  it('throws a ValidationError from parseForecastQuery', () => {
    expect(() => parseForecastQuery({ windowDays: 'x' })).toThrow(ValidationError);
    expect(() => parseForecastQuery({ windowDays: 'x' })).toThrow(/windowDays must be a whole number of days/);
  });
});

describe('funnel stages', () => {
  it('defaults to subscriber … customer', () => {
    expect(funnelStages()).toEqual(['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer']);
  });

  it('refuses a list with fewer than two stages, an empty name or a repeated stage', () => {
    expect(() => funnelStages(['customer'])).toThrow(/at least two lifecycle stages/);
    expect(() => funnelStages(['lead', ' '])).toThrow(/stages\[1\]: a stage name must not be empty/);
    expect(() => funnelStages(['lead', 'mql', 'lead'])).toThrow(/stages\[2\]: stage lead is listed twice/);
  });
});

import { describe, expect, it } from 'vitest';
import { ValidationError, manualClock } from '../../../services/core/index.ts';
import type { Analytics } from '../../../services/ports/index.ts';
import { attribute, attributionModels, attributionQuerySchema, parseAttributionQuery } from '../../../projections/attribution/index.ts';

const stages = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'];
const clock = manualClock('2026-06-01T12:00:00.000Z');
const schema = attributionQuerySchema({ stages, clock });

/** The issues of a failing parse as `path: message` lines. */
function issuesOf(input: Record<string, unknown>, options = { stages, clock }): string[] {
  const result = attributionQuerySchema(options).safeParse(input);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('attributionQuerySchema', () => {
  it('fills every default: linear, the last stage, the 90 days before now, by channel, 90-day lookback, 7-day half-life', () => {
    expect(schema.parse({})).toEqual({
      model: 'linear',
      conversion: 'customer',
      from: '2026-03-03T12:00:00.000Z',
      to: '2026-06-01T12:00:00.000Z',
      by: 'channel',
      lookbackDays: 90,
      halfLifeDays: 7,
    });
  });

  it('reads a query string: numbers from text, dates as UTC midnight, date-times with their offset, from defaulting to 90 days before to', () => {
    expect(schema.parse({ model: 'w_shaped', conversion: 'opportunity', to: '2026-02-01', by: 'campaign', lookbackDays: '30', halfLifeDays: '3.5' })).toEqual({
      model: 'w_shaped',
      conversion: 'opportunity',
      from: '2025-11-03T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      by: 'campaign',
      lookbackDays: 30,
      halfLifeDays: 3.5,
    });
    const query = schema.parse({ from: '2026-01-01T02:00:00+02:00', to: '2026-01-31T12:30' });
    expect(query.from).toBe('2026-01-01T00:00:00.000Z');
    expect(query.to).toBe('2026-01-31T12:30:00.000Z');
  });

  it('takes the conversion stage from the stage list it was given, forgiving case', () => {
    expect(schema.parse({ conversion: ' Opportunity ' }).conversion).toBe('opportunity');
    const custom = attributionQuerySchema({ stages: ['trial', 'paid'], clock });
    expect(custom.parse({}).conversion).toBe('paid');
    expect(custom.parse({ conversion: 'trial' }).conversion).toBe('trial');
    expect(issuesOf({ conversion: 'customer' }, { stages: ['trial', 'paid'], clock })).toEqual(['conversion: conversion must be a lifecycle stage: one of trial, paid']);
  });

  it('names the field and the allowed values in every message', () => {
    expect(issuesOf({ model: 'last_click' })).toEqual([`model: model must be one of ${attributionModels.join(', ')}`]);
    expect(issuesOf({ conversion: 'won' })).toEqual(['conversion: conversion must be a lifecycle stage: one of subscriber, lead, mql, sql, opportunity, customer']);
    expect(issuesOf({ by: 'country' })).toEqual(['by: by must be one of channel, source, medium, campaign, content']);
    expect(issuesOf({ lookbackDays: 'ninety' })).toEqual(['lookbackDays: lookbackDays must be a number of days']);
    expect(issuesOf({ lookbackDays: '0' })).toEqual(['lookbackDays: lookbackDays must be more than 0 and at most 3650 days']);
    expect(issuesOf({ halfLifeDays: '-1' })).toEqual(['halfLifeDays: halfLifeDays must be more than 0 and at most 3650 days']);
  });

  it('refuses dates that are not ISO dates or do not exist, and a from that is not before to', () => {
    const dateMessage = 'must be an ISO date (2026-01-31) or date-time (2026-01-31T12:00:00Z)';
    expect(issuesOf({ from: '01/02/2026' })).toEqual([`from: from ${dateMessage}`]);
    expect(issuesOf({ to: '2026-02-30' })).toEqual([`to: to ${dateMessage}`]);
    expect(issuesOf({ to: '2026-01-01T25:00:00Z' })).toEqual([`to: to ${dateMessage}`]);
    expect(issuesOf({ from: '2026-02-01', to: '2026-02-01' })).toEqual(['from: from must be before to (2026-02-01T00:00:00.000Z)']);
    expect(issuesOf({ from: '2026-07-01' })).toEqual(['from: from must be before to (2026-06-01T12:00:00.000Z)']);
    expect(issuesOf({ from: '2000-01-01', to: '2026-01-01' })).toEqual(['from: from must be at most 20 years before to (2026-01-01T00:00:00.000Z)']);
    expect(attributionQuerySchema({ stages, clock }).safeParse({ from: '2006-01-02', to: '2026-01-01' }).success).toBe(true);
  });

  it('reports every failing field at once', () => {
    expect(issuesOf({ model: 'x', by: 'y', lookbackDays: 'z' }).map((line) => line.split(':')[0])).toEqual(['model', 'by', 'lookbackDays']);
  });
});

describe('parseAttributionQuery', () => {
  it('throws a ValidationError with field paths', () => {
    let error: unknown;
    try {
      parseAttributionQuery({ model: 'x', from: 'yesterday' }, { stages, clock });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual(['model', 'from']);
  });
});

describe('attribute', () => {
  const untouchable: Analytics = new Proxy({} as Analytics, {
    get: () => () => Promise.reject(new Error('no query should run')),
  });
  const query = parseAttributionQuery({ from: '2026-01-01', to: '2026-02-01' }, { stages, clock });

  it('refuses a conversion stage that is not in the stage list it is given, before querying', async () => {
    await expect(attribute(untouchable, { ...query, conversion: 'won' }, { stages })).rejects.toThrow(
      'invalid attribution query: conversion: conversion must be a lifecycle stage: one of subscriber, lead, mql, sql, opportunity, customer',
    );
    await expect(attribute(untouchable, { ...query, conversion: 'customer' }, { stages: ['trial', 'paid'] })).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses a period that ends before it starts, or bounds that are not ISO dates, before querying', async () => {
    await expect(attribute(untouchable, { ...query, from: query.to, to: query.from }, { stages })).rejects.toThrow('from: from must be before to');
    await expect(attribute(untouchable, { ...query, to: 'next week' }, { stages })).rejects.toThrow('to: to must be an ISO date');
    await expect(attribute(untouchable, { ...query, from: '1990-01-01', to: '2026-01-01' }, { stages })).rejects.toThrow('from: from must be at most 20 years before to');
  });

  it('takes the period as ISO dates or date-times in code too', async () => {
    await expect(attribute(untouchable, { ...query, from: '2026-01-01', to: '2026-01-31T12:00:00+01:00' }, { stages })).rejects.toThrow('no query should run');
  });
});

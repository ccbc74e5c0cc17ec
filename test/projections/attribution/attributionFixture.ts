import { afterEach, expect } from 'vitest';
import { createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import { manualClock } from '../../../services/core/index.ts';
import type { Analytics, EventStore } from '../../../services/ports/index.ts';
import { type AttributionQuery, parseAttributionQuery } from '../../../projections/attribution/index.ts';
import { migrateAnalytics } from '../../../projections/migrate.ts';
import { AnalyticsProjector } from '../../../projections/projector/analyticsProjector.ts';
import { openTestAnalytics } from '../../support/analytics.ts';
import { analyticsHistory } from '../analyticsHistory.ts';

export const stages = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'] as const;

export type History = ReturnType<typeof analyticsHistory>;

export interface AttributionWorld {
  readonly store: EventStore;
  readonly analytics: Analytics;
  /** Writes lead histories (test/projections/analyticsHistory.ts). */
  readonly history: History;
  /** Projects everything written so far into the analytics tables. */
  readonly project: () => Promise<void>;
}

/**
 * A fresh event store and chDB database per test, dropped after it. Call once at the top of a
 * describe block; `world()` opens one for the running test.
 */
export function attributionWorlds(): () => Promise<AttributionWorld> {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  return async () => {
    const store = createSqliteEventStore({ path: ':memory:' });
    const analytics = await openTestAnalytics('attribution');
    cleanups.push(async () => {
      await analytics.drop();
      await store.close();
    });
    await migrateAnalytics(analytics);
    const projector = new AnalyticsProjector({ store, analytics });
    return { store, analytics, history: analyticsHistory(store), project: async () => void (await projector.catchUp()) };
  };
}

/** A query as the HTTP layer would parse it, with "now" fixed so defaults are reproducible. */
export function query(fields: Record<string, unknown>): AttributionQuery {
  return parseAttributionQuery(fields, { stages, clock: manualClock('2026-06-01T00:00:00.000Z') });
}

/** An instant on a day, at 09:00 UTC unless told: `at('2026-01-05')`, `at('2026-01-05', '23:59')`. */
export function at(day: string, time = '09:00'): string {
  return `${day}T${time}:00.000Z`;
}

/**
 * Expects the report's rows to be exactly these keys with these credited conversions (and,
 * when given, revenue per key): a missing or extra key fails, values compare to 9 decimals.
 */
export function expectCredit(
  report: { rows: readonly { key: string; conversions: number; revenue: number }[] },
  conversions: Record<string, number>,
  revenue?: Record<string, number>,
): void {
  const got = Object.fromEntries(report.rows.map((row) => [row.key, row.conversions]));
  expect(Object.keys(got).sort()).toEqual(Object.keys(conversions).sort());
  for (const [key, expected] of Object.entries(conversions)) expect(got[key], `conversions of ${key}`).toBeCloseTo(expected, 9);
  if (revenue === undefined) return;
  const gotRevenue = Object.fromEntries(report.rows.map((row) => [row.key, row.revenue]));
  for (const [key, expected] of Object.entries(revenue)) expect(gotRevenue[key], `revenue of ${key}`).toBeCloseTo(expected, 6);
}

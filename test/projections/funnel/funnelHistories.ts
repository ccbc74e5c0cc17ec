import { openClickHouseAnalytics } from '../../../infra/clickhouse/index.ts';
import { createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import { migrateAnalytics } from '../../../projections/migrate.ts';
import { AnalyticsProjector } from '../../../projections/projector/analyticsProjector.ts';
import type { Analytics } from '../../../services/ports/index.ts';
import { openTestAnalytics } from '../../support/analytics.ts';
import { analyticsHistory } from '../analyticsHistory.ts';

export type History = ReturnType<typeof analyticsHistory>;
export type ProjectedAnalytics = Analytics & { drop(): Promise<void> };

/**
 * The engine the funnel suites run on: chDB, or a ClickHouse server when CLICKHOUSE_TEST_URL is
 * set (the same SQL must run on both).
 */
export const funnelEngine = process.env.CLICKHOUSE_TEST_URL ? `ClickHouse server ${new URL(process.env.CLICKHOUSE_TEST_URL).host}` : 'embedded chDB';
let databases = 0;

async function openFunnelAnalytics(): Promise<ProjectedAnalytics> {
  const url = process.env.CLICKHOUSE_TEST_URL;
  if (url === undefined || url === '') return openTestAnalytics('funnel');
  const database = `funnel_${process.pid}_${Date.now().toString(36)}_${databases++}`;
  const analytics = await openClickHouseAnalytics({ engine: 'server', url, database });
  return Object.assign(analytics, {
    async drop() {
      await analytics.command(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
      await analytics.close();
    },
  });
}

/** A fresh analytics database holding the projection of the history `write` records. */
export async function projectedHistory(write: (history: History) => Promise<void>): Promise<ProjectedAnalytics> {
  const store = createSqliteEventStore({ path: ':memory:' });
  try {
    const analytics = await openFunnelAnalytics();
    await migrateAnalytics(analytics);
    await write(analyticsHistory(store));
    await new AnalyticsProjector({ store, analytics }).catchUp();
    return analytics;
  } finally {
    await store.close();
  }
}

/** `2026-01-02` → `2026-01-02T10:00:00.000Z`: every stage change of these histories happens at 10:00 UTC unless said. */
export const at = (day: string, time = '10:00:00'): string => `${day}T${time}.000Z`;

/**
 * The funnel history (stages subscriber, lead, mql, sql, opportunity, customer), two cohorts:
 *
 *   January   L1  subscriber 01-02, lead 01-05, mql 01-09, customer 02-10 (skips sql, opportunity)  rep-a  paid_search
 *             L2  lead 01-10 (skips subscriber), mql 01-20                                            rep-a  organic_search
 *             L3  subscriber 01-15, lead 01-16 22:00 (1.5 days)                                       rep-b  paid_search
 *             L4  subscriber 01-20                                                                   rep-b  (no touch)
 *             M1  subscriber 01-03, lead 01-04; M2 merged into it had mql 01-25, sql 02-02           rep-b  paid_social (M2's touch, the earliest)
 *   February  L6  subscriber 02-03, lead 02-04, mql 02-06, sql 02-08, opportunity 02-12, customer 03-01  rep-a  paid_search
 *             L7  lead 02-14                                                                          (unassigned)  organic_search
 *   none      L8  partner 01-07 (not a funnel stage)
 */
export async function writeFunnelHistory(h: History): Promise<void> {
  await h.touch('lead:L1', at('2025-12-30'), { channel: 'paid_search' });
  await h.touch('lead:L1', at('2026-01-03'), { channel: 'email' });
  await h.stage('L1', 'subscriber', at('2026-01-02'));
  await h.stage('L1', 'lead', at('2026-01-05'));
  await h.stage('L1', 'mql', at('2026-01-09'));
  await h.stage('L1', 'customer', at('2026-02-10'), 10_000);
  await h.owner('L1', 'rep-a', at('2026-01-02'));

  await h.touch('lead:L2', at('2026-01-08'), { channel: 'organic_search' });
  await h.stage('L2', 'lead', at('2026-01-10'));
  await h.stage('L2', 'mql', at('2026-01-20'));
  await h.owner('L2', 'rep-a', at('2026-01-10'));

  await h.touch('lead:L3', at('2026-01-14'), { channel: 'paid_search' });
  await h.stage('L3', 'subscriber', at('2026-01-15'));
  await h.stage('L3', 'lead', at('2026-01-16', '22:00:00'));
  await h.owner('L3', 'rep-b', at('2026-01-15'));

  await h.stage('L4', 'subscriber', at('2026-01-20'));
  await h.owner('L4', 'rep-b', at('2026-01-20'));

  await h.touch('lead:M1', at('2026-01-03', '09:00:00'), { channel: 'webinar' });
  await h.stage('M1', 'subscriber', at('2026-01-03'));
  await h.stage('M1', 'lead', at('2026-01-04'));
  await h.owner('M1', 'rep-b', at('2026-01-03'));
  await h.touch('lead:M2', at('2026-01-01'), { channel: 'paid_social' });
  await h.stage('M2', 'mql', at('2026-01-25'));
  await h.stage('M2', 'sql', at('2026-02-02'));
  await h.merge('M1', 'M2', at('2026-02-03'));

  await h.touch('lead:L6', at('2026-02-02'), { channel: 'paid_search' });
  await h.stage('L6', 'subscriber', at('2026-02-03'));
  await h.stage('L6', 'lead', at('2026-02-04'));
  await h.stage('L6', 'mql', at('2026-02-06'));
  await h.stage('L6', 'sql', at('2026-02-08'));
  await h.stage('L6', 'opportunity', at('2026-02-12'), 18_000);
  await h.stage('L6', 'customer', at('2026-03-01'), 20_000);
  await h.owner('L6', 'rep-a', at('2026-02-03'));

  await h.touch('lead:L7', at('2026-02-13'), { channel: 'organic_search' });
  await h.stage('L7', 'lead', at('2026-02-14'));

  await h.stage('L8', 'partner', at('2026-01-07'));
}

/**
 * The forecast history, read as of 2026-07-01 with a 180-day window (from 2026-01-02):
 *
 *   W1  mql 03-01, sql 03-10, customer 04-01 ($10,000)              rep-a   won in the window
 *   W2  mql 03-05, sql 03-15, opportunity 04-01, customer 05-01 ($30,000)  rep-b   won in the window
 *   W3  mql 03-10, sql 03-20; status connected                      rep-a   open at sql
 *   W4  mql 04-01; sql 07-05, after asOf                            rep-b   open at mql
 *   W5  opportunity 04-10 (skips to it)                             rep-a   open at opportunity
 *   W6  sql 04-12; status unqualified                               rep-b   not open
 *   W8  lead 02-01, customer 02-20 (no amount)                      rep-a   won in the window
 *   O1  mql 2025-06-01, customer 2025-09-01 ($99,999)                       won before the window
 *   O2  sql 2025-10-01                                              rep-b   open at sql, reached it before the window
 *   S1  subscriber 06-01                                            (unassigned)  open at subscriber
 */
export async function writeForecastHistory(h: History): Promise<void> {
  await h.stage('W1', 'mql', at('2026-03-01'));
  await h.stage('W1', 'sql', at('2026-03-10'));
  await h.stage('W1', 'customer', at('2026-04-01'), 10_000);
  await h.owner('W1', 'rep-a', at('2026-03-01'));

  await h.stage('W2', 'mql', at('2026-03-05'));
  await h.stage('W2', 'sql', at('2026-03-15'));
  await h.stage('W2', 'opportunity', at('2026-04-01'), 25_000);
  await h.stage('W2', 'customer', at('2026-05-01'), 30_000);
  await h.owner('W2', 'rep-b', at('2026-03-05'));

  await h.stage('W3', 'mql', at('2026-03-10'));
  await h.stage('W3', 'sql', at('2026-03-20'));
  await h.status('W3', 'connected', at('2026-03-21'));
  await h.owner('W3', 'rep-a', at('2026-03-10'));

  await h.stage('W4', 'mql', at('2026-04-01'));
  await h.stage('W4', 'sql', at('2026-07-05'));
  await h.owner('W4', 'rep-b', at('2026-04-01'));

  await h.stage('W5', 'opportunity', at('2026-04-10'), 40_000);
  await h.owner('W5', 'rep-a', at('2026-04-10'));

  await h.stage('W6', 'sql', at('2026-04-12'));
  await h.status('W6', 'unqualified', at('2026-05-01'));
  await h.owner('W6', 'rep-b', at('2026-04-12'));

  await h.stage('W8', 'lead', at('2026-02-01'));
  await h.stage('W8', 'customer', at('2026-02-20'));
  await h.owner('W8', 'rep-a', at('2026-02-01'));

  await h.stage('O1', 'mql', at('2025-06-01'));
  await h.stage('O1', 'customer', at('2025-09-01'), 99_999);

  await h.stage('O2', 'sql', at('2025-10-01'));
  await h.owner('O2', 'rep-b', at('2025-10-01'));

  await h.stage('S1', 'subscriber', at('2026-06-01'));
}

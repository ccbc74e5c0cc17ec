import { describe, expect, it } from 'vitest';
import { NO_TOUCH_KEY, attribute } from '../../../projections/attribution/index.ts';
import { at, attributionWorlds, expectCredit, query, stages } from './attributionFixture.ts';

const january = { from: '2026-01-01', to: '2026-02-01' };

describe('conversions and their touches', () => {
  const world = attributionWorlds();

  it('takes the touches from lookback before the conversion up to the conversion itself, both ends included', async () => {
    // Conversion 02-10 09:00 with a 30-day lookback: the window is [01-11 09:00, 02-10 09:00].
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-11', '08:59'), { channel: 'display' }); // one minute too early
    await h.touch('lead:A', at('2026-01-11'), { channel: 'paid_search' }); // exactly lookback before
    await h.touch('lead:A', at('2026-02-10'), { channel: 'email' }); // at the conversion
    await h.touch('lead:A', at('2026-02-10', '09:01'), { channel: 'sales' }); // after it
    await h.stage('A', 'customer', at('2026-02-10'));
    await project();
    const report = await attribute(analytics, query({ from: '2026-02-01', to: '2026-03-01', model: 'linear', lookbackDays: '30' }), { stages });
    expectCredit(report, { paid_search: 0.5, email: 0.5 });
    expect(report.totals.touches).toBe(2);
    // The default 90-day lookback reaches the early touch too.
    expectCredit(await attribute(analytics, query({ from: '2026-02-01', to: '2026-03-01', model: 'linear' }), { stages }), {
      display: 1 / 3,
      paid_search: 1 / 3,
      email: 1 / 3,
    });
  });

  it('counts a visitor’s touches from before identification once linked, and a merged lead’s, but not an unlinked visitor’s', async () => {
    const { history: h, project, analytics } = await world();
    await h.touch('visitor:v1', at('2026-01-01'), { channel: 'paid_search' });
    await h.touch('visitor:v1', at('2026-01-02'), { channel: 'organic_search' });
    await h.touch('lead:B', at('2026-01-02', '12:00'), { channel: 'email' });
    await h.touch('visitor:v2', at('2026-01-03'), { channel: 'display' }); // never linked
    await h.identify('A', at('2026-01-03'));
    await h.link('A', 'v1', at('2026-01-03', '09:01'));
    await h.merge('A', 'B', at('2026-01-04'));
    await h.touch('lead:A', at('2026-01-04', '10:00'), { channel: 'webinar' });
    await h.stage('A', 'customer', at('2026-01-05'), 400);
    await project();
    const report = await attribute(analytics, query({ ...january, model: 'linear' }), { stages });
    expectCredit(report, { paid_search: 0.25, organic_search: 0.25, email: 0.25, webinar: 0.25 }, { paid_search: 100, organic_search: 100, email: 100, webinar: 100 });
    expect(report.totals).toMatchObject({ conversions: 1, revenue: 400, touches: 4 });
  });

  it('counts a merged-away lead’s stage change as the survivor’s conversion', async () => {
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-02'), { channel: 'email' });
    await h.stage('B', 'customer', at('2026-01-03'), 700);
    await h.merge('A', 'B', at('2026-01-04'));
    await project();
    const report = await attribute(analytics, query({ ...january, model: 'last_touch' }), { stages });
    expectCredit(report, { email: 1 }, { email: 700 });
  });

  it('credits conversions with no touch in their window to (no touch), so credit adds up to the conversions', async () => {
    const { history: h, project, analytics } = await world();
    await h.stage('A', 'customer', at('2026-01-10'), 100); // no touch at all
    await h.touch('lead:B', at('2025-10-01'), { channel: 'email' }); // 101 days before its conversion
    await h.stage('B', 'customer', at('2026-01-10'), 200);
    await h.touch('lead:C', at('2026-01-09'), { channel: 'webinar' });
    await h.stage('C', 'customer', at('2026-01-10'), 300);
    await project();
    for (const model of ['u_shaped', 'markov'] as const) {
      const report = await attribute(analytics, query({ ...january, model }), { stages });
      expectCredit(report, { [NO_TOUCH_KEY]: 2, webinar: 1 }, { [NO_TOUCH_KEY]: 300, webinar: 300 });
      expect(report.rows.find((row) => row.key === NO_TOUCH_KEY)).toMatchObject({ touches: 0, cost: null, roi: null });
      expect(report.totals).toEqual({ conversions: 3, revenue: 600, touches: 1, cost: 0 });
    }
  });

  it('converts a lead that skips stages at the first change to the conversion stage or a later one, with that change’s amount', async () => {
    const { history: h, project, analytics } = await world();
    // F: lead → customer (5,000), skipping opportunity.
    await h.touch('lead:F', at('2026-01-05'), { channel: 'paid_search' });
    await h.stage('F', 'lead', at('2026-01-02'));
    await h.stage('F', 'customer', at('2026-01-10'), 5000);
    // G: opportunity (2,000), then customer (9,000).
    await h.touch('lead:G', at('2026-01-01'), { channel: 'email' });
    await h.stage('G', 'opportunity', at('2026-01-03'), 2000);
    await h.stage('G', 'customer', at('2026-01-20'), 9000);
    // H: customer in December; back to opportunity in January is not a new first time.
    await h.touch('lead:H', at('2026-01-11'), { channel: 'display' });
    await h.stage('H', 'customer', at('2025-12-15'), 4000);
    await h.stage('H', 'opportunity', at('2026-01-12'), 1000);
    await project();

    const opportunity = await attribute(analytics, query({ ...january, model: 'last_touch', conversion: 'opportunity' }), { stages });
    expectCredit(opportunity, { paid_search: 1, email: 1 }, { paid_search: 5000, email: 2000 });
    expect(opportunity.totals).toMatchObject({ conversions: 2, revenue: 7000 });

    const customer = await attribute(analytics, query({ ...january, model: 'last_touch', conversion: 'customer' }), { stages });
    expectCredit(customer, { paid_search: 1, email: 1 }, { paid_search: 5000, email: 9000 });
    // Revenue first, on equal credit.
    expect(customer.rows.map((row) => row.key)).toEqual(['email', 'paid_search']);

    // sql sits between lead and opportunity: F converts at its customer change, G at its opportunity.
    const sql = await attribute(analytics, query({ ...january, model: 'last_touch', conversion: 'sql' }), { stages });
    expectCredit(sql, { paid_search: 1, email: 1 }, { paid_search: 5000, email: 2000 });
  });

  it('counts conversions at or after from and before to', async () => {
    const { history: h, project, analytics } = await world();
    await h.touch('lead:I', at('2025-12-30'), { channel: 'paid_search' });
    await h.stage('I', 'customer', '2026-01-01T00:00:00.000Z'); // at from: in
    await h.touch('lead:J', at('2026-01-30'), { channel: 'email' });
    await h.stage('J', 'customer', '2026-02-01T00:00:00.000Z'); // at to: out
    await h.touch('lead:K', at('2025-12-30'), { channel: 'display' });
    await h.stage('K', 'customer', '2025-12-31T23:59:59.999Z'); // before from: out
    await h.touch('lead:L', at('2026-01-20'), { channel: 'webinar' });
    await h.stage('L', 'customer', '2026-01-31T23:59:59.999Z'); // in
    await project();
    const report = await attribute(analytics, query({ ...january, model: 'first_touch' }), { stages });
    expectCredit(report, { paid_search: 1, webinar: 1 });
    expect(report.query).toEqual({
      model: 'first_touch',
      conversion: 'customer',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      by: 'channel',
      lookbackDays: 90,
      halfLifeDays: 7,
    });
  });

  it('groups by the chosen touch column, empty values as (none), and counts the conversion touches per key', async () => {
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-01'), { channel: 'paid_search', source: 'google', medium: 'cpc', campaign: 'brand', content: 'ad-1' });
    await h.touch('lead:A', at('2026-01-02'), { channel: 'paid_search', source: 'Google', medium: 'cpc', campaign: 'brand', content: 'ad-2' });
    await h.touch('lead:A', at('2026-01-03'), { channel: 'direct' });
    await h.stage('A', 'customer', at('2026-01-04'), 900);
    await project();
    const linear = (by: string) => attribute(analytics, query({ ...january, model: 'linear', by }), { stages });
    const bySource = await linear('source');
    expectCredit(bySource, { google: 2 / 3, '(none)': 1 / 3 }, { google: 600, '(none)': 300 });
    expect(bySource.rows.map((row) => [row.key, row.touches])).toEqual([
      ['google', 2],
      ['(none)', 1],
    ]);
    expectCredit(await linear('medium'), { cpc: 2 / 3, '(none)': 1 / 3 });
    expectCredit(await linear('campaign'), { brand: 2 / 3, '(none)': 1 / 3 });
    expectCredit(await linear('content'), { 'ad-1': 1 / 3, 'ad-2': 1 / 3, '(none)': 1 / 3 });
    expectCredit(await linear('channel'), { paid_search: 2 / 3, direct: 1 / 3 });
  });
});

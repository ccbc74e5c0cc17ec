import { describe, expect, it } from 'vitest';
import { UNMAPPED_COST_KEY, attribute } from '../../../projections/attribution/index.ts';
import { at, attributionWorlds, query, stages } from './attributionFixture.ts';

const january = { from: '2026-01-01', to: '2026-02-01', model: 'last_touch' };

describe('ad cost and ROI', () => {
  const world = attributionWorlds();

  /**
   * L: google / cpc / brand (paid_search) → customer 1,000; M: linkedin / paid-social / abm
   * (paid_social) → 300; N: newsletter / email / jan (email) → customer without an amount.
   * Spend in January: google brand 100 + 100, linkedin abm 500 (a corrected report replacing
   * 400), bing generic 50 (no touch ever came from bing / cpc). Outside January: google 999 on
   * 2025-12-31 and on 2026-02-01.
   */
  async function campaigns() {
    const w = await world();
    const h = w.history;
    await h.touch('lead:L', at('2026-01-05'), { channel: 'paid_search', source: 'google', medium: 'cpc', campaign: 'brand' });
    await h.stage('L', 'customer', at('2026-01-06'), 1000);
    await h.touch('lead:M', at('2026-01-07'), { channel: 'paid_social', source: 'linkedin', medium: 'paid-social', campaign: 'abm' });
    await h.stage('M', 'customer', at('2026-01-08'), 300);
    await h.touch('lead:N', at('2026-01-09'), { channel: 'email', source: 'newsletter', medium: 'email', campaign: 'jan' });
    await h.stage('N', 'customer', at('2026-01-10'));
    await h.cost('2026-01-05', 'google', 'cpc', 'brand', 100);
    await h.cost('2026-01-06', 'Google', 'CPC', 'Brand', 100);
    await h.cost('2025-12-31', 'google', 'cpc', 'brand', 999);
    await h.cost('2026-02-01', 'google', 'cpc', 'brand', 999);
    await h.cost('2026-01-10', 'linkedin', 'paid-social', 'abm', 400);
    await h.cost('2026-01-10', 'linkedin', 'paid-social', 'abm', 500);
    await h.cost('2026-01-11', 'bing', 'cpc', 'generic', 50);
    await w.project();
    return w.analytics;
  }

  const rowsOf = (report: { rows: readonly { key: string; conversions: number; revenue: number; touches: number; cost: number | null; roi: number | null }[] }) =>
    report.rows.map(({ key, conversions, revenue, touches, cost, roi }) => ({ key, conversions, revenue, touches, cost, roi }));

  it('puts spend on sources, with ROI = (revenue − cost) / cost, and spend with no conversion as a row of its own', async () => {
    const analytics = await campaigns();
    const report = await attribute(analytics, query({ ...january, by: 'source' }), { stages });
    expect(rowsOf(report)).toEqual([
      { key: 'google', conversions: 1, revenue: 1000, touches: 1, cost: 200, roi: 4 },
      { key: 'linkedin', conversions: 1, revenue: 300, touches: 1, cost: 500, roi: -0.4 },
      { key: 'newsletter', conversions: 1, revenue: 0, touches: 1, cost: null, roi: null },
      { key: 'bing', conversions: 0, revenue: 0, touches: 0, cost: 50, roi: -1 },
    ]);
    expect(report.totals).toEqual({ conversions: 3, revenue: 1300, touches: 3, cost: 750 });
  });

  it('puts spend on campaigns and media directly', async () => {
    const analytics = await campaigns();
    const byCampaign = await attribute(analytics, query({ ...january, by: 'campaign' }), { stages });
    expect(rowsOf(byCampaign).map(({ key, cost, roi }) => [key, cost, roi])).toEqual([
      ['brand', 200, 4],
      ['abm', 500, -0.4],
      ['jan', null, null],
      ['generic', 50, -1],
    ]);
    const byMedium = await attribute(analytics, query({ ...january, by: 'medium' }), { stages });
    expect(rowsOf(byMedium).map(({ key, cost }) => [key, cost])).toEqual([
      ['cpc', 250],
      ['paid-social', 500],
      ['email', null],
    ]);
  });

  it('maps spend to channels through the (source, medium) → channel of touches; spend no touch explains is unmapped', async () => {
    const analytics = await campaigns();
    const report = await attribute(analytics, query({ ...january, by: 'channel' }), { stages });
    expect(rowsOf(report)).toEqual([
      { key: 'paid_search', conversions: 1, revenue: 1000, touches: 1, cost: 200, roi: 4 },
      { key: 'paid_social', conversions: 1, revenue: 300, touches: 1, cost: 500, roi: -0.4 },
      { key: 'email', conversions: 1, revenue: 0, touches: 1, cost: null, roi: null },
      { key: UNMAPPED_COST_KEY, conversions: 0, revenue: 0, touches: 0, cost: 50, roi: -1 },
    ]);
    expect(report.totals.cost).toBe(750);
  });

  it('gives a (source, medium) pair to the channel most of its touches had', async () => {
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-02'), { channel: 'paid_search', source: 'google', medium: 'cpc' });
    await h.stage('A', 'customer', at('2026-01-03'), 100);
    await h.touch('visitor:x', at('2026-01-04'), { channel: 'display', source: 'google', medium: 'cpc' });
    await h.touch('visitor:y', at('2026-01-05'), { channel: 'display', source: 'google', medium: 'cpc' });
    await h.cost('2026-01-02', 'google', 'cpc', 'brand', 80);
    await project();
    const report = await attribute(analytics, query({ ...january, by: 'channel' }), { stages });
    expect(rowsOf(report)).toEqual([
      { key: 'paid_search', conversions: 1, revenue: 100, touches: 1, cost: null, roi: null },
      { key: 'display', conversions: 0, revenue: 0, touches: 0, cost: 80, roi: -1 },
    ]);
  });

  it('has no cost by content', async () => {
    const analytics = await campaigns();
    const report = await attribute(analytics, query({ ...january, by: 'content' }), { stages });
    expect(rowsOf(report)).toEqual([{ key: '(none)', conversions: 3, revenue: 1300, touches: 3, cost: null, roi: null }]);
    expect(report.totals.cost).toBeNull();
  });

  it('counts the spend of the days that start in [from, to)', async () => {
    const analytics = await campaigns();
    // From 01-05 12:00: the day 01-05 started before from, so only google's 01-06 spend counts
    // (its conversion, on 01-06, still does).
    const report = await attribute(analytics, query({ ...january, from: '2026-01-05T12:00:00Z', by: 'source' }), { stages });
    expect(rowsOf(report).map(({ key, cost }) => [key, cost])).toEqual([
      ['google', 100],
      ['linkedin', 500],
      ['newsletter', null],
      ['bing', 50],
    ]);
    // To 01-10 12:00: the day 01-10 started before to, so linkedin's spend on it counts; bing's on 01-11 does not.
    const early = await attribute(analytics, query({ ...january, to: '2026-01-10T12:00:00Z', by: 'source' }), { stages });
    expect(rowsOf(early).map(({ key, cost }) => [key, cost])).toEqual([
      ['google', 200],
      ['linkedin', 500],
      ['newsletter', null],
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForecastSegment, forecast } from '../../../projections/funnel/index.ts';
import { type ProjectedAnalytics, funnelEngine, projectedHistory, writeForecastHistory } from './funnelHistories.ts';

const now = new Date('2026-07-01T00:00:00.000Z');

/** A segment's figures column by column, stage order subscriber … opportunity. */
function columns(segment: ForecastSegment) {
  const of = <K extends keyof ForecastSegment['stages'][number]>(key: K) => segment.stages.map((stage) => stage[key]);
  return {
    stage: of('stage'),
    openLeads: of('openLeads'),
    stageToCustomerRate: of('stageToCustomerRate'),
    sampleSize: of('sampleSize'),
    sampleReachedCustomer: of('sampleReachedCustomer'),
    expectedCustomers: of('expectedCustomers'),
    expectedRevenue: of('expectedRevenue'),
  };
}

describe(`forecast (${funnelEngine})`, () => {
  let analytics: ProjectedAnalytics;
  beforeAll(async () => {
    analytics = await projectedHistory(writeForecastHistory);
  });
  afterAll(async () => {
    await analytics.drop();
  });

  it('counts open leads by their latest stage, leaving out customers, unqualified leads and changes after asOf', async () => {
    const report = await forecast(analytics, {}, { now });
    // Open: S1 subscriber, W4 mql (its sql comes on 07-05), W3 and O2 sql, W5 opportunity.
    // W1, W2, W8 are customers; W6 is unqualified.
    expect(columns(report.total)).toMatchObject({
      stage: ['subscriber', 'lead', 'mql', 'sql', 'opportunity'],
      openLeads: [1, 0, 1, 2, 1],
    });
    expect(report.total.totals.openLeads).toBe(5);
    expect(report.customerStage).toBe('customer');
  });

  it('measures each stage-to-customer rate on the leads that reached the stage in the trailing window', async () => {
    const report = await forecast(analytics, {}, { now });
    expect([report.asOf, report.windowStart, report.windowDays]).toEqual(['2026-07-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 180]);
    // O1 and O2 reached their stages in 2025, before the window: not measured. W4 reached sql after asOf.
    // W5 skipped to opportunity and W8 to customer: they reached the stages in between too.
    expect(columns(report.total)).toMatchObject({
      sampleSize: [8, 7, 7, 6, 4],
      sampleReachedCustomer: [3, 3, 3, 3, 3],
      stageToCustomerRate: [0.375, 0.4286, 0.4286, 0.5, 0.75],
    });
    // W1 $10,000 and W2 $30,000; W8 won without an amount, O1's $99,999 is before the window, and
    // W2's and W5's opportunity amounts are not deals.
    expect(report.averageDealAmount).toBe(20_000);
    expect(report.dealSampleSize).toBe(2);
    expect(report.dealCurrencies).toEqual(['USD']);
    expect(report.total.stages.every((stage) => stage.averageDealAmount === 20_000)).toBe(true);
  });

  it('a longer window takes in older leads', async () => {
    // 400 days before 2026-07-01 is 2025-05-27: O1 (won, $99,999) and O2 (still at sql) count now.
    const report = await forecast(analytics, { windowDays: 400 }, { now });
    expect(report.windowStart).toBe('2025-05-27T00:00:00.000Z');
    expect(columns(report.total)).toMatchObject({
      sampleSize: [10, 9, 9, 8, 5],
      sampleReachedCustomer: [4, 4, 4, 4, 4],
      stageToCustomerRate: [0.4, 0.4444, 0.4444, 0.5, 0.8],
    });
    expect(report.averageDealAmount).toBe(46_666.33);
    expect(report.dealSampleSize).toBe(3);
  });

  it('expects open leads × the stage’s rate customers, each worth the average deal, and totals them', async () => {
    const report = await forecast(analytics, {}, { now });
    expect(columns(report.total)).toMatchObject({
      expectedCustomers: [0.375, 0, 0.4286, 1, 0.75],
      expectedRevenue: [7_500, 0, 8_571.43, 20_000, 15_000],
    });
    // 0.375 + 3/7 + 1 + 0.75 = 2.553571…, × $20,000.
    expect(report.total.totals).toEqual({ openLeads: 5, expectedCustomers: 2.5536, expectedRevenue: 51_071.43, stagesWithoutRate: [] });
    expect(report.total.owner).toBeNull();
    expect(report.owners).toEqual([]);
  });

  it('by owner, values each owner’s open leads at the team’s rates, and the owners add up to the total', async () => {
    const report = await forecast(analytics, { groupBy: 'owner' }, { now });
    expect(report.owners.map((owner) => [owner.owner, owner.totals])).toEqual([
      ['rep-a', { openLeads: 2, expectedCustomers: 1.25, expectedRevenue: 25_000, stagesWithoutRate: [] }],
      ['rep-b', { openLeads: 2, expectedCustomers: 0.9286, expectedRevenue: 18_571.43, stagesWithoutRate: [] }],
      ['(unassigned)', { openLeads: 1, expectedCustomers: 0.375, expectedRevenue: 7_500, stagesWithoutRate: [] }],
    ]);
    const repB = report.owners.find((owner) => owner.owner === 'rep-b')!;
    // W6 (rep-b, sql) is unqualified: only O2 is rep-b's open sql lead.
    expect(columns(repB)).toMatchObject({ openLeads: [0, 0, 1, 1, 0], stageToCustomerRate: [0.375, 0.4286, 0.4286, 0.5, 0.75] });
    expect(report.total.totals.openLeads).toBe(report.owners.reduce((sum, owner) => sum + owner.totals.openLeads, 0));
  });

  it('flags rates and the average deal measured on too few leads, and says so in words', async () => {
    const strict = await forecast(analytics, {}, { now });
    expect(strict.minSampleSize).toBe(20);
    expect(strict.total.stages.map((stage) => stage.smallSample)).toEqual([true, true, true, true, true]);
    expect(strict.smallDealSample).toBe(true);
    expect(strict.warnings).toContain('opportunity: the opportunity-to-customer rate is measured on only 4 leads (fewer than 20); treat it as a rough guide');
    expect(strict.warnings).toContain('the average deal is taken over only 2 deals (fewer than 20); treat expected revenue as a rough guide');

    const lenient = await forecast(analytics, { minSampleSize: '5' }, { now });
    expect(lenient.total.stages.map((stage) => [stage.stage, stage.smallSample])).toEqual([
      ['subscriber', false],
      ['lead', false],
      ['mql', false],
      ['sql', false],
      ['opportunity', true],
    ]);
    // The small sample's rate is still shown and used.
    expect(lenient.total.stages[4]).toMatchObject({ stageToCustomerRate: 0.75, sampleSize: 4, expectedCustomers: 0.75 });
    expect(lenient.warnings).toEqual([
      'opportunity: the opportunity-to-customer rate is measured on only 4 leads (fewer than 5); treat it as a rough guide',
      'the average deal is taken over only 2 deals (fewer than 5); treat expected revenue as a rough guide',
    ]);
  });

  it('leaves out of the totals, and names, stages with open leads but no lead in the window to measure on', async () => {
    // From 2026-06-01: only S1 reached a stage (subscriber, not won): no rate past subscriber, no deal.
    const report = await forecast(analytics, { windowDays: '30' }, { now });
    expect(columns(report.total)).toMatchObject({
      openLeads: [1, 0, 1, 2, 1],
      sampleSize: [1, 0, 0, 0, 0],
      stageToCustomerRate: [0, null, null, null, null],
      expectedCustomers: [0, 0, null, null, null],
      expectedRevenue: [null, null, null, null, null],
    });
    expect(report.averageDealAmount).toBeNull();
    expect(report.total.totals).toEqual({ openLeads: 5, expectedCustomers: 0, expectedRevenue: null, stagesWithoutRate: ['mql', 'sql', 'opportunity'] });
    expect(report.warnings).toContain('sql: no lead reached this stage in the last 30 days, so there is no sql-to-customer rate; its 2 open leads are left out of the totals');
    expect(report.warnings).toContain('no lead reached customer with a deal amount in the last 30 days, so there is no average deal and no expected revenue');
  });

  it('stands at asOf: an earlier asOf sees the pipeline as it was then', async () => {
    // On 2026-04-05: W1 won (04-01), W2 at opportunity (04-01), W3 at sql, W4 at mql, W8 won;
    // O2 at sql. W5 and W6 come later. Statuses are read as they are now (W6 is not open anyway).
    const report = await forecast(analytics, { asOf: '2026-04-05', windowDays: 90, groupBy: 'owner' }, { now });
    expect(report.asOf).toBe('2026-04-05T00:00:00.000Z');
    expect(columns(report.total)).toMatchObject({
      openLeads: [0, 0, 1, 2, 1],
      // From 2026-01-05: W1, W2, W3, W4, W8 reached subscriber…mql; W4 not sql; W1, W2, W8 opportunity.
      sampleSize: [5, 5, 5, 4, 3],
      sampleReachedCustomer: [2, 2, 2, 2, 2],
    });
    expect(report.averageDealAmount).toBe(10_000);
  });

  it('gives an empty pipeline, without rates, when nothing has happened yet', async () => {
    const empty = await projectedHistory(async () => undefined);
    try {
      const report = await forecast(empty, { groupBy: 'owner' }, { now, stages: ['lead', 'customer'] });
      expect(report.total.stages).toEqual([
        { stage: 'lead', openLeads: 0, stageToCustomerRate: null, sampleSize: 0, sampleReachedCustomer: 0, smallSample: true, averageDealAmount: null, expectedCustomers: 0, expectedRevenue: null },
      ]);
      expect(report.total.totals).toEqual({ openLeads: 0, expectedCustomers: 0, expectedRevenue: null, stagesWithoutRate: [] });
      expect(report.owners).toEqual([]);
      expect(report.warnings[0]).toBe('lead: no lead reached this stage in the last 180 days, so there is no lead-to-customer rate');
    } finally {
      await empty.drop();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../services/core/index.ts';
import { type FunnelCohort, type FunnelSegment, funnel } from '../../../projections/funnel/index.ts';
import { type ProjectedAnalytics, funnelEngine, projectedHistory, writeFunnelHistory } from './funnelHistories.ts';

/** A segment's figures column by column, stage order subscriber … customer. */
function columns(segment: FunnelSegment) {
  const of = <K extends keyof FunnelSegment['stages'][number]>(key: K) => segment.stages.map((stage) => stage[key]);
  return {
    reached: of('reached'),
    reachedNext: of('reachedNext'),
    rateToNext: of('rateToNext'),
    reachedCustomer: of('reachedCustomer'),
    rateToCustomer: of('rateToCustomer'),
    medianDaysToNext: of('medianDaysToNext'),
  };
}

function cohort(cohorts: readonly FunnelCohort[], name: string): FunnelCohort {
  const found = cohorts.find((entry) => entry.cohort === name);
  if (!found) throw new Error(`no cohort ${name} in ${cohorts.map((entry) => entry.cohort).join(', ')}`);
  return found;
}

describe(`funnel (${funnelEngine})`, () => {
  let analytics: ProjectedAnalytics;
  beforeAll(async () => {
    analytics = await projectedHistory(writeFunnelHistory);
  });
  afterAll(async () => {
    await analytics.drop();
  });

  it('counts a lead that skips stages as reaching each skipped stage at the time of the change', async () => {
    const report = await funnel(analytics, {});
    const january = cohort(report.cohorts, '2026-01');
    // L2 started at lead (so reached subscriber then); L1 went mql → customer (so reached sql and
    // opportunity on 02-10, 0 days apart).
    expect(columns(january.total)).toEqual({
      reached: [5, 4, 3, 2, 1, 1],
      reachedNext: [4, 3, 2, 1, 1, null],
      rateToNext: [0.8, 0.75, 0.6667, 0.5, 1, null],
      reachedCustomer: [1, 1, 1, 1, 1, 1],
      rateToCustomer: [0.2, 0.25, 0.3333, 0.5, 1, 1],
      medianDaysToNext: [1.25, 10, 20, 0, 0, null],
    });
    expect(january.total.leads).toBe(5);
    expect(report.customerStage).toBe('customer');
    expect(report.stages).toEqual(['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer']);
  });

  it('groups leads into cohorts by the month they first reached the funnel, and all cohorts together', async () => {
    const report = await funnel(analytics, {});
    expect(report.cohorts.map((entry) => entry.cohort)).toEqual(['2026-01', '2026-02']);
    // L1 reached customer in February but stays in the January cohort.
    expect(columns(cohort(report.cohorts, '2026-02').total)).toEqual({
      reached: [2, 2, 1, 1, 1, 1],
      reachedNext: [2, 1, 1, 1, 1, null],
      rateToNext: [1, 0.5, 1, 1, 1, null],
      reachedCustomer: [1, 1, 1, 1, 1, 1],
      rateToCustomer: [0.5, 0.5, 1, 1, 1, 1],
      medianDaysToNext: [0.5, 2, 2, 4, 17, null],
    });
    expect(report.allCohorts.cohort).toBe('all');
    expect(columns(report.allCohorts.total)).toEqual({
      reached: [7, 6, 4, 3, 2, 2],
      reachedNext: [6, 4, 3, 2, 2, null],
      rateToNext: [0.8571, 0.6667, 0.75, 0.6667, 1, null],
      reachedCustomer: [2, 2, 2, 2, 2, 2],
      rateToCustomer: [0.2857, 0.3333, 0.5, 0.6667, 1, 1],
      // subscriber → lead: 0, 0, 1, 1, 1.5, 3 → (1 + 1) / 2; lead → mql: 2, 4, 10, 21 → (4 + 10) / 2.
      medianDaysToNext: [1, 7, 8, 2, 8.5, null],
    });
    expect(report.allCohorts.groups).toEqual([]);
    expect(report.allCohorts.team).toBeNull();
    expect(report.allCohorts.owners).toEqual([]);
  });

  it('selects cohorts by the months of from and to, both included', async () => {
    const february = await funnel(analytics, { from: '2026-02-01', to: '2026-02-28' });
    expect(february.cohorts.map((entry) => entry.cohort)).toEqual(['2026-02']);
    expect(february.allCohorts.total.leads).toBe(2);
    expect([february.from, february.to]).toEqual(['2026-02', '2026-02']);

    // Mid-month dates select the whole month.
    const january = await funnel(analytics, { from: '2026-01-20', to: '2026-01-20T23:00:00Z' });
    expect(january.cohorts.map((entry) => entry.cohort)).toEqual(['2026-01']);
    expect(january.allCohorts.total.leads).toBe(5);

    const fromFebruary = await funnel(analytics, { from: '2026-02-15' });
    expect(fromFebruary.cohorts.map((entry) => entry.cohort)).toEqual(['2026-02']);
    expect(fromFebruary.to).toBeNull();
  });

  it('counts a merged lead once, for the survivor, with the merged lead’s stage changes and touches', async () => {
    const report = await funnel(analytics, { groupBy: 'channel' });
    const january = cohort(report.cohorts, '2026-01');
    // M2 merged into M1: one lead, not two; its mql (01-25) and sql (02-02) are M1's now.
    expect(january.total.leads).toBe(5);
    // M2's touch (01-01) came before M1's webinar touch: the survivor's first touch is paid_social.
    expect(january.groups.map((group) => group.group)).not.toContain('webinar');
    const paidSocial = january.groups.find((group) => group.group === 'paid_social')!;
    expect(columns(paidSocial)).toMatchObject({
      reached: [1, 1, 1, 1, 0, 0],
      medianDaysToNext: [1, 21, 8, null, null, null],
    });
  });

  it('splits by first-touch channel, with (none) for leads without a touch', async () => {
    const report = await funnel(analytics, { groupBy: 'channel' });
    const january = cohort(report.cohorts, '2026-01');
    // Most leads first, then by name. L1's later email touch does not count: paid_search came first.
    expect(january.groups.map((group) => [group.group, group.leads])).toEqual([
      ['paid_search', 2],
      ['(none)', 1],
      ['organic_search', 1],
      ['paid_social', 1],
    ]);
    expect(columns(january.groups[0]!)).toEqual({
      reached: [2, 2, 1, 1, 1, 1],
      reachedNext: [2, 1, 1, 1, 1, null],
      rateToNext: [1, 0.5, 1, 1, 1, null],
      reachedCustomer: [1, 1, 1, 1, 1, 1],
      rateToCustomer: [0.5, 0.5, 1, 1, 1, 1],
      medianDaysToNext: [2.25, 4, 32, 0, 0, null],
    });
    // The cohort's total is still every lead.
    expect(january.total.leads).toBe(5);
    expect(report.allCohorts.groups.map((group) => [group.group, group.leads])).toEqual([
      ['paid_search', 3],
      ['organic_search', 2],
      ['(none)', 1],
      ['paid_social', 1],
    ]);
  });

  it('puts each rep’s stage-to-stage rates next to the team’s and flags the stage furthest below', async () => {
    const report = await funnel(analytics, { groupBy: 'owner' });
    const january = cohort(report.cohorts, '2026-01');
    expect(january.team && columns(january.team).rateToNext).toEqual([0.8, 0.75, 0.6667, 0.5, 1, null]);
    expect(january.owners.map((owner) => [owner.owner, owner.leads, owner.furthestBelowTeam])).toEqual([
      ['rep-b', 3, 'sql'],
      ['rep-a', 2, 'mql'],
    ]);
    const repA = january.owners.find((owner) => owner.owner === 'rep-a')!;
    expect(repA.stages).toEqual([
      { stage: 'subscriber', nextStage: 'lead', reached: 2, rateToNext: 1, teamRateToNext: 0.8, difference: 0.2, furthestBelowTeam: false },
      { stage: 'lead', nextStage: 'mql', reached: 2, rateToNext: 1, teamRateToNext: 0.75, difference: 0.25, furthestBelowTeam: false },
      { stage: 'mql', nextStage: 'sql', reached: 2, rateToNext: 0.5, teamRateToNext: 0.6667, difference: -0.1667, furthestBelowTeam: true },
      { stage: 'sql', nextStage: 'opportunity', reached: 1, rateToNext: 1, teamRateToNext: 0.5, difference: 0.5, furthestBelowTeam: false },
      { stage: 'opportunity', nextStage: 'customer', reached: 1, rateToNext: 1, teamRateToNext: 1, difference: 0, furthestBelowTeam: false },
    ]);
    const repB = january.owners.find((owner) => owner.owner === 'rep-b')!;
    expect(repB.stages.map((stage) => stage.difference)).toEqual([-0.1333, -0.25, 0.3333, -0.5, null]);
    // The owner groups carry the full funnel figures too.
    expect(columns(january.groups.find((group) => group.group === 'rep-b')!).reached).toEqual([3, 2, 1, 1, 0, 0]);
  });

  it('takes the team as the leads that have an owner; unassigned leads are shown, compared, and left out of it', async () => {
    const report = await funnel(analytics, { groupBy: 'owner' });
    const all = report.allCohorts;
    // L7 has no owner: the total has 7 leads, the team 6.
    expect(all.total.leads).toBe(7);
    expect(all.team && columns(all.team)).toMatchObject({ reached: [6, 5, 4, 3, 2, 2], rateToNext: [0.8333, 0.8, 0.75, 0.6667, 1, null] });
    expect(all.owners.map((owner) => [owner.owner, owner.furthestBelowTeam, owner.stages.map((stage) => stage.difference)])).toEqual([
      ['rep-a', 'mql', [0.1667, 0.2, -0.0833, 0.3333, 0]],
      ['rep-b', 'sql', [-0.1667, -0.3, 0.25, -0.6667, null]],
      ['(unassigned)', 'lead', [0.1667, -0.8, null, null, null]],
    ]);
    // A rep no worse than the team anywhere has no flagged stage.
    const february = cohort(report.cohorts, '2026-02');
    const repA = february.owners.find((owner) => owner.owner === 'rep-a')!;
    expect(repA.furthestBelowTeam).toBeNull();
    expect(repA.stages.every((stage) => !stage.furthestBelowTeam)).toBe(true);
  });

  it('walks the stages passed in, in their order, ignoring changes to other stages', async () => {
    const report = await funnel(analytics, {}, { stages: ['lead', 'sql', 'customer'] });
    // L4 only ever was a subscriber and L8 a partner: not in this funnel. L2's mql does not reach sql.
    expect(columns(report.allCohorts.total)).toMatchObject({
      reached: [6, 3, 2],
      reachedNext: [3, 2, null],
      rateToNext: [0.5, 0.6667, null],
      rateToCustomer: [0.3333, 0.6667, 1],
    });
    expect(report.customerStage).toBe('customer');
  });

  it('answers with zero counts and no rates when no lead is in the selected cohorts', async () => {
    const report = await funnel(analytics, { from: '2030-01-01', groupBy: 'owner' });
    expect(report.cohorts).toEqual([]);
    expect(columns(report.allCohorts.total)).toEqual({
      reached: [0, 0, 0, 0, 0, 0],
      reachedNext: [0, 0, 0, 0, 0, null],
      rateToNext: [null, null, null, null, null, null],
      reachedCustomer: [0, 0, 0, 0, 0, 0],
      rateToCustomer: [null, null, null, null, null, null],
      medianDaysToNext: [null, null, null, null, null, null],
    });
    expect(report.allCohorts.owners).toEqual([]);
  });

  it('refuses a query or a stage list it cannot read, naming the field', async () => {
    await expect(funnel(analytics, { groupBy: 'rep' as 'owner' })).rejects.toThrow(ValidationError);
    await expect(funnel(analytics, { groupBy: 'rep' as 'owner' })).rejects.toThrow(/groupBy must be one of none, channel, owner/);
    await expect(funnel(analytics, {}, { stages: ['lead', 'lead'] })).rejects.toThrow(/stage lead is listed twice/);
  });
});

import type { AdCampaign } from './arrivals.ts';
import { adCampaigns } from './arrivals.ts';
import { DAY, utcDay } from './calendar.ts';
import type { DemoWorld } from './demoWorld.ts';
import { paidArrivals, planJourney } from './journeyPlan.ts';
import type { Random } from './random.ts';
import { createRandom } from './random.ts';

/** One paid campaign's spend on one day, as an ad platform's report gives it. */
export interface AdCostRow {
  readonly date: string;
  readonly source: string;
  readonly medium: string;
  readonly campaign: string;
  readonly cost: number;
  readonly currency: 'USD';
  readonly impressions: number;
  readonly clicks: number;
}

export const adCostCsvHeader = 'date,source,medium,campaign,cost,currency,impressions,clicks';

export function adCostCsvLine(row: AdCostRow): string {
  return `${row.date},${row.source},${row.medium},${row.campaign},${row.cost.toFixed(2)},${row.currency},${row.impressions},${row.clicks}`;
}

/**
 * Ad clicks per paid visit in the event file that are not in it: the demo's people stand for one
 * in six clickers (the rest bounced before the tag loaded, or browsed and left like the anonymous
 * visitors), so cost per lead comes out near what B2B teams see.
 */
export const UNTRACKED_CLICKS_PER_VISIT = 5;

/**
 * The ad spend of every paid campaign on every day of the window, by date then campaign. Clicks
 * are the paid visits the journeys make that day plus the untracked ones; impressions follow from
 * a daily click-through rate; cost from a daily cost per click (search) or per thousand
 * impressions (social and display).
 */
export function demoAdCosts(world: DemoWorld): AdCostRow[] {
  const visits = new Map<string, number>();
  const totals = new Map<string, number>();
  for (const person of [...world.contacts, ...world.visitors]) {
    for (const { at, campaign } of paidArrivals(planJourney(world, person))) {
      const key = `${campaign}|${utcDay(at)}`;
      visits.set(key, (visits.get(key) ?? 0) + 1);
      totals.set(campaign, (totals.get(campaign) ?? 0) + 1);
    }
  }
  const days = Math.round((world.endMs - world.startMs) / DAY);
  const rows: AdCostRow[] = [];
  for (let day = 0; day < days; day++) {
    const date = utcDay(world.startMs + day * DAY);
    for (const campaign of adCampaigns) {
      const tracked = visits.get(`${campaign.name}|${date}`) ?? 0;
      rows.push(costRow(createRandom(world.seed, 'ad-cost', campaign.name, date), campaign, date, tracked, (totals.get(campaign.name) ?? 0) / days));
    }
  }
  return rows;
}

function costRow(random: Random, campaign: AdCampaign, date: string, tracked: number, dailyAverage: number): AdCostRow {
  const clicks = tracked + random.poisson(Math.max(0.5, dailyAverage * UNTRACKED_CLICKS_PER_VISIT));
  const { pricing } = campaign;
  const ctr = random.between(pricing.ctr[0], pricing.ctr[1]);
  const impressions = Math.max(clicks, Math.round((clicks + random.next()) / ctr));
  const cost = pricing.per === 'click' ? clicks * random.between(pricing.cpc[0], pricing.cpc[1]) : (impressions / 1_000) * random.between(pricing.cpm[0], pricing.cpm[1]);
  return { date, source: campaign.source, medium: campaign.medium, campaign: campaign.name, cost: Math.round(cost * 100) / 100, currency: 'USD', impressions, clicks };
}

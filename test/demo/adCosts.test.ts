/**
 * Ad costs: given a world, when its cost file is written, then one row per paid campaign per day
 * that parses as CSV, accounts for every paid visit in the event stream, and prices clicks and
 * impressions as ad platforms do.
 */
import { describe, expect, it } from 'vitest';
import { adCampaigns, adCostCsvHeader, adCostCsvLine, buildDemoWorld, demoAdCosts, demoMessages } from '../../services/demo/index.ts';

const world = buildDemoWorld({ leads: 400, days: 45, seed: 9, start: new Date('2026-05-01') });
const csv = [adCostCsvHeader, ...demoAdCosts(world).map(adCostCsvLine)].join('\n');
const [header, ...body] = csv.split('\n');
const rows = body.map((line) => {
  const [date, source, medium, campaign, cost, currency, impressions, clicks] = line.split(',');
  return { date: date!, source: source!, medium: medium!, campaign: campaign!, cost: Number(cost), currency: currency!, impressions: Number(impressions), clicks: Number(clicks) };
});

describe('the cost file', () => {
  it('parses: the documented header, eight fields a row, one row per campaign per day', () => {
    expect(header).toBe('date,source,medium,campaign,cost,currency,impressions,clicks');
    expect(body.every((line) => line.split(',').length === 8)).toBe(true);
    expect(rows.length).toBe(adCampaigns.length * 45);
    expect(new Set(rows.map((row) => row.date)).size).toBe(45);
    expect(rows[0]!.date).toBe('2026-05-01');
    for (const row of rows) {
      expect(row.currency).toBe('USD');
      expect(Number.isFinite(row.cost) && row.cost >= 0).toBe(true);
      expect(row.impressions).toBeGreaterThanOrEqual(row.clicks);
    }
  });

  it('has at least as many clicks as the event stream has paid visits, per campaign and day', () => {
    const visits = new Map<string, number>();
    for (const message of demoMessages(world)) {
      const campaign = message.type === 'page' ? message.context.campaign : undefined;
      if (campaign === undefined || campaign.medium === 'email') continue;
      const key = `${campaign.name}|${message.timestamp.slice(0, 10)}|${campaign.source}|${campaign.medium}`;
      visits.set(key, (visits.get(key) ?? 0) + 1);
    }
    expect(visits.size).toBeGreaterThan(50);
    const clicks = new Map(rows.map((row) => [`${row.campaign}|${row.date}|${row.source}|${row.medium}`, row.clicks]));
    for (const [key, count] of visits) expect(clicks.get(key) ?? 0, key).toBeGreaterThanOrEqual(count);
  });

  it('prices search by the click and social and display by the thousand impressions, at market rates', () => {
    const totals = new Map<string, { cost: number; clicks: number; impressions: number }>();
    for (const row of rows) {
      const total = totals.get(row.campaign) ?? { cost: 0, clicks: 0, impressions: 0 };
      totals.set(row.campaign, { cost: total.cost + row.cost, clicks: total.clicks + row.clicks, impressions: total.impressions + row.impressions });
    }
    for (const campaign of adCampaigns) {
      const total = totals.get(campaign.name)!;
      if (campaign.pricing.per === 'click') {
        expect(total.cost / total.clicks).toBeGreaterThanOrEqual(1.5);
        expect(total.cost / total.clicks).toBeLessThanOrEqual(12);
      } else {
        const cpm = (total.cost / total.impressions) * 1_000;
        expect(cpm).toBeGreaterThanOrEqual(2);
        expect(cpm).toBeLessThanOrEqual(65);
      }
    }
  });
});

/**
 * LeadScoring on a real store and chDB: the explanation rule by rule (a merged lead explained as
 * its survivor), the scorer recording LeadScoreChanged only when the band changes or the total
 * moves by the threshold, and the calibration by score decile at MQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import { AnalyticsProjector, migrateAnalytics } from '../../../projections/index.ts';
import { LeadScoring, parseScoringModel, scoreCalibration } from '../../../projections/scoring/index.ts';
import { manualClock } from '../../../services/core/index.ts';
import type { EventStore } from '../../../services/ports/index.ts';
import { openTestAnalytics } from '../../support/analytics.ts';
import { analyticsHistory } from '../analyticsHistory.ts';

const MODEL = parseScoringModel(`
name: test model
mqlThreshold: 30
changeThreshold: 5
bands: [{ name: A, min: 40 }, { name: B, min: 20 }, { name: C }]
fit:
  - { id: senior, description: Decision makers, when: { field: trait.title, words: [vp, director] }, points: 20 }
  - { id: business-email, when: { field: free_mail, equals: false }, points: 5 }
engagement:
  - { id: demo, events: [Demo Requested], points: 30, cap: 30 }
  - { id: pages, events: [Page Viewed], points: 2, cap: 6 }
negative:
  - { id: student, when: { field: email_domain, endsWith: [.edu] }, points: -40 }
`);
const STAGES = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'];

describe('LeadScoring', () => {
  let analytics: Awaited<ReturnType<typeof openTestAnalytics>>;
  let store: EventStore;
  const clock = manualClock(new Date('2026-03-01T00:00:00Z'));
  const project = () => new AnalyticsProjector({ store, analytics }).catchUp();

  beforeEach(async () => {
    analytics = await openTestAnalytics('lead_scoring');
    await migrateAnalytics(analytics);
    store = createSqliteEventStore({ path: ':memory:' });
  });
  afterEach(async () => {
    await analytics.drop();
    await store.close();
  });

  it('explains a score rule by rule, with what the model read, and a merged lead as its survivor', async () => {
    const h = analyticsHistory(store);
    await h.identify('ann', '2026-02-01T00:00:00.000Z', [{ kind: 'email', value: 'ann@acme.com' }]);
    await h.traits('ann', '2026-02-01T00:00:01.000Z', { title: 'VP Marketing' });
    for (const day of ['02', '03', '04', '05']) await h.touch('lead:ann', `2026-02-${day}T00:00:00.000Z`, { name: 'Page Viewed' });
    await h.merge('ann', 'old-ann', '2026-02-06T00:00:00.000Z');
    await project();
    const scoring = new LeadScoring({ analytics, store, model: MODEL, freeMailDomains: ['gmail.com'], clock });
    const explained = await scoring.explain('old-ann');
    expect(explained).toMatchObject({ leadId: 'ann', fit: 25, engagement: 6, negative: 0, total: 31, band: 'B', mql: true, mqlThreshold: 30 });
    expect(explained.facts).toEqual({ 'trait.title': 'VP Marketing', free_mail: 'false', email_domain: 'acme.com' });
    expect(explained.rules).toEqual([
      { section: 'fit', id: 'senior', description: 'Decision makers', points: 20, applies: true },
      { section: 'fit', id: 'business-email', description: null, points: 5, applies: true },
      { section: 'engagement', id: 'demo', description: null, points: 0, applies: false, touches: 0, cap: 30 },
      { section: 'engagement', id: 'pages', description: null, points: 6, applies: true, touches: 4, cap: 6 },
      { section: 'negative', id: 'student', description: null, points: 0, applies: false },
    ]);
    // As of an earlier moment, only what was known then counts.
    expect(await scoring.explain('ann', new Date('2026-02-03T12:00:00Z'))).toMatchObject({ engagement: 4, total: 29, band: 'B', mql: false });
    await expect(scoring.explain('nobody')).rejects.toThrow(/not in the analytics projection/);
  });

  it('records LeadScoreChanged on the first score, a band change or a move of the threshold, and not otherwise', async () => {
    const h = analyticsHistory(store);
    await h.identify('bo', '2026-02-01T00:00:00.000Z', [{ kind: 'email', value: 'bo@gmail.com' }]);
    await h.touch('lead:bo', '2026-02-02T00:00:00.000Z', { name: 'Page Viewed' });
    await project();
    const scoring = new LeadScoring({ analytics, store, model: MODEL, freeMailDomains: ['gmail.com'], clock });
    const pass = async () => {
      const stop = new AbortController();
      const passes: { changed: number }[] = [];
      await scoring.runScorer(stop.signal, { intervalMs: 1, onPass: (p) => (passes.push(p), stop.abort()) });
      await project();
      return passes[0]!.changed;
    };
    const scores = async () => (await store.readStream('lead-bo')).filter((event) => event.type === 'LeadScoreChanged').map((event) => event.data);

    expect(await pass()).toBe(1);
    expect(await scores()).toEqual([{ fit: 0, engagement: 2, total: 2, band: 'C' }]);
    // +2 points: under the threshold, same band: nothing recorded.
    await h.touch('lead:bo', '2026-02-03T00:00:00.000Z', { name: 'Page Viewed' });
    await project();
    expect(await pass()).toBe(0);
    // A demo request: +30, band C → B.
    await h.touch('lead:bo', '2026-02-04T00:00:00.000Z', { name: 'Demo Requested' });
    await project();
    expect(await pass()).toBe(1);
    expect((await scores()).at(-1)).toEqual({ fit: 0, engagement: 34, total: 34, band: 'B' });
    // A fresh scorer reads the recorded scores back and records nothing new.
    expect(await new Promise<number>((resolve) => {
      const stop = new AbortController();
      void new LeadScoring({ analytics, store, model: MODEL, freeMailDomains: ['gmail.com'], clock }).runScorer(stop.signal, { intervalMs: 1, onPass: (p) => (stop.abort(), resolve(p.changed)) });
    })).toBe(0);
  });

  it('requestPass: a running scorer scores now rather than at the end of its interval, and answers once that pass is recorded', async () => {
    const h = analyticsHistory(store);
    await h.identify('cy', '2026-02-01T00:00:00.000Z', [{ kind: 'email', value: 'cy@acme.com' }]);
    await project();
    const scoring = new LeadScoring({ analytics, store, model: MODEL, freeMailDomains: ['gmail.com'], clock });
    const stop = new AbortController();
    const passes: number[] = [];
    // An hour between passes: only requestPass can bring the second one within the test.
    const running = scoring.runScorer(stop.signal, { intervalMs: 3_600_000, onPass: (p) => passes.push(p.changed) });
    // The first pass starts at once; the one asked for runs after it (and finds nothing new).
    await scoring.requestPass();
    expect(passes).toEqual([1, 0]);

    await h.touch('lead:cy', '2026-02-02T00:00:00.000Z', { name: 'Demo Requested' });
    await project();
    await scoring.requestPass();
    expect(passes).toEqual([1, 0, 1]);
    const recorded = (await store.readStream('lead-cy')).filter((event) => event.type === 'LeadScoreChanged').map((event) => event.data);
    expect(recorded.at(-1)).toEqual({ fit: 5, engagement: 30, total: 35, band: 'B' });
    stop.abort();
    await running;
  });

  it('calibrates: leads by score decile at MQL and the share that later reached each stage', async () => {
    const h = analyticsHistory(store);
    // 20 leads reach MQL on 2026-02-10; the ten with a demo request score 30 more, and of those
    // six later reach sql and three customer; of the ten without, one reaches sql.
    for (let i = 0; i < 20; i++) {
      const lead = `c${i}`;
      await h.identify(lead, '2026-02-01T00:00:00.000Z', [{ kind: 'email', value: `${lead}@acme.com` }]);
      if (i < 10) await h.touch(`lead:${lead}`, '2026-02-05T00:00:00.000Z', { name: 'Demo Requested' });
      await h.stage(lead, 'mql', '2026-02-10T00:00:00.000Z');
      if ((i < 10 && i < 6) || i === 15) await h.stage(lead, 'sql', '2026-02-20T00:00:00.000Z');
      if (i < 3) await h.stage(lead, 'customer', '2026-03-20T00:00:00.000Z', 1_000);
      // A demo request after MQL does not change the score taken at MQL.
      if (i >= 18) await h.touch(`lead:${lead}`, '2026-02-15T00:00:00.000Z', { name: 'Demo Requested' });
    }
    await project();
    const report = await scoreCalibration(analytics, MODEL, { stages: STAGES, freeMailDomains: ['gmail.com'] });
    expect(report.leads).toBe(20);
    expect(report.later).toEqual(['sql', 'opportunity', 'customer']);
    expect(report.deciles).toHaveLength(10);
    const low = report.deciles.slice(0, 5);
    const high = report.deciles.slice(5);
    expect(low.every((d) => d.maxScore === 5)).toBe(true);
    expect(high.every((d) => d.minScore === 35)).toBe(true);
    const share = (deciles: typeof low, stage: string) => deciles.reduce((sum, d) => sum + d.reached[stage]! * d.leads, 0) / 10;
    expect(share(high, 'sql')).toBeCloseTo(0.6, 6);
    expect(share(high, 'customer')).toBeCloseTo(0.3, 6);
    expect(share(low, 'sql')).toBeCloseTo(0.1, 6);
    expect(report.overall).toEqual({ sql: 0.35, opportunity: 0.15, customer: 0.15 });
  });
});

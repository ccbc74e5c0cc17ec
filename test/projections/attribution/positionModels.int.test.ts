import { describe, expect, it } from 'vitest';
import { type AttributionModel, attribute, attributionModels } from '../../../projections/attribution/index.ts';
import { at, attributionWorlds, expectCredit, query, stages } from './attributionFixture.ts';

const january = { from: '2026-01-01', to: '2026-02-01' };

describe('position models', () => {
  const world = attributionWorlds();

  it('give a single touch the whole conversion under every model (u_shaped: first 40 + last 40 on one touch)', async () => {
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-05'), { channel: 'webinar' });
    await h.stage('A', 'customer', at('2026-01-06'), 800);
    await project();
    for (const model of attributionModels) {
      const report = await attribute(analytics, query({ ...january, model }), { stages });
      expectCredit(report, { webinar: 1 }, { webinar: 800 });
      expect(report.rows[0]!.touches).toBe(1);
    }
  });

  it('split two touches as each model says', async () => {
    // Touches 14 and 7 days before the conversion. No identification and no earlier stage, so the
    // lead, opportunity and customer milestones are all reached at the customer change: the last touch.
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-10'), { channel: 'paid_search' });
    await h.touch('lead:A', at('2026-01-17'), { channel: 'email' });
    await h.stage('A', 'customer', at('2026-01-24'), 1200);
    await project();
    const expected: Record<AttributionModel, [number, number]> = {
      first_touch: [1, 0],
      last_touch: [0, 1],
      linear: [1 / 2, 1 / 2],
      // 2^(−14/7) = 1/4 and 2^(−7/7) = 1/2: shares 1/3 and 2/3.
      time_decay: [1 / 3, 2 / 3],
      // First 40 and last 40; no middle touch, so the middle 20 is dropped.
      u_shaped: [1 / 2, 1 / 2],
      j_shaped: [20 / 80, 60 / 80],
      inverse_j: [60 / 80, 20 / 80],
      // First 30; lead creation 30 and opportunity creation 30 both on the last touch.
      w_shaped: [30 / 90, 60 / 90],
      // First 22.5; lead, opportunity and customer creation 3 × 22.5 on the last touch.
      full_path: [22.5 / 90, 67.5 / 90],
      // One path, start → paid_search → email → conversion: removing either loses it (RE 1 each).
      markov: [1 / 2, 1 / 2],
    };
    for (const model of attributionModels) {
      const [first, last] = expected[model];
      const report = await attribute(analytics, query({ ...january, model }), { stages });
      // A touch given no credit keeps its row (its touches still count).
      expectCredit(report, { paid_search: first, email: last }, { paid_search: first * 1200, email: last * 1200 });
    }
  });

  it('time decay halves a touch’s weight every half-life before the conversion', async () => {
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-07'), { channel: 'paid_search' });
    await h.touch('lead:A', at('2026-01-08'), { channel: 'email' });
    await h.touch('lead:A', at('2026-01-09'), { channel: 'webinar' });
    await h.touch('lead:A', at('2026-01-10'), { channel: 'sales' });
    await h.stage('A', 'customer', at('2026-01-10'));
    await project();
    // Half-life 1 day: raw weights 1/8, 1/4, 1/2, 1 (the last touch is at the conversion), sum 15/8.
    const report = await attribute(analytics, query({ ...january, model: 'time_decay', halfLifeDays: '1' }), { stages });
    expectCredit(report, { paid_search: 1 / 15, email: 2 / 15, webinar: 4 / 15, sales: 8 / 15 });
    expect(report.rows.map((row) => row.key)).toEqual(['sales', 'webinar', 'email', 'paid_search']);
  });

  describe('on a five-touch path with every milestone', () => {
    // T1 paid_search 01-01, T2 email 01-03, identified 01-04, stage lead 01-05, T3 webinar 01-06,
    // T4 sales 01-08, opportunity 01-09 (600), T5 direct 01-10, customer 01-12 (1,000).
    // Lead creation = identification (earlier than the lead stage) → T2; opportunity → T4; customer → T5.
    async function fiveTouches() {
      const w = await world();
      const h = w.history;
      await h.touch('lead:A', at('2026-01-01'), { channel: 'paid_search' });
      await h.touch('lead:A', at('2026-01-03'), { channel: 'email' });
      await h.identify('A', at('2026-01-04'));
      await h.stage('A', 'lead', at('2026-01-05'));
      await h.touch('lead:A', at('2026-01-06'), { channel: 'webinar' });
      await h.touch('lead:A', at('2026-01-08'), { channel: 'sales' });
      await h.stage('A', 'opportunity', at('2026-01-09'), 600);
      await h.touch('lead:A', at('2026-01-10'), { channel: 'direct' });
      await h.stage('A', 'customer', at('2026-01-12'), 1000);
      await w.project();
      return w.analytics;
    }

    it('credits a customer conversion by each model', async () => {
      const analytics = await fiveTouches();
      const third = 0.2 / 3;
      // Keys given no credit keep their rows: their touches still count.
      const none = { paid_search: 0, email: 0, webinar: 0, sales: 0, direct: 0 };
      const expected: Record<AttributionModel, Record<string, number>> = {
        first_touch: { ...none, paid_search: 1 },
        last_touch: { ...none, direct: 1 },
        linear: { paid_search: 0.2, email: 0.2, webinar: 0.2, sales: 0.2, direct: 0.2 },
        // Δt 11, 9, 6, 4, 2 days, half-life 7: raw 2^(−Δt/7).
        time_decay: decayShares({ paid_search: 11, email: 9, webinar: 6, sales: 4, direct: 2 }, 7),
        u_shaped: { paid_search: 0.4, email: third, webinar: third, sales: third, direct: 0.4 },
        j_shaped: { paid_search: 0.2, email: third, webinar: third, sales: third, direct: 0.6 },
        inverse_j: { paid_search: 0.6, email: third, webinar: third, sales: third, direct: 0.2 },
        // First T1 30, lead creation T2 30, opportunity T4 30; middle 10 shared by T3 and T5.
        w_shaped: { paid_search: 0.3, email: 0.3, webinar: 0.05, sales: 0.3, direct: 0.05 },
        // First, lead, opportunity and customer creation 22.5 each (T1, T2, T4, T5); middle 10 on T3.
        full_path: { paid_search: 0.225, email: 0.225, webinar: 0.1, sales: 0.225, direct: 0.225 },
        // One converting path through five keys: each removal loses it, RE 1 each, shares equal.
        markov: { paid_search: 0.2, email: 0.2, webinar: 0.2, sales: 0.2, direct: 0.2 },
      };
      for (const model of attributionModels) {
        const report = await attribute(analytics, query({ ...january, model, conversion: 'customer' }), { stages });
        expectCredit(report, expected[model], Object.fromEntries(Object.entries(expected[model]).map(([key, share]) => [key, share * 1000])));
        expect(report.totals).toEqual({ conversions: 1, revenue: 1000, touches: 5, cost: 0 });
      }
    });

    it('credits an opportunity conversion with the touches up to it; the customer milestone, reached later, is not on its path', async () => {
      const analytics = await fiveTouches();
      const wShaped = await attribute(analytics, query({ ...january, model: 'w_shaped', conversion: 'opportunity' }), { stages });
      // T1..T4: first 30, lead creation (T2) 30, opportunity (T4) 30, middle T3 10.
      expectCredit(wShaped, { paid_search: 0.3, email: 0.3, webinar: 0.1, sales: 0.3 }, { paid_search: 180, email: 180, webinar: 60, sales: 180 });
      const fullPath = await attribute(analytics, query({ ...january, model: 'full_path', conversion: 'opportunity' }), { stages });
      // Three milestones of 22.5 (T1, T2, T4) and the middle 10 (T3): total 77.5.
      expectCredit(fullPath, { paid_search: 22.5 / 77.5, email: 22.5 / 77.5, webinar: 10 / 77.5, sales: 22.5 / 77.5 });
      expect(fullPath.totals).toMatchObject({ conversions: 1, revenue: 600, touches: 4 });
    });
  });

  it('adds the weights of a touch that holds two positions: first touch and lead creation', async () => {
    // T1 paid_search 01-01, identified 01-02, T2 email 01-03, T3 webinar 01-05, opportunity 01-06.
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-01'), { channel: 'paid_search' });
    await h.identify('A', at('2026-01-02'));
    await h.touch('lead:A', at('2026-01-03'), { channel: 'email' });
    await h.touch('lead:A', at('2026-01-05'), { channel: 'webinar' });
    await h.stage('A', 'opportunity', at('2026-01-06'));
    await project();
    const conversion = 'opportunity';
    // W: T1 first 30 + lead creation 30, T3 opportunity 30, T2 middle 10.
    expectCredit(await attribute(analytics, query({ ...january, conversion, model: 'w_shaped' }), { stages }), { paid_search: 0.6, email: 0.1, webinar: 0.3 });
    // Full path: T1 45, T3 22.5, no customer milestone, T2 middle 10: total 77.5.
    expectCredit(await attribute(analytics, query({ ...january, conversion, model: 'full_path' }), { stages }), {
      paid_search: 45 / 77.5,
      email: 10 / 77.5,
      webinar: 22.5 / 77.5,
    });
  });

  it('takes the milestones a merged-away lead reached (its identification, its opportunity) as the survivor’s', async () => {
    // A's touches T1 paid_search 01-01, T2 email 01-03, T3 webinar 01-05; B identified 01-02 and
    // reached opportunity 01-04; B merged into A 01-06. A converts at 01-04 with T1 and T2.
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-01'), { channel: 'paid_search' });
    await h.identify('B', at('2026-01-02'));
    await h.touch('lead:A', at('2026-01-03'), { channel: 'email' });
    await h.stage('B', 'opportunity', at('2026-01-04'));
    await h.touch('lead:A', at('2026-01-05'), { channel: 'webinar' });
    await h.merge('A', 'B', at('2026-01-06'));
    await project();
    // W: T1 first 30 + lead creation (B's identification) 30, T2 opportunity 30, no middle.
    expectCredit(await attribute(analytics, query({ ...january, conversion: 'opportunity', model: 'w_shaped' }), { stages }), { paid_search: 60 / 90, email: 30 / 90 });
  });

  it('takes lead creation at the lead stage when the lead reached it before its first identification', async () => {
    // T1 01-01, T2 01-02, stage lead 01-02 12:00, T3 01-03, identified 01-04, T4 01-05, opportunity 01-06.
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-01'), { channel: 'paid_search' });
    await h.touch('lead:A', at('2026-01-02'), { channel: 'email' });
    await h.stage('A', 'lead', at('2026-01-02', '12:00'));
    await h.touch('lead:A', at('2026-01-03'), { channel: 'webinar' });
    await h.identify('A', at('2026-01-04'));
    await h.touch('lead:A', at('2026-01-05'), { channel: 'sales' });
    await h.stage('A', 'opportunity', at('2026-01-06'));
    await project();
    // Lead creation at 01-02 12:00 → T2 (not T3, the last touch before the identification).
    expectCredit(await attribute(analytics, query({ ...january, conversion: 'opportunity', model: 'w_shaped' }), { stages }), {
      paid_search: 0.3,
      email: 0.3,
      webinar: 0.1,
      sales: 0.3,
    });
  });

  it('counts a later stage as reaching the milestone stages it skipped', async () => {
    // Never identified; subscriber 01-01 10:00, then straight to opportunity 01-04: the lead and
    // opportunity milestones are both reached at 01-04, so both fall on T3.
    const { history: h, project, analytics } = await world();
    await h.stage('A', 'subscriber', at('2026-01-01', '10:00'));
    await h.touch('lead:A', at('2026-01-01'), { channel: 'paid_search' });
    await h.touch('lead:A', at('2026-01-02'), { channel: 'email' });
    await h.touch('lead:A', at('2026-01-03'), { channel: 'webinar' });
    await h.stage('A', 'opportunity', at('2026-01-04'));
    await project();
    expectCredit(await attribute(analytics, query({ ...january, conversion: 'opportunity', model: 'w_shaped' }), { stages }), {
      paid_search: 0.3,
      email: 0.1,
      webinar: 0.6,
    });
  });

  it('takes a touch at the very instant of a milestone as that milestone’s touch', async () => {
    // Identified at T2's instant: lead creation is T2, not T1. Opportunity at 01-04 → T3.
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-01'), { channel: 'paid_search' });
    await h.touch('lead:A', at('2026-01-02'), { channel: 'email' });
    await h.identify('A', at('2026-01-02'));
    await h.touch('lead:A', at('2026-01-03'), { channel: 'webinar' });
    await h.stage('A', 'opportunity', at('2026-01-04'));
    await project();
    expectCredit(await attribute(analytics, query({ ...january, conversion: 'opportunity', model: 'w_shaped' }), { stages }), {
      paid_search: 1 / 3,
      email: 1 / 3,
      webinar: 1 / 3,
    });
  });

  it('drops a milestone that has no touch at or before it', async () => {
    // Identified 01-01 08:00, before the first touch (01-01 09:00): lead creation has no touch.
    // W: first T1 30, opportunity T2 30, no middle touch → 1/2, 1/2.
    const { history: h, project, analytics } = await world();
    await h.identify('A', at('2026-01-01', '08:00'));
    await h.touch('lead:A', at('2026-01-01'), { channel: 'paid_search' });
    await h.touch('lead:A', at('2026-01-02'), { channel: 'email' });
    await h.stage('A', 'opportunity', at('2026-01-03'));
    await project();
    expectCredit(await attribute(analytics, query({ ...january, conversion: 'opportunity', model: 'w_shaped' }), { stages }), { paid_search: 0.5, email: 0.5 });
  });

  it('orders touches at the same instant by their position in the store', async () => {
    const { history: h, project, analytics } = await world();
    await h.touch('lead:A', at('2026-01-02'), { channel: 'email' });
    await h.touch('lead:A', at('2026-01-02'), { channel: 'paid_search' });
    await h.stage('A', 'customer', at('2026-01-03'));
    await project();
    expectCredit(await attribute(analytics, query({ ...january, model: 'first_touch' }), { stages }), { email: 1, paid_search: 0 });
    expectCredit(await attribute(analytics, query({ ...january, model: 'last_touch' }), { stages }), { email: 0, paid_search: 1 });
  });
});

/** Shares 2^(−Δt/h) / Σ, for touches Δt days before the conversion. */
function decayShares(daysBefore: Record<string, number>, halfLife: number): Record<string, number> {
  const raw = Object.fromEntries(Object.entries(daysBefore).map(([key, days]) => [key, 2 ** (-days / halfLife)]));
  const total = Object.values(raw).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(raw).map(([key, weight]) => [key, weight / total]));
}

import { describe, expect, it } from 'vitest';
import { NO_TOUCH_KEY, attribute } from '../../../projections/attribution/index.ts';
import { at, attributionWorlds, expectCredit, query, stages } from './attributionFixture.ts';

describe('markov', () => {
  const world = attributionWorlds();

  it('credits by removal effect on the textbook paths C1 → C2 → C3 → conversion, C1 → null, C2 → C3 → null', async () => {
    // With C1 = paid_search, C2 = email, C3 = webinar, in January:
    //   start→C1 2/3, start→C2 1/3; C1→C2 1/2, C1→null 1/2; C2→C3 1; C3→conversion 1/2, C3→null 1/2.
    //   P(conversion) = (2/3·1/2 + 1/3)·1/2 = 1/3.
    //   Without C1: 1/3·1/2 = 1/6, RE = 1 − (1/6)/(1/3) = 1/2. Without C2 or C3: 0, RE = 1.
    //   Σ RE = 5/2, so of the one conversion with touches: C1 gets 1/5, C2 and C3 2/5 each;
    //   of its revenue of 300: 60, 120, 120.
    const { history: h, project, analytics } = await world();
    // A: the converting path.
    await h.touch('lead:A', at('2026-01-02'), { channel: 'paid_search' });
    await h.touch('lead:A', at('2026-01-03'), { channel: 'email' });
    await h.touch('lead:A', at('2026-01-04'), { channel: 'webinar' });
    await h.stage('A', 'customer', at('2026-01-05'), 300);
    // B: C1 → null. It converts only after the period, and its touch after the period is not on its path.
    await h.touch('lead:B', at('2026-01-06'), { channel: 'paid_search' });
    await h.touch('lead:B', at('2026-02-05'), { channel: 'webinar' });
    await h.stage('B', 'customer', at('2026-02-10'), 999);
    // C: C2 → C3 → null. It converted before the period, so not in it.
    await h.stage('C', 'customer', at('2025-12-01'), 999);
    await h.touch('lead:C', at('2026-01-07'), { channel: 'email' });
    await h.touch('lead:C', at('2026-01-08'), { channel: 'webinar' });
    // Not in the chain: D's only touch is before the period (were it a path C2 → null, RE of C1
    // would be 1/3); E converts with no touch (credited to (no touch), through no key); v9 is a
    // visitor no lead was linked to.
    await h.touch('lead:D', at('2025-12-20'), { channel: 'email' });
    await h.stage('E', 'customer', at('2026-01-09'), 50);
    await h.touch('visitor:v9', at('2026-01-10'), { channel: 'email' });
    await project();

    const report = await attribute(analytics, query({ from: '2026-01-01', to: '2026-02-01', model: 'markov' }), { stages });
    expectCredit(report, { paid_search: 0.2, email: 0.4, webinar: 0.4, [NO_TOUCH_KEY]: 1 }, { paid_search: 60, email: 120, webinar: 120, [NO_TOUCH_KEY]: 50 });
    const effects = Object.fromEntries(report.rows.map((row) => [row.key, row.removalEffect]));
    expect(effects.paid_search).toBeCloseTo(0.5, 9);
    expect(effects.email).toBeCloseTo(1, 9);
    expect(effects.webinar).toBeCloseTo(1, 9);
    expect(effects[NO_TOUCH_KEY]).toBeUndefined();
    // Touches are the conversions' touches only (A's three), as for every model.
    expect(report.rows.map((row) => [row.key, row.touches])).toEqual([
      [NO_TOUCH_KEY, 0],
      ['email', 1],
      ['webinar', 1],
      ['paid_search', 1],
    ]);
    expect(report.totals).toEqual({ conversions: 2, revenue: 350, touches: 3, cost: 0 });
  });

  it("puts a linked visitor's touches on its lead's path, in time order with the lead's own, converting or not", async () => {
    // R: display (as visitor v-r, before identifying) → email → conversion. S: email (own) → display (its
    // visitor's, later) → null. Paths: display → email → conv, email → display → null.
    //   start→display 1/2, start→email 1/2; display→email 1/2, display→null 1/2; email→conv 1/2, email→display 1/2.
    //   P(conv) from start: p_d = 1/2·p_e, p_e = 1/2 + 1/2·p_d → p_e = 2/3, p_d = 1/3; P = 1/2. Without display:
    //   1/2·1/2 = 1/4, RE 1/2; without email: 0, RE 1. Shares 1/3 and 2/3 of R's conversion (revenue 90).
    const { history: h, project, analytics } = await world();
    await h.touch('visitor:v-r', at('2026-01-02'), { channel: 'display' });
    await h.link('R', 'v-r', at('2026-01-03'));
    await h.touch('lead:R', at('2026-01-04'), { channel: 'email' });
    await h.stage('R', 'opportunity', at('2026-01-05'), 90);
    await h.touch('lead:S', at('2026-01-06'), { channel: 'email' });
    await h.link('S', 'v-s', at('2026-01-06'));
    await h.touch('visitor:v-s', at('2026-01-07'), { channel: 'display' });
    await project();
    const report = await attribute(analytics, query({ from: '2026-01-01', to: '2026-02-01', model: 'markov', conversion: 'opportunity' }), { stages });
    expectCredit(report, { display: 1 / 3, email: 2 / 3 }, { display: 30, email: 60 });
  });

  it('credits a key seen only on paths that did not convert when it leads into keys that do', async () => {
    // Paths: X → Y → null (lead P), Y → conversion (lead Q).
    //   start→X 1/2, start→Y 1/2; X→Y 1; Y→conversion 1/2, Y→null 1/2. P(conversion) = 1/2.
    //   Without X: 1/2·1/2 = 1/4, RE 1/2. Without Y: 0, RE 1. Shares 1/3 and 2/3 of one conversion.
    const { history: h, project, analytics } = await world();
    await h.touch('lead:P', at('2026-01-02'), { channel: 'display' });
    await h.touch('lead:P', at('2026-01-03'), { channel: 'email' });
    await h.touch('lead:Q', at('2026-01-04'), { channel: 'email' });
    await h.stage('Q', 'opportunity', at('2026-01-05'), 90);
    await project();
    const report = await attribute(analytics, query({ from: '2026-01-01', to: '2026-02-01', model: 'markov', conversion: 'opportunity' }), { stages });
    expectCredit(report, { display: 1 / 3, email: 2 / 3 }, { display: 30, email: 60 });
    expect(report.rows.find((row) => row.key === 'display')).toMatchObject({ touches: 0 });
  });
});

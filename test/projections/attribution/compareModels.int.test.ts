import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../services/core/index.ts';
import { NO_TOUCH_KEY, attribute, attributionModels, compareModels } from '../../../projections/attribution/index.ts';
import { at, attributionWorlds, query, stages } from './attributionFixture.ts';

describe('compareModels', () => {
  const world = attributionWorlds();

  /** Four conversions in January (one without touches), a lead that did not convert, and spend. */
  async function mixedHistory() {
    const w = await world();
    const h = w.history;
    await h.touch('visitor:v1', at('2026-01-01'), { channel: 'paid_search', source: 'google', medium: 'cpc' });
    await h.identify('A', at('2026-01-02'));
    await h.link('A', 'v1', at('2026-01-02', '09:01'));
    await h.touch('lead:A', at('2026-01-04'), { channel: 'email', source: 'newsletter', medium: 'email' });
    await h.touch('lead:A', at('2026-01-06'), { channel: 'webinar' });
    await h.stage('A', 'opportunity', at('2026-01-07'), 1000);
    await h.touch('lead:B', at('2026-01-03'), { channel: 'email', source: 'newsletter', medium: 'email' });
    await h.stage('B', 'customer', at('2026-01-08'), 2500);
    await h.touch('lead:C', at('2026-01-05'), { channel: 'paid_search', source: 'google', medium: 'cpc' });
    await h.touch('lead:C', at('2026-01-09'), { channel: 'sales' });
    await h.identify('C', at('2026-01-10'));
    await h.stage('C', 'opportunity', at('2026-01-12'), 400);
    await h.stage('D', 'opportunity', at('2026-01-15'), 100);
    await h.touch('lead:E', at('2026-01-11'), { channel: 'webinar' });
    await h.cost('2026-01-03', 'google', 'cpc', 'brand', 250);
    await w.project();
    return w.analytics;
  }

  it('gives every model side by side, each crediting exactly the period’s conversions and revenue', async () => {
    const analytics = await mixedHistory();
    const q = query({ from: '2026-01-01', to: '2026-02-01', conversion: 'opportunity' });
    const comparison = await compareModels(analytics, attributionModels, q, { stages });

    expect(comparison.query).toEqual({
      conversion: 'opportunity',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      by: 'channel',
      lookbackDays: 90,
      halfLifeDays: 7,
      models: [...attributionModels],
    });
    expect(comparison.totals).toMatchObject({ conversions: 4, revenue: 4000, touches: 6, cost: 250 });
    for (const model of attributionModels) {
      expect(comparison.totals.models[model]!.conversions, model).toBeCloseTo(4, 9);
      expect(comparison.totals.models[model]!.revenue, model).toBeCloseTo(4000, 6);
    }
    expect(comparison.rows.map((row) => row.key).sort()).toEqual([NO_TOUCH_KEY, 'email', 'paid_search', 'sales', 'webinar']);
    for (const row of comparison.rows) expect(Object.keys(row.models)).toEqual([...attributionModels]);
    // Sorted by the first model's credit: first touch gives paid_search A's and C's conversions.
    expect(comparison.rows[0]).toMatchObject({ key: 'paid_search', touches: 2, cost: 250, models: { first_touch: { conversions: 2, revenue: 1400, roi: (1400 - 250) / 250 } } });
    expect(comparison.rows.find((row) => row.key === NO_TOUCH_KEY)!.models.markov).toEqual({ conversions: 1, revenue: 100, roi: null });
  });

  it('agrees with attributing by each model on its own', async () => {
    const analytics = await mixedHistory();
    const q = query({ from: '2026-01-01', to: '2026-02-01', conversion: 'opportunity', by: 'source' });
    const comparison = await compareModels(analytics, attributionModels, q, { stages });
    for (const model of attributionModels) {
      const alone = await attribute(analytics, { ...q, model }, { stages });
      const side = Object.fromEntries(comparison.rows.map((row) => [row.key, row.models[model]!]));
      expect(alone.rows.map((row) => row.key).sort(), model).toEqual(Object.keys(side).sort());
      for (const row of alone.rows) {
        expect(side[row.key]!.conversions, `${model} ${row.key}`).toBeCloseTo(row.conversions, 9);
        expect(side[row.key]!.revenue, `${model} ${row.key}`).toBeCloseTo(row.revenue, 6);
      }
      expect(alone.totals).toEqual({ conversions: comparison.totals.conversions, revenue: comparison.totals.revenue, touches: comparison.totals.touches, cost: comparison.totals.cost });
    }
  });

  it('compares a chosen few, ordered by the first', async () => {
    const analytics = await mixedHistory();
    const comparison = await compareModels(analytics, ['last_touch', 'markov'], query({ from: '2026-01-01', to: '2026-02-01', conversion: 'opportunity' }), { stages });
    expect(comparison.query.models).toEqual(['last_touch', 'markov']);
    // Last touch: webinar (A), email (B), sales (C), (no touch) (D): one each, revenue first.
    expect(comparison.rows.map((row) => [row.key, row.models.last_touch!.conversions])).toEqual([
      ['email', 1],
      ['webinar', 1],
      ['sales', 1],
      [NO_TOUCH_KEY, 1],
      ['paid_search', 0],
    ]);
    expect(Object.keys(comparison.totals.models)).toEqual(['last_touch', 'markov']);
  });

  it('refuses an empty or repeated list of models', async () => {
    const analytics = await mixedHistory();
    const q = query({ from: '2026-01-01', to: '2026-02-01' });
    await expect(compareModels(analytics, [], q, { stages })).rejects.toBeInstanceOf(ValidationError);
    await expect(compareModels(analytics, ['linear', 'linear'], q, { stages })).rejects.toThrow('models: models must list distinct models');
  });
});

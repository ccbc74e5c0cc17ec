import { ValidationError } from '../../services/core/index.ts';
import type { Analytics } from '../../services/ports/index.ts';
import { type AttributionModel, attributionModels } from './attributionModels.ts';
import { type AttributionQuery, periodOf } from './attributionQuery.ts';
import type { AttributionOptions, AttributionQueryEcho, AttributionReport, AttributionRow, ModelComparison, ModelComparisonRow, ModelCredit } from './attributionReport.ts';
import { creditOf } from './creditByKey.ts';

/**
 * Credits the conversions of a period to the touches before them, by one model, grouped by a
 * touch column. Finding conversions, their paths, positions and weights and the grouping all
 * happen in ClickHouse; Node merges in ad spend and (for Markov) solves the chain.
 *
 *   const query = parseAttributionQuery(request.query, { stages });
 *   const report = await attribute(analytics, query, { stages });
 */
export async function attribute(analytics: Analytics, query: AttributionQuery, options: AttributionOptions): Promise<AttributionReport> {
  const credit = await creditOf(analytics, [query.model], query, options.stages);
  const rows = [...credit.keys.values()]
    .map((key): AttributionRow => {
      const model = key.models[0]!;
      const row: AttributionRow = { key: key.key, conversions: model.conversions, revenue: model.revenue, touches: key.touches, cost: key.cost, roi: roi(model.revenue, key.cost) };
      return model.removalEffect === undefined ? row : { ...row, removalEffect: model.removalEffect };
    })
    .filter((row) => row.touches > 0 || row.conversions > 0 || row.cost !== null)
    .sort(byCredit((row) => row));
  return { query: echo(query), rows, totals: credit.totals };
}

/**
 * Several models side by side on the same conversions: one row per key with each model's
 * credited conversions and revenue, and each model's totals (equal conversions, by construction).
 * The position models share one query.
 *
 *   const comparison = await compareModels(analytics, ['first_touch', 'linear', 'markov'], query, { stages });
 */
export async function compareModels(
  analytics: Analytics,
  models: readonly AttributionModel[],
  query: AttributionQuery,
  options: AttributionOptions,
): Promise<ModelComparison> {
  checkModels(models);
  const credit = await creditOf(analytics, models, query, options.stages);
  const first = models[0]!;
  const rows = [...credit.keys.values()]
    .map((key): ModelComparisonRow => {
      const byModel: Partial<Record<AttributionModel, ModelCredit>> = {};
      models.forEach((model, m) => {
        const { conversions, revenue } = key.models[m]!;
        byModel[model] = { conversions, revenue, roi: roi(revenue, key.cost) };
      });
      return { key: key.key, touches: key.touches, cost: key.cost, models: byModel };
    })
    .filter((row) => row.touches > 0 || row.cost !== null || Object.values(row.models).some((model) => model.conversions > 0))
    .sort(byCredit((row) => row.models[first]!));
  const totals: Partial<Record<AttributionModel, { conversions: number; revenue: number }>> = {};
  for (const model of models) {
    totals[model] = {
      conversions: rows.reduce((sum, row) => sum + row.models[model]!.conversions, 0),
      revenue: rows.reduce((sum, row) => sum + row.models[model]!.revenue, 0),
    };
  }
  const { model: _model, ...common } = echo(query);
  return { query: { ...common, models: [...models] }, rows, totals: { ...credit.totals, models: totals } };
}

function checkModels(models: readonly AttributionModel[]): void {
  const unknown = models.filter((model) => !attributionModels.includes(model));
  if (models.length === 0 || unknown.length > 0 || new Set(models).size !== models.length) {
    throw new ValidationError('invalid model comparison', [{ path: 'models', message: `models must list distinct models, at least one, of ${attributionModels.join(', ')}` }]);
  }
}

function echo(query: AttributionQuery): AttributionQueryEcho {
  const { model, conversion, by, lookbackDays, halfLifeDays } = query;
  const { from, to } = periodOf(query);
  return { model, conversion, from: from.toISOString(), to: to.toISOString(), by, lookbackDays, halfLifeDays };
}

function roi(revenue: number, cost: number | null): number | null {
  return cost === null || cost <= 0 ? null : (revenue - cost) / cost;
}

/** Most credited conversions first, then most revenue, then by key; shares equal but for rounding count as equal. */
function byCredit<T extends { key: string }>(creditOf: (row: T) => { conversions: number; revenue: number }) {
  const descending = (a: number, b: number): number => (Math.abs(b - a) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) ? b - a : 0);
  return (a: T, b: T): number =>
    descending(creditOf(a).conversions, creditOf(b).conversions) || descending(creditOf(a).revenue, creditOf(b).revenue) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

import { ValidationError } from '../../services/core/index.ts';
import type { Analytics } from '../../services/ports/index.ts';
import { adCostParams, adCostSql } from './adCostSql.ts';
import { type AttributionModel, attributionModels, isPositionModel } from './attributionModels.ts';
import { type AttributionQuery, attributionKeys, periodOf } from './attributionQuery.ts';
import type { AttributionTotals } from './attributionReport.ts';
import { conversionParams } from './conversionPathsSql.ts';
import { type TransitionRow, markovCredit } from './markovCredit.ts';
import { markovTransitionsSql } from './markovTransitionsSql.ts';
import { type CreditRow, NO_TOUCH_KEY, positionCreditSql } from './positionCreditSql.ts';

/** What one key is credited: its conversion touches, its spend, and each model's share. */
export interface KeyCredit {
  readonly key: string;
  readonly touches: number;
  readonly cost: number | null;
  /** One entry per model asked for, in order. */
  readonly models: readonly { conversions: number; revenue: number; removalEffect?: number }[];
}

/** Every key with conversion touches, credit or cost, and each model's credit of it. */
export async function creditOf(
  analytics: Analytics,
  models: readonly AttributionModel[],
  query: AttributionQuery,
  stages: readonly string[],
): Promise<{ keys: Map<string, KeyCredit>; totals: AttributionTotals }> {
  const period = checkQuery(query, stages);
  const params = { ...conversionParams(query, period, stages), ...adCostParams(period) };
  const positional = models.filter(isPositionModel);
  const markov = models.includes('markov') ? markovCredit(await analytics.query<TransitionRow>(markovTransitionsSql(query.by), params)) : null;
  // Markov alone needs no second pass over the paths: its transitions hold the per-key counts.
  const creditRows =
    markov !== null && positional.length === 0
      ? markov.rows
      : (await analytics.query<Record<string, number | string>>(positionCreditSql(positional, query.by), params)).map(
          (row): CreditRow => ({
            key: String(row.key),
            touches: Number(row.touches),
            conversions: Number(row.conversions),
            revenue: Number(row.conversion_revenue),
            credit: positional.map((_, m) => Number(row[`credit_${m}`])),
            creditedRevenue: positional.map((_, m) => Number(row[`credited_revenue_${m}`])),
          }),
        );
  const costSql = adCostSql(query.by);
  const costs = new Map<string, number>();
  if (costSql !== null) {
    for (const row of await analytics.query<{ key: string; cost: number }>(costSql, params)) costs.set(row.key, Number(row.cost));
  }

  const credited = new Map(creditRows.map((row) => [row.key, row]));
  const keys = new Map<string, KeyCredit>();
  for (const key of new Set([...credited.keys(), ...costs.keys(), ...(markov?.credit.keys() ?? [])])) {
    const row = credited.get(key);
    keys.set(key, {
      key,
      touches: row?.touches ?? 0,
      cost: costSql === null ? null : (costs.get(key) ?? null),
      models: models.map((model) => {
        if (model === 'markov') {
          if (key === NO_TOUCH_KEY) return { conversions: row?.conversions ?? 0, revenue: row?.revenue ?? 0 };
          return markov?.credit.get(key) ?? { conversions: 0, revenue: 0, removalEffect: 0 };
        }
        const m = positional.indexOf(model);
        return { conversions: row?.credit[m] ?? 0, revenue: row?.creditedRevenue[m] ?? 0 };
      }),
    });
  }
  const sum = (of: (row: CreditRow) => number) => creditRows.reduce((total, row) => total + of(row), 0);
  const totals: AttributionTotals = {
    conversions: sum((row) => row.conversions),
    revenue: sum((row) => row.revenue),
    touches: sum((row) => row.touches),
    cost: costSql === null ? null : [...costs.values()].reduce((total, cost) => total + cost, 0),
  };
  return { keys, totals };
}

/** The query's period, once the fields the schema checks hold (a query built in code skips the schema). */
function checkQuery(query: AttributionQuery, stages: readonly string[]): { from: Date; to: Date } {
  const issues: { path: string; message: string }[] = [];
  if (!attributionModels.includes(query.model)) issues.push({ path: 'model', message: `model must be one of ${attributionModels.join(', ')}` });
  if (!stages.includes(query.conversion)) issues.push({ path: 'conversion', message: `conversion must be a lifecycle stage: one of ${stages.join(', ')}` });
  if (!attributionKeys.includes(query.by)) issues.push({ path: 'by', message: `by must be one of ${attributionKeys.join(', ')}` });
  for (const field of ['lookbackDays', 'halfLifeDays'] as const) {
    if (!(query[field] > 0)) issues.push({ path: field, message: `${field} must be more than 0 days` });
  }
  if (issues.length > 0) throw new ValidationError('invalid attribution query', issues);
  return periodOf(query);
}


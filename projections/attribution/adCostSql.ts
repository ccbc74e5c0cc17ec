import type { QueryParams } from '../../services/ports/index.ts';
import type { AttributionKey } from './attributionQuery.ts';

/** Spend whose (source, medium) no touch ever carried: it has no channel. */
export const UNMAPPED_COST_KEY = '(unmapped cost)';

/**
 * Ad spend per key over the days that start in [from, to) (ad_costs FINAL: a corrected report
 * replaces the earlier one). Costs are keyed by source, medium and campaign, so those group
 * directly; a channel is what the period's touches with the same (source, medium) were
 * classified as (the channel most of them had, ties to the greater name), and spend on a pair no
 * touch of the period carried is `(unmapped cost)`. Content has no cost: null.
 */
export function adCostSql(by: AttributionKey): string | null {
  const costs = 'FROM ad_costs FINAL WHERE day >= {firstDay:Date} AND day < {endDay:Date}';
  switch (by) {
    case 'source':
    case 'medium':
    case 'campaign':
      return `SELECT if(${by} = '', '(none)', ${by}) AS key, sum(cost) AS cost ${costs} GROUP BY key`;
    case 'channel':
      return `WITH
costs AS (SELECT source, medium, sum(cost) AS cost ${costs} GROUP BY source, medium),
channels AS (
    SELECT source, medium, argMax(channel, (touches, channel)) AS channel, 1 AS seen
    FROM (
        SELECT source, medium, toString(channel) AS channel, count() AS touches
        FROM touches
        WHERE occurred_at >= {from:DateTime64(3)} AND occurred_at < {to:DateTime64(3)}
          AND (source, medium) IN (SELECT source, medium FROM costs)
        GROUP BY source, medium, channel
    )
    GROUP BY source, medium
)
SELECT if(ch.seen = 1, if(ch.channel = '', '(none)', ch.channel), '${UNMAPPED_COST_KEY}') AS key, sum(c.cost) AS cost
FROM costs AS c
LEFT JOIN channels AS ch ON c.source = ch.source AND c.medium = ch.medium
GROUP BY key`;
    case 'content':
      return null;
    default: {
      const _exhaustive: never = by;
      return _exhaustive;
    }
  }
}

/** The days whose start lies in [from, to), as [firstDay, endDay). */
export function adCostParams(period: { from: Date; to: Date }): QueryParams {
  return { firstDay: dayStartingAtOrAfter(period.from), endDay: dayStartingAtOrAfter(period.to) };
}

function dayStartingAtOrAfter(at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (day.getTime() < at.getTime()) day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

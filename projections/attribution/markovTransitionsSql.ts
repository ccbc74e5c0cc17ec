import type { AttributionKey } from './attributionQuery.ts';
import { conversionPathsCtes, touchesSql } from './conversionPathsSql.ts';

/**
 * Transition counts of the Markov chain over every lead's path in the period, aggregated in
 * ClickHouse (Node receives one row per distinct transition, not the paths):
 *
 * - a conversion's path is its conversion touches (as for the position models), ending in
 *   (conversion);
 * - a lead with touches in [from, to) and no conversion in the period: those touches, ending in
 *   (null).
 *
 * `from_key` NULL is (start); `to_key` NULL is the end, (conversion) when `converted` = 1. A
 * conversion with no touch is the one row (start) → (conversion): it goes through no key, so the
 * chain leaves it out and it is credited to `(no touch)`. `revenue` sums the converting paths'
 * revenue over the row's transitions, so the rows leaving (start) carry each path's revenue once.
 */
export function markovTransitionsSql(by: AttributionKey): string {
  return `WITH ${conversionPathsCtes(by, [])},
lapsed_paths AS (
    SELECT lead_id, arraySort(groupArray((occurred_at, position, key))) AS path
    FROM (${touchesSql(by, '{from:DateTime64(3)}')})
    WHERE lead_id NOT IN (SELECT lead_id FROM conversions)
    GROUP BY lead_id
)
SELECT from_key, to_key, converted, count() AS transitions, sum(revenue) AS revenue
FROM (
    SELECT arrayMap(x -> toNullable(x.3), path) AS keys, 1 AS converted, revenue FROM conversion_paths
    UNION ALL
    SELECT arrayMap(x -> toNullable(x.3), path) AS keys, 0 AS converted, 0 AS revenue FROM lapsed_paths
)
ARRAY JOIN
    arrayPushFront(keys, NULL) AS from_key,
    arrayPushBack(keys, NULL) AS to_key
GROUP BY from_key, to_key, converted`;
}

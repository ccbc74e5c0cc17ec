import type { QueryParams } from '../../services/ports/index.ts';
import { clickhouseTime } from '../migrate.ts';
import { type Milestone, milestoneStages } from './attributionModels.ts';
import type { AttributionKey, AttributionQuery } from './attributionQuery.ts';

/**
 * The SQL every model starts from, as common table expressions:
 *
 * - `conversions`: one row per lead whose first stage change to the conversion stage or a later
 *   one falls in [from, to): its time and the amount recorded with that change (revenue).
 * - `milestones` (when a model names them): when each converting lead reached the milestone
 *   stages (null: not reached).
 * - `conversion_paths`: the conversions, with their milestones and `path`, the lead's touches
 *   within [converted_at − lookback, converted_at] as (time, position, key) tuples sorted by time
 *   then position (tuples sort field by field); `path` is empty for a conversion with no touch
 *   in its window.
 *
 * Stage ranks are 1-based places in the configured stage list (`indexOf`), so "reached S" is
 * "rank ≥ rank(S)" and stage skipping counts. A milestone stage missing from the list has rank 0,
 * which never matches.
 *
 * Three choices are for speed (each use of a *_resolved view aggregates lead_alias_current, and
 * ClickHouse inlines a CTE at every use): the conversions are computed once, as a scalar
 * subquery (an array the rest of the query reads); milestones are grouped for converting leads
 * only; and touches are narrowed to the owners that can belong to a converting lead before
 * touches_resolved resolves them, so only those go through the alias join.
 */
export function conversionPathsCtes(by: AttributionKey, milestones: readonly Milestone[]): string {
  const carried = milestones.map((milestone) => `,\n           m.${milestoneColumn(milestone)} AS ${milestoneColumn(milestone)}`).join('');
  const milestoneJoin = milestones.length === 0 ? '' : '\n    LEFT JOIN milestones AS m ON m.lead_id = p.lead_id';
  return `${conversionsCtes()},${milestonesCte(milestones)}
conversion_paths AS (
    SELECT p.lead_id AS lead_id, p.converted_at AS converted_at, p.revenue AS revenue${carried}, p.path AS path
    FROM (
        -- RIGHT JOIN: the conversions are the small side ClickHouse builds its hash table from,
        -- and a conversion without touches still comes out (with an empty path).
        SELECT c.lead_id AS lead_id, any(c.converted_at) AS converted_at, any(c.revenue) AS revenue,
               arraySort(groupArrayIf((t.occurred_at, t.position, t.key),
                   t.lead_id != '' AND t.occurred_at >= c.converted_at - toIntervalMillisecond({lookbackMs:UInt64}) AND t.occurred_at <= c.converted_at)) AS path
        FROM (
            ${touchesSql(by, '{scanFrom:DateTime64(3)}')}
              -- Owners that can count for a converting lead: its own stream and any key ever aliased to it.
              AND owner IN (SELECT concat('lead:', lead_id) FROM conversions
                            UNION ALL SELECT key FROM lead_aliases WHERE lead_id IN (SELECT lead_id FROM conversions))
        ) AS t
        RIGHT JOIN conversions AS c ON t.lead_id = c.lead_id
        GROUP BY c.lead_id
    ) AS p${milestoneJoin}
)`;
}

/** `conversion_list` and `conversions` of `conversionPathsCtes`, for queries that build the paths their own way. */
export function conversionsCtes(): string {
  return `conversion_list AS (
    SELECT groupArray((lead_id, converted_at, revenue)) FROM (
        SELECT lead_id, min(occurred_at) AS converted_at, argMin(ifNull(amount, 0), (occurred_at, position)) AS revenue
        FROM stage_changes_resolved
        WHERE indexOf({stages:Array(String)}, to_stage) >= {conversionRank:UInt32}
        GROUP BY lead_id
        HAVING converted_at >= {from:DateTime64(3)} AND converted_at < {to:DateTime64(3)})
),
conversions AS (SELECT c.1 AS lead_id, c.2 AS converted_at, c.3 AS revenue FROM (SELECT arrayJoin((SELECT * FROM conversion_list)) AS c))`;
}

/** When each converting lead first reached each milestone: stage changes, and identification for lead creation. */
function milestonesCte(milestones: readonly Milestone[]): string {
  if (milestones.length === 0) return '';
  const reached = milestones.map((milestone) => `,\n           minIf(occurred_at, ${reachedCondition(milestone)}) AS ${milestoneColumn(milestone)}`).join('');
  // Identification facts are read only when a model needs lead creation.
  const identities = milestones.includes('leadCreation')
    ? `
        UNION ALL
        SELECT lead_id, occurred_at, 0 AS stage_rank, 1 AS identified FROM lead_facts_resolved WHERE kind = 'identity'`
    : '';
  return `
milestones AS (
    SELECT lead_id${reached}
    FROM (
        SELECT lead_id, toNullable(occurred_at) AS occurred_at, indexOf({stages:Array(String)}, to_stage) AS stage_rank, 0 AS identified
        FROM stage_changes_resolved${identities}
    )
    WHERE lead_id IN (SELECT lead_id FROM conversions)
    GROUP BY lead_id
),`;
}

/** Touches of identified leads from `since` to `to`, with the chosen key (`(none)` for an empty value). */
export function touchesSql(by: AttributionKey, since: string): string {
  return `SELECT lead_id, occurred_at, position, ${keyExpression(by)} AS key
        FROM touches_resolved
        WHERE occurred_at >= ${since} AND occurred_at < {to:DateTime64(3)} AND lead_id != ''`;
}

/** The column name holding when a conversion's lead reached a milestone. */
export function milestoneColumn(milestone: Milestone): string {
  return `${milestone.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}_at`;
}

/** The parameters the conversion SQL binds. */
export function conversionParams(query: AttributionQuery, period: { from: Date; to: Date }, stages: readonly string[]): QueryParams {
  const rank = (stage: string) => stages.indexOf(stage) + 1;
  const lookbackMs = Math.round(query.lookbackDays * 86_400_000);
  return {
    stages: [...stages],
    conversionRank: rank(query.conversion),
    leadRank: rank(milestoneStages.leadCreation),
    opportunityRank: rank(milestoneStages.opportunityCreation),
    customerRank: rank(milestoneStages.customerCreation),
    from: clickhouseTime(period.from),
    to: clickhouseTime(period.to),
    scanFrom: clickhouseTime(new Date(Math.max(0, period.from.getTime() - lookbackMs))),
    lookbackMs,
    halfLifeMs: query.halfLifeDays * 86_400_000,
  };
}

/** The key columns are a fixed list, so naming one in SQL is safe; values stay in the data. */
function keyExpression(by: AttributionKey): string {
  return `if(${by} = '', '(none)', ${by})`;
}

function reachedCondition(milestone: Milestone): string {
  switch (milestone) {
    case 'leadCreation':
      // Lead creation: reaching the `lead` stage or the first identification, whichever is earlier.
      return '(({leadRank:UInt32} > 0 AND stage_rank >= {leadRank:UInt32}) OR identified = 1)';
    case 'opportunityCreation':
      return '({opportunityRank:UInt32} > 0 AND stage_rank >= {opportunityRank:UInt32})';
    case 'customerCreation':
      return '({customerRank:UInt32} > 0 AND stage_rank >= {customerRank:UInt32})';
    default: {
      const _exhaustive: never = milestone;
      return _exhaustive;
    }
  }
}

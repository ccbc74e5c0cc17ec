import type { Analytics } from '../../services/ports/index.ts';
import { clickhouseTime } from '../migrate.ts';
import { type FunnelGroupBy, type FunnelQueryInput, parseFunnelQuery, parseInstant } from './funnelQueries.ts';
import { funnelStages } from './funnelStages.ts';
import { REACHED_AT_SQL, daysBetweenSql } from './leadStagesSql.ts';

/** One stage of a funnel: how many leads reached it, and how many of them went on. */
export interface FunnelStageFigures {
  readonly stage: string;
  /** Leads that reached this stage or a later one. */
  readonly reached: number;
  /** Of those, the leads that reached the next stage (or a later one); null at the last stage. */
  readonly reachedNext: number | null;
  /** reachedNext / reached; null at the last stage or when no lead reached this one. */
  readonly rateToNext: number | null;
  /** Of those, the leads that reached the last (won) stage. */
  readonly reachedCustomer: number;
  /** reachedCustomer / reached; null when no lead reached this stage. */
  readonly rateToCustomer: number | null;
  /** Median days from reaching this stage to reaching the next, over the leads that did; null when none did. */
  readonly medianDaysToNext: number | null;
}

/** A funnel over a set of leads: a cohort's, one channel's or owner's part of it, or the team's. */
export interface FunnelSegment {
  /** The first-touch channel or owner; null for every lead of the cohort (and for the team). */
  readonly group: string | null;
  /** Leads in the segment (all reached the first stage). */
  readonly leads: number;
  readonly stages: readonly FunnelStageFigures[];
}

/** One stage-to-next rate of a rep next to the team's. */
export interface OwnerStageComparison {
  readonly stage: string;
  readonly nextStage: string;
  /** The rep's leads that reached `stage`: the rate's sample. */
  readonly reached: number;
  readonly rateToNext: number | null;
  readonly teamRateToNext: number | null;
  /** rateToNext − teamRateToNext; negative: the rep moves a smaller share on than the team. */
  readonly difference: number | null;
  /** This is the stage where the rep is furthest below the team. */
  readonly furthestBelowTeam: boolean;
}

/** A rep's stage-to-stage rates against the team's, in the owner view. */
export interface OwnerComparison {
  /** The owner id, or `(unassigned)`. */
  readonly owner: string;
  readonly leads: number;
  /** Every stage but the last, in order. */
  readonly stages: readonly OwnerStageComparison[];
  /** The stage whose rate to the next is furthest below the team's; null when none is below. */
  readonly furthestBelowTeam: string | null;
}

export interface FunnelCohort {
  /** `2026-01` for the leads that entered the funnel that month; `all` for every selected cohort together. */
  readonly cohort: string;
  /** Every lead of the cohort. */
  readonly total: FunnelSegment;
  /** By first-touch channel or by owner, most leads first; empty when not grouped. */
  readonly groups: readonly FunnelSegment[];
  /** Owner view: the leads that have an owner, pooled; null otherwise. */
  readonly team: FunnelSegment | null;
  /** Owner view: each owner's rates next to the team's, in the order of `groups`. */
  readonly owners: readonly OwnerComparison[];
}

export interface FunnelReport {
  readonly stages: readonly string[];
  /** The last stage, the one `reachedCustomer` counts. */
  readonly customerStage: string;
  readonly groupBy: FunnelGroupBy;
  /** The first and last cohort months selected (`2026-01`), null when open. */
  readonly from: string | null;
  readonly to: string | null;
  /** Month by month, oldest first; months with no lead are absent. */
  readonly cohorts: readonly FunnelCohort[];
  /** Every selected cohort together. */
  readonly allCohorts: FunnelCohort;
}

export interface FunnelOptions {
  /** The ordered lifecycle stages (LeadSettings.stages); default subscriber … customer. */
  readonly stages?: readonly string[];
}

/**
 * The funnel by cohort month: per stage, the leads that reached it, the share that reached the
 * next stage and the last (customer) stage, and the median days to the next stage; split by
 * first-touch channel or by owner when asked, the owner view with each rep's rates next to the
 * team's. Everything is counted in ClickHouse; one query, a few rows per cohort and group back.
 *
 *   const report = await funnel(analytics, { from: '2026-01-01', to: '2026-06-30', groupBy: 'owner' }, { stages: settings.stages });
 */
export async function funnel(analytics: Analytics, input: FunnelQueryInput, options: FunnelOptions = {}): Promise<FunnelReport> {
  const query = parseFunnelQuery(input);
  const stages = funnelStages(options.stages);
  const from = query.from === undefined ? null : monthStart(parseInstant(query.from)!, 0);
  const to = query.to === undefined ? null : monthStart(parseInstant(query.to)!, 0);
  const rows = await analytics.query<FunnelRow>(funnelSql(query.groupBy), {
    stages,
    cohortsFrom: clickhouseTime(from ?? EARLIEST),
    cohortsBefore: clickhouseTime(to === null ? LATEST : monthStart(to, 1)),
  });
  const report = reportOf(rows, stages, query.groupBy);
  return { stages, customerStage: stages[stages.length - 1]!, groupBy: query.groupBy, from: from && monthName(from), to: to && monthName(to), ...report };
}

// The range of DateTime64(3): no bound.
const EARLIEST = new Date('1900-01-01T00:00:00.000Z');
const LATEST = new Date('2299-12-31T23:59:59.999Z');

function monthStart(at: Date, monthsLater: number): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + monthsLater, 1));
}

function monthName(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/**
 * How a grouping finds each lead's group, and which segments a (month, group) rolls up into:
 * every lead counts for its cohort's total; grouped, for its group; in the owner view, an
 * assigned lead counts for the team as well. Constant SQL chosen by an enum, never user text.
 */
const groupings: Readonly<Record<FunnelGroupBy, { readonly with: string; readonly join: string; readonly group: string; readonly segments: string }>> = {
  none: { with: '', join: '', group: `''`, segments: `[('total', '')]` },
  channel: {
    // First touch: the lead's earliest touch, whenever it came; position breaks ties in store order.
    with: `first_touch AS (
      SELECT lead_id, argMin(channel, (occurred_at, position)) AS channel
      FROM touches_resolved
      WHERE lead_id != ''
      GROUP BY lead_id
    ),`,
    join: 'LEFT JOIN first_touch AS t ON t.lead_id = r.lead_id',
    group: `if(t.lead_id = '', '(none)', toString(t.channel))`,
    segments: `[('total', ''), ('group', grp)]`,
  },
  owner: {
    with: '',
    join: 'LEFT JOIN (SELECT lead_id, owner_id FROM leads_current) AS o ON o.lead_id = r.lead_id',
    group: `if(o.owner_id = '', '(unassigned)', o.owner_id)`,
    segments: `if(grp = '(unassigned)', [('total', ''), ('group', grp)], [('total', ''), ('group', grp), ('team', '')])`,
  },
};

/**
 * The funnel query. Leads are aggregated once per (cohort month, group) into mergeable states
 * (counts per stage and the exact median's samples), and those few rows are merged into the
 * segments: each month, every selected month together (`all`), totals, groups and the team.
 * `join_use_nulls = 0` is said, not assumed: a lead without a touch or an owner joins as ''.
 */
export function funnelSql(groupBy: FunnelGroupBy): string {
  const grouping = groupings[groupBy];
  return `
WITH
  length({stages:Array(String)}) AS n,
  lead_reach AS (
    SELECT lead_id, ${REACHED_AT_SQL} AS reached_at
    FROM stage_changes_resolved
    WHERE has({stages:Array(String)}, to_stage)
    GROUP BY lead_id
  ),
  ${grouping.with}
  lead_rows AS (
    -- The cohort: the month the lead first reached the first stage, which is the month of its
    -- earliest change to any listed stage.
    SELECT toStartOfMonth(r.reached_at[1]) AS cohort_month,
           ${grouping.group} AS grp,
           length(r.reached_at) AS stages_reached,
           arrayMap(k -> ${daysBetweenSql('r.reached_at[k]', 'r.reached_at[k + 1]')}, range(1, stages_reached)) AS days_to_next
    FROM lead_reach AS r
    ${grouping.join}
    WHERE r.reached_at[1] >= {cohortsFrom:DateTime64(3, 'UTC')} AND r.reached_at[1] < {cohortsBefore:DateTime64(3, 'UTC')}
  ),
  month_segments AS (
    SELECT cohort_month, grp,
           sumForEachState(arrayWithConstant(stages_reached, toUInt64(1))) AS reached_state,
           quantileExactInclusiveForEachState(0.5)(days_to_next) AS days_state
    FROM lead_rows
    GROUP BY cohort_month, grp
  ),
  segments AS (
    SELECT cohort, segment.1 AS kind, segment.2 AS name,
           arrayResize(sumForEachMerge(reached_state), n, toUInt64(0)) AS reached,
           quantileExactInclusiveForEachMerge(0.5)(days_state) AS days_medians
    FROM month_segments
    ARRAY JOIN [formatDateTime(cohort_month, '%Y-%m'), 'all'] AS cohort
    ARRAY JOIN ${grouping.segments} AS segment
    GROUP BY cohort, kind, name
  ),
  figures AS (
    -- Exact figures; rounded only in the final SELECT, whose rounded columns take other names.
    SELECT cohort, kind, name, reached,
           arrayMap(k -> if(k < n, reached[k + 1], NULL), range(1, n + 1)) AS reached_next,
           arrayMap(k -> if(k < n AND reached[k] > 0, reached[k + 1] / reached[k], NULL), range(1, n + 1)) AS exact_rate_to_next,
           reached[n] AS reached_customer,
           arrayMap(k -> if(reached[k] > 0, reached[n] / reached[k], NULL), range(1, n + 1)) AS exact_rate_to_customer,
           -- A median exists for stage k when some lead of the segment reached stage k + 1.
           arrayMap(k -> if(k <= length(days_medians), days_medians[k], NULL), range(1, n + 1)) AS exact_median_days
    FROM segments
  ),
  compared AS (
    -- The team's rates beside every row of its cohort; the owner view reads them on group rows.
    SELECT *,
           arrayResize(anyIf(exact_rate_to_next, kind = 'team') OVER (PARTITION BY cohort), n, NULL) AS exact_team_rate_to_next,
           arrayMap((own, team) -> if(own IS NULL OR team IS NULL, NULL, own - team), exact_rate_to_next, exact_team_rate_to_next) AS exact_difference,
           arrayMin(arrayMap(d -> ifNull(d, inf), exact_difference)) AS lowest_difference,
           if(kind = 'group' AND lowest_difference < 0, {stages:Array(String)}[indexOf(exact_difference, lowest_difference)], NULL) AS furthest_below_team
    FROM figures
  )
SELECT cohort, kind, name, reached, reached_next,
       arrayMap(x -> round(x, 4), exact_rate_to_next) AS rate_to_next,
       reached_customer,
       arrayMap(x -> round(x, 4), exact_rate_to_customer) AS rate_to_customer,
       arrayMap(x -> round(x, 2), exact_median_days) AS median_days_to_next,
       arrayMap(x -> round(x, 4), exact_team_rate_to_next) AS team_rate_to_next,
       arrayMap(x -> round(x, 4), exact_difference) AS difference,
       furthest_below_team
FROM compared
ORDER BY cohort = 'all', cohort, indexOf(['total', 'team', 'group'], kind), reached[1] DESC, name
SETTINGS join_use_nulls = 0`;
}

interface FunnelRow {
  readonly cohort: string;
  readonly kind: 'total' | 'team' | 'group';
  readonly name: string;
  readonly reached: readonly number[];
  readonly reached_next: readonly (number | null)[];
  readonly rate_to_next: readonly (number | null)[];
  readonly reached_customer: number;
  readonly rate_to_customer: readonly (number | null)[];
  readonly median_days_to_next: readonly (number | null)[];
  readonly team_rate_to_next: readonly (number | null)[];
  readonly difference: readonly (number | null)[];
  readonly furthest_below_team: string | null;
}

/** Rows (already counted, ordered: month cohorts, then `all`) into the report's shape. */
function reportOf(rows: readonly FunnelRow[], stages: readonly string[], groupBy: FunnelGroupBy): Pick<FunnelReport, 'cohorts' | 'allCohorts'> {
  const cohorts = new Map<string, FunnelRow[]>();
  for (const row of rows) {
    const list = cohorts.get(row.cohort) ?? [];
    list.push(row);
    cohorts.set(row.cohort, list);
  }
  const cohortOf = (cohort: string, cohortRows: readonly FunnelRow[]): FunnelCohort => {
    const total = cohortRows.find((row) => row.kind === 'total');
    const team = cohortRows.find((row) => row.kind === 'team');
    const groups = cohortRows.filter((row) => row.kind === 'group');
    return {
      cohort,
      total: total ? segmentOf(total, null, stages) : emptySegment(stages),
      groups: groups.map((row) => segmentOf(row, row.name, stages)),
      team: groupBy !== 'owner' ? null : team ? segmentOf(team, null, stages) : emptySegment(stages),
      owners: groupBy === 'owner' ? groups.map((row) => comparisonOf(row, stages)) : [],
    };
  };
  const months = [...cohorts].filter(([cohort]) => cohort !== 'all');
  return {
    cohorts: months.map(([cohort, cohortRows]) => cohortOf(cohort, cohortRows)),
    allCohorts: cohortOf('all', cohorts.get('all') ?? []),
  };
}

function segmentOf(row: FunnelRow, group: string | null, stages: readonly string[]): FunnelSegment {
  return {
    group,
    leads: row.reached[0] ?? 0,
    stages: stages.map((stage, k) => ({
      stage,
      reached: row.reached[k] ?? 0,
      reachedNext: row.reached_next[k] ?? null,
      rateToNext: row.rate_to_next[k] ?? null,
      reachedCustomer: row.reached_customer,
      rateToCustomer: row.rate_to_customer[k] ?? null,
      medianDaysToNext: row.median_days_to_next[k] ?? null,
    })),
  };
}

/** No lead in the selection: every count 0, every rate and median null. */
function emptySegment(stages: readonly string[]): FunnelSegment {
  return {
    group: null,
    leads: 0,
    stages: stages.map((stage, k) => ({
      stage,
      reached: 0,
      reachedNext: k < stages.length - 1 ? 0 : null,
      rateToNext: null,
      reachedCustomer: 0,
      rateToCustomer: null,
      medianDaysToNext: null,
    })),
  };
}

function comparisonOf(row: FunnelRow, stages: readonly string[]): OwnerComparison {
  return {
    owner: row.name,
    leads: row.reached[0] ?? 0,
    stages: stages.slice(0, -1).map((stage, k) => ({
      stage,
      nextStage: stages[k + 1]!,
      reached: row.reached[k] ?? 0,
      rateToNext: row.rate_to_next[k] ?? null,
      teamRateToNext: row.team_rate_to_next[k] ?? null,
      difference: row.difference[k] ?? null,
      furthestBelowTeam: row.furthest_below_team === stage,
    })),
    furthestBelowTeam: row.furthest_below_team,
  };
}

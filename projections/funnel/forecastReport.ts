import type { Analytics } from '../../services/ports/index.ts';
import { clickhouseTime } from '../migrate.ts';
import { type ForecastGroupBy, type ForecastQueryInput, parseForecastQuery, parseInstant } from './funnelQueries.ts';
import { funnelStages } from './funnelStages.ts';
import { REACHED_AT_SQL } from './leadStagesSql.ts';

/** One open stage of the pipeline: its open leads × the measured rate × the average deal. */
export interface ForecastStage {
  readonly stage: string;
  /** Leads whose latest stage change (before asOf) was to this stage, not unqualified. */
  readonly openLeads: number;
  /** Of the leads that reached this stage in the window, the share that reached the customer stage by asOf; null when none reached it. */
  readonly stageToCustomerRate: number | null;
  /** The leads the rate is measured on: those that reached this stage in the window. */
  readonly sampleSize: number;
  /** Of those, the ones that reached the customer stage. */
  readonly sampleReachedCustomer: number;
  /** sampleSize is under minSampleSize: the rate is shown, but it is a rough guide. */
  readonly smallSample: boolean;
  /** The window's average deal (the same for every stage); null when no deal in the window had an amount. */
  readonly averageDealAmount: number | null;
  /** openLeads × stageToCustomerRate; 0 with no open lead, null when there are open leads but no rate. */
  readonly expectedCustomers: number | null;
  /** expectedCustomers × averageDealAmount; null when either is. */
  readonly expectedRevenue: number | null;
}

export interface ForecastTotals {
  readonly openLeads: number;
  /** Summed over the stages that have a rate. */
  readonly expectedCustomers: number;
  /** expectedCustomers × averageDealAmount; null when there is no average deal. */
  readonly expectedRevenue: number | null;
  /** Stages with open leads but no lead in the window to measure a rate on: left out of the totals. */
  readonly stagesWithoutRate: readonly string[];
}

/** The whole pipeline (owner null) or one owner's open leads, every stage but the customer stage. */
export interface ForecastSegment {
  /** The owner id or `(unassigned)`; null for the whole pipeline. */
  readonly owner: string | null;
  readonly stages: readonly ForecastStage[];
  readonly totals: ForecastTotals;
}

export interface ForecastReport {
  /** The instant the forecast stands at (ISO); stage changes before it count. */
  readonly asOf: string;
  readonly windowDays: number;
  /** asOf − windowDays: rates and the average deal are measured on [windowStart, asOf). */
  readonly windowStart: string;
  /** The won stage the rates lead to (the last of the stages). */
  readonly customerStage: string;
  readonly minSampleSize: number;
  readonly groupBy: ForecastGroupBy;
  readonly averageDealAmount: number | null;
  /** Deals the average is taken over: leads that reached the customer stage in the window with an amount. */
  readonly dealSampleSize: number;
  readonly smallDealSample: boolean;
  /** The currencies those amounts were recorded in; amounts are averaged as recorded, not converted. */
  readonly dealCurrencies: readonly string[];
  readonly total: ForecastSegment;
  /** With groupBy owner: each owner's open leads at the team's rates, most open leads first; else empty. */
  readonly owners: readonly ForecastSegment[];
  /** Plain-language notes on small samples and missing rates, one per problem. */
  readonly warnings: readonly string[];
}

export interface ForecastOptions {
  /** The ordered lifecycle stages (LeadSettings.stages), the won stage last; default subscriber … customer. */
  readonly stages?: readonly string[];
  /** The default asOf. */
  readonly now: Date;
}

const DAY_MS = 86_400_000;

/**
 * Expected customers and revenue from the open pipeline: open leads in each stage × the
 * stage-to-customer rate measured on the leads that reached that stage in the trailing window ×
 * the window's average deal amount. Rates come from what leads did, not from probabilities reps
 * type in; a rate measured on fewer than `minSampleSize` leads is flagged, not hidden. By owner,
 * each owner's open leads are valued at the team's rates (one rep's sample is too small to trust).
 *
 *   const report = await forecast(analytics, { windowDays: 90, groupBy: 'owner' }, { stages: settings.stages, now: clock.now() });
 */
export async function forecast(analytics: Analytics, input: ForecastQueryInput, options: ForecastOptions): Promise<ForecastReport> {
  const query = parseForecastQuery(input);
  const stages = funnelStages(options.stages);
  const asOf = query.asOf === undefined ? options.now : parseInstant(query.asOf)!;
  const windowStart = new Date(asOf.getTime() - query.windowDays * DAY_MS);
  const rows = await analytics.query<ForecastRow>(forecastSql(query.groupBy), {
    stages,
    asOf: clickhouseTime(asOf),
    windowStart: clickhouseTime(windowStart),
    minSampleSize: query.minSampleSize,
  });
  const customerStage = stages[stages.length - 1]!;
  // The whole pipeline's row comes first, always there (GROUPING SETS' empty set, or no GROUP BY).
  const [pipeline, ...owners] = rows;
  if (pipeline === undefined || pipeline.owner !== null) throw new Error('forecast: the query returned no whole-pipeline row');
  const total = segmentOf(pipeline, stages);
  return {
    asOf: asOf.toISOString(),
    windowDays: query.windowDays,
    windowStart: windowStart.toISOString(),
    customerStage,
    minSampleSize: query.minSampleSize,
    groupBy: query.groupBy,
    averageDealAmount: pipeline.average_deal,
    dealSampleSize: pipeline.deal_sample_size,
    smallDealSample: pipeline.small_deal_sample === 1,
    dealCurrencies: pipeline.deal_currencies,
    total,
    owners: owners.map((row) => segmentOf(row, stages)),
    warnings: warningsOf(total, pipeline, customerStage, query),
  };
}

/**
 * The forecast query, one pass over the leads. `lead_stages` is every lead as it stood at asOf
 * (changes before it only); `segments` counts, per stage, the open leads, the leads that reached
 * it in the window and those that went on to the customer stage, and the window's deals: for
 * the whole pipeline and, grouped, per owner (GROUPING SETS; the whole-pipeline row exists even
 * when there is no lead at all).
 */
export function forecastSql(groupBy: ForecastGroupBy): string {
  const split =
    groupBy === 'owner'
      ? { owner: 'if(grouping(lead_owner) = 1, NULL, lead_owner)', groupBy: 'GROUP BY GROUPING SETS ((lead_owner), ())' }
      : { owner: 'CAST(NULL, \'Nullable(String)\')', groupBy: '' };
  return `
WITH
  length({stages:Array(String)}) AS n,
  lead_stages AS (
    SELECT lead_id,
           ${REACHED_AT_SQL} AS reached_at,
           -- Where the lead is: the stage of its latest change (0 when that stage is not listed).
           argMax(indexOf({stages:Array(String)}, to_stage), (occurred_at, position)) AS current_stage,
           -- The amount and currency recorded with the change that first reached the customer stage,
           -- a NULL amount kept as NULL (the tuple stops argMin from skipping it).
           argMinIf((amount, currency), (occurred_at, position), to_stage = {stages:Array(String)}[n]) AS deal,
           -- A deal of the window: the customer stage reached in it, with an amount.
           length(reached_at) = n AND reached_at[n] >= {windowStart:DateTime64(3, 'UTC')} AND deal.1 IS NOT NULL AS is_deal
    FROM stage_changes_resolved
    WHERE occurred_at < {asOf:DateTime64(3, 'UTC')}
    GROUP BY lead_id
  ),
  lead_rows AS (
    SELECT s.reached_at AS reached_at, s.current_stage AS current_stage, s.deal AS deal, s.is_deal AS is_deal,
           if(c.owner_id = '', '(unassigned)', c.owner_id) AS lead_owner,
           -- Open: in a listed stage before the customer stage, and not unqualified.
           s.current_stage BETWEEN 1 AND n - 1 AND c.status != 'unqualified' AS is_open
    FROM lead_stages AS s
    LEFT JOIN (SELECT lead_id, owner_id, status FROM leads_current) AS c ON c.lead_id = s.lead_id
  ),
  segments AS (
    SELECT ${split.owner} AS owner,
           arrayResize(sumForEachIf(arrayMap(k -> toUInt64(k = current_stage), range(1, n)), is_open), n - 1, toUInt64(0)) AS open_leads,
           -- Per stage, the leads that reached it in the window, and those of them that reached the customer stage.
           arrayResize(sumForEach(arrayMap(at -> toUInt64(at >= {windowStart:DateTime64(3, 'UTC')}), reached_at)), n - 1, toUInt64(0)) AS sample_size,
           arrayResize(sumForEach(arrayMap(at -> toUInt64(at >= {windowStart:DateTime64(3, 'UTC')} AND length(reached_at) = n), reached_at)), n - 1, toUInt64(0)) AS converted,
           countIf(is_deal) AS deal_sample_size,
           if(deal_sample_size = 0, NULL, avgIf(deal.1, is_deal)) AS average_deal,
           arraySort(groupUniqArrayIf(deal.2, is_deal)) AS deal_currencies
    FROM lead_rows
    ${split.groupBy}
  ),
  forecast AS (
    -- Rates and the average deal are always the whole pipeline's (the row without an owner), on
    -- every row: one owner's own sample would be too small to value its leads by.
    -- Exact figures; rounded only in the final SELECT, whose rounded columns take other names.
    SELECT owner, open_leads,
           anyIf(segments.sample_size, owner IS NULL) OVER () AS sample_size,
           anyIf(segments.converted, owner IS NULL) OVER () AS converted,
           anyIf(segments.average_deal, owner IS NULL) OVER () AS exact_average_deal,
           anyIf(segments.deal_sample_size, owner IS NULL) OVER () AS deal_sample_size,
           anyIf(segments.deal_currencies, owner IS NULL) OVER () AS deal_currencies,
           arrayMap((c, s) -> if(s = 0, NULL, c / s), converted, sample_size) AS exact_rate,
           arrayMap((open, r) -> if(open = 0, 0, open * r), open_leads, exact_rate) AS exact_expected_customers,
           arraySum(arrayMap(e -> ifNull(e, 0), exact_expected_customers)) AS exact_total_expected_customers
    FROM segments
  )
SELECT owner, open_leads, sample_size, converted,
       arrayMap(r -> round(r, 4), exact_rate) AS rate,
       arrayMap(s -> s < {minSampleSize:UInt32}, sample_size) AS small_sample,
       round(exact_average_deal, 2) AS average_deal,
       deal_sample_size, deal_sample_size < {minSampleSize:UInt32} AS small_deal_sample, deal_currencies,
       arrayMap(e -> round(e, 4), exact_expected_customers) AS expected_customers,
       arrayMap(e -> round(e * exact_average_deal, 2), exact_expected_customers) AS expected_revenue,
       arraySum(open_leads) AS total_open_leads,
       round(exact_total_expected_customers, 4) AS total_expected_customers,
       round(exact_total_expected_customers * exact_average_deal, 2) AS total_expected_revenue,
       arrayFilter((stage, open, r) -> open > 0 AND r IS NULL, arrayResize({stages:Array(String)}, n - 1), open_leads, exact_rate) AS stages_without_rate
FROM forecast
ORDER BY owner IS NOT NULL, total_open_leads DESC, owner
SETTINGS join_use_nulls = 0, force_grouping_standard_compatibility = 1`;
}

interface ForecastRow {
  readonly owner: string | null;
  readonly open_leads: readonly number[];
  readonly sample_size: readonly number[];
  readonly converted: readonly number[];
  readonly rate: readonly (number | null)[];
  readonly small_sample: readonly number[];
  readonly average_deal: number | null;
  readonly deal_sample_size: number;
  readonly small_deal_sample: number;
  readonly deal_currencies: readonly string[];
  readonly expected_customers: readonly (number | null)[];
  readonly expected_revenue: readonly (number | null)[];
  readonly total_open_leads: number;
  readonly total_expected_customers: number;
  readonly total_expected_revenue: number | null;
  readonly stages_without_rate: readonly string[];
}

function segmentOf(row: ForecastRow, stages: readonly string[]): ForecastSegment {
  return {
    owner: row.owner,
    stages: stages.slice(0, -1).map((stage, k) => ({
      stage,
      openLeads: row.open_leads[k] ?? 0,
      stageToCustomerRate: row.rate[k] ?? null,
      sampleSize: row.sample_size[k] ?? 0,
      sampleReachedCustomer: row.converted[k] ?? 0,
      smallSample: row.small_sample[k] === 1,
      averageDealAmount: row.average_deal,
      expectedCustomers: row.expected_customers[k] ?? null,
      expectedRevenue: row.expected_revenue[k] ?? null,
    })),
    totals: {
      openLeads: row.total_open_leads,
      expectedCustomers: row.total_expected_customers,
      expectedRevenue: row.total_expected_revenue,
      stagesWithoutRate: row.stages_without_rate,
    },
  };
}

/** What a reader must know before trusting the figures, said in words. */
function warningsOf(total: ForecastSegment, pipeline: ForecastRow, customerStage: string, query: { windowDays: number; minSampleSize: number }): string[] {
  const window = `the last ${query.windowDays} days`;
  const warnings: string[] = [];
  for (const stage of total.stages) {
    if (stage.sampleSize === 0) {
      warnings.push(`${stage.stage}: no lead reached this stage in ${window}, so there is no ${stage.stage}-to-${customerStage} rate${stage.openLeads > 0 ? `; its ${stage.openLeads} open leads are left out of the totals` : ''}`);
    } else if (stage.smallSample) {
      warnings.push(`${stage.stage}: the ${stage.stage}-to-${customerStage} rate is measured on only ${stage.sampleSize} leads (fewer than ${query.minSampleSize}); treat it as a rough guide`);
    }
  }
  if (pipeline.deal_sample_size === 0) warnings.push(`no lead reached ${customerStage} with a deal amount in ${window}, so there is no average deal and no expected revenue`);
  else if (pipeline.small_deal_sample === 1) warnings.push(`the average deal is taken over only ${pipeline.deal_sample_size} deals (fewer than ${query.minSampleSize}); treat expected revenue as a rough guide`);
  if (pipeline.deal_currencies.length > 1) warnings.push(`deal amounts were recorded in several currencies (${pipeline.deal_currencies.join(', ')}) and are averaged as recorded, without conversion`);
  return warnings;
}

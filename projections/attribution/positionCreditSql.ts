import { type Milestone, type NamedPosition, type PositionModelName, milestonesOf, positionModels } from './attributionModels.ts';
import type { AttributionKey } from './attributionQuery.ts';
import { conversionPathsCtes, milestoneColumn } from './conversionPathsSql.ts';

/** Conversions with no touch in their lookback window are credited here, so credit always adds up. */
export const NO_TOUCH_KEY = '(no touch)';

/** One row of the credit query: a key, its conversion touches, and each model's credit. */
export interface CreditRow {
  readonly key: string;
  /** Conversion touches with this key. */
  readonly touches: number;
  /** Conversions counted once each (on their first touch's key, or `(no touch)`): they add up to the number of conversions. */
  readonly conversions: number;
  /** Revenue counted once per conversion, the same way. */
  readonly revenue: number;
  /** Credited conversions and revenue, one entry per model asked for, in that order. */
  readonly credit: readonly number[];
  readonly creditedRevenue: readonly number[];
}

/**
 * The credit of several position models in one pass: conversions and their paths are found
 * once, each model adds a weight array per conversion, and one ARRAY JOIN groups every model's
 * weights by key. A conversion with an empty path becomes one `(no touch)` element of weight 1.
 *
 * Weights of model m on a path of n touches (i = 1..n, sorted by time then position):
 *   raw_i = Σ weight(p) over the named positions p at i
 *         + (i holds no named position ? middle · u_i / Σ_{j holds none} u_j : 0)
 *   w_i   = raw_i / Σ raw
 * with u = 1 (even) or 2^−(t_n − t_i)/halfLife (time decay: the same shares as measuring Δt from
 * the conversion, since the common factor cancels, but the newest touch keeps u = 1 so a very
 * short half-life cannot underflow every weight to zero).
 */
export function positionCreditSql(models: readonly PositionModelName[], by: AttributionKey): string {
  const milestones = milestonesOf(models);
  const positions = new Set<NamedPosition>(models.flatMap((model) => Object.keys(positionModels[model].positions) as NamedPosition[]));
  const indexColumns = [...positions].map((position) => `,\n           ${indexExpression(position)} AS ${indexColumn(position)}`).join('');
  const weightColumns = models.map((model, m) => weightExpressions(model, m)).join('');
  const joined = models.map((_, m) => `,\n    if(n = 0, [1.0], w_${m}) AS weight_${m}`).join('');
  const sums = models.map((_, m) => `,\n       sum(weight_${m}) AS credit_${m}, sum(weight_${m} * revenue) AS credited_revenue_${m}`).join('');
  return `WITH ${conversionPathsCtes(by, milestones)}
SELECT key,
       sum(is_touch) AS touches,
       sum(is_first) AS conversions,
       sum(is_first * revenue) AS conversion_revenue${sums}
FROM (
    SELECT revenue, path,
           length(path) AS n,
           arrayMap(x -> x.1, path) AS times${indexColumns}${weightColumns}
    FROM conversion_paths
)
ARRAY JOIN
    if(n = 0, ['${NO_TOUCH_KEY}'], arrayMap(x -> x.3, path)) AS key,
    if(n = 0, [0], arrayMap(x -> 1, path)) AS is_touch,
    if(n = 0, [1], arrayMap(i -> toUInt8(i = 1), arrayEnumerate(path))) AS is_first${joined}
GROUP BY key`;
}

/** The 1-based index of a named position on the path; 0 when the path has no such touch. */
function indexExpression(position: NamedPosition): string {
  switch (position) {
    case 'first':
      return 'toUInt32(n > 0)';
    case 'last':
      return 'toUInt32(n)';
    case 'leadCreation':
    case 'opportunityCreation':
    case 'customerCreation':
      return milestoneIndex(position);
    default: {
      const _exhaustive: never = position;
      return _exhaustive;
    }
  }
}

/**
 * The last touch at or before the milestone. A milestone reached after the conversion is not on
 * this conversion's path (credit is decided as of the conversion), and one before every touch
 * has no touch: either way the position is absent (index 0).
 */
function milestoneIndex(milestone: Milestone): string {
  const at = milestoneColumn(milestone);
  return `if(isNull(${at}) OR ${at} > converted_at, 0, arrayLastIndex(t -> t <= assumeNotNull(${at}), times))`;
}

function indexColumn(position: NamedPosition): string {
  return `${position.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}_index`;
}

/** Columns `raw_m`, `raw_sum_m` and `w_m` (plus the middle share's) of one model. */
function weightExpressions(model: PositionModelName, m: number): string {
  const { positions, middle, split } = positionModels[model];
  const named = Object.entries(positions) as [NamedPosition, number][];
  const holdsPosition = named.length === 0 ? '0' : named.map(([position]) => `i = ${indexColumn(position)}`).join(' OR ');
  const namedWeight = named.length === 0 ? '0.0' : named.map(([position, weight]) => `${literal(weight)} * (i = ${indexColumn(position)})`).join(' + ');
  const share = split === 'even' ? '1.0' : 'pow(2, -(toUnixTimestamp64Milli(times[n]) - toUnixTimestamp64Milli(times[i])) / {halfLifeMs:Float64})';
  const columns: string[] = [];
  if (middle > 0) {
    columns.push(`arrayMap(i -> if(${holdsPosition}, 0.0, ${share}), arrayEnumerate(times)) AS middle_${m}`);
    columns.push(`arraySum(middle_${m}) AS middle_sum_${m}`);
    columns.push(`arrayMap(i -> ${namedWeight} + if(middle_sum_${m} > 0, ${literal(middle)} * middle_${m}[i] / middle_sum_${m}, 0.0), arrayEnumerate(times)) AS raw_${m}`);
  } else {
    columns.push(`arrayMap(i -> ${namedWeight}, arrayEnumerate(times)) AS raw_${m}`);
  }
  columns.push(`arraySum(raw_${m}) AS raw_sum_${m}`);
  columns.push(`arrayMap(x -> x / raw_sum_${m}, raw_${m}) AS w_${m}`);
  return columns.map((column) => `,\n           ${column}`).join('');
}

/** A model's weight as an SQL number (weights are constants of positionModels, never input). */
function literal(weight: number): string {
  if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`attribution weight must be a non-negative number, not ${weight}`);
  return Number.isInteger(weight) ? `${weight}.0` : String(weight);
}

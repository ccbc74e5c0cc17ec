/**
 * The SQL both reports start from: when each lead first reached each stage, from
 * stage_changes_resolved (a merged lead's changes count for its survivor).
 *
 * `reached_at[k]` is when the lead first reached stage k of `{stages:Array(String)}`: a change
 * to stage r reaches stages 1..r at once (a lead skipping from lead to customer reached mql, sql
 * and opportunity at that change's time too), so each change contributes its time to the first
 * r places of an array and minForEach keeps the earliest per place. The array is as long as the
 * highest stage the lead reached; changes to stages not in the list contribute nothing.
 *
 * One aggregation over the lead's rows, no self-join and no row per stage: it stays a single
 * sorted pass on millions of leads.
 */
export const REACHED_AT_SQL = `minForEach(arrayWithConstant(indexOf({stages:Array(String)}, to_stage), occurred_at))`;

/** Days from one instant to another, with the milliseconds kept (1.5 is a day and a half). */
export function daysBetweenSql(from: string, to: string): string {
  return `(dateDiff('millisecond', ${from}, ${to}) / 86400000)`;
}

import type { Analytics } from '../../services/ports/index.ts';
import type { ScoringModel } from './scoringModel.ts';
import { scoringSql } from './scoringSql.ts';

export interface CalibrationDecile {
  /** 1 = the lowest-scored tenth of the leads at the moment they reached MQL, 10 = the highest. */
  readonly decile: number;
  readonly leads: number;
  readonly minScore: number;
  readonly maxScore: number;
  /** Share of the decile's leads that later reached each stage (stage → 0..1). */
  readonly reached: Readonly<Record<string, number>>;
}

export interface CalibrationReport {
  readonly model: string;
  /** The stage the score is taken at. */
  readonly at: string;
  /** The later stages whose rates are shown. */
  readonly later: readonly string[];
  readonly from: string | null;
  readonly to: string | null;
  readonly leads: number;
  readonly deciles: readonly CalibrationDecile[];
  /** Overall share reaching each later stage: what the deciles should spread around. */
  readonly overall: Readonly<Record<string, number>>;
}

/**
 * Does the model predict anything? Each lead that reached `mql` (or a later stage, first time) in
 * [from, to) is scored as of that moment, with the SQL of the model in force; leads are cut into
 * ten deciles by that score, and for each decile the share that later reached each following stage
 * (sql, opportunity, customer by default) is counted. A useful model shows rates rising with the decile.
 */
export async function scoreCalibration(
  analytics: Analytics,
  model: ScoringModel,
  options: { stages: readonly string[]; freeMailDomains: Iterable<string>; at?: string; from?: Date; to?: Date },
): Promise<CalibrationReport> {
  const at = options.at ?? 'mql';
  const index = options.stages.indexOf(at);
  if (index < 0) throw new Error(`the stage ${at} is not one of the lifecycle stages (${options.stages.join(', ')})`);
  const later = options.stages.slice(index + 1);
  const fromStage = (stage: string) => options.stages.slice(options.stages.indexOf(stage));
  const reachedColumns = later.map((stage, i) => `minIf(occurred_at, has({s${i}:Array(String)}, to_stage)) AS r${i}, countIf(has({s${i}:Array(String)}, to_stage)) > 0 AS h${i}`);
  const params: Record<string, unknown> = { atStages: fromStage(at), freeMail: [...options.freeMailDomains], from: options.from?.toISOString().slice(0, 23).replace('T', ' ') ?? '1970-01-01 00:00:00.000', to: options.to?.toISOString().slice(0, 23).replace('T', ' ') ?? '2200-01-01 00:00:00.000' };
  later.forEach((stage, i) => (params[`s${i}`] = fromStage(stage)));
  const milestones = `
    SELECT lead_id, minIf(occurred_at, has({atStages:Array(String)}, to_stage)) AS at_time${reachedColumns.map((column) => `, ${column}`).join('')}
    FROM stage_changes_resolved
    GROUP BY lead_id
    HAVING countIf(has({atStages:Array(String)}, to_stage)) > 0
       AND at_time >= toDateTime64({from:String}, 3, 'UTC') AND at_time < toDateTime64({to:String}, 3, 'UTC')`;
  const scores = scoringSql(model, `SELECT lead_id, at_time AS as_of FROM (${milestones})`);
  const rows = await analytics.query<Record<string, number>>(
    `WITH m AS (${milestones}),
          s AS (SELECT lead_id, total FROM (${scores})),
          ranked AS (SELECT m.*, s.total AS total, ntile(10) OVER (ORDER BY s.total, m.lead_id) AS decile FROM m INNER JOIN s ON s.lead_id = m.lead_id)
     SELECT decile, count() AS leads, min(total) AS min_score, max(total) AS max_score${later.map((_, i) => `, avg(h${i} AND r${i} >= at_time) AS rate${i}`).join('')}
     FROM ranked GROUP BY decile ORDER BY decile`,
    params,
  );
  const leads = rows.reduce((sum, row) => sum + Number(row.leads), 0);
  const rate = (row: Record<string, number>, i: number) => Math.round(Number(row[`rate${i}`]) * 10_000) / 10_000;
  const deciles = rows.map((row) => ({
    decile: Number(row.decile),
    leads: Number(row.leads),
    minScore: Math.round(Number(row.min_score) * 100) / 100,
    maxScore: Math.round(Number(row.max_score) * 100) / 100,
    reached: Object.fromEntries(later.map((stage, i) => [stage, rate(row, i)])),
  }));
  const overall = Object.fromEntries(
    later.map((stage) => [stage, leads === 0 ? 0 : Math.round((deciles.reduce((sum, d) => sum + d.reached[stage]! * d.leads, 0) / leads) * 10_000) / 10_000]),
  );
  return { model: model.name, at, later, from: options.from?.toISOString() ?? null, to: options.to?.toISOString() ?? null, leads, deciles, overall };
}

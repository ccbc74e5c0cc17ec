import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AnalystSqlLimits, ProjectionStatus, ProjectorService } from '../../../projections/index.ts';
import { forecast, forecastQuerySchema, funnel, funnelQuerySchema } from '../../../projections/funnel/index.ts';
import { parseInstant } from '../../../projections/isoInstant.ts';
import { attribute, attributionModels, compareModels, parseAttributionQuery } from '../../../projections/attribution/index.ts';
import type { AttributionModel } from '../../../projections/attribution/index.ts';
import type { LeadScoring } from '../../../projections/scoring/index.ts';
import { scoreCalibration } from '../../../projections/scoring/index.ts';
import { runAnalystSql, toCsv } from '../../../projections/index.ts';
import type { AdCostService } from '../../ingest/index.ts';
import { ValidationError } from '../../core/index.ts';
import type { Analytics } from '../../ports/index.ts';
import { problemSchema } from '../problem.ts';

export interface AnalyticsRouteDeps {
  readonly analytics: Analytics;
  readonly projections: ProjectorService;
  readonly costs: AdCostService;
  readonly sqlLimits: AnalystSqlLimits;
  /** The ordered lifecycle stages (NUDGE_LIFECYCLE_STAGES). */
  readonly stages: readonly string[];
  readonly scoring: LeadScoring;
  readonly freeMailDomains: Iterable<string>;
  readonly now?: () => Date;
}

const isoInstant = (field: string) =>
  z
    .string()
    .refine((value) => parseInstant(value) !== null, `${field} must be an ISO date (2026-03-01) or date-time (2026-03-01T12:00:00Z)`)
    .optional();

const statusSchema = z
  .object({
    name: z.string(),
    engine: z.string(),
    running: z.boolean().describe('Whether this server is projecting now'),
    generation: z.number().int().describe('Bumped by every rebuild'),
    position: z.number().int().describe('Every event up to this global position is in the tables'),
    head: z.number().int().describe("The event store's newest position"),
    lagEvents: z.number().int().describe('Events appended and not yet in the tables'),
    pending: z.object({ from: z.number().int(), to: z.number().int() }).nullable(),
    updatedAt: z.string().nullable(),
    rows: z.record(z.string(), z.number().int()),
    shards: z
      .array(
        z.object({
          name: z.string().describe('analytics, or analytics-<i>-of-<n> for shard i of n (NUDGE_PROJECTOR_SHARD)'),
          running: z.boolean().describe('Whether this server runs this projector'),
          generation: z.number().int(),
          position: z.number().int().describe("Every event of this shard up to this global position is in the tables"),
          lagEvents: z.number().int(),
          pending: z.object({ from: z.number().int(), to: z.number().int() }).nullable(),
          updatedAt: z.string().nullable(),
        }),
      )
      .readonly()
      .describe('Each projector of the projection; position and lagEvents above are those of the shard furthest behind'),
  })
  .meta({ id: 'ProjectionStatus' });

/** A report whose fields the named document describes: passed through as the domain built it. */
function reportSchema(id: string, description: string) {
  return z.unknown().describe(description).meta({ id });
}

const costRowSchema = z
  .object({
    date: z.string().describe('YYYY-MM-DD (UTC)'),
    source: z.string(),
    medium: z.string().optional(),
    campaign: z.string().optional(),
    cost: z.number(),
    currency: z.string().optional().describe('ISO 4217, default USD'),
    clicks: z.number().int().nullable().optional(),
    impressions: z.number().int().nullable().optional(),
  })
  .passthrough();

/**
 * Analytics: the projection's status and rebuild, analysts' read-only SQL, and ad cost intake.
 *
 *   GET  /v1/analytics/projections            lag and row counts
 *   POST /v1/analytics/projections/rebuild    empty the tables and project the store again
 *   POST /v1/analytics/sql                    {"sql": "SELECT …", "format": "json"|"csv"}
 *   POST /v1/costs                            {"costs": [{date, source, medium, campaign, cost, …}]} or a CSV body (text/csv)
 */
export const analyticsRoutes: FastifyPluginAsyncZod<AnalyticsRouteDeps> = async (app, deps) => {
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 }, (_request, text, done) => done(null, text));

  app.get(
    '/v1/analytics/projections',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Where the ClickHouse projection stands: position, lag behind the event store, rows per table',
        response: { 200: z.object({ projections: z.array(statusSchema) }) },
      },
    },
    async () => ({ projections: [await deps.projections.status()] }),
  );

  app.post(
    '/v1/analytics/projections/rebuild',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Empty the projection tables and project the whole event store again (in the background)',
        description: 'Answers 202 once the tables are empty and the projector has started again from the first event; follow `lagEvents` in GET /v1/analytics/projections.',
        response: { 202: statusSchema },
      },
    },
    async (_request, reply) => {
      await deps.projections.rebuild();
      const status: ProjectionStatus = await deps.projections.status();
      return reply.code(202).send(status);
    },
  );

  app.post(
    '/v1/analytics/sql',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Run a read-only ClickHouse SELECT over the projection tables (docs/analytics.md lists them)',
        description:
          'One SELECT (WITH and UNION allowed; no SETTINGS clause). The engine runs it read-only, with a row cap and a time limit set by the server ' +
          '(NUDGE_SQL_MAX_ROWS, NUDGE_SQL_TIMEOUT_SECONDS). `format: "csv"` answers text/csv.',
        body: z.object({ sql: z.string().min(1).max(100_000), format: z.enum(['json', 'csv']).default('json') }),
        response: {
          200: z.object({
            columns: z.array(z.object({ name: z.string(), type: z.string() })).readonly(),
            rows: z.array(z.array(z.unknown()).readonly()).readonly(),
            truncated: z.boolean().describe('More rows than the cap: the rest were cut'),
            elapsedMs: z.number(),
          }),
          400: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const result = await runAnalystSql(deps.analytics, request.body.sql, deps.sqlLimits);
      if (request.body.format === 'csv') {
        return reply.header('content-type', 'text/csv; charset=utf-8').header('x-truncated', String(result.truncated)).serializer((payload: unknown) => payload as string)
          // CSV bypasses the JSON response schema: it has a serializer of its own, above.
          .send(toCsv(result) as never);
      }
      return result;
    },
  );

  const attributionParams = {
    model: z.string().optional().describe(`One of ${attributionModels.join(', ')} (default linear)`),
    conversion: z.string().optional().describe('A lifecycle stage; a lead converts the first time it reaches it or a later one (default the last stage)'),
    from: z.string().optional().describe('Conversions from (ISO date or date-time; default to − 90 days)'),
    to: z.string().optional().describe('Conversions before (default now)'),
    by: z.string().optional().describe('channel (default), source, medium, campaign or content'),
    lookbackDays: z.string().optional().describe('Touches up to this many days before a conversion count (default 90)'),
    halfLifeDays: z.string().optional().describe('time_decay: the half-life (default 7)'),
  };
  const clock = { now: deps.now ?? (() => new Date()) };

  app.get(
    '/v1/analytics/attribution',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Credit for conversions and revenue by channel, source, medium, campaign or content, under one attribution model',
        description: 'docs/attribution.md defines the models and every field. Conversions without a touch in the window appear under `(no touch)`.',
        querystring: z.object(attributionParams),
        response: { 200: reportSchema('AttributionReport', 'docs/attribution.md describes every field'), 400: problemSchema },
      },
    },
    async (request) => {
      const query = parseAttributionQuery(request.query, { stages: deps.stages, clock });
      return attribute(deps.analytics, query, { stages: deps.stages });
    },
  );

  app.get(
    '/v1/analytics/attribution/compare',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Several attribution models side by side (default all)',
        querystring: z.object({ ...attributionParams, models: z.string().optional().describe('Comma-separated model names (default all)') }),
        response: { 200: reportSchema('AttributionComparison', 'docs/attribution.md describes every field'), 400: problemSchema },
      },
    },
    async (request) => {
      const { models: listed, ...rest } = request.query;
      const models = listed === undefined ? [...attributionModels] : listed.split(',').map((model) => model.trim()).filter((model) => model !== '');
      const unknown = models.filter((model) => !(attributionModels as readonly string[]).includes(model));
      if (unknown.length > 0 || models.length === 0) {
        throw new ValidationError('invalid attribution query', [{ path: 'models', message: `must name models of ${attributionModels.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}` }]);
      }
      const query = parseAttributionQuery(rest, { stages: deps.stages, clock });
      return compareModels(deps.analytics, models as AttributionModel[], query, { stages: deps.stages });
    },
  );

  app.get(
    '/v1/analytics/funnel',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Stage-to-stage conversion by cohort month, optionally by first-touch channel or by owner (with the team average)',
        description: 'docs/funnel-and-forecast.md defines every figure. `from`/`to` pick cohort months; `groupBy` is none, channel or owner.',
        querystring: funnelQuerySchema,
        response: { 200: reportSchema('FunnelReport', 'docs/funnel-and-forecast.md describes every field'), 400: problemSchema },
      },
    },
    async (request) => funnel(deps.analytics, request.query, { stages: deps.stages }),
  );

  app.get(
    '/v1/analytics/forecast',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Open leads per stage × the measured trailing stage-to-customer rate × the trailing average deal',
        description: '`asOf` (default now), `windowDays` (default 180), `groupBy` none or owner, `minSampleSize` (default 20): rates measured on fewer leads are flagged.',
        querystring: forecastQuerySchema,
        response: { 200: reportSchema('ForecastReport', 'docs/funnel-and-forecast.md describes every field'), 400: problemSchema },
      },
    },
    async (request) => forecast(deps.analytics, request.query, { stages: deps.stages, now: (deps.now ?? (() => new Date()))() }),
  );

  app.get(
    '/v1/leads/:id/score',
    {
      schema: {
        tags: ['leads'],
        summary: "A lead's score, rule by rule: what the model read of the lead, each rule's points, the sums and the band",
        description: 'Computed now from the ClickHouse projection with the model in force (or `asOf` a past moment). docs/scoring.md explains the model.',
        params: z.object({ id: z.string().min(1).max(200) }),
        querystring: z.object({ asOf: isoInstant('asOf') }),
        response: { 200: reportSchema('ScoreExplanation', 'docs/scoring.md describes every field'), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => deps.scoring.explain(request.params.id, request.query.asOf === undefined ? (deps.now ?? (() => new Date()))() : parseInstant(request.query.asOf)!),
  );

  app.get(
    '/v1/analytics/scoring/model',
    { schema: { tags: ['analytics'], summary: 'The lead-scoring model in force', response: { 200: reportSchema('ScoringModel', 'docs/scoring.md describes the model file') } } },
    async () => deps.scoring.model,
  );

  app.get(
    '/v1/analytics/scoring/calibration',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Does the score predict anything? Leads by score decile at the time they reached MQL, and the share of each that later reached SQL, opportunity and customer',
        querystring: z.object({ from: isoInstant('from'), to: isoInstant('to'), at: z.string().min(1).max(64).optional().describe('The stage the score is taken at (default mql)') }),
        response: { 200: reportSchema('ScoreCalibration', 'docs/scoring.md explains how to read it'), 400: problemSchema },
      },
    },
    async (request) => {
      const at = request.query.at ?? 'mql';
      if (!deps.stages.includes(at)) throw new ValidationError('invalid calibration query', [{ path: 'at', message: `must be one of the lifecycle stages: ${deps.stages.join(', ')}` }]);
      return scoreCalibration(deps.analytics, deps.scoring.model, {
        stages: deps.stages,
        freeMailDomains: deps.freeMailDomains,
        at,
        ...(request.query.from === undefined ? {} : { from: parseInstant(request.query.from)! }),
        ...(request.query.to === undefined ? {} : { to: parseInstant(request.query.to)! }),
      });
    },
  );

  app.post(
    '/v1/costs',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Record ad spend per day and source/medium/campaign, for ROI in attribution',
        description:
          'JSON `{"costs": [{"date": "2026-03-01", "source": "google", "medium": "cpc", "campaign": "brand", "cost": 120.5, "currency": "USD"}]}` ' +
          'or a CSV body (`Content-Type: text/csv`, header `date,source,medium,campaign,cost[,currency,clicks,impressions]`). ' +
          'All rows or none: a bad row refuses the report, naming each problem. Sending the same report again stores nothing new; ' +
          'a different cost for a date and key already reported replaces it.',
        body: z.union([z.object({ costs: z.array(costRowSchema).max(100_000) }), z.string()]),
        response: { 200: z.object({ stored: z.number().int(), unchanged: z.number().int() }), 400: problemSchema },
      },
    },
    async (request) => (typeof request.body === 'string' ? deps.costs.reportCsv(request.body) : deps.costs.report(request.body.costs)),
  );
};

/**
 * Analytics over HTTP (`app.inject`, a real SQLite store, chDB): projection status and rebuild,
 * read-only SQL (JSON and CSV), and ad cost intake (JSON and CSV, all-or-nothing, idempotent).
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { migrateAnalytics, ProjectorService } from '../../projections/index.ts';
import { buildApp } from '../../services/http/index.ts';
import { LeadScoring, loadScoringModel } from '../../projections/scoring/index.ts';
import { AdCostService } from '../../services/ingest/index.ts';
import type { EventStore } from '../../services/ports/index.ts';
import { analyticsHistory } from '../projections/analyticsHistory.ts';
import { openTestAnalytics } from '../support/analytics.ts';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

let store: EventStore;
let analytics: Awaited<ReturnType<typeof openTestAnalytics>>;
let projections: ProjectorService;
let app: FastifyInstance;

beforeEach(async () => {
  store = createSqliteEventStore({ path: ':memory:' });
  analytics = await openTestAnalytics('http');
  await migrateAnalytics(analytics);
  projections = new ProjectorService({ store, analytics });
  app = await buildApp({
    eventStore: store,
    apiTokens: [TOKEN],
    logger: false,
    version: 'test',
    analytics: {
      analytics,
      projections,
      costs: new AdCostService({ store }),
      sqlLimits: { maxRows: 3, timeoutSeconds: 5 },
      stages: ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'],
      scoring: new LeadScoring({ analytics, store, model: loadScoringModel(), freeMailDomains: ['gmail.com'] }),
      freeMailDomains: ['gmail.com'],
      now: () => new Date('2026-03-01T00:00:00Z'),
    },
  });
});

afterEach(async () => {
  await app.close();
  await analytics.drop();
  await store.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { ...auth, ...headers }, payload: payload as string });

describe('analytics API', () => {
  it('records ad costs from JSON and CSV, once each, and refuses a report with a bad row whole', async () => {
    const costs = [
      { date: '2026-03-01', source: 'google', medium: 'cpc', campaign: 'brand', cost: 120.5 },
      { date: '2026-03-01', source: 'linkedin', medium: 'paid-social', campaign: 'abm', cost: 80, currency: 'eur', clicks: 12, impressions: 4000 },
    ];
    expect((await post('/v1/costs', { costs })).json()).toEqual({ stored: 2, unchanged: 0 });
    expect((await post('/v1/costs', { costs })).json()).toEqual({ stored: 0, unchanged: 2 });

    const csv = 'date,source,medium,campaign,cost,currency,impressions,clicks\n2026-03-02,google,cpc,brand,99.90,USD,1000,40\n';
    expect((await post('/v1/costs', csv, { 'content-type': 'text/csv' })).json()).toEqual({ stored: 1, unchanged: 0 });

    const bad = await post('/v1/costs', 'date,source,medium,campaign,cost\n2026-03-03,google,cpc,brand,12\n2026-13-01,bing,cpc,x,abc\n', { 'content-type': 'text/csv' });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json<{ errors: { path: string }[] }>().errors.map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['line 3.date', 'line 3.cost']));
    const missing = await post('/v1/costs', 'day,medium\n2026-03-03,cpc\n', { 'content-type': 'text/csv' });
    expect(missing.json<{ errors: { message: string }[] }>().errors[0]?.message).toMatch(/needs the columns source, cost/);

    await projections.catchUp();
    // The refused report left nothing behind: its good row (2026-03-03) is not there.
    const sql = await post('/v1/analytics/sql', { sql: 'SELECT day, source, cost, currency FROM ad_costs FINAL ORDER BY day, source' });
    expect(sql.json<{ rows: unknown[][] }>().rows).toEqual([
      ['2026-03-01', 'google', 120.5, 'USD'],
      ['2026-03-01', 'linkedin', 80, 'EUR'],
      ['2026-03-02', 'google', 99.9, 'USD'],
    ]);
  });

  it('answers SQL as JSON or CSV, caps rows, and refuses writes with 400 naming sql', async () => {
    const capped = await post('/v1/analytics/sql', { sql: 'SELECT number AS n FROM numbers(10)' });
    expect(capped.json()).toMatchObject({ columns: [{ name: 'n', type: 'UInt64' }], rows: [[0], [1], [2]], truncated: true });
    const csv = await post('/v1/analytics/sql', { sql: 'SELECT number AS n FROM numbers(2)', format: 'csv' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).toBe('n\r\n0\r\n1\r\n');
    const refused = await post('/v1/analytics/sql', { sql: 'TRUNCATE TABLE touches' });
    expect(refused.statusCode).toBe(400);
    const problem = refused.json<{ errors: { path: string; message: string }[] }>();
    expect(problem.errors[0]?.path).toBe('sql');
    expect(problem.errors[0]?.message).toMatch(/must be a SELECT query/);
    const unauthorised = await app.inject({ method: 'POST', url: '/v1/analytics/sql', payload: { sql: 'SELECT 1' } });
    expect(unauthorised.statusCode).toBe(401);
  });

  it('reports the projection’s lag and rebuilds it', async () => {
    const h = analyticsHistory(store);
    await h.touch('lead:A', '2026-01-01T00:00:00.000Z');
    await h.stage('A', 'lead', '2026-01-02T00:00:00.000Z');
    const before = (await app.inject({ method: 'GET', url: '/v1/analytics/projections', headers: auth })).json<{ projections: { lagEvents: number; running: boolean }[] }>();
    expect(before.projections[0]).toMatchObject({ lagEvents: 2, running: false });
    await projections.catchUp();
    const after = (await app.inject({ method: 'GET', url: '/v1/analytics/projections', headers: auth })).json<{ projections: { lagEvents: number; position: number; rows: Record<string, number> }[] }>();
    expect(after.projections[0]).toMatchObject({ lagEvents: 0, position: 2, rows: { touches: 1, stage_changes: 1 } });
    const rebuilt = await post('/v1/analytics/projections/rebuild', {});
    expect(rebuilt.statusCode).toBe(202);
    expect(rebuilt.json()).toMatchObject({ generation: 2, position: 0, lagEvents: 2, rows: { touches: 0 } });
  });

  it('answers the funnel and the forecast from the projection, and names a bad parameter', async () => {
    const h = analyticsHistory(store);
    await h.stage('A', 'lead', '2026-01-05T00:00:00.000Z');
    await h.stage('A', 'customer', '2026-01-25T00:00:00.000Z', 5_000);
    await h.stage('B', 'lead', '2026-01-06T00:00:00.000Z');
    await h.stage('B', 'opportunity', '2026-01-20T00:00:00.000Z', 8_000);
    await projections.catchUp();
    const funnelReply = await app.inject({ method: 'GET', url: '/v1/analytics/funnel?from=2026-01-01&to=2026-01-31', headers: auth });
    expect(funnelReply.statusCode).toBe(200);
    const body = funnelReply.json<{ allCohorts: { total: { leads: number; stages: { stage: string; reached: number; reachedCustomer: number }[] } } }>();
    expect(body.allCohorts.total.leads).toBe(2);
    const stages = body.allCohorts.total.stages;
    expect(stages.find((stage) => stage.stage === 'lead')).toMatchObject({ reached: 2, reachedCustomer: 1 });
    expect(stages.find((stage) => stage.stage === 'opportunity')).toMatchObject({ reached: 2, reachedCustomer: 1 });

    const forecastReply = await app.inject({ method: 'GET', url: '/v1/analytics/forecast?windowDays=90', headers: auth });
    expect(forecastReply.statusCode).toBe(200);
    // B is open in opportunity; of the two leads that reached opportunity in the window one became
    // a customer (A, a 5,000 deal): 1 × 1/2 × 5,000.
    expect(forecastReply.json()).toMatchObject({ averageDealAmount: 5_000, dealSampleSize: 1, smallDealSample: true, total: { totals: { expectedCustomers: 0.5, expectedRevenue: 2_500 } } });

    const bad = await app.inject({ method: 'GET', url: '/v1/analytics/forecast?windowDays=0', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toMatch(/windowDays/);
  });

  it('explains a lead’s score and calibrates the model', async () => {
    const h = analyticsHistory(store);
    await h.identify('A', '2026-02-01T00:00:00.000Z', [{ kind: 'email', value: 'a@acme.com' }]);
    await h.traits('A', '2026-02-01T00:00:01.000Z', { title: 'Director of IT' });
    await h.touch('lead:A', '2026-02-20T00:00:00.000Z', { name: 'Demo Requested' });
    await h.stage('A', 'mql', '2026-02-21T00:00:00.000Z');
    await projections.catchUp();
    const score = await app.inject({ method: 'GET', url: '/v1/leads/A/score', headers: auth });
    expect(score.statusCode).toBe(200);
    const body = score.json<{ leadId: string; fit: number; band: string; rules: { id: string; points: number }[] }>();
    expect(body).toMatchObject({ leadId: 'A', fit: 25 });
    expect(body.rules.find((rule) => rule.id === 'senior-title')?.points).toBe(20);
    // 40 points nine days before 'now', halving every 30 days.
    expect(body.rules.find((rule) => rule.id === 'demo-request')?.points).toBeCloseTo(40 * 2 ** (-9 / 30), 2);
    expect((await app.inject({ method: 'GET', url: '/v1/leads/nobody/score', headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/leads/A/score?asOf=yesterday', headers: auth })).statusCode).toBe(400);

    const calibration = await app.inject({ method: 'GET', url: '/v1/analytics/scoring/calibration', headers: auth });
    expect(calibration.json()).toMatchObject({ at: 'mql', leads: 1, later: ['sql', 'opportunity', 'customer'] });
    const badStage = await app.inject({ method: 'GET', url: '/v1/analytics/scoring/calibration?at=won', headers: auth });
    expect(badStage.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/analytics/scoring/model', headers: auth })).json()).toMatchObject({ name: 'default B2B model', mqlThreshold: 60 });
  });

  it('attributes conversions by model, compares models, and names a bad parameter', async () => {
    const h = analyticsHistory(store);
    await h.touch('lead:A', '2026-02-01T00:00:00.000Z', { channel: 'paid_search', source: 'google', medium: 'cpc' });
    await h.touch('lead:A', '2026-02-05T00:00:00.000Z', { channel: 'email', source: 'newsletter', medium: 'email' });
    await h.stage('A', 'opportunity', '2026-02-10T00:00:00.000Z', 9_000);
    await h.stage('B', 'opportunity', '2026-02-11T00:00:00.000Z', 1_000);
    await projections.catchUp();
    const first = await app.inject({ method: 'GET', url: '/v1/analytics/attribution?model=first_touch&conversion=opportunity&from=2026-02-01&to=2026-03-01', headers: auth });
    expect(first.statusCode).toBe(200);
    const rows = first.json<{ rows: { key: string; conversions: number; revenue: number }[]; totals: { conversions: number } }>();
    expect(rows.totals.conversions).toBe(2);
    expect(rows.rows).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'paid_search', conversions: 1, revenue: 9_000 }), expect.objectContaining({ key: '(no touch)', conversions: 1, revenue: 1_000 })]),
    );
    const compared = await app.inject({ method: 'GET', url: '/v1/analytics/attribution/compare?models=first_touch,last_touch&conversion=opportunity&from=2026-02-01&to=2026-03-01', headers: auth });
    expect(compared.statusCode).toBe(200);
    const totals = compared.json<{ totals: { models: Record<string, { conversions: number }> } }>().totals.models;
    expect(totals.first_touch?.conversions).toBe(2);
    expect(totals.last_touch?.conversions).toBe(2);
    const badModel = await app.inject({ method: 'GET', url: '/v1/analytics/attribution/compare?models=first_touch,magic', headers: auth });
    expect(badModel.json<{ errors: { path: string; message: string }[] }>().errors[0]).toMatchObject({ path: 'models', message: expect.stringContaining('unknown: magic') as string });
    const badStage = await app.inject({ method: 'GET', url: '/v1/analytics/attribution?conversion=won', headers: auth });
    expect(badStage.statusCode).toBe(400);
    expect(badStage.json<{ errors: { path: string }[] }>().errors[0]?.path).toMatch(/conversion/);
  });
});

/**
 * Journey statistics over HTTP (`app.inject`, a real SQLite store, the real projection): given a
 * published journey and a lead's walk through it, when GET /v1/journeys/:id/stats, then the
 * per-node report; unknown journeys and bad versions refused.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { JourneyService } from '../../journeys/authoring/index.ts';
import { journeyLibraryDir } from '../../journeys/library/index.ts';
import type { JourneyStatsProjection, JourneyStatsReport } from '../../journeys/stats/index.ts';
import { createJourneyStatsProjection } from '../../journeys/stats/index.ts';
import { newEvent, newId } from '../../services/core/index.ts';
import { buildApp } from '../../services/http/index.ts';
import type { EventStore } from '../../services/ports/index.ts';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const JOURNEY = 'webinar-follow-up';

let dir: string;
let store: EventStore;
let stats: JourneyStatsProjection;
let stopStats: AbortController;
let statsRunning: Promise<void>;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-journey-stats-http-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
  stats = createJourneyStatsProjection({ store });
  stopStats = new AbortController();
  statsRunning = stats.run(stopStats.signal);
  app = await buildApp({ eventStore: store, apiTokens: [TOKEN], logger: false, version: 'test', journeyStats: stats });
});

afterEach(async () => {
  await app.close();
  stopStats.abort();
  await statsRunning;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function publishedWebinarJourney(): Promise<void> {
  const journeys = new JourneyService({ store });
  const saved = await journeys.save(readFileSync(join(journeyLibraryDir, 'webinar-follow-up.yaml'), 'utf8'), { format: 'yaml', by: null });
  await journeys.publish(saved.journeyId, saved.version, null);
}

/** lead-1 enters, gets a call suggestion, the rep books a meeting, it exits, then becomes an SQL. */
async function leadWalksThroughACall(): Promise<void> {
  const ids = { journeyId: JOURNEY, version: 1, instanceId: newId() };
  const suggestionId = newId();
  const at = (time: string) => ({ occurredAt: `2026-03-02T${time}:00.000Z` });
  await store.append('lead-1', [
    newEvent({ type: 'JourneyEntered', data: { ...ids, start: 'check-fit', trigger: {} } }, at('10:00')),
    newEvent({ type: 'JourneyStepTaken', data: { ...ids, node: 'check-fit', nodeType: 'branch', next: 'call-now', decision: null, matched: null, suggestionId: null, skipped: null } }, at('10:00')),
    newEvent({ type: 'SuggestionProposed', data: { suggestionId, leadId: '1', ...ids, node: 'call-now' } }, at('10:00')),
    newEvent({ type: 'JourneyStepTaken', data: { ...ids, node: 'call-now', nodeType: 'suggest', next: 'wait-outcome', decision: null, matched: null, suggestionId, skipped: null } }, at('10:00')),
    newEvent({ type: 'JourneyWaitStarted', data: { ...ids, node: 'wait-outcome', kind: 'until', until: 'Suggestion Completed', dueAt: '2026-03-05T10:00:00.000Z' } }, at('10:00')),
    newEvent({ type: 'SuggestionCompleted', data: { suggestionId, by: 'rep-1', outcome: 'meeting_booked', note: null } }, at('15:00')),
    newEvent({ type: 'JourneyStepTaken', data: { ...ids, node: 'wait-outcome', nodeType: 'wait', next: 'done', decision: null, matched: null, suggestionId: null, skipped: null } }, at('15:00')),
    newEvent({ type: 'JourneyExited', data: { ...ids, node: 'done', reason: 'completed', via: 'exit_node', checks: null } }, at('15:00')),
    newEvent({ type: 'LifecycleStageChanged', data: { messageId: 'm-1', from: 'mql', to: 'sql', amount: null, currency: null } }, at('16:00')),
  ]);
}

describe('journey statistics API', () => {
  it('reports each node: visits, leads, the suggestion’s outcome and the stage reached afterwards', async () => {
    await publishedWebinarJourney();
    await leadWalksThroughACall();
    await stats.settled();

    const response = await app.inject({ method: 'GET', url: `/v1/journeys/${JOURNEY}/stats`, headers: auth });

    expect(response.statusCode).toBe(200);
    const report = response.json<JourneyStatsReport & { asOf: { position: number; caughtUp: boolean } }>();
    expect(report).toMatchObject({
      journeyId: JOURNEY,
      version: null,
      versions: [1],
      publishedVersion: 1,
      entries: 1,
      leads: 1,
      refusals: { total: 0, byReason: {} },
      active: 0,
      exits: { total: 1, byReason: { completed: 1 } },
      laterStages: { sql: 1 },
      byVersion: { '1': { entries: 1, active: 0, exits: 1 } },
      asOf: { position: await store.headPosition(), caughtUp: true },
    });
    expect(Object.keys(report.nodes)).toEqual(['check-fit', 'call-now', 'wait-outcome', 'wait-1-day', 'recap-email', 'done']);
    expect(report.nodes['check-fit']).toMatchObject({ type: 'branch', label: 'Worth a call?', visits: 1, leads: 1, laterStages: { sql: 1 } });
    expect(report.nodes['call-now']).toEqual({
      type: 'suggest',
      label: null,
      visits: 1,
      leads: 1,
      exits: { total: 0, byReason: {} },
      suggestions: {
        proposed: 1,
        accepted: 0,
        completed: { total: 1, byOutcome: { meeting_booked: 1 } },
        dismissed: { total: 0, byReason: {} },
        expired: 0,
        snoozed: 0,
        open: 0,
      },
      laterStages: { sql: 1 },
    });
    expect(report.nodes['wait-1-day']).toMatchObject({ type: 'wait', visits: 0, leads: 0 });
    expect(report.nodes.done).toMatchObject({ type: 'exit', visits: 1, exits: { total: 1, byReason: { completed: 1 } } });
  });

  it('reports one version with ?version=, and nothing for a version nobody entered', async () => {
    await publishedWebinarJourney();
    await leadWalksThroughACall();
    await stats.settled();

    const one = await app.inject({ method: 'GET', url: `/v1/journeys/${JOURNEY}/stats?version=1`, headers: auth });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ version: 1, entries: 1 });

    const three = await app.inject({ method: 'GET', url: `/v1/journeys/${JOURNEY}/stats?version=3`, headers: auth });
    expect(three.statusCode).toBe(200);
    expect(three.json()).toMatchObject({ version: 3, versions: [1], entries: 0 });
    expect(three.json<JourneyStatsReport>().nodes).toEqual({});
  });

  it('answers 404 for a journey that has no events at all, and 400 for a version that is not a positive number', async () => {
    await publishedWebinarJourney();

    const missing = await app.inject({ method: 'GET', url: '/v1/journeys/no-such-journey/stats', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ status: 404, code: 'not_found', detail: 'no journey no-such-journey' });

    for (const version of ['0', 'two']) {
      const bad = await app.inject({ method: 'GET', url: `/v1/journeys/${JOURNEY}/stats?version=${version}`, headers: auth });
      expect(bad.statusCode).toBe(400);
    }
  });

  it('needs the API token', async () => {
    const response = await app.inject({ method: 'GET', url: `/v1/journeys/${JOURNEY}/stats` });
    expect(response.statusCode).toBe(401);
  });
});

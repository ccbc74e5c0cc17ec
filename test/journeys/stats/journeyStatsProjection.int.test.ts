/**
 * The journey stats projection over a real SQLite store, fed by the real journey runner: given a
 * published journey and a scripted history, when reps act and leads move on, then the report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../services/core/index.ts';
import { manualClock, newEvent } from '../../../services/core/index.ts';
import type { Checkpoints, EventStore } from '../../../services/ports/index.ts';
import { createCompiledEvaluator } from '../../../infra/rules/index.ts';
import { createSqliteCheckpoints, createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import { createJourneyRunner } from '../../../journeys/runner/index.ts';
import { createJourneyStatsProjection } from '../../../journeys/stats/index.ts';
import type { GivenEvent } from '../journeyScenario.ts';
import { completed, score, stage, touch, traits } from '../journeyScenario.ts';
import { webinarFollowUp } from '../interpreter/webinarFollowUp.fixture.ts';

const JOURNEY = 'webinar-follow-up';

describe('journey stats projection on the SQLite event store', () => {
  let dir: string;
  let store: EventStore;
  let checkpoints: Checkpoints;
  let clock: ManualClock;
  const stops: (() => Promise<void>)[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nudge-journey-stats-'));
    store = createSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
    checkpoints = createSqliteCheckpoints({ path: join(dir, 'checkpoints.db') });
    clock = manualClock('2026-03-02T12:00:00Z');
  });

  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await store.close();
    await checkpoints.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function running<T extends { run(signal: AbortSignal): Promise<void> }>(service: T): T {
    const abort = new AbortController();
    const done = service.run(abort.signal);
    stops.push(async () => {
      abort.abort();
      await done;
    });
    return service;
  }

  async function given(stream: string, event: GivenEvent): Promise<void> {
    await store.append(stream, [newEvent({ type: event.type, data: event.data }, { occurredAt: event.at })]);
  }

  it('reports the runner’s walks, the rep’s completion and the stage reached afterwards, node by node', async () => {
    const document = webinarFollowUp();
    await store.append(`journey-${JOURNEY}`, [
      newEvent({ type: 'JourneyDraftSaved', data: { journeyId: JOURNEY, version: 1, document, source: JSON.stringify(document), savedBy: null } }),
      newEvent({ type: 'JourneyPublished', data: { journeyId: JOURNEY, version: 1, by: null } }),
    ]);
    const runner = running(createJourneyRunner({ store, checkpoints, evaluator: createCompiledEvaluator(), clock, timerIntervalMs: 20 }));
    const stats = running(createJourneyStatsProjection({ store }));
    await stats.caughtUp();

    // lead-1 fits: a call, then a wait for its outcome. lead-2 does not: a two-day wait.
    // lead-3 is outside the countries: never enters. lead-1 attends again: refused.
    await given('lead-1', traits({ country: 'US', firstName: 'Mei' }, '2026-03-01T09:00:00Z'));
    await given('lead-1', score(80, '2026-03-01T09:30:00Z'));
    await given('lead-2', traits({ country: 'SG' }, '2026-03-01T09:00:00Z'));
    await given('lead-3', traits({ country: 'FR' }, '2026-03-01T09:00:00Z'));
    await given('lead-1', touch('Webinar Attended', '2026-03-02T10:00:00Z', { properties: { webinar_title: 'Pricing' } }));
    await given('lead-2', touch('Webinar Attended', '2026-03-02T10:05:00Z'));
    await given('lead-3', touch('Webinar Attended', '2026-03-02T10:10:00Z'));
    await given('lead-1', touch('Webinar Attended', '2026-03-02T11:00:00Z'));
    await runner.settled();
    // lead-2's wait comes due with the wall clock: the recap email is proposed and it exits.
    clock.set('2026-03-04T10:05:01Z');
    await expect.poll(async () => (await store.readStream('lead-2')).filter((event) => event.type === 'JourneyExited').length, { timeout: 5_000 }).toBe(1);

    const [proposed] = (await store.readStream('lead-1')).filter((event) => event.type === 'SuggestionProposed');
    await given('lead-1', completed((proposed!.data as { suggestionId: string }).suggestionId, 'meeting_booked', '2026-03-04T15:00:00Z'));
    await runner.settled();
    await given('lead-1', stage('sql', '2026-03-05T09:00:00Z', 'mql'));
    await stats.settled();

    const report = stats.report(JOURNEY);
    expect(report).toMatchObject({
      versions: [1],
      publishedVersion: 1,
      entries: 2,
      leads: 2,
      refusals: { total: 1, byReason: { already_active: 1 } },
      active: 0,
      exits: { total: 2, byReason: { completed: 2 } },
      laterStages: { sql: 1 },
      byVersion: { '1': { entries: 2, active: 0, exits: 2 } },
    });
    const summary = Object.fromEntries(
      Object.entries(report.nodes).map(([id, node]) => [
        id,
        { visits: node.visits, leads: node.leads, proposed: node.suggestions.proposed, open: node.suggestions.open, laterStages: node.laterStages },
      ]),
    );
    expect(summary).toEqual({
      'check-fit': { visits: 2, leads: 2, proposed: 0, open: 0, laterStages: { sql: 1 } },
      'call-now': { visits: 1, leads: 1, proposed: 1, open: 0, laterStages: { sql: 1 } },
      'wait-outcome': { visits: 1, leads: 1, proposed: 0, open: 0, laterStages: { sql: 1 } },
      'wait-2-days': { visits: 1, leads: 1, proposed: 0, open: 0, laterStages: {} },
      'recap-email': { visits: 1, leads: 1, proposed: 1, open: 1, laterStages: {} },
      done: { visits: 2, leads: 2, proposed: 0, open: 0, laterStages: { sql: 1 } },
    });
    expect(report.nodes['call-now']?.suggestions.completed).toEqual({ total: 1, byOutcome: { meeting_booked: 1 } });
    expect(report.nodes.done?.exits).toEqual({ total: 2, byReason: { completed: 2 } });

    // Rebuilt at start-up: a new projection over the same store reports the same.
    const rebuilt = running(createJourneyStatsProjection({ store }));
    await rebuilt.caughtUp();
    expect(rebuilt.report(JOURNEY)).toEqual(report);
    expect(rebuilt.status()).toEqual({ position: await store.headPosition(), caughtUp: true });
  });

  it('tells a waiter why it will never settle when the projection stopped', async () => {
    const abort = new AbortController();
    const stats = createJourneyStatsProjection({ store });
    const done = stats.run(abort.signal);
    await stats.caughtUp();
    abort.abort();
    await done;
    await given('lead-1', traits({ country: 'US' }, '2026-03-01T09:00:00Z'));

    await expect(stats.settled()).rejects.toThrow('stopped');
  });
});

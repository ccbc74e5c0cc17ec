import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock, RecordedEvent } from '../../../services/core/index.ts';
import { manualClock, newEvent } from '../../../services/core/index.ts';
import type { Checkpoints, EventStore } from '../../../services/ports/index.ts';
import { createCompiledEvaluator } from '../../../infra/rules/index.ts';
import { createSqliteCheckpoints, createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import { JOURNEY_RUNNER_CHECKPOINT, createJourneyRunner, journeyRunnerCheckpoint, leadShard } from '../../../journeys/runner/journeyRunner.ts';
import type { GivenEvent } from '../journeyScenario.ts';
import { completed, touch, traits } from '../journeyScenario.ts';
import { webinarFollowUp } from '../interpreter/webinarFollowUp.fixture.ts';

describe('journey runner on the SQLite event store', () => {
  let dir: string;
  let store: EventStore;
  let checkpoints: Checkpoints;
  let clock: ManualClock;
  const runners: { stop: () => Promise<void> }[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nudge-runner-'));
    store = createSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
    checkpoints = createSqliteCheckpoints({ path: join(dir, 'checkpoints.db') });
    clock = manualClock('2026-03-02T12:00:00Z');
  });

  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    await store.close();
    await checkpoints.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(shard?: { index: number; count: number }) {
    const runner = createJourneyRunner({ store, checkpoints, evaluator: createCompiledEvaluator(), clock, timerIntervalMs: 20, ...(shard ? { shard } : {}) });
    const abort = new AbortController();
    const running = runner.run(abort.signal);
    const handle = {
      runner,
      stop: async () => {
        abort.abort();
        await running;
      },
    };
    runners.push(handle);
    return handle;
  }

  async function publish(document: Record<string, unknown>): Promise<void> {
    const journeyId = String(document.id);
    await store.append(`journey-${journeyId}`, [
      newEvent({ type: 'JourneyDraftSaved', data: { journeyId, version: 1, document, source: JSON.stringify(document), savedBy: null } }),
      newEvent({ type: 'JourneyPublished', data: { journeyId, version: 1, by: null } }),
    ]);
  }

  async function given(stream: string, event: GivenEvent): Promise<void> {
    await store.append(stream, [newEvent({ type: event.type, data: event.data }, { occurredAt: event.at })]);
  }

  const ofType = async (stream: string, type: string): Promise<RecordedEvent[]> => (await store.readStream(stream)).filter((event) => event.type === type);

  it('proposes on the lead stream what the journey decides, and stores its checkpoint', async () => {
    await publish(webinarFollowUp());
    await given('lead-1', traits({ country: 'US', firstName: 'Mei' }, '2026-03-01T09:00:00Z'));
    await given('lead-1', { type: 'LeadScoreChanged', at: '2026-03-01T09:30:00Z', data: { fit: 80, engagement: 10, total: 90, band: 'A' } });
    const { runner } = start();
    await runner.caughtUp();

    await given('lead-1', touch('Webinar Attended', '2026-03-02T10:00:00Z', { properties: { webinar_title: 'Pricing in 2027' } }));
    await runner.settled();

    const proposed = await ofType('lead-1', 'SuggestionProposed');
    expect(proposed.map((event) => (event.data as { title: string }).title)).toEqual(['Call Mei about Pricing in 2027']);
    expect(await checkpoints.get(JOURNEY_RUNNER_CHECKPOINT)).toBe(await store.headPosition());
  });

  it('divides the leads between sharded runners: each lead is decided by exactly one, and together they propose what one runner would', async () => {
    await publish(webinarFollowUp());
    const leads = Array.from({ length: 12 }, (_, i) => `lead-s${i}`);
    for (const [i, stream] of leads.entries()) {
      await given(stream, traits({ country: 'US', firstName: `P${i}` }, '2026-03-01T09:00:00Z'));
      await given(stream, { type: 'LeadScoreChanged', at: '2026-03-01T09:30:00Z', data: { fit: 80, engagement: 10, total: 90, band: 'A' } });
    }
    const shards = [start({ index: 0, count: 2 }), start({ index: 1, count: 2 })];
    await Promise.all(shards.map((shard) => shard.runner.caughtUp()));

    for (const stream of leads) await given(stream, touch('Webinar Attended', '2026-03-02T10:00:00Z', { properties: { webinar_title: 'Pricing in 2027' } }));
    await Promise.all(shards.map((shard) => shard.runner.settled()));

    for (const stream of leads) {
      const proposed = await ofType(stream, 'SuggestionProposed');
      expect(proposed, stream).toHaveLength(1);
    }
    const mine = (index: number) => leads.filter((stream) => leadShard(stream.slice('lead-'.length), 2) === index);
    // Both shards have leads (the hash spreads them), and each runner holds only its own.
    expect(mine(0).length).toBeGreaterThan(0);
    expect(mine(1).length).toBeGreaterThan(0);
    expect(shards.map((shard) => shard.runner.status().leads)).toEqual([mine(0).length, mine(1).length]);
    expect(await checkpoints.get(journeyRunnerCheckpoint({ index: 1, count: 2 }))).toBe(await store.headPosition());
    expect(journeyRunnerCheckpoint({ index: 1, count: 2 })).toBe('journey-runner-2-of-2');
    expect(() => start({ index: 2, count: 2 })).toThrow(/not a shard/);
  });

  it('proposes nothing twice when it runs again over events it already decided (crash before the checkpoint)', async () => {
    await publish(webinarFollowUp());
    await given('lead-1', traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await given('lead-1', { type: 'LeadScoreChanged', at: '2026-03-01T09:30:00Z', data: { fit: 80, engagement: 10, total: 90, band: 'A' } });
    await given('lead-1', touch('Webinar Attended', '2026-03-02T10:00:00Z'));
    const first = start();
    await first.runner.settled();
    await first.stop();
    const before = await store.readStream('lead-1');

    // The crash: the decisions were appended but the checkpoint was not stored.
    await checkpoints.reset(JOURNEY_RUNNER_CHECKPOINT);
    const second = start();
    await second.runner.settled();

    expect((await store.readStream('lead-1')).map((event) => event.id)).toEqual(before.map((event) => event.id));
    expect(await ofType('lead-1', 'SuggestionProposed')).toHaveLength(1);
  });

  it('fires a wait that came due while it was down, late rather than never', async () => {
    await publish(webinarFollowUp());
    await given('lead-1', traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await given('lead-1', touch('Webinar Attended', '2026-03-02T10:00:00Z'));
    const first = start();
    await first.runner.settled();
    expect(await ofType('lead-1', 'JourneyWaitStarted')).toHaveLength(1);
    await first.stop();

    clock.set('2026-03-09T12:00:00Z');
    const second = start();
    await second.runner.caughtUp();
    await second.runner.settled();
    await expect.poll(async () => (await ofType('lead-1', 'SuggestionProposed')).length, { timeout: 5_000 }).toBe(1);
    const [proposed] = await ofType('lead-1', 'SuggestionProposed');
    expect((proposed!.data as { action: string }).action).toBe('email');
    expect(proposed!.metadata.occurredAt).toBe('2026-03-04T10:00:00.000Z');
  });

  it('fires due waits with the wall clock while no event comes for the lead', async () => {
    await publish(webinarFollowUp());
    await given('lead-1', traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    const { runner } = start();
    await given('lead-1', touch('Webinar Attended', '2026-03-02T10:00:00Z'));
    await runner.settled();
    expect(await ofType('lead-1', 'SuggestionProposed')).toHaveLength(0);

    clock.set('2026-03-04T10:00:01Z');
    await expect.poll(async () => (await ofType('lead-1', 'SuggestionProposed')).length, { timeout: 5_000 }).toBe(1);
  });

  it('continues a wait when the rep completes the suggestion, appending after ingestion’s events', async () => {
    await publish(webinarFollowUp());
    await given('lead-1', traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await given('lead-1', { type: 'LeadScoreChanged', at: '2026-03-01T09:30:00Z', data: { fit: 80, engagement: 10, total: 90, band: 'A' } });
    const { runner } = start();
    await given('lead-1', touch('Webinar Attended', '2026-03-02T10:00:00Z'));
    await runner.settled();
    const [proposed] = await ofType('lead-1', 'SuggestionProposed');
    const suggestionId = (proposed!.data as { suggestionId: string }).suggestionId;

    await given('lead-1', completed(suggestionId, 'connected', '2026-03-02T15:00:00Z'));
    await runner.settled();

    const exited = await ofType('lead-1', 'JourneyExited');
    expect(exited.map((event) => (event.data as { reason: string }).reason)).toEqual(['completed']);
  });

  it('does not let an event dated in the future fire other leads’ waits early', async () => {
    await publish(webinarFollowUp());
    await given('lead-1', traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    const { runner } = start();
    await given('lead-1', touch('Webinar Attended', '2026-03-02T10:00:00Z'));
    await runner.settled();

    await given('lead-2', touch('Page Viewed', '2027-01-01T00:00:00Z', { channel: 'direct' }));
    await runner.settled();

    expect(await ofType('lead-1', 'JourneyTimerElapsed')).toHaveLength(0);
  });
});

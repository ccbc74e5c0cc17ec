/** The SDR queue and the suggestion lifecycle over HTTP (`app.inject`, a real SQLite store). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import type { ManualClock } from '../../services/core/index.ts';
import { deriveId, manualClock, newEvent } from '../../services/core/index.ts';
import { buildApp } from '../../services/http/index.ts';
import type { EventStore } from '../../services/ports/index.ts';
import type { SuggestionQueueProjection } from '../../services/suggestions/index.ts';
import { createSuggestionQueueProjection, SuggestionService } from '../../services/suggestions/index.ts';

const TOKEN = 'test-token-0123456789abcdef';
const headers = { authorization: `Bearer ${TOKEN}` };
const suggestionId = deriveId('suggestion', '1');

let dir: string;
let store: EventStore;
let app: FastifyInstance;
let clock: ManualClock;
let projection: SuggestionQueueProjection;
let abort: AbortController;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-suggestions-http-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
  clock = manualClock('2026-03-02T12:00:00Z');
  projection = createSuggestionQueueProjection({ store });
  abort = new AbortController();
  void projection.run(abort.signal).catch(() => undefined);
  app = await buildApp({
    eventStore: store,
    apiTokens: [TOKEN],
    logger: false,
    version: 'test',
    suggestions: { suggestions: new SuggestionService({ store, projection, clock }), projection, clock, repSettings: () => Promise.resolve({ capacity: 5, timeZone: 'UTC' }) },
  });
  await store.append('lead-1', [
    newEvent({ type: 'OwnerAssigned', data: { ownerId: 'rep-ana', previousOwnerId: null, reason: 'test' } }, { occurredAt: '2026-03-02T08:00:00Z' }),
    newEvent(
      {
        type: 'SuggestionProposed',
        data: {
          suggestionId,
          leadId: '1',
          journeyId: 'webinar-follow-up',
          version: 1,
          instanceId: deriveId('instance', '1'),
          node: 'call-now',
          action: 'call',
          priority: 'high',
          title: 'Call Mei',
          body: null,
          subject: null,
          dueAt: '2026-03-02T10:00:00.000Z',
          expiresAt: '2026-03-07T10:00:00.000Z',
          ownerId: 'rep-ana',
          reason: {
            journeyId: 'webinar-follow-up',
            journeyName: 'Webinar follow-up',
            version: 1,
            path: ['call-now'],
            decisions: [],
            trigger: { eventId: 'e', name: 'Webinar Attended', occurredAt: '2026-03-01T16:00:00.000Z' },
            event: null,
          },
        },
      },
      { occurredAt: '2026-03-02T09:00:00Z' },
    ),
  ]);
});

afterEach(async () => {
  abort.abort();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SDR queue API', () => {
  it("shows the rep's queue with the capacity, then follows accept and snooze", async () => {
    const queue = await app.inject({ method: 'GET', url: '/v1/reps/rep-ana/queue', headers });
    expect(queue.statusCode).toBe(200);
    expect(queue.json()).toMatchObject({ repId: 'rep-ana', capacity: 5, today: [{ suggestionId, title: 'Call Mei', reason: 'Webinar Attended on 1 Mar 2026' }], counts: { open: 1, overdue: 1 } });

    const accepted = await app.inject({ method: 'POST', url: `/v1/suggestions/${suggestionId}/accept`, headers });
    expect(accepted.json()).toMatchObject({ status: 'accepted', recorded: ['SuggestionAccepted'] });
    const again = await app.inject({ method: 'POST', url: `/v1/suggestions/${suggestionId}/accept`, headers });
    expect(again.json()).toMatchObject({ status: 'accepted', recorded: [] });

    const snoozed = await app.inject({ method: 'POST', url: `/v1/suggestions/${suggestionId}/snooze`, headers, payload: { until: '2026-03-03T09:00:00Z' } });
    expect(snoozed.json()).toMatchObject({ status: 'snoozed' });
    expect((await app.inject({ method: 'GET', url: '/v1/reps/rep-ana/queue', headers })).json()).toMatchObject({ today: [], later: [], counts: { open: 1, snoozed: 1 } });

    clock.set('2026-03-03T09:00:00Z');
    expect((await app.inject({ method: 'GET', url: '/v1/reps/rep-ana/queue', headers })).json()).toMatchObject({ today: [{ suggestionId, status: 'snoozed' }] });
  });

  it('refuses what the state does not allow with 409, bad bodies with 400 naming the field, unknown ids with 404', async () => {
    const dismissed = await app.inject({ method: 'POST', url: `/v1/suggestions/${suggestionId}/dismiss`, headers, payload: { reason: 'bad_timing' } });
    expect(dismissed.statusCode).toBe(200);
    const late = await app.inject({ method: 'POST', url: `/v1/suggestions/${suggestionId}/complete`, headers, payload: { outcome: 'connected' } });
    expect(late.statusCode).toBe(409);
    expect(late.json<{ detail: string }>().detail).toContain('already dismissed');

    const bad = await app.inject({ method: 'POST', url: `/v1/suggestions/${suggestionId}/complete`, headers, payload: { outcome: 'great' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('body.outcome');

    expect((await app.inject({ method: 'POST', url: `/v1/suggestions/${deriveId('x', 'y')}/accept`, headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/v1/suggestions/${suggestionId}`, headers })).json()).toMatchObject({ status: 'dismissed', outcome: 'bad_timing' });
  });

  it('expires what is past its expiry', async () => {
    const service = new SuggestionService({ store, projection, clock });
    clock.set('2026-03-07T10:00:00Z');
    expect(await service.expireDue()).toBe(1);
    expect(await service.expireDue()).toBe(0);
    await projection.settled();
    expect(projection.queue.get(suggestionId)?.status).toBe('expired');
  });
});

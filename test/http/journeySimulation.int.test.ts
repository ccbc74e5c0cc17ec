/**
 * Back-testing over HTTP (`app.inject`, a real SQLite store): a stored version by default the
 * published one, an unsaved draft as YAML or as a JSON field, and the requests refused.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCompiledEvaluator } from '../../infra/rules/index.ts';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { JourneyService } from '../../journeys/authoring/index.ts';
import { journeyLibraryDir } from '../../journeys/library/index.ts';
import { newEvent } from '../../services/core/index.ts';
import { buildApp } from '../../services/http/index.ts';
import type { EventStore } from '../../services/ports/index.ts';
import type { GivenEvent } from '../journeys/journeyScenario.ts';
import { owner, score, touch, traits } from '../journeys/journeyScenario.ts';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const webinar = readFileSync(join(journeyLibraryDir, 'webinar-follow-up.yaml'), 'utf8');
/** The same journey with a stricter fit: a lead of fit 80 gets the recap email, not a call. */
const stricter = webinar.replace('operator: greaterThanInclusive, value: 60', 'operator: greaterThanInclusive, value: 90');
const URL = '/v1/journeys/webinar-follow-up/simulate';
const MARCH = { from: '2026-03-01', to: '2026-04-01' };

let dir: string;
let store: EventStore;
let journeys: JourneyService;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-simulation-http-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
  journeys = new JourneyService({ store });
  app = await buildApp({ eventStore: store, apiTokens: [TOKEN], logger: false, version: 'test', journeys, simulation: { evaluator: createCompiledEvaluator() } });
});

afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function given(stream: string, ...events: GivenEvent[]): Promise<void> {
  for (const event of events) await store.append(stream, [newEvent({ type: event.type, data: event.data }, { occurredAt: event.at })]);
}

/** One fitting lead of rep-a who attends a webinar on March 2. */
async function oneAttendee(): Promise<void> {
  await given('lead-1', traits({ firstName: 'Mei' }, '2026-02-10T09:00:00Z'), owner('rep-a', '2026-02-10T09:01:00Z'), score(80, '2026-02-15T09:00:00Z'));
  await given('lead-1', touch('Webinar Attended', '2026-03-02T10:00:00Z', { properties: { webinar_title: 'Pricing in 2027' } }));
}

describe('journey back-testing API', () => {
  it('simulates the published version by default, and another stored version when asked', async () => {
    const v1 = await journeys.save(webinar, { format: 'yaml' });
    await journeys.publish(v1.journeyId, v1.version);
    await journeys.save(stricter, { format: 'yaml' });
    await oneAttendee();
    const head = await store.headPosition();

    const published = await app.inject({ method: 'POST', url: URL, headers: auth, payload: MARCH });
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({
      journeyId: 'webinar-follow-up',
      version: 1,
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      leadsEntered: 1,
      suggestions: { total: 2, byAction: { call: 1, email: 1 }, byRepPerDay: [{ day: '2026-03-02', ownerId: 'rep-a', count: 1 }, { day: '2026-03-05', ownerId: 'rep-a', count: 1 }] },
      exits: { completed: 1 },
    });

    const second = await app.inject({ method: 'POST', url: URL, headers: auth, payload: { ...MARCH, version: 2 } });
    expect(second.json()).toMatchObject({ version: 2, suggestions: { total: 1, byAction: { call: 0, email: 1 } } });
    expect(await store.headPosition()).toBe(head);
  });

  it('simulates an unsaved draft sent as YAML (window in the query) or as a document field', async () => {
    await oneAttendee();

    const asYaml = await app.inject({
      method: 'POST',
      url: `${URL}?from=2026-03-01&to=2026-04-01T00:00:00Z`,
      headers: { ...auth, 'content-type': 'application/yaml' },
      payload: stricter,
    });
    expect(asYaml.statusCode).toBe(200);
    expect(asYaml.json()).toMatchObject({ version: null, entries: 1, nodes: { 'check-fit': { type: 'branch', visits: 1 }, 'wait-1-day': { type: 'wait', visits: 1 } } });

    const asField = await app.inject({ method: 'POST', url: URL, headers: auth, payload: { ...MARCH, document: stricter } });
    expect({ ...asField.json<Record<string, unknown>>(), timings: null }).toEqual({ ...asYaml.json<Record<string, unknown>>(), timings: null });
    expect(await journeys.list()).toEqual([]);
  });

  it('refuses an invalid draft with its problems by line, a draft of another journey, and a bad window, naming the field', async () => {
    const broken = webinar.replace('next: wait-outcome', 'next: wait-outcom');
    const invalid = await app.inject({ method: 'POST', url: URL, headers: auth, payload: { ...MARCH, document: broken } });
    expect(invalid.statusCode).toBe(400);
    const line = broken.split('\n').findIndex((text) => text.includes('next: wait-outcom')) + 1;
    expect(invalid.json<{ issues: unknown[] }>().issues).toContainEqual(expect.objectContaining({ path: 'nodes.call-now.next', line }));

    const other = await app.inject({ method: 'POST', url: '/v1/journeys/another-one/simulate', headers: auth, payload: { ...MARCH, document: webinar } });
    expect(other.statusCode).toBe(400);
    expect(other.json<{ errors: unknown[] }>().errors).toEqual([{ path: 'document.id', message: expect.stringContaining('webinar-follow-up') as string }]);

    const backwards = await app.inject({ method: 'POST', url: URL, headers: auth, payload: { from: '2026-04-01', to: '2026-03-01', document: webinar } });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json<{ errors: { path: string }[] }>().errors.map((error) => error.path)).toEqual(['to']);

    const tooLong = await app.inject({ method: 'POST', url: URL, headers: auth, payload: { from: '2025-01-01', to: '2026-03-01', document: webinar } });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json<{ errors: { message: string }[] }>().errors[0]!.message).toContain('400 days');

    const noWindow = await app.inject({ method: 'POST', url: URL, headers: auth, payload: { document: webinar } });
    expect(noWindow.json<{ errors: { path: string }[] }>().errors.map((error) => error.path)).toEqual(['from', 'to']);

    const notADate = await app.inject({ method: 'POST', url: URL, headers: auth, payload: { from: 'March', to: '2026-04-01', document: webinar } });
    expect(notADate.json<{ errors: { path: string }[] }>().errors.map((error) => error.path)).toEqual(['from']);
  });

  it('answers 404 for a journey never saved and a version it does not have', async () => {
    expect((await app.inject({ method: 'POST', url: URL, headers: auth, payload: MARCH })).statusCode).toBe(404);
    await journeys.save(webinar, { format: 'yaml' });
    expect((await app.inject({ method: 'POST', url: URL, headers: auth, payload: { ...MARCH, version: 7 } })).statusCode).toBe(404);
  });

  it('documents the route, its body and its report in the OpenAPI document', async () => {
    const openapi = (await app.inject({ url: '/docs/json', headers: auth })).json<{ paths: Record<string, { post?: { tags: string[]; responses: Record<string, unknown> } }> }>();
    const route = openapi.paths['/v1/journeys/{id}/simulate']?.post;
    expect(route?.tags).toEqual(['journeys']);
    expect(Object.keys(route?.responses ?? {})).toEqual(['200', '400', '404']);
  });
});

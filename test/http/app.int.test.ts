/**
 * The HTTP API driven through `app.inject` over a real SQLite event store in a temp folder:
 * given these events (or this failing backend), when this request, then this response.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import type { RecordedEvent } from '../../services/core/index.ts';
import { isUuid, newEvent, UnavailableError } from '../../services/core/index.ts';
import { buildApp } from '../../services/http/index.ts';
import type { Problem } from '../../services/http/problem.ts';
import type { EventStore } from '../../services/ports/index.ts';

const TOKEN = 'test-token-0123456789abcdef';
const SECOND_TOKEN = 'second-token-fedcba9876543210';
const VERSION = '9.9.9-test';

const bearer = (token: string = TOKEN) => ({ authorization: `Bearer ${token}` });
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

interface EventsPage {
  readonly events: RecordedEvent[];
  readonly next: number | null;
  readonly head: number;
}

interface StreamPage {
  readonly stream: string;
  readonly revision: number;
  readonly events: RecordedEvent[];
}

interface Readiness {
  readonly status: 'ok' | 'unavailable';
  readonly checks: { readonly eventStore: { readonly status: 'ok' | 'unavailable'; readonly detail?: string } };
}

interface OpenApiOperation {
  readonly security?: readonly Record<string, readonly string[]>[];
}

interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly version: string };
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly security?: readonly Record<string, readonly string[]>[];
  readonly components?: { readonly securitySchemes?: Record<string, { readonly type: string; readonly scheme?: string }> };
}

let dir: string;
let store: EventStore;
const apps: FastifyInstance[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-http-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The app as production builds it, over the given store (the real one unless a test swaps a method). */
async function givenApp(eventStore: EventStore = store): Promise<FastifyInstance> {
  const app = await buildApp({ eventStore, apiTokens: [TOKEN, SECOND_TOKEN], logger: false, version: VERSION });
  apps.push(app);
  return app;
}

/** The real store with some methods replaced: a unit-sized fault around the port, nothing else faked. */
function storeFailing(real: EventStore, overrides: Partial<EventStore>): EventStore {
  return {
    append: (stream, events, options) => real.append(stream, events, options),
    readStream: (stream, options) => real.readStream(stream, options),
    readAll: (options) => real.readAll(options),
    subscribe: (options) => real.subscribe(options),
    streamRevision: (stream) => real.streamRevision(stream),
    storedIds: (ids) => real.storedIds(ids),
    headPosition: () => real.headPosition(),
    ping: () => real.ping(),
    close: () => real.close(),
    ...overrides,
  };
}

/** One touch per entry, each appended on its own so the global order follows the list. */
async function givenTouches(...streams: readonly string[]): Promise<void> {
  for (const [index, stream] of streams.entries()) {
    await store.append(stream, [
      newEvent({ type: 'TouchRecorded', data: { channel: 'webinar', index } }, { occurredAt: '2026-11-01T09:30:00.000Z' }),
    ]);
  }
}

async function allPositions(): Promise<number[]> {
  return (await store.readAll()).map((event) => event.position);
}

function expectProblem(response: LightMyRequestResponse, status: number, code: string): Problem {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json<Problem>();
  expect(problem).toMatchObject({ type: `urn:nudge:problem:${code}`, status, code });
  expect(problem.title.length).toBeGreaterThan(0);
  expect(problem.detail.length).toBeGreaterThan(0);
  expect(problem.requestId).toBe(response.headers['x-request-id']);
  return problem;
}

describe('health probes', () => {
  it('answers /health/live with ok to a caller without a token', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/health/live' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers /health/ready with ok to a caller without a token while the store answers', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/health/ready' });

    expect(response.statusCode).toBe(200);
    expect(response.json<Readiness>()).toEqual({ status: 'ok', checks: { eventStore: { status: 'ok' } } });
  });

  it('answers /health/ready with 503 and the failed check, without showing anonymous callers the backend error', async () => {
    const app = await givenApp(
      storeFailing(store, { ping: () => Promise.reject(new UnavailableError('event store: disk I/O error')) }),
    );

    const response = await app.inject({ url: '/health/ready' });

    expect(response.statusCode).toBe(503);
    expect(response.json<Readiness>()).toEqual({
      status: 'unavailable',
      checks: { eventStore: { status: 'unavailable', detail: 'the event store does not answer; see the server log' } },
    });
    expect(response.body).not.toContain('disk I/O error');
  });

  it('answers /health/ready with 503 once the real store has been closed, while /health/live stays ok', async () => {
    const app = await givenApp();
    await store.close();

    const ready = await app.inject({ url: '/health/ready' });
    const live = await app.inject({ url: '/health/live' });

    expect(ready.statusCode).toBe(503);
    expect(ready.json<Readiness>().checks.eventStore.status).toBe('unavailable');
    expect(live.statusCode).toBe(200);
  });
});

describe('API token check', () => {
  it('refuses a request without a token with a 401 problem and a Bearer challenge', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/events' });

    const problem = expectProblem(response, 401, 'unauthorized');
    expect(problem.title).toBe('Unauthorized');
    expect(problem.detail).toContain('Authorization: Bearer <token>');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="nudge"');
  });

  it('refuses a request with a wrong token with a 401 problem saying the token is not valid', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/events', headers: bearer('not-the-token-0123456789') });

    const problem = expectProblem(response, 401, 'unauthorized');
    expect(problem.detail).toBe('The API token is not valid.');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="nudge"');
  });

  it('refuses a token that only differs from a configured one by a prefix', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/events', headers: bearer(TOKEN.slice(0, -1)) });

    expectProblem(response, 401, 'unauthorized');
  });

  it('lets a request with the configured token through', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/events', headers: bearer() });

    expect(response.statusCode).toBe(200);
  });

  it('lets a request with the second configured token through as well', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/events', headers: bearer(SECOND_TOKEN) });

    expect(response.statusCode).toBe(200);
  });

  it('accepts the Bearer scheme name in any case', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/events', headers: { authorization: `bearer ${TOKEN}` } });

    expect(response.statusCode).toBe(200);
  });

  it('does not accept HTTP Basic outside the docs, even with the right token as password', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/events', headers: basic('x', TOKEN) });

    expectProblem(response, 401, 'unauthorized');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="nudge"');
  });

  it('answers an unknown route with 401, not 404, to a caller without a token', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/nothing-here' });

    expectProblem(response, 401, 'unauthorized');
  });
});

describe('API docs', () => {
  it.each(['/docs', '/docs/json'])('challenges a browser on %s with HTTP Basic when it sends no credentials', async (url) => {
    const app = await givenApp();

    const response = await app.inject({ url });

    expectProblem(response, 401, 'unauthorized');
    expect(response.headers['www-authenticate']).toMatch(/^Basic realm="Nudge API docs"/);
  });

  it('challenges again with HTTP Basic when the password is not a token', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/docs/json', headers: basic('x', 'not-the-token-0123456789') });

    const problem = expectProblem(response, 401, 'unauthorized');
    expect(problem.detail).toBe('The API token is not valid.');
    expect(response.headers['www-authenticate']).toMatch(/^Basic /);
  });

  it('serves the docs page to HTTP Basic with any user name and the token as password', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/docs', headers: basic('x', TOKEN) });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
  });

  it('serves the docs page to a Bearer token too', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/docs/json', headers: bearer(SECOND_TOKEN) });

    expect(response.statusCode).toBe(200);
  });

  it('accepts HTTP Basic on the docs page when the URL carries a query string', async () => {
    const app = await givenApp();

    const challenged = await app.inject({ url: '/docs?tab=events' });
    const response = await app.inject({ url: '/docs?tab=events', headers: basic('x', TOKEN) });

    expect(challenged.headers['www-authenticate']).toMatch(/^Basic /);
    expect(response.statusCode).toBe(200);
  });

  it('publishes an OpenAPI document listing the event routes, declaring bearer security and the app version', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/docs/json', headers: basic('x', TOKEN) });

    expect(response.statusCode).toBe(200);
    const document = response.json<OpenApiDocument>();
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.version).toBe(VERSION);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/events', '/v1/streams/{stream}']));
    expect(document.paths['/metrics']).toBeUndefined();
    expect(document.components?.securitySchemes?.bearerAuth).toEqual({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ bearerAuth: [] }]);
  });

  it('shows the public health routes as needing no token in the OpenAPI document', async () => {
    const app = await givenApp();

    const document = (await app.inject({ url: '/docs/json', headers: bearer() })).json<OpenApiDocument>();

    expect(document.paths['/health/live']?.get?.security).toEqual([]);
    expect(document.paths['/health/ready']?.get?.security).toEqual([]);
  });
});

describe('GET /v1/events', () => {
  it('pages forwards through the global log by following next until it is null', async () => {
    await givenTouches('lead-a', 'lead-b', 'lead-a', 'lead-c', 'lead-b');
    const app = await givenApp();

    const pages: EventsPage[] = [];
    let url: string | undefined = '/v1/events?limit=2';
    while (url !== undefined) {
      const response = await app.inject({ url, headers: bearer() });
      expect(response.statusCode).toBe(200);
      const page: EventsPage = response.json<EventsPage>();
      pages.push(page);
      url = page.next === null ? undefined : `/v1/events?limit=2&after=${page.next}`;
    }

    const positions = await allPositions();
    expect(pages.map((page) => page.events.map((event) => event.position))).toEqual([
      positions.slice(0, 2),
      positions.slice(2, 4),
      positions.slice(4),
    ]);
    expect(pages.map((page) => page.next)).toEqual([positions[1], positions[3], null]);
    expect(pages.every((page) => page.head === positions.at(-1))).toBe(true);
    expect(pages[0]!.events[0]).toMatchObject({
      stream: 'lead-a',
      revision: 0,
      type: 'TouchRecorded',
      data: { channel: 'webinar', index: 0 },
      metadata: { occurredAt: '2026-11-01T09:30:00.000Z', causationId: null, correlationId: null, schemaVersion: 1 },
    });
  });

  it('ends with an empty page whose next is null when the last full page reached the head', async () => {
    await givenTouches('lead-a', 'lead-b', 'lead-a', 'lead-b');
    const app = await givenApp();
    const positions = await allPositions();

    const full = (await app.inject({ url: `/v1/events?limit=2&after=${positions[1]}`, headers: bearer() })).json<EventsPage>();
    const empty = (await app.inject({ url: `/v1/events?limit=2&after=${full.next}`, headers: bearer() })).json<EventsPage>();

    expect(full.next).toBe(positions[3]);
    expect(empty).toEqual({ events: [], next: null, head: positions[3] });
  });

  it('pages backwards from the head, newest first, when direction is backwards', async () => {
    await givenTouches('lead-a', 'lead-b', 'lead-a', 'lead-c', 'lead-b');
    const app = await givenApp();

    const pages: EventsPage[] = [];
    let url: string | undefined = '/v1/events?limit=2&direction=backwards';
    while (url !== undefined) {
      const page: EventsPage = (await app.inject({ url, headers: bearer() })).json<EventsPage>();
      pages.push(page);
      url = page.next === null ? undefined : `/v1/events?limit=2&direction=backwards&after=${page.next}`;
    }

    const newestFirst = (await allPositions()).reverse();
    expect(pages.map((page) => page.events.map((event) => event.position))).toEqual([
      newestFirst.slice(0, 2),
      newestFirst.slice(2, 4),
      newestFirst.slice(4),
    ]);
    expect(pages.every((page) => page.head === newestFirst[0])).toBe(true);
  });

  it('answers an empty store with no events, next null and head 0', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/events', headers: bearer() });

    expect(response.json<EventsPage>()).toEqual({ events: [], next: null, head: 0 });
  });

  it('reports the head of the whole store even when the page stops before it', async () => {
    await givenTouches('lead-a', 'lead-b', 'lead-c');
    const app = await givenApp();

    const page = (await app.inject({ url: '/v1/events?limit=1', headers: bearer() })).json<EventsPage>();

    expect(page.events).toHaveLength(1);
    expect(page.head).toBe(await store.headPosition());
  });
});

describe('GET /v1/streams/:stream', () => {
  beforeEach(async () => {
    await givenTouches('lead-a', 'lead-b', 'lead-a', 'lead-a', 'lead-b', 'lead-a');
  });

  it('returns the events of one stream in revision order with its current revision', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/streams/lead-a', headers: bearer() });

    expect(response.statusCode).toBe(200);
    const page = response.json<StreamPage>();
    expect(page.stream).toBe('lead-a');
    expect(page.revision).toBe(3);
    expect(page.events.map((event) => [event.stream, event.revision])).toEqual([
      ['lead-a', 0],
      ['lead-a', 1],
      ['lead-a', 2],
      ['lead-a', 3],
    ]);
  });

  it.each([
    ['from=2', [2, 3]],
    ['limit=2', [0, 1]],
    ['from=1&limit=2', [1, 2]],
    ['direction=backwards', [3, 2, 1, 0]],
    ['direction=backwards&from=2', [2, 1, 0]],
    ['direction=backwards&limit=1', [3]],
    ['from=9', []],
  ])('given ?%s, returns the revisions %j', async (query, revisions) => {
    const app = await givenApp();

    const response = await app.inject({ url: `/v1/streams/lead-a?${query}`, headers: bearer() });

    expect(response.statusCode).toBe(200);
    const page = response.json<StreamPage>();
    expect(page.events.map((event) => event.revision)).toEqual(revisions);
    expect(page.revision).toBe(3);
  });

  it('answers a stream without events with a 404 problem naming the stream', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/streams/lead-nobody', headers: bearer() });

    const problem = expectProblem(response, 404, 'not_found');
    expect(problem.detail).toContain('lead-nobody');
  });
});

describe('request validation', () => {
  it.each([
    ['/v1/events?limit=abc', 'querystring.limit'],
    ['/v1/events?limit=0', 'querystring.limit'],
    ['/v1/events?limit=1001', 'querystring.limit'],
    ['/v1/events?after=-1', 'querystring.after'],
    ['/v1/events?after=1.5', 'querystring.after'],
    ['/v1/events?direction=sideways', 'querystring.direction'],
    ['/v1/streams/lead-a?from=-1', 'querystring.from'],
    ['/v1/streams/lead-a?limit=abc', 'querystring.limit'],
  ])('answers %s with a 400 problem naming %s', async (url, path) => {
    const app = await givenApp();

    const response = await app.inject({ url, headers: bearer() });

    const problem = expectProblem(response, 400, 'validation_failed');
    expect(problem.errors?.map((issue) => issue.path)).toEqual([path]);
    expect(problem.errors?.[0]?.message.length).toBeGreaterThan(0);
    expect(problem.detail).toContain(path);
  });
});

describe('errors', () => {
  it('answers an unknown route with a 404 problem that does not echo the query string', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/v1/nothing-here?secret=hunter2', headers: bearer() });

    const problem = expectProblem(response, 404, 'not_found');
    expect(problem.detail).toBe('No route for GET /v1/nothing-here');
  });

  it('answers an unexpected store error with a 500 problem that reveals neither its message nor a stack', async () => {
    const app = await givenApp(storeFailing(store, { readAll: () => Promise.reject(new Error('secret internal detail')) }));

    const response = await app.inject({ url: '/v1/events', headers: bearer() });

    const problem = expectProblem(response, 500, 'internal_error');
    expect(problem.title).toBe('Internal server error');
    expect(response.body).not.toContain('secret internal detail');
    expect(response.body).not.toMatch(/\bat .+\(.*:\d+:\d+\)|\.ts:\d+/);
    expect(response.body).not.toContain('stack');
    expect(Object.keys(problem).sort()).toEqual(['code', 'detail', 'requestId', 'status', 'title', 'type']);
  });

  it('answers an unavailable backend with a 503 problem that hides the backend message', async () => {
    const app = await givenApp(
      storeFailing(store, { streamRevision: () => Promise.reject(new UnavailableError('cannot open /srv/private/events.db')) }),
    );

    const response = await app.inject({ url: '/v1/streams/lead-a', headers: bearer() });

    expectProblem(response, 503, 'unavailable');
    expect(response.body).not.toContain('/srv/private');
  });
});

describe('request ids', () => {
  it('echoes a well-formed x-request-id from the client in the header and in a problem body', async () => {
    const app = await givenApp();

    const ok = await app.inject({ url: '/health/live', headers: { 'x-request-id': 'lb-7f3a.42:abc_DEF-1' } });
    const refused = await app.inject({ url: '/v1/events', headers: { 'x-request-id': 'lb-7f3a.43' } });

    expect(ok.headers['x-request-id']).toBe('lb-7f3a.42:abc_DEF-1');
    expect(refused.headers['x-request-id']).toBe('lb-7f3a.43');
    expect(refused.json<Problem>().requestId).toBe('lb-7f3a.43');
  });

  it('generates a fresh UUID per request when the client sends none', async () => {
    const app = await givenApp();

    const first = await app.inject({ url: '/health/live' });
    const second = await app.inject({ url: '/health/live' });

    expect(isUuid(first.headers['x-request-id'])).toBe(true);
    expect(isUuid(second.headers['x-request-id'])).toBe(true);
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
  });

  it.each([['has spaces in it'], ['x'.repeat(129)], ['<script>']])(
    'replaces a malformed x-request-id (%s) with a generated UUID',
    async (given) => {
      const app = await givenApp();

      const response = await app.inject({ url: '/health/live', headers: { 'x-request-id': given } });

      expect(response.headers['x-request-id']).not.toBe(given);
      expect(isUuid(response.headers['x-request-id'])).toBe(true);
    },
  );
});

describe('GET /metrics', () => {
  it('refuses a caller without a token', async () => {
    const app = await givenApp();

    const response = await app.inject({ url: '/metrics' });

    expectProblem(response, 401, 'unauthorized');
  });

  it('exposes request durations by route and the store head position in Prometheus text', async () => {
    await givenTouches('lead-a', 'lead-b', 'lead-a');
    const app = await givenApp();
    await app.inject({ url: '/health/live' });
    await app.inject({ url: '/v1/streams/lead-nobody', headers: bearer() });

    const response = await app.inject({ url: '/metrics', headers: bearer() });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toContain('# TYPE nudge_http_request_duration_seconds histogram');
    expect(response.body).toMatch(
      /^nudge_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} 1$/m,
    );
    expect(response.body).toMatch(
      /^nudge_http_request_duration_seconds_count\{method="GET",route="\/v1\/streams\/:stream",status_code="404"\} 1$/m,
    );
    const head = await store.headPosition();
    expect(head).toBeGreaterThan(0);
    expect(response.body).toMatch(new RegExp(`^nudge_event_store_head_position ${head}$`, 'm'));
  });

  it('follows the store head as events are appended', async () => {
    const app = await givenApp();
    const before = (await app.inject({ url: '/metrics', headers: bearer() })).body;

    await givenTouches('lead-a', 'lead-a');
    const after = (await app.inject({ url: '/metrics', headers: bearer() })).body;

    expect(before).toMatch(/^nudge_event_store_head_position 0$/m);
    expect(after).toMatch(new RegExp(`^nudge_event_store_head_position ${await store.headPosition()}$`, 'm'));
  });
});

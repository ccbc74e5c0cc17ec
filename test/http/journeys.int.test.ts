/**
 * Journey authoring over HTTP (`app.inject`, a real SQLite store): save drafts as YAML or JSON,
 * list, read versions, diff, publish, pause, archive; invalid documents and transitions refused.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { JourneyService } from '../../journeys/authoring/index.ts';
import { journeyLibraryDir } from '../../journeys/library/index.ts';
import { buildApp } from '../../services/http/index.ts';
import type { EventStore } from '../../services/ports/index.ts';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const yaml = { ...auth, 'content-type': 'application/yaml' };
const webinar = readFileSync(join(journeyLibraryDir, 'webinar-follow-up.yaml'), 'utf8');

let dir: string;
let store: EventStore;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-journeys-http-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
  app = await buildApp({ eventStore: store, apiTokens: [TOKEN], logger: false, version: 'test', journeys: new JourneyService({ store }) });
});

afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('journey authoring API', () => {
  it('saves a YAML journey as version 1, lists it as a draft, and records nothing when the same document comes again', async () => {
    const first = await app.inject({ method: 'POST', url: '/v1/journeys', headers: yaml, payload: webinar });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ journeyId: 'webinar-follow-up', version: 1, created: true });

    const again = await app.inject({ method: 'POST', url: '/v1/journeys', headers: yaml, payload: webinar });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ version: 1, created: false });

    const list = await app.inject({ method: 'GET', url: '/v1/journeys', headers: auth });
    expect(list.json()).toEqual({
      journeys: [expect.objectContaining({ id: 'webinar-follow-up', status: 'draft', latestVersion: 1, publishedVersion: null, trigger: 'Webinar Attended' })],
    });
  });

  it('refuses an invalid journey with every problem, by path and line, and stores nothing', async () => {
    const broken = webinar.replace('next: wait-outcome', 'next: wait-outcom');
    const response = await app.inject({ method: 'POST', url: '/v1/journeys', headers: yaml, payload: broken });
    expect(response.statusCode).toBe(400);
    const body = response.json<{ issues: { path: string; line: number; message: string }[] }>();
    const line = broken.split('\n').findIndex((text) => text.includes('next: wait-outcom')) + 1;
    expect(body.issues).toContainEqual(expect.objectContaining({ path: 'nodes.call-now.next', line, message: expect.stringContaining('wait-outcome') as unknown }));
    expect(await store.headPosition()).toBe(0);
  });

  it('publishes, shows any version, diffs two versions, pauses and archives, refusing what the state does not allow', async () => {
    await app.inject({ method: 'POST', url: '/v1/journeys', headers: yaml, payload: webinar });
    const v2 = webinar.replace('dueIn: P1D', 'dueIn: PT4H');
    expect((await app.inject({ method: 'POST', url: '/v1/journeys', headers: yaml, payload: v2 })).json()).toMatchObject({ version: 2 });

    const published = await app.inject({ method: 'POST', url: '/v1/journeys/webinar-follow-up/publish', headers: auth, payload: { version: 1 } });
    expect(published.json()).toMatchObject({ status: 'active', publishedVersion: 1, versions: [{ version: 1 }, { version: 2 }] });

    const one = await app.inject({ method: 'GET', url: '/v1/journeys/webinar-follow-up/versions/1', headers: auth });
    expect(one.json()).toMatchObject({ version: 1, source: webinar, document: { id: 'webinar-follow-up' } });

    const diff = (await app.inject({ method: 'GET', url: '/v1/journeys/webinar-follow-up/diff?from=1&to=2', headers: auth })).json<{
      nodes: { changed: string[] };
      unified: string;
    }>();
    expect(diff.nodes.changed).toEqual(['call-now']);
    expect(diff.unified).toContain('-    dueIn: P1D');
    expect(diff.unified).toContain('+    dueIn: PT4H');

    expect((await app.inject({ method: 'POST', url: '/v1/journeys/webinar-follow-up/pause', headers: auth })).json()).toMatchObject({ status: 'paused' });
    expect((await app.inject({ method: 'POST', url: '/v1/journeys/webinar-follow-up/publish', headers: auth })).json()).toMatchObject({
      status: 'active',
      publishedVersion: 2,
    });
    expect((await app.inject({ method: 'POST', url: '/v1/journeys/webinar-follow-up/archive', headers: auth })).json()).toMatchObject({ status: 'archived' });

    const refused = await app.inject({ method: 'POST', url: '/v1/journeys/webinar-follow-up/publish', headers: auth });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ detail: expect.stringContaining('archived') as unknown });
    expect((await app.inject({ method: 'POST', url: '/v1/journeys/webinar-follow-up/pause', headers: auth })).statusCode).toBe(409);
  });

  it('answers 404 for a journey or a version that does not exist', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/journeys/nope', headers: auth })).statusCode).toBe(404);
    await app.inject({ method: 'POST', url: '/v1/journeys', headers: yaml, payload: webinar });
    expect((await app.inject({ method: 'GET', url: '/v1/journeys/webinar-follow-up/versions/7', headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/v1/journeys/webinar-follow-up/publish', headers: auth, payload: { version: 7 } })).statusCode).toBe(404);
  });

  it('accepts a JSON document too', async () => {
    const document = {
      apiVersion: 'nudge/v1',
      kind: 'Journey',
      id: 'ping',
      name: 'Ping',
      trigger: { event: 'Demo Requested' },
      start: 'call',
      nodes: { call: { type: 'suggest', action: 'call', title: 'Call', next: 'end' }, end: { type: 'exit' } },
    };
    const response = await app.inject({ method: 'POST', url: '/v1/journeys', headers: auth, payload: document });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ journeyId: 'ping', version: 1 });
  });
});

/** The List-Unsubscribe page: public, signed per lead; GET only asks, POST (button or one-click) records it once. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { newEvent } from '../../services/core/index.ts';
import { buildApp } from '../../services/http/index.ts';
import type { EventStore } from '../../services/ports/index.ts';
import { unsubscribeLink, UnsubscribeService } from '../../services/suggestions/index.ts';

const SECRET = 'us_test-secret-0123456789';
let dir: string;
let store: EventStore;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-unsubscribe-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
  app = await buildApp({ eventStore: store, apiTokens: ['test-token-0123456789abcdef'], logger: false, version: 'test', unsubscribe: new UnsubscribeService({ store, secret: SECRET }) });
  await store.append('lead-mei', [newEvent({ type: 'TraitsUpdated', data: { messageId: 'm', traits: { email: 'mei@acme.example' } } })]);
});

afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const path = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');
const link = path(unsubscribeLink('http://127.0.0.1:8080/unsubscribe', SECRET, 'mei'));
const traits = async () => (await store.readStream('lead-mei')).filter((event) => event.type === 'TraitsUpdated').map((event) => (event.data as { traits: Record<string, unknown> }).traits);

describe('unsubscribe links', () => {
  it('asks on GET without recording anything (link scanners open links), and records once on POST, without an API token', async () => {
    const asked = await app.inject({ method: 'GET', url: link });
    expect(asked.statusCode).toBe(200);
    expect(asked.headers['content-type']).toContain('text/html');
    expect(asked.body).toContain('<form method="post"');
    expect(await traits()).toHaveLength(1);

    const done = await app.inject({ method: 'POST', url: link });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You are unsubscribed');
    const oneClick = await app.inject({ method: 'POST', url: link, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(oneClick.statusCode).toBe(200);

    expect(await traits()).toEqual([{ email: 'mei@acme.example' }, { unsubscribed: true }]);
  });

  it('refuses a forged token or an unknown lead with 404, and records nothing', async () => {
    expect((await app.inject({ method: 'POST', url: link.replace(/token=[^&]+/, 'token=forged') })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: link.replace('lead=mei', 'lead=bo') })).statusCode).toBe(404);
    const other = path(unsubscribeLink('http://127.0.0.1:8080/unsubscribe', SECRET, 'nobody'));
    expect((await app.inject({ method: 'POST', url: other })).statusCode).toBe(404);
    expect(await traits()).toHaveLength(1);
  });

  it('unsubscribes again a lead who opted back in', async () => {
    await app.inject({ method: 'POST', url: link });
    await store.append('lead-mei', [newEvent({ type: 'TraitsUpdated', data: { messageId: 'optin', traits: { unsubscribed: false } } })]);
    await app.inject({ method: 'POST', url: link });
    expect((await traits()).map((values) => values.unsubscribed)).toEqual([undefined, true, false, true]);
  });
});

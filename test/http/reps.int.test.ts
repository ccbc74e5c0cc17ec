/**
 * Reps and hand reassignment over HTTP (`app.inject`, a real SQLite store): add, list, read,
 * change, deactivate and reactivate reps; give a lead to a rep with a reason; refusals by status.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { newEvent } from '../../services/core/index.ts';
import { buildApp } from '../../services/http/index.ts';
import { LeadOwnership, RepService } from '../../services/leads/index.ts';
import type { EventStore } from '../../services/ports/index.ts';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const ana = { id: 'rep-ana', name: 'Ana Lima', email: 'Ana@Orbitly.example', team: 'americas', territory: ['us', 'br'], languages: ['en', 'pt'], dailyCapacity: 15, timeZone: 'America/Sao_Paulo' };

let dir: string;
let store: EventStore;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-reps-http-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const service = new RepService({ store });
  app = await buildApp({ eventStore: store, apiTokens: [TOKEN], logger: false, version: 'test', reps: { service, ownership: new LeadOwnership({ store, reps: service }) } });
});

afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, payload?: unknown) => app.inject({ method: 'POST', url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('reps API', () => {
  it('adds a rep (normalised, defaults filled), reads it, lists reps by team and status', async () => {
    const added = await post('/v1/reps', ana);
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ id: 'rep-ana', email: 'ana@orbitly.example', territory: ['BR', 'US'], languages: ['en', 'pt'], dailyCapacity: 15, active: true, deactivatedReason: null });
    await post('/v1/reps', { id: 'rep-dieter', name: 'Dieter Braun', email: 'dieter@orbitly.example', team: 'emea' });

    expect((await app.inject({ method: 'GET', url: '/v1/reps/rep-dieter', headers: auth })).json()).toMatchObject({ team: 'emea', territory: [], languages: [], dailyCapacity: 20, timeZone: 'UTC' });
    const all = await app.inject({ method: 'GET', url: '/v1/reps', headers: auth });
    expect(all.json<{ reps: { id: string }[] }>().reps.map((rep) => rep.id)).toEqual(['rep-ana', 'rep-dieter']);
    const emea = await app.inject({ method: 'GET', url: '/v1/reps?team=emea&active=true', headers: auth });
    expect(emea.json<{ reps: { id: string }[] }>().reps.map((rep) => rep.id)).toEqual(['rep-dieter']);
    expect((await app.inject({ method: 'GET', url: '/v1/reps?active=false', headers: auth })).json()).toEqual({ reps: [] });
  });

  it('refuses a bad rep with 400 naming each field, and a taken id with 409', async () => {
    const bad = await post('/v1/reps', { id: 'Ana!', name: 'Ana', email: 'nope', team: 'americas', dailyCapacity: 2.5, timeZone: 'Nowhere/Town', extra: true });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json<{ errors: { path: string }[] }>().errors.map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['body.id', 'body.email', 'body.dailyCapacity', 'body.timeZone']));
    expect(await store.headPosition()).toBe(0);

    await post('/v1/reps', ana);
    const again = await post('/v1/reps', ana);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'conflict', detail: 'rep rep-ana already exists: update it instead' });
  });

  it('changes a rep, deactivates and reactivates them, refusing transitions that make no sense', async () => {
    await post('/v1/reps', ana);
    const patched = await app.inject({ method: 'PATCH', url: '/v1/reps/rep-ana', headers: auth, payload: { team: 'emea', dailyCapacity: 5 } });
    expect(patched.json()).toMatchObject({ team: 'emea', dailyCapacity: 5, name: 'Ana Lima' });
    const empty = await app.inject({ method: 'PATCH', url: '/v1/reps/rep-ana', headers: auth, payload: {} });
    expect(empty.statusCode).toBe(400);

    expect((await post('/v1/reps/rep-ana/deactivate', { reason: 'parental leave' })).json()).toMatchObject({ active: false, deactivatedReason: 'parental leave' });
    expect((await post('/v1/reps/rep-ana/deactivate')).statusCode).toBe(409);
    expect((await post('/v1/reps/rep-ana/reactivate')).json()).toMatchObject({ active: true, deactivatedReason: null });
    expect((await post('/v1/reps/rep-ana/reactivate')).statusCode).toBe(409);

    const types = (await store.readStream('rep-rep-ana')).map((event) => event.type);
    expect(types).toEqual(['RepAdded', 'RepUpdated', 'RepDeactivated', 'RepReactivated']);
  });

  it('answers 404 for a rep that does not exist', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/reps/nobody', headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'PATCH', url: '/v1/reps/nobody', headers: auth, payload: { name: 'X' } })).statusCode).toBe(404);
    expect((await post('/v1/reps/nobody/deactivate')).statusCode).toBe(404);
  });
});

describe('reassigning a lead by hand', () => {
  beforeEach(async () => {
    await store.append('lead-L1', [
      newEvent({ type: 'LeadIdentified', data: { messageId: 'm1', via: 'identify', identities: [{ kind: 'userId', value: 'jane' }] } }),
      newEvent({ type: 'OwnerAssigned', data: { ownerId: 'rep-ben', previousOwnerId: null, reason: 'routing:americas' } }),
    ]);
    await post('/v1/reps', ana);
  });

  it('records OwnerAssigned with the previous owner and the person’s reason', async () => {
    const response = await post('/v1/leads/L1/owner', { ownerId: 'rep-ana', reason: 'speaks Portuguese' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ leadId: 'L1', ownerId: 'rep-ana', previousOwnerId: 'rep-ben', reason: 'manual: speaks Portuguese', changed: true });
    const last = (await store.readStream('lead-L1')).at(-1)!;
    expect(last).toMatchObject({ type: 'OwnerAssigned', data: { ownerId: 'rep-ana', previousOwnerId: 'rep-ben', reason: 'manual: speaks Portuguese' } });

    const again = await post('/v1/leads/L1/owner', { ownerId: 'rep-ana', reason: 'again' });
    expect(again.json()).toMatchObject({ changed: false });
    expect(await store.streamRevision('lead-L1')).toBe(2);
  });

  it('refuses a missing reason (400 naming it), an unknown lead or rep (404) and an inactive rep (409)', async () => {
    const noReason = await post('/v1/leads/L1/owner', { ownerId: 'rep-ana', reason: '  ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json<{ errors: { path: string }[] }>().errors.map((error) => error.path)).toEqual(['body.reason']);
    expect((await post('/v1/leads/L1/owner', { reason: 'x' })).json<{ errors: { path: string }[] }>().errors.map((error) => error.path)).toEqual(['body.ownerId']);

    const unknownLead = await post('/v1/leads/nope/owner', { ownerId: 'rep-ana', reason: 'x' });
    expect(unknownLead.statusCode).toBe(404);
    expect(unknownLead.json()).toMatchObject({ detail: 'no lead nope' });
    expect(await store.streamRevision('lead-nope')).toBeNull();
    expect((await post('/v1/leads/L1/owner', { ownerId: 'rep-zed', reason: 'x' })).json()).toMatchObject({ status: 404, detail: 'no rep rep-zed' });

    await post('/v1/reps/rep-ana/deactivate');
    const inactive = await post('/v1/leads/L1/owner', { ownerId: 'rep-ana', reason: 'x' });
    expect(inactive.statusCode).toBe(409);
    expect(inactive.json()).toMatchObject({ detail: expect.stringContaining('rep-ana is inactive') as unknown });
  });
});

describe('API documentation', () => {
  it('describes the rep routes', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json', headers: auth })).json<{ paths: Record<string, unknown> }>();

    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/reps', '/v1/reps/{id}', '/v1/reps/{id}/deactivate', '/v1/reps/{id}/reactivate', '/v1/leads/{id}/owner']));
  });
});

/**
 * Segment-compatible ingestion over HTTP (app.inject, real SQLite store, index and quarantine):
 * auth by write key, the browser library's short paths, limits, the bad-input battery, and the
 * lead read API on what was ingested.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../services/http/index.ts';
import { createIngestPipeline, defaultChannelRules, IngestService } from '../../services/ingest/index.ts';
import { defaultLeadSettings } from '../../services/leads/index.ts';
import type { IngestHarness } from '../ingest/ingestHarness.ts';
import { createIngestHarness } from '../ingest/ingestHarness.ts';

const TOKEN = 'test-token-0123456789abcdef';
const WRITE_KEY = 'wk_test_write_key_123';
const basic = (user: string, password = '') => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const bearer = { authorization: `Bearer ${TOKEN}` };

let h: IngestHarness;
let app: FastifyInstance;

async function build(rateLimitPerSecond = 0): Promise<FastifyInstance> {
  return buildApp({
    eventStore: h.store,
    apiTokens: [TOKEN],
    logger: false,
    version: '0.0.0-test',
    leads: h.index.read,
    ingestion: { service: h.service, quarantine: h.quarantine, writeKeys: [WRITE_KEY], rateLimitPerSecond },
  });
}

beforeEach(async () => {
  h = await createIngestHarness();
  app = await build();
});
afterEach(async () => {
  await app.close();
  await h.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = basic(WRITE_KEY)) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

async function storedEvents(): Promise<number> {
  return h.store.headPosition();
}

describe('write-key auth', () => {
  it('accepts the key as Basic user or as writeKey in the body; answers like Segment', async () => {
    const byHeader = await post('/v1/track', { userId: 'u1', event: 'Demo Requested', messageId: 'm-1' });
    const byBody = await post('/v1/track', { userId: 'u1', event: 'Trial Started', messageId: 'm-2', writeKey: WRITE_KEY }, {});
    expect(byHeader.statusCode).toBe(200);
    expect(byHeader.json()).toEqual({ success: true, stored: 1, accepted: 0, duplicate: 0, unchanged: 0, quarantined: [] });
    expect(byBody.statusCode).toBe(200);
  });

  it.each([
    ['no key', {}, 'A write key is needed'],
    ['a wrong key', basic('wk_wrong_key_999'), 'not valid'],
    ['an API token instead', bearer, 'A write key is needed'],
  ])('refuses %s with 401 and stores nothing', async (_name, headers, detail) => {
    const response = await post('/v1/track', { userId: 'u1', event: 'X' }, headers);
    expect(response.statusCode).toBe(401);
    const problem = response.json<{ status: number; detail: string }>();
    expect(problem.status).toBe(401);
    expect(problem.detail).toContain(detail);
    expect(await storedEvents()).toBe(0);
    expect((await h.quarantine.list({ limit: 5 })).items).toEqual([]);
  });

  it('ingestion needs no API token, and the read API needs one', async () => {
    expect((await post('/v1/identify', { userId: 'u1', traits: { email: 'a@acme.com' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/leads' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/leads', headers: bearer })).statusCode).toBe(200);
  });
});

describe('the browser library', () => {
  it('short paths take text/plain bodies with the write key inside', async () => {
    for (const [path, body] of [
      ['/v1/p', { type: 'page', anonymousId: 'a1', name: 'Home', writeKey: WRITE_KEY }],
      ['/v1/i', { type: 'identify', anonymousId: 'a1', userId: 'u7', traits: { email: 'x@initech.com' }, writeKey: WRITE_KEY }],
      ['/v1/t', { type: 'track', anonymousId: 'a1', userId: 'u7', event: 'Content Viewed', writeKey: WRITE_KEY }],
    ] as const) {
      const response = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(body) });
      expect(response.statusCode, path).toBe(200);
    }
    const lead = await h.leadOf('userId:u7');
    expect((await h.timeline(lead!.id)).filter((e) => e.type === 'TouchRecorded')).toHaveLength(2);
  });

  it('gets settings that send it back to this server, and CORS lets any site post', async () => {
    const settings = await app.inject({ method: 'GET', url: `/v1/projects/${WRITE_KEY}/settings`, headers: { host: 'nudge.example:8080', origin: 'https://shop.example' } });
    expect(settings.statusCode).toBe(200);
    expect(settings.headers['access-control-allow-origin']).toBe('*');
    expect(settings.json()).toMatchObject({ integrations: { 'Segment.io': { apiKey: WRITE_KEY, apiHost: 'nudge.example:8080/v1', protocol: 'http' } } });
    expect((await app.inject({ method: 'GET', url: '/v1/projects/nope/settings' })).statusCode).toBe(401);
    const preflight = await app.inject({ method: 'OPTIONS', url: '/v1/t', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBeLessThan(300);
  });
});

describe('batches', () => {
  it('stores each valid message, quarantines and lists each invalid one', async () => {
    const response = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'u1', event: 'Webinar Registered', messageId: 'b-1' },
        { type: 'track', userId: 'u1', messageId: 'b-2' },
        { type: 'identify', userId: 'u1', traits: { email: 'u1@acme.com' }, messageId: 'b-3' },
        { type: 'launch', userId: 'u1', messageId: 'b-4' },
      ],
      context: { campaign: { source: 'newsletter', medium: 'email' } },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ stored: number; quarantined: { index: number; messageId: string; quarantineId: string; errors: { path: string }[] }[] }>();
    expect(body.stored).toBe(2);
    expect(body.quarantined.map((q) => [q.index, q.messageId, q.errors.map((e) => e.path)])).toEqual([
      [1, 'b-2', ['batch[1].event']],
      [3, 'b-4', ['batch[3].type']],
    ]);
    const kept = await h.quarantine.get(body.quarantined[0]!.quarantineId);
    expect(JSON.parse(kept!.payload)).toMatchObject({ type: 'track', userId: 'u1', messageId: 'b-2', context: { campaign: { source: 'newsletter' } } });
    const lead = await h.leadOf('userId:u1');
    const touch = (await h.timeline(lead!.id)).find((e) => e.type === 'TouchRecorded')!;
    expect(touch.data).toMatchObject({ channel: 'webinar', utm: { source: 'newsletter', medium: 'email' } });
  });

  it('a quarantined message can be fixed by configuration and retried', async () => {
    const response = await post('/v1/track', { userId: 'u1', event: 'Lifecycle Stage Changed', properties: { stage: 'mql' } });
    expect(response.statusCode).toBe(200);
    const bad = await post('/v1/track', { userId: 'u1', event: 'Lifecycle Stage Changed', properties: { stage: 'evangelist' } });
    expect(bad.statusCode).toBe(400);
    const [entry] = (await app.inject({ method: 'GET', url: '/v1/quarantine', headers: bearer })).json<{ entries: { id: string }[] }>().entries;

    const retried = await app.inject({ method: 'POST', url: `/v1/quarantine/${entry!.id}/retry`, headers: bearer });

    expect(retried.json()).toMatchObject({ status: 'open', attempts: 1 });
  });
});

describe('clock skew', () => {
  it('timestamp = receivedAt − (sentAt − originalTimestamp)', async () => {
    h.clock.set('2026-11-22T12:00:00.000Z');
    await post('/v1/track', {
      userId: 'skewed',
      event: 'Content Viewed',
      originalTimestamp: '2026-11-22T14:59:50.000Z',
      sentAt: '2026-11-22T15:00:00.000Z',
    });
    const lead = await h.leadOf('userId:skewed');
    const touch = (await h.timeline(lead!.id)).find((e) => e.type === 'TouchRecorded');
    expect(touch!.occurredAt).toBe('2026-11-22T11:59:50.000Z');
    expect(touch!.data).toMatchObject({ receivedAt: '2026-11-22T12:00:00.000Z', occurredAt: '2026-11-22T11:59:50.000Z' });
  });
});

describe('bad input battery', () => {
  const longString = 'x'.repeat(5_000);
  const cases: [string, string, unknown, number, RegExp, string[]][] = [
    ['not JSON', '/v1/track', '{"userId": "u1", "event": ', 400, /not valid JSON/, ['']],
    ['a JSON array', '/v1/track', [1, 2], 400, /JSON object/, ['']],
    ['wrong types', '/v1/track', { userId: { id: 1 }, event: 42, properties: 'nope' }, 400, /must/, ['userId', 'event', 'properties']],
    ['no userId or anonymousId', '/v1/identify', { traits: { email: 'x@y.io' } }, 400, /userId or anonymousId/, ['userId']],
    ['a bad timestamp', '/v1/page', { anonymousId: 'a', timestamp: 'yesterday' }, 400, /ISO-8601/, ['timestamp']],
    ['an over-long event name', '/v1/track', { userId: 'u1', event: longString }, 400, /at most 200/, ['event']],
    ['a batch that is not an array', '/v1/batch', { batch: { type: 'track' } }, 400, /array of messages/, ['batch']],
    ['alias without previousId', '/v1/alias', { userId: 'u1' }, 400, /string/, ['previousId']],
  ];

  it.each(cases)('%s → %i naming the failing paths; only the quarantine entry is kept; the server still serves', async (_name, url, payload, status, detail, paths) => {
    const response = await post(url, payload);

    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json<{ detail: string; errors: { path: string }[] }>();
    expect(problem.detail).toMatch(detail);
    expect(problem.errors.map((e) => e.path)).toEqual(paths);
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts:\d+/);
    expect(await storedEvents()).toBe(0);
    expect((await h.quarantine.list({ limit: 5 })).items).toHaveLength(1);
    expect((await post('/v1/track', { userId: 'u1', event: 'Still Serving' })).statusCode).toBe(200);
  });

  it('a single message over 32 KiB and a batch over 500 KiB → 413 with the limit, nothing stored', async () => {
    const big = await post('/v1/track', { userId: 'u1', event: 'Big', properties: { blob: 'x'.repeat(40 * 1024) } });
    expect(big.statusCode).toBe(413);
    expect(big.json<{ detail: string }>().detail).toContain('32 KiB');
    const hugeBatch = await post('/v1/batch', { batch: Array.from({ length: 30 }, () => ({ type: 'track', userId: 'u', event: 'E', properties: { blob: 'y'.repeat(20 * 1024) } })) });
    expect(hugeBatch.statusCode).toBe(413);
    expect(await storedEvents()).toBe(0);
  });

  it('an oversized message inside a batch is quarantined, its neighbours stored', async () => {
    const response = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'u1', event: 'Small' },
        { type: 'track', userId: 'u1', event: 'Large', properties: { blob: 'z'.repeat(33 * 1024) } },
      ],
    });
    const body = response.json<{ stored: number; quarantined: { index: number; errors: { path: string; message: string }[] }[] }>();
    expect(body.stored).toBe(1);
    expect(body.quarantined.map((q) => [q.index, q.errors[0]!.path])).toEqual([[1, 'batch[1]']]);
    expect(body.quarantined[0]!.errors[0]!.message).toContain('32 KiB');
  });

  it('unicode, very long values and injection-looking strings are stored as sent', async () => {
    const nasty = {
      userId: "u'; DROP TABLE events;--",
      event: 'Webinar Attended',
      properties: { title: '网络研讨会 — “Pricing” 🚀', html: '<script>alert(1)</script>', long: 'é'.repeat(8_000), nul: 'a\u0000b' },
    };
    expect((await post('/v1/track', nasty)).statusCode).toBe(200);
    const lead = await h.leadOf(`userId:${nasty.userId}`);
    const touch = (await h.timeline(lead!.id)).find((e) => e.type === 'TouchRecorded');
    expect((touch!.data as { properties: unknown }).properties).toEqual(nasty.properties);
  });
});

describe('rate limit per write key', () => {
  it('answers 429 with Retry-After once a key sends more than its limit in a second', async () => {
    await app.close();
    app = await build(3);
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 5; i++) {
      const response = await post('/v1/track', { userId: 'u1', event: `E${i}` });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) retryAfter = String(response.headers['retry-after']);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});

describe('backpressure', () => {
  it('refuses with 503 and Retry-After what would queue beyond NUDGE_INGEST_MAX_QUEUED, stores none of it, and takes it when sent again', async () => {
    await app.close();
    const pipeline = createIngestPipeline({ store: h.store, index: h.index, settings: defaultLeadSettings, channelRules: defaultChannelRules, maxQueued: 150 });
    app = await buildApp({
      eventStore: h.store,
      apiTokens: [TOKEN],
      logger: false,
      version: '0.0.0-test',
      ingestion: { service: new IngestService({ pipeline, quarantine: h.quarantine }), quarantine: h.quarantine, writeKeys: [WRITE_KEY], rateLimitPerSecond: 0 },
    });
    const batch = (n: number) => ({ batch: Array.from({ length: 100 }, (_, i) => ({ type: 'track', userId: `u${i}`, event: 'Pricing Viewed', messageId: `bp-${n}-${i}` })) });

    // Four batches at once: the first is queued, the next would go beyond 150 waiting.
    const responses = await Promise.all([0, 1, 2, 3].map((n) => post('/v1/batch', batch(n))));

    const refused = responses.flatMap((response, n) => (response.statusCode === 503 ? [n] : []));
    expect(responses.map((response) => response.statusCode).filter((status) => status !== 503 && status !== 200)).toEqual([]);
    expect(refused.length).toBeGreaterThan(0);
    const problem = responses[refused[0]!]!;
    expect(problem.headers['retry-after']).toBe('1');
    const body = problem.json<{ code: string; detail: string }>();
    expect(body.code).toBe('overloaded');
    expect(body.detail).toMatch(/messages are waiting to be stored; send these again/);
    const stored = new Set((await h.store.readAll({ limit: 10_000 })).map((event) => String(event.metadata.causationId)));
    for (const n of refused) expect([...stored].some((id) => id.startsWith(`bp-${n}-`))).toBe(false);

    for (const n of refused) expect((await post('/v1/batch', batch(n))).statusCode).toBe(200);
    const after = new Set((await h.store.readAll({ limit: 10_000 })).map((event) => String(event.metadata.causationId)));
    expect([0, 1, 2, 3].every((n) => Array.from({ length: 100 }, (_, i) => `bp-${n}-${i}`).every((id) => after.has(id)))).toBe(true);
  });
});

describe('lead read API', () => {
  beforeEach(async () => {
    await post('/v1/batch', {
      batch: [
        { type: 'page', anonymousId: 'v1', name: 'Home', timestamp: '2026-11-01T10:00:00.000Z' },
        { type: 'identify', anonymousId: 'v1', userId: 'jane', traits: { email: 'jane@acme.com', name: 'Jane Doe', company: 'Acme' }, timestamp: '2026-11-02T10:00:00.000Z' },
        { type: 'track', userId: 'jane', event: 'Lifecycle Stage Changed', properties: { stage: 'sql' }, timestamp: '2026-11-03T10:00:00.000Z' },
        { type: 'identify', userId: 'joe', traits: { email: 'joe@globex.io', name: 'Joe Bloggs' }, timestamp: '2026-11-04T10:00:00.000Z' },
      ],
    });
  });

  it('finds a lead by any identity and shows its profile, stage history and account', async () => {
    for (const query of ['userId=jane', 'email=JANE@acme.com', 'anonymousId=v1']) {
      const response = await app.inject({ method: 'GET', url: `/v1/leads/lookup?${query}`, headers: bearer });
      expect(response.statusCode, query).toBe(200);
      expect(response.json()).toMatchObject({ stage: 'sql', traits: { name: 'Jane Doe' }, account: { domain: 'acme.com' } });
    }
    expect((await app.inject({ method: 'GET', url: '/v1/leads/lookup?email=nobody@x.io', headers: bearer })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/leads/lookup?email=a@b.io&userId=x', headers: bearer })).statusCode).toBe(400);
  });

  it('pages the timeline newest first, including the touches from before identification', async () => {
    const lead = (await app.inject({ method: 'GET', url: '/v1/leads/lookup?userId=jane', headers: bearer })).json<{ id: string }>();
    const first = await app.inject({ method: 'GET', url: `/v1/leads/${lead.id}/timeline?limit=2`, headers: bearer });
    const page1 = first.json<{ events: { type: string; occurredAt: string }[]; next: string }>();
    const second = await app.inject({ method: 'GET', url: `/v1/leads/${lead.id}/timeline?limit=10&cursor=${page1.next}`, headers: bearer });
    const all = [...page1.events, ...second.json<{ events: { type: string; occurredAt: string }[] }>().events];
    expect(all[0]!.type).toBe('LifecycleStageChanged');
    expect(all.at(-1)!.type).toBe('TouchRecorded');
    expect(all.map((e) => e.occurredAt)).toEqual([...all.map((e) => e.occurredAt)].sort().reverse());
  });

  it('searches by name, company, email and stage; shows an account with its leads', async () => {
    const search = async (query: string) => (await app.inject({ method: 'GET', url: `/v1/leads?${query}`, headers: bearer })).json<{ leads: { traits: { name: string } }[] }>().leads.map((l) => l.traits.name);
    expect(await search('name=jane')).toEqual(['Jane Doe']);
    expect(await search('company=acm')).toEqual(['Jane Doe']);
    expect(await search('stage=sql')).toEqual(['Jane Doe']);
    expect(await search('email=jo*')).toEqual(['Joe Bloggs']);
    expect(await search('')).toEqual(['Joe Bloggs', 'Jane Doe']);
    const jane = (await app.inject({ method: 'GET', url: '/v1/leads/lookup?userId=jane', headers: bearer })).json<{ account: { id: string } }>();
    const account = await app.inject({ method: 'GET', url: `/v1/accounts/${jane.account.id}`, headers: bearer });
    expect(account.json()).toMatchObject({ account: { domain: 'acme.com' }, leads: [{ traits: { name: 'Jane Doe' } }] });
    expect((await app.inject({ method: 'GET', url: '/v1/accounts/none', headers: bearer })).statusCode).toBe(404);
  });
});

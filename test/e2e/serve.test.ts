import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { newEvent } from '../../services/core/index.ts';
import { runNudge, startNudge, type RunningNudge } from './nudgeProcess.ts';

const running: RunningNudge[] = [];
const dirs: string[] = [];

function emptyDataDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'nudge-e2e-')), 'data');
  dirs.push(dir);
  return dir;
}

async function start(env: Record<string, string>): Promise<RunningNudge> {
  const nudge = await startNudge(env);
  running.push(nudge);
  return nudge;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((n) => n.stop()));
  for (const dir of dirs.splice(0)) rmSync(join(dir, '..'), { recursive: true, force: true });
});

describe('nudge serve (the main job, embedded)', () => {
  it('on an empty data folder: generates an admin token, prints it, keeps it private, and guards the API with it', async () => {
    const dataDir = emptyDataDir();

    const nudge = await start({ NUDGE_DATA_DIR: dataDir });

    const tokenFile = join(dataDir, 'api-token');
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(nudge.logs.some((l) => String(l.msg).includes(token))).toBe(true);
    expect(existsSync(join(dataDir, 'events.db'))).toBe(true);

    const ready = await fetch(`${nudge.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { eventStore: { status: 'ok' } } });

    const anonymous = await fetch(`${nudge.url}/v1/events`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');

    const authorised = await fetch(`${nudge.url}/v1/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(authorised.status).toBe(200);
    // The only events of a new installation: the shipped journeys, saved and published.
    const { events } = (await authorised.json()) as { events: { stream: string; type: string }[] };
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(['JourneyDraftSaved', 'JourneyRegistered', 'JourneyPublished']));
    expect(events.every((event) => event.stream === 'journeys' || event.stream.startsWith('journey-'))).toBe(true);

    const docs = await fetch(`${nudge.url}/docs/json`, { headers: { authorization: `Basic ${Buffer.from(`me:${token}`).toString('base64')}` } });
    expect(docs.status).toBe(200);
    expect(((await docs.json()) as { info: { title: string } }).info.title).toBe('Nudge API');
  });

  it('shuts down gracefully on SIGTERM, and a restart keeps the token and serves what the store holds', async () => {
    const dataDir = emptyDataDir();
    const first = await start({ NUDGE_DATA_DIR: dataDir });
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();

    expect(await first.stop()).toBe(0);
    expect(first.logs.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM')).toBe(true);

    const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    const { appended } = await store.append('lead-ana', [newEvent({ type: 'TouchRecorded', data: { name: 'Webinar Attended' } })]);
    await store.close();

    const second = await start({ NUDGE_DATA_DIR: dataDir });
    expect(readFileSync(join(dataDir, 'api-token'), 'utf8').trim()).toBe(token);
    expect(second.logs.some((l) => String(l.msg).includes(token))).toBe(false);
    const response = await fetch(`${second.url}/v1/streams/lead-ana`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { events: { id: string }[] }).events.map((e) => e.id)).toEqual([appended[0]!.id]);
  });

  it('sees events another process appends while it runs', async () => {
    const dataDir = emptyDataDir();
    const nudge = await start({ NUDGE_DATA_DIR: dataDir, NUDGE_API_TOKENS: 'a-configured-token-of-enough-length', NUDGE_JOURNEY_LIBRARY: 'skip' });

    const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    await store.append('lead-bo', [newEvent({ type: 'TouchRecorded', data: { name: 'Content Viewed' } })]);
    await store.close();

    const response = await fetch(`${nudge.url}/v1/events`, { headers: { authorization: 'Bearer a-configured-token-of-enough-length' } });
    expect(((await response.json()) as { head: number }).head).toBe(1);
  });

  it('with configured tokens: generates none and accepts each configured one', async () => {
    const dataDir = emptyDataDir();

    const nudge = await start({ NUDGE_DATA_DIR: dataDir, NUDGE_API_TOKENS: 'first-token-0123456789, second-token-0123456789' });

    expect(existsSync(join(dataDir, 'api-token'))).toBe(false);
    for (const token of ['first-token-0123456789', 'second-token-0123456789']) {
      const response = await fetch(`${nudge.url}/v1/events`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
    }
  });

  it('a bad variable stops start-up with a message naming it', () => {
    const result = runNudge(['serve'], { NUDGE_DATA_DIR: emptyDataDir(), PORT: 'eighty', NUDGE_SQLITE_SYNCHRONOUS: 'sometimes' });

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('PORT: must be a port number from 0 to 65535 (got "eighty")');
    expect(result.stderr).toContain('NUDGE_SQLITE_SYNCHRONOUS');
  });
});

describe('nudge events (inspecting the store)', () => {
  it('tail prints the newest events and stream prints one stream, readable or as JSON lines', async () => {
    const dataDir = emptyDataDir();
    const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    for (const [stream, name] of [['lead-1', 'Ad Clicked'], ['lead-2', 'Webinar Registered'], ['lead-1', 'Webinar Attended']] as const) {
      await store.append(stream, [newEvent({ type: 'TouchRecorded', data: { name } })]);
    }
    await store.close();

    const tail = runNudge(['events', 'tail', '-n', '2', '--no-follow'], { NUDGE_DATA_DIR: dataDir });
    expect(tail.status).toBe(0);
    expect(tail.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^#2 .* lead-2@0 {2}TouchRecorded {2}\{"name":"Webinar Registered"\}$/),
      expect.stringMatching(/^#3 .* lead-1@1 {2}TouchRecorded {2}\{"name":"Webinar Attended"\}$/),
    ]);

    const stream = runNudge(['events', 'stream', 'lead-1', '--json'], { NUDGE_DATA_DIR: dataDir });
    expect(stream.status).toBe(0);
    const lines = stream.stdout.trim().split('\n').map((l) => JSON.parse(l) as { revision: number; data: { name: string } });
    expect(lines.map((l) => [l.revision, l.data.name])).toEqual([
      [0, 'Ad Clicked'],
      [1, 'Webinar Attended'],
    ]);

    const missing = runNudge(['events', 'stream', 'lead-404'], { NUDGE_DATA_DIR: dataDir });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('stream lead-404 has no events');
  });

  it('tail on a folder with no store says so instead of failing obscurely', () => {
    const result = runNudge(['events', 'tail', '--no-follow'], { NUDGE_DATA_DIR: emptyDataDir() });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no event store at');
  });
});

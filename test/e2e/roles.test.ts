import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { runNudge, startNudge, type RunningNudge } from './nudgeProcess.ts';

/**
 * `nudge serve --role`: the work split over processes on one data folder. An `api,projector,scorer`
 * process takes events and answers; nothing proposes suggestions until a `runner` process joins,
 * which serves health only.
 */
const root = mkdtempSync(join(tmpdir(), 'nudge-roles-'));
const dataDir = join(root, 'data');
const running: RunningNudge[] = [];

afterAll(async () => {
  await Promise.all(running.map((nudge) => nudge.stop()));
  rmSync(root, { recursive: true, force: true });
});

describe('nudge serve --role', () => {
  it('splits the work: the runner process proposes what the api process took in, and serves health only', async () => {
    const api = await startNudge({ NUDGE_DATA_DIR: dataDir }, 60_000, ['serve', '--role', 'api,projector,scorer']);
    running.push(api);
    expect(api.logs.some((line) => line.msg === 'roles: api, projector, scorer')).toBe(true);
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    const writeKey = readFileSync(join(dataDir, 'write-key'), 'utf8').trim();
    const send = (path: string, body: unknown) =>
      fetch(`${api.url}${path}`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const get = async <T>(base: string, path: string): Promise<{ status: number; body: T }> => {
      const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: (await response.json()) as T };
    };
    await send('/v1/identify', { userId: 'role-ann', traits: { email: 'ann@bigco.example', firstName: 'Ann', country: 'US' } });
    await send('/v1/group', { userId: 'role-ann', groupId: 'bigco', traits: { name: 'Bigco', employees: 900 } });
    await send('/v1/track', { userId: 'role-ann', event: 'Demo Requested' });
    const { body: lead } = await get<{ id: string }>(api.url, '/v1/leads/lookup?userId=role-ann');
    const proposals = async (): Promise<number> => (await get<{ events: { type: string }[] }>(api.url, `/v1/streams/lead-${lead.id}`)).body.events.filter((event) => event.type === 'SuggestionProposed').length;
    await delay(1_500);
    expect(await proposals()).toBe(0);

    const runner = await startNudge({ NUDGE_DATA_DIR: dataDir }, 60_000, ['serve', '--role', 'runner']);
    running.push(runner);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await proposals()) === 0) await delay(200);
    expect(await proposals()).toBe(1);

    expect((await fetch(`${runner.url}/health/ready`)).status).toBe(200);
    expect((await get(runner.url, '/v1/leads/lookup?userId=role-ann')).status).toBe(404);
    expect((await get(runner.url, '/v1/events?limit=1')).status).toBe(200);
  }, 120_000);

  it('refuses an ingest-worker without Kafka, and a role it does not know, naming the problem', () => {
    const worker = runNudge(['serve', '--role', 'ingest-worker'], { NUDGE_DATA_DIR: join(root, 'other'), PORT: '0' });
    expect(worker.status).toBe(2);
    expect(worker.stderr).toContain('INGEST_LOG=kafka');
    const bogus = runNudge(['serve', '--role', 'api,chef'], { NUDGE_DATA_DIR: join(root, 'other'), PORT: '0' });
    expect(bogus.status).not.toBe(0);
    expect(bogus.stderr).toContain('(not: chef)');
  });
});

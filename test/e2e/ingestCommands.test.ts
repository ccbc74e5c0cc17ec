/**
 * `nudge ingest`, `nudge quarantine` and `nudge leads rebuild` as a user runs them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { newEvent } from '../../services/core/index.ts';
import { runNudge, startNudge } from './nudgeProcess.ts';

let dataDir: string;
let env: Record<string, string>;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'nudge-ingest-cli-'));
  env = { NUDGE_DATA_DIR: dataDir, NUDGE_API_TOKENS: 'cli-test-api-token-0123456789', NUDGE_WRITE_KEYS: 'wk_cli_test_key' };
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const lines = [
  { type: 'page', messageId: 'f-1', anonymousId: 'v-1', name: 'Pricing', context: { page: { url: 'https://nudge.dev/pricing?utm_source=google&utm_medium=cpc' } }, timestamp: '2026-10-01T10:00:00.000Z' },
  { type: 'identify', messageId: 'f-2', anonymousId: 'v-1', userId: 'ada', traits: { email: 'ada@analytical.io', name: 'Ada Lovelace' }, timestamp: '2026-10-02T10:00:00.000Z' },
  { type: 'track', messageId: 'f-3', userId: 'ada', event: 'Lifecycle Stage Changed', properties: { stage: 'sql' }, timestamp: '2026-10-03T10:00:00.000Z' },
  { type: 'track', messageId: 'f-4', userId: 'ada', event: 'Lifecycle Stage Changed', properties: { stage: 'evangelist' }, timestamp: '2026-10-04T10:00:00.000Z' },
].map((line) => JSON.stringify(line));

describe('nudge ingest and quarantine', () => {
  it('loads a JSON-lines file, reports what it did, recognises a second load, and keeps what failed for retry', async () => {
    const file = join(dataDir, 'events.jsonl');
    writeFileSync(file, [...lines, '{"type": "track", "userId": "ada", oops', ''].join('\n'));

    const first = runNudge(['ingest', file], env);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/5 messages .* 3 stored, 0 duplicate, 0 unchanged, 2 quarantined/);

    const second = runNudge(['ingest', file, '--quiet'], env);
    expect(second.stdout).toMatch(/3 duplicate/);

    const list = runNudge(['quarantine', 'list', '--json'], env);
    const entries = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; issues: { path: string }[]; source: string });
    expect(entries.length).toBe(2);
    expect(entries.flatMap((e) => e.issues.map((i) => i.path))).toEqual(expect.arrayContaining(['batch[3].properties.stage', '']));
    expect(entries[0]!.source).toBe('file:events.jsonl');

    // The team adds the stage, then retries what failed on it.
    const stageEntry = entries.find((e) => e.issues.some((i) => i.path === 'batch[3].properties.stage'))!;
    const retried = runNudge(['quarantine', 'retry', stageEntry.id], { ...env, NUDGE_LIFECYCLE_STAGES: 'subscriber,lead,mql,sql,evangelist,opportunity,customer' });
    expect(retried.stdout).toContain(`${stageEntry.id}: stored`);
    expect(retried.status).toBe(0);

    const server = await startNudge(env);
    try {
      const lead = await fetch(`${server.url}/v1/leads/lookup?email=ada@analytical.io`, { headers: { authorization: `Bearer ${env.NUDGE_API_TOKENS}` } });
      expect(await lead.json()).toMatchObject({ stage: 'evangelist', anonymousIds: ['v-1'], traits: { name: 'Ada Lovelace' } });
    } finally {
      await server.stop();
    }

    const rebuilt = runNudge(['leads', 'rebuild'], env);
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.stdout).toMatch(/Lead index rebuilt from \d+ events/);
  });
});

describe('the lead index while serving', () => {
  it('takes in events other writers append to the store (here: an owner assigned by another process)', async () => {
    const server = await startNudge(env);
    try {
      const auth = `Basic ${Buffer.from(`${env.NUDGE_WRITE_KEYS}:`).toString('base64')}`;
      const sent = await fetch(`${server.url}/v1/identify`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'grace', traits: { email: 'grace@navy.mil' } }) });
      expect(sent.status).toBe(200);
      const bearer = { authorization: `Bearer ${env.NUDGE_API_TOKENS}` };
      const lead = (await (await fetch(`${server.url}/v1/leads/lookup?userId=grace`, { headers: bearer })).json()) as { id: string; ownerId: string | null };
      expect(lead.ownerId).toBeNull();

      const other = createSqliteEventStore({ path: join(dataDir, 'events.db') });
      await other.append(`lead-${lead.id}`, [newEvent({ type: 'OwnerAssigned', data: { ownerId: 'rep-hopper', previousOwnerId: null, reason: 'round robin' } })]);
      await other.close();

      let ownerId: string | null = null;
      for (let i = 0; i < 50 && ownerId === null; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        ownerId = ((await (await fetch(`${server.url}/v1/leads/${lead.id}`, { headers: bearer })).json()) as { ownerId: string | null }).ownerId;
      }
      expect(ownerId).toBe('rep-hopper');
    } finally {
      await server.stop();
    }
  });
});

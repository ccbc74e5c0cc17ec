/**
 * `nudge reps …` and `nudge leads assign` against a data folder, as a sales manager runs them;
 * and `nudge serve` routing a new lead to a rep added through the API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningNudge } from './nudgeProcess.ts';
import { runNudge, startNudge } from './nudgeProcess.ts';

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-e2e-reps-cli-'));
  env = { NUDGE_DATA_DIR: join(dir, 'data'), NUDGE_API_TOKENS: 'cli-test-api-token-0123456789', NUDGE_WRITE_KEYS: 'wk_cli_test_key' };
});
const running: RunningNudge[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((nudge) => nudge.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** Loads one identify through `nudge ingest` and returns the id of the lead it made. */
function ingestLead(): string {
  const file = join(dir, 'lead.jsonl');
  writeFileSync(file, `${JSON.stringify({ type: 'identify', messageId: 'r-1', userId: 'joao', traits: { email: 'joao@acme.example', name: 'João Silva' }, timestamp: '2026-03-02T10:00:00.000Z' })}\n`);
  expect(runNudge(['ingest', file, '--quiet'], env).status).toBe(0);
  const events = runNudge(['events', 'tail', '--no-follow', '--json', '-n', '50'], env)
    .stdout.trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { stream: string; type: string; data: Record<string, unknown> });
  return events.find((event) => event.type === 'LeadIdentified')!.stream.slice('lead-'.length);
}

describe('nudge reps and nudge leads assign', () => {
  it('adds reps, lists them, changes one, and gives a lead to a rep with a reason', () => {
    const added = runNudge(
      ['reps', 'add', '--id', 'rep-ana', '--name', 'Ana Lima', '--email', 'ana@orbitly.example', '--team', 'americas', '--territory', 'us,br', '--languages', 'en,pt', '--capacity', '15', '--tz', 'America/Sao_Paulo'],
      env,
    );
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(added.stdout).toBe('added rep-ana to team americas\n');
    expect(runNudge(['reps', 'add', '--id', 'rep-dieter', '--name', 'Dieter Braun', '--email', 'dieter@orbitly.example', '--team', 'emea'], env).status).toBe(0);

    const list = runNudge(['reps', 'list'], env);
    expect(list.stdout).toMatch(/^rep\s+name\s+team\s+territory\s+languages\s+capacity\s+time zone\s+status$/m);
    expect(list.stdout).toMatch(/^rep-ana\s+Ana Lima\s+americas\s+BR,US\s+en,pt\s+15\s+America\/Sao_Paulo\s+active$/m);
    expect(list.stdout).toMatch(/^rep-dieter\s+Dieter Braun\s+emea\s+-\s+-\s+20\s+UTC\s+active$/m);
    const json = runNudge(['reps', 'list', '--json', '--team', 'emea'], env).stdout.trim().split('\n');
    expect(json.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(['rep-dieter']);

    const updated = runNudge(['reps', 'update', 'rep-ana', '--capacity', '10'], env);
    expect(updated.stdout).toContain('capacity:  10 a day (America/Sao_Paulo)');

    const leadId = ingestLead();
    const assigned = runNudge(['leads', 'assign', leadId, 'rep-ana', '--reason', 'speaks Portuguese'], env);
    expect(assigned.stderr).toBe('');
    expect(assigned.stdout).toBe(`lead ${leadId} now belongs to rep-ana\n`);
    const moved = runNudge(['leads', 'assign', leadId, 'rep-dieter', '--reason', 'moved to Lisbon'], env);
    expect(moved.stdout).toBe(`lead ${leadId} now belongs to rep-dieter (was rep-ana)\n`);

    const stream = runNudge(['events', 'stream', `lead-${leadId}`, '--json'], env)
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> })
      .filter((event) => event.type === 'OwnerAssigned');
    expect(stream.map((event) => event.data)).toEqual([
      { ownerId: 'rep-ana', previousOwnerId: null, reason: 'manual: speaks Portuguese' },
      { ownerId: 'rep-dieter', previousOwnerId: 'rep-ana', reason: 'manual: moved to Lisbon' },
    ]);
  });

  it('refuses what cannot be done, saying why', () => {
    runNudge(['reps', 'add', '--id', 'rep-ana', '--name', 'Ana Lima', '--email', 'ana@orbitly.example', '--team', 'americas'], env);

    const bad = runNudge(['reps', 'add', '--id', 'rep-bad', '--name', 'Bad', '--email', 'not-an-email', '--team', 'americas', '--tz', 'Mars/Base'], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('email: must be an email address');
    expect(bad.stderr).toContain('timeZone: must be an IANA time zone');

    const leadId = ingestLead();
    const noReason = runNudge(['leads', 'assign', leadId, 'rep-ana'], env);
    expect(noReason.status).not.toBe(0);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");

    const noLead = runNudge(['leads', 'assign', 'no-such-lead', 'rep-ana', '--reason', 'x'], env);
    expect(noLead.status).toBe(1);
    expect(noLead.stderr).toContain('no lead no-such-lead');

    expect(runNudge(['reps', 'deactivate', 'rep-ana', '--reason', 'on leave'], env).stdout).toBe('deactivated rep-ana\n');
    const inactive = runNudge(['leads', 'assign', leadId, 'rep-ana', '--reason', 'x'], env);
    expect(inactive.status).toBe(1);
    expect(inactive.stderr).toContain('rep rep-ana is inactive');
    expect(runNudge(['reps', 'deactivate', 'rep-ana'], env).stderr).toContain('rep rep-ana is already inactive');
    expect(runNudge(['reps', 'reactivate', 'rep-ana'], env).stdout).toBe('reactivated rep-ana\n');
  });
});

describe('routing in nudge serve', () => {
  it('gives a new lead from the US to the americas rep, naming the rule', async () => {
    const nudge = await startNudge(env);
    running.push(nudge);
    const headers = { authorization: `Bearer ${env.NUDGE_API_TOKENS!}`, 'content-type': 'application/json' };
    const segment = (call: string, body: Record<string, unknown>) =>
      fetch(`${nudge.url}/v1/${call}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${env.NUDGE_WRITE_KEYS!}:`).toString('base64')}` },
        body: JSON.stringify(body),
      });
    const added = await fetch(`${nudge.url}/v1/reps`, { method: 'POST', headers, body: JSON.stringify({ id: 'rep-ana', name: 'Ana Lima', email: 'ana@orbitly.example', team: 'americas' }) });
    expect(added.status).toBe(201);

    expect((await segment('identify', { userId: 'u-joe', traits: { email: 'joe@acme.example', name: 'Joe Bloggs' } })).status).toBe(200);
    expect((await segment('group', { userId: 'u-joe', groupId: 'acme', traits: { name: 'Acme', country: 'US', employees: 450 } })).status).toBe(200);

    const lead = (await (await fetch(`${nudge.url}/v1/leads/lookup?userId=u-joe`, { headers })).json()) as { id: string };
    await expect
      .poll(
        async () => {
          const stream = (await (await fetch(`${nudge.url}/v1/streams/lead-${lead.id}`, { headers })).json()) as { events: { type: string; data: unknown }[] };
          return stream.events.filter((event) => event.type === 'OwnerAssigned').map((event) => event.data);
        },
        { timeout: 10_000 },
      )
      .toEqual([{ ownerId: 'rep-ana', previousOwnerId: null, reason: 'routing:americas' }]);
  });
});

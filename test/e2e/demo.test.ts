/**
 * `nudge demo generate` then `nudge ingest`, as a user runs them: every generated message is
 * stored (none quarantined, none a no-op), and the lead index has one lead per generated userId.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNudge, startNudge } from './nudgeProcess.ts';

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-demo-e2e-'));
  env = { NUDGE_DATA_DIR: join(dir, 'data'), NUDGE_API_TOKENS: 'demo-e2e-api-token-0123456789', NUDGE_WRITE_KEYS: 'wk_demo_e2e_key' };
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('nudge demo generate, then nudge ingest', () => {
  it('loads every generated message into a fresh data folder, one lead per generated userId', async () => {
    const events = join(dir, 'demo.jsonl');
    const generated = runNudge(['demo', 'generate', '--leads', '200', '--days', '45', '--seed', '7', '--start', '2026-01-05', '--out', events, '--costs-out', join(dir, 'costs.csv')], env);
    expect(generated.stderr).toContain('200 leads in');
    expect(generated.status).toBe(0);

    const messages = readFileSync(events, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; userId?: string; groupId?: string });
    const ingested = runNudge(['ingest', events, '--quiet'], env);
    expect(ingested.stderr).toBe('');
    expect(ingested.status).toBe(0);
    expect(ingested.stdout).toMatch(new RegExp(`: ${messages.length} messages .*: ${messages.length} stored, 0 duplicate, 0 unchanged, 0 quarantined`));

    const userIds = [...new Set(messages.flatMap((message) => (message.type === 'identify' ? [message.userId!] : [])))];
    const groupIds = new Set(messages.flatMap((message) => (message.type === 'group' ? [message.groupId!] : [])));
    expect(userIds.length).toBe(200);
    const server = await startNudge(env);
    try {
      const bearer = { authorization: `Bearer ${env.NUDGE_API_TOKENS}` };
      const leadIds = new Set<string>();
      const accountIds = new Set<string>();
      for (const userId of userIds) {
        const lead = (await (await fetch(`${server.url}/v1/leads/lookup?userId=${userId}`, { headers: bearer })).json()) as { id: string; account: { id: string } | null };
        leadIds.add(lead.id);
        accountIds.add(lead.account!.id);
      }
      expect(leadIds.size).toBe(200);
      expect(accountIds.size).toBe(groupIds.size);
      const listed = (await (await fetch(`${server.url}/v1/leads?limit=500`, { headers: bearer })).json()) as { leads: { id: string }[]; next: string | null };
      expect(listed.next).toBeNull();
      expect(new Set(listed.leads.map((lead) => lead.id))).toEqual(leadIds);
    } finally {
      await server.stop();
    }
  });
});

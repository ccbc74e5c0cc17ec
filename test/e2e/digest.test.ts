/** `nudge digest send --rep`: a rep's morning digest of today's queue, written to the outbox once a day. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { deriveId, newEvent } from '../../services/core/index.ts';
import { runNudge } from './nudgeProcess.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('nudge queue and nudge digest send', () => {
  it("writes the rep's digest with today's suggestion to the outbox, once a day unless forced", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-e2e-digest-'));
    dirs.push(dir);
    const dataDir = join(dir, 'data');
    const env = { NUDGE_DATA_DIR: dataDir };
    expect(runNudge(['reps', 'add', '--id', 'rep-ana', '--name', 'Ana Lima', '--email', 'ana@seller.example', '--team', 'emea'], env).status).toBe(0);

    const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    const now = new Date();
    await store.append('lead-mei', [
      newEvent({ type: 'TraitsUpdated', data: { messageId: 't', traits: { name: 'Mei Tan', company: 'Acme' } } }),
      newEvent({ type: 'OwnerAssigned', data: { ownerId: 'rep-ana', previousOwnerId: null, reason: 'test' } }),
      newEvent({
        type: 'SuggestionProposed',
        data: {
          suggestionId: deriveId('e2e-digest', 'mei'),
          leadId: 'mei',
          journeyId: 'webinar-follow-up',
          version: 1,
          instanceId: deriveId('e2e-digest-instance', 'mei'),
          node: 'call-now',
          action: 'call',
          priority: 'high',
          title: 'Call Mei about Pricing in 2027',
          body: null,
          subject: null,
          dueAt: new Date(now.getTime() - 3_600_000).toISOString(),
          expiresAt: new Date(now.getTime() + 5 * 86_400_000).toISOString(),
          ownerId: 'rep-ana',
          reason: { journeyId: 'webinar-follow-up', journeyName: 'Webinar follow-up', version: 1, path: ['call-now'], decisions: [], trigger: { eventId: 'e', name: 'Webinar Attended', occurredAt: now.toISOString() }, event: null },
        },
      }),
    ]);
    await store.close();

    const queue = runNudge(['queue', '--rep', 'rep-ana'], env);
    expect(queue.stderr).toBe('');
    expect(queue.stdout).toContain('rep-ana: 1 for today, 0 later');
    expect(queue.stdout).toContain('1. [high] call: Call Mei about Pricing in 2027 — Mei Tan, Acme');
    expect(queue.stdout).toContain('why: Webinar Attended on');

    const sent = runNudge(['digest', 'send', '--rep', 'rep-ana'], env);
    expect(sent.stderr).toBe('');
    expect(sent.stdout).toMatch(/^Sent rep-ana's digest for \d{4}-\d{2}-\d{2}: 1 suggestion for today/);
    const files = readdirSync(join(dataDir, 'outbox')).filter((name) => name.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const eml = readFileSync(join(dataDir, 'outbox', files[0]!), 'utf8');
    expect(eml).toMatch(/^To: ("Ana Lima" |Ana Lima )?<ana@seller.example>/m);
    expect(eml).toContain('Call Mei about Pricing in 2027');

    expect(runNudge(['digest', 'send', '--rep', 'rep-ana'], env).stdout).toContain('went already');
    expect(runNudge(['digest', 'send', '--rep', 'rep-ana', '--force'], env).stdout).toContain('Sent rep-ana');
    expect(readdirSync(join(dataDir, 'outbox')).filter((name) => name.endsWith('.eml'))).toHaveLength(2);
    expect(runNudge(['digest', 'send', '--rep', 'nobody'], env).status).toBe(1);
  });
});

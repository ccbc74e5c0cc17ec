import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { newEvent, ValidationError } from '../../services/core/index.ts';
import type { LeadProfile } from '../../services/leads/index.ts';
import { emptyLead, leadTimeline } from '../../services/leads/index.ts';
import type { EventStore } from '../../services/ports/index.ts';

/** Timelines are read from the real SQLite store: the lead's stream, its visitors' and merged leads'. */
describe('lead timeline', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nudge-timeline-'));
    store = createSqliteEventStore({ path: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const touch = (id: string, occurredAt: string) =>
    newEvent({ type: 'TouchRecorded', data: { messageId: id, name: id } } as never, { id: crypto.randomUUID(), occurredAt });
  const names = (items: readonly { data: unknown }[]) => items.map((entry) => (entry.data as { name?: string; messageId?: string }).name ?? (entry.data as { messageId: string }).messageId);
  const lead = (overrides: Partial<LeadProfile> = {}): LeadProfile => ({ ...emptyLead('L', '2026-11-01T00:00:00.000Z'), ...overrides });

  it("merges the lead's stream with its visitors' and merged leads' streams, newest first", async () => {
    await store.append('visitor-anon-1', [touch('before-identify', '2026-11-01T08:00:00.000Z')]);
    await store.append('lead-L', [touch('own', '2026-11-03T08:00:00.000Z')]);
    await store.append('lead-M', [touch('merged-lead', '2026-11-02T08:00:00.000Z')]);
    await store.append('visitor-anon-2', [touch('merged-visitor', '2026-11-04T08:00:00.000Z')]);
    await store.append('visitor-stranger', [touch('not-ours', '2026-11-05T08:00:00.000Z')]);
    await store.append('lead-other', [touch('other-lead', '2026-11-05T08:00:00.000Z')]);

    const page = await leadTimeline(store, lead({ anonymousIds: ['anon-1', 'anon-2'], mergedLeadIds: ['M'] }), { limit: 50 });

    expect(names(page.items)).toEqual(['merged-visitor', 'own', 'merged-lead', 'before-identify']);
    expect(page.items[0]).toMatchObject({ type: 'TouchRecorded', stream: 'visitor-anon-2', occurredAt: '2026-11-04T08:00:00.000Z' });
    expect(page.next).toBeNull();
  });

  it('shows journey walks and suggestions, not other events on the stream', async () => {
    await store.append('lead-L', [
      touch('visit', '2026-11-03T08:00:00.000Z'),
      newEvent({ type: 'JourneyEntered', data: { journeyId: 'j1', version: 1 } } as never, { occurredAt: '2026-11-03T08:00:01.000Z' }),
      newEvent({ type: 'EmailSendRequested', data: { messageId: 'mail' } } as never, { occurredAt: '2026-11-03T08:00:02.000Z' }),
      newEvent({ type: 'SuggestionProposed', data: { suggestionId: 's1' } } as never, { occurredAt: '2026-11-03T08:00:03.000Z' }),
    ]);

    const page = await leadTimeline(store, lead(), { limit: 10 });

    expect(page.items.map((entry) => entry.type)).toEqual(['SuggestionProposed', 'JourneyEntered', 'TouchRecorded']);
  });

  it('pages with a cursor: every event once, newest first, events of one instant latest stored first', async () => {
    const events = Array.from({ length: 25 }, (_, i) => touch(`e${String(i).padStart(2, '0')}`, `2026-10-${String(1 + Math.floor(i / 2)).padStart(2, '0')}T00:00:00.000Z`));
    // Stored in two streams, interleaved, so the order has to come from the merge.
    for (const [i, event] of events.entries()) await store.append(i % 2 === 0 ? 'lead-L' : 'visitor-v', [event]);
    const profile = lead({ anonymousIds: ['v'] });

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await leadTimeline(store, profile, { limit: 10, cursor });
      seen.push(...names(page.items));
      cursor = page.next ?? undefined;
      pages++;
    } while (cursor !== undefined);

    expect(pages).toBe(3);
    expect(seen).toEqual(events.map((_, i) => `e${String(i).padStart(2, '0')}`).reverse());
  });

  it('refuses a cursor it did not give, naming the field', async () => {
    const error = await leadTimeline(store, lead(), { limit: 10, cursor: 'not-a-cursor' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: 'cursor', message: 'is not a cursor this server returned' }]);
  });
});

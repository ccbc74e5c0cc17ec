/** The morning digest: today's queue, in order, with reasons and links, once per rep per local day (outbox adapter, parsed back). */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutboxMailer } from '../../infra/mail/index.ts';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import type { ManualClock } from '../../services/core/index.ts';
import { deriveId, manualClock, newEvent } from '../../services/core/index.ts';
import type { EventStore, Mailer } from '../../services/ports/index.ts';
import type { DigestRep, SuggestionQueueProjection } from '../../services/suggestions/index.ts';
import { createSuggestionQueueProjection, DailyDigest } from '../../services/suggestions/index.ts';

let dir: string;
let store: EventStore;
let mailer: Mailer;
let clock: ManualClock;
let projection: SuggestionQueueProjection;
let abort: AbortController;
let digest: DailyDigest;

const reps: DigestRep[] = [
  { id: 'rep-ana', name: 'Ana Lima', email: 'ana@seller.example', timeZone: 'Asia/Singapore', dailyCapacity: 1, active: true },
  { id: 'rep-bo', name: 'Bo', email: 'bo@seller.example', timeZone: 'America/New_York', dailyCapacity: 10, active: true },
];

async function given(lead: string, owner: string, n: number, priority: string, title: string): Promise<void> {
  await store.append(`lead-${lead}`, [
    newEvent({ type: 'TraitsUpdated', data: { messageId: `t-${lead}-${n}`, traits: { name: `<b>${lead}</b>`, company: 'Acme' } } }),
    newEvent({ type: 'OwnerAssigned', data: { ownerId: owner, previousOwnerId: null, reason: 'test' } }),
    newEvent({
      type: 'SuggestionProposed',
      data: {
        suggestionId: deriveId('s', lead, String(n)),
        leadId: lead,
        journeyId: 'webinar-follow-up',
        version: 1,
        instanceId: deriveId('i', lead, String(n)),
        node: 'call-now',
        action: 'call',
        priority,
        title,
        body: null,
        subject: null,
        dueAt: '2026-03-01T23:00:00.000Z',
        expiresAt: '2026-03-09T10:00:00.000Z',
        ownerId: owner,
        reason: { journeyId: 'webinar-follow-up', journeyName: 'Webinar follow-up', version: 1, path: ['call-now'], decisions: [], trigger: { eventId: 'e', name: 'Webinar Attended', occurredAt: '2026-03-01T16:00:00.000Z' }, event: null },
      },
    }),
  ]);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-digest-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
  clock = manualClock('2026-03-02T00:30:00Z'); // 08:30 in Singapore, 19:30 the day before in New York
  mailer = createOutboxMailer({ dir: join(dir, 'outbox'), clock });
  projection = createSuggestionQueueProjection({ store });
  abort = new AbortController();
  void projection.run(abort.signal).catch(() => undefined);
  digest = new DailyDigest({
    store,
    projection,
    mailer,
    clock,
    reps: { find: (id) => Promise.resolve(reps.find((rep) => rep.id === id) ?? null), list: () => Promise.resolve(reps) },
    baseUrl: 'https://nudge.seller.example/',
    fromAddress: 'nudge@seller.example',
    messageIdDomain: 'seller.example',
  });
});

afterEach(async () => {
  abort.abort();
  await mailer.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const outbox = () => readdirSync(join(dir, 'outbox')).filter((name) => name.endsWith('.eml'));

describe('the daily digest', () => {
  it('lists today’s queue up to the rep’s capacity, in order, with reasons and links, escaped in HTML', async () => {
    await given('mei', 'rep-ana', 1, 'normal', 'Send the recap');
    await given('tom', 'rep-ana', 2, 'urgent', 'Call Tom now');

    expect(await digest.send('rep-ana')).toEqual({ status: 'sent', repId: 'rep-ana', day: '2026-03-02', items: 1 });

    const [file] = outbox();
    const mail = await simpleParser(readFileSync(join(dir, 'outbox', file!)));
    expect(mail.subject).toBe('Your Nudge queue for 2026-03-02: 1 to do (2 overdue)');
    expect(mail.text).toContain('1. [urgent] Call Tom now — <b>tom</b>, Acme');
    expect(mail.text).toContain('why: Webinar Attended on 1 Mar 2026');
    expect(mail.text).toContain(`https://nudge.seller.example/v1/suggestions/${deriveId('s', 'tom', '2')}`);
    expect(mail.text).toContain('1 more wait in your queue');
    expect(mail.html).not.toContain('<b>tom</b>');
  });

  it('goes once per rep per local day, and only once the rep’s morning has come', async () => {
    await given('mei', 'rep-ana', 1, 'normal', 'Send the recap');
    await given('kim', 'rep-bo', 1, 'high', 'Call Kim');

    expect((await digest.sendDue()).map((outcome) => outcome.repId)).toEqual(['rep-ana']);
    expect(await digest.sendDue()).toEqual([]);
    expect(await digest.send('rep-ana')).toMatchObject({ status: 'already_sent' });

    clock.set('2026-03-02T13:00:00Z'); // 08:00 in New York
    expect((await digest.sendDue()).map((outcome) => outcome.repId)).toEqual(['rep-bo']);
    expect(outbox()).toHaveLength(2);
  });
});

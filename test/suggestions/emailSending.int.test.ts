/**
 * Sending an approved email suggestion through the real SMTP adapter to a real SMTP server started
 * in the test; what arrived is parsed back. Given a lead with an owner and an email suggestion,
 * when the rep sends it (again, concurrently, after a failure), then exactly one message arrives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../infra/mail/index.ts';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import type { ManualClock } from '../../services/core/index.ts';
import { ConflictError, deriveId, manualClock, newEvent } from '../../services/core/index.ts';
import type { EventStore, Mailer } from '../../services/ports/index.ts';
import type { SuggestionQueueProjection } from '../../services/suggestions/index.ts';
import { createSuggestionQueueProjection, EmailSender } from '../../services/suggestions/index.ts';
import type { TestSmtpServer } from '../contracts/smtpTestServer.ts';
import { startSmtpServer } from '../contracts/smtpTestServer.ts';

let dir: string;
let store: EventStore;
let server: TestSmtpServer;
let mailer: Mailer;
let clock: ManualClock;
let projection: SuggestionQueueProjection;
let abort: AbortController;
let sender: EmailSender;

const malicious = '<script>alert(1)</script>';

async function givenLead(lead: string, traits: Record<string, unknown>): Promise<string> {
  const suggestionId = deriveId('suggestion', lead);
  await store.append(`lead-${lead}`, [
    newEvent({ type: 'LeadIdentified', data: { messageId: `m-${lead}`, via: 'identify', identities: [{ kind: 'email', value: `${lead}@acme.example` }] } }),
    newEvent({ type: 'TraitsUpdated', data: { messageId: `t-${lead}`, traits } }),
    newEvent({ type: 'OwnerAssigned', data: { ownerId: 'rep-ana', previousOwnerId: null, reason: 'test' } }),
    newEvent({
      type: 'SuggestionProposed',
      data: {
        suggestionId,
        leadId: lead,
        journeyId: 'webinar-follow-up',
        version: 1,
        instanceId: deriveId('instance', lead),
        node: 'recap-email',
        action: 'email',
        priority: 'normal',
        title: 'Send the recap',
        body: `Hi ${String(traits.firstName)}, here are the slides.`,
        subject: 'Slides from Pricing in 2027',
        dueAt: '2026-03-02T10:00:00.000Z',
        expiresAt: '2026-03-09T10:00:00.000Z',
        ownerId: 'rep-ana',
        reason: { journeyId: 'webinar-follow-up', journeyName: 'Webinar follow-up', version: 1, path: ['recap-email'], decisions: [], trigger: { eventId: 'e', name: 'Webinar Attended', occurredAt: '2026-03-01T16:00:00.000Z' }, event: null },
      },
    }),
  ]);
  return suggestionId;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-email-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
  server = await startSmtpServer();
  clock = manualClock('2026-03-02T12:00:00Z');
  mailer = createSmtpMailer({ url: server.url, clock });
  projection = createSuggestionQueueProjection({ store });
  abort = new AbortController();
  void projection.run(abort.signal).catch(() => undefined);
  sender = new EmailSender({
    store,
    projection,
    mailer,
    clock,
    repOf: (id) => Promise.resolve(id === 'rep-ana' ? { name: 'Ana Lima', email: 'ana@seller.example', active: true } : null),
    unsubscribeUrl: (lead) => `https://seller.example/unsubscribe?lead=${lead}`,
    messageIdDomain: 'seller.example',
  });
});

afterEach(async () => {
  abort.abort();
  await mailer.close();
  await server.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const types = async (lead: string) => (await store.readStream(`lead-${lead}`)).map((event) => event.type);

describe('sending an approved email suggestion', () => {
  it('sends from the owner to the lead with List-Unsubscribe, escapes a malicious trait, records it and completes the suggestion', async () => {
    const id = await givenLead('mei', { firstName: malicious, name: 'Mei Tan' });

    const outcome = await sender.send(id, { by: 'rep-ana' });

    expect(outcome).toMatchObject({ status: 'sent', messageId: `<${id}@seller.example>`, attempt: 1 });
    expect(server.received).toHaveLength(1);
    const mail = await simpleParser(server.received[0]!);
    expect(mail.subject).toBe('Slides from Pricing in 2027');
    expect(mail.from?.text).toBe('"Ana Lima" <ana@seller.example>');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('"Mei Tan" <mei@acme.example>');
    expect(mail.messageId).toBe(`<${id}@seller.example>`);
    expect(mail.headerLines.find((line) => line.key === 'list-unsubscribe')?.line).toContain('<https://seller.example/unsubscribe?lead=mei>');
    expect(mail.text).toContain(`Hi ${malicious}, here are the slides.`);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Hi &#60;script&#62;alert(1)&#60;/script&#62;, here are the slides.');
    expect(await types('mei')).toEqual(expect.arrayContaining(['EmailSendRequested', 'EmailSent', 'SuggestionCompleted']));
  });

  it('never sends twice: a repeated request and two requests at once each deliver one message', async () => {
    const first = await givenLead('bo', { firstName: 'Bo' });
    await sender.send(first, { by: 'rep-ana' });
    expect(await sender.send(first, { by: 'rep-ana' })).toMatchObject({ status: 'already_sent' });

    const second = await givenLead('cy', { firstName: 'Cy' });
    const outcomes = await Promise.all([sender.send(second, { by: 'rep-ana' }), sender.send(second, { by: 'rep-ana' })]);

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['in_progress', 'sent']);
    expect(server.received).toHaveLength(2);
  });

  it('sends the rep’s edit instead of the draft', async () => {
    const id = await givenLead('di', { firstName: 'Di' });
    await sender.send(id, { subject: 'Your slides', body: 'Hi Di, as promised.', by: 'rep-ana' });
    const mail = await simpleParser(server.received[0]!);
    expect([mail.subject, mail.text?.split('\n')[0]]).toEqual(['Your slides', 'Hi Di, as promised.']);
  });

  it('refuses a lead who unsubscribed, and sends nothing', async () => {
    const id = await givenLead('ed', { firstName: 'Ed', unsubscribed: true });
    await expect(sender.send(id, { by: 'rep-ana' })).rejects.toThrow(ConflictError);
    await expect(sender.send(id, { by: 'rep-ana' })).rejects.toThrow(/unsubscribed/);
    expect(server.received).toHaveLength(0);
    expect(await types('ed')).not.toContain('EmailSendRequested');
  });

  it('records a temporary failure, retries with backoff when it is due, and then sends once', async () => {
    const id = await givenLead('fa', { firstName: 'Fa' });
    server.refuse(451, 'data');

    const failed = await sender.send(id, { by: 'rep-ana' });
    expect(failed).toMatchObject({ status: 'retrying', nextAttemptAt: '2026-03-02T12:01:00.000Z' });
    expect(await sender.send(id, { by: 'rep-ana' })).toMatchObject({ status: 'retrying' });

    expect(await sender.retryDue()).toBe(0);
    clock.set('2026-03-02T12:01:00Z');
    expect(await sender.retryDue()).toBe(1);

    expect(server.received).toHaveLength(1);
    expect(await types('fa')).toEqual(expect.arrayContaining(['EmailSendFailed', 'EmailSent']));
    expect(await sender.send(id, { by: 'rep-ana' })).toMatchObject({ status: 'already_sent' });
  });

  it('does not retry a send once the lead has unsubscribed or the suggestion was dismissed', async () => {
    const id = await givenLead('gu', { firstName: 'Gu' });
    server.refuse(421, 'rcpt');
    expect(await sender.send(id, { by: 'rep-ana' })).toMatchObject({ status: 'retrying' });
    await store.append('lead-gu', [newEvent({ type: 'TraitsUpdated', data: { messageId: 'u', traits: { unsubscribed: true } } })]);

    clock.set('2026-03-02T12:05:00Z');
    await sender.retryDue();

    expect(server.received).toHaveLength(0);
    expect(await sender.send(id, { by: 'rep-ana' })).toMatchObject({ status: 'failed', error: expect.stringContaining('unsubscribed') as unknown });
  });

  it('takes over an attempt whose process died mid-send, after five minutes, and not before', async () => {
    const id = await givenLead('ho', { firstName: 'Ho' });
    // What a killed process leaves: the request and the lease on attempt 1, no outcome.
    await store.append('lead-ho', [
      newEvent(
        {
          type: 'EmailSendRequested',
          data: {
            suggestionId: id,
            by: 'rep-ana',
            from: { name: 'Ana Lima', address: 'ana@seller.example' },
            to: { name: 'Ho', address: 'ho@acme.example' },
            subject: 'Slides',
            body: 'Hi Ho',
            unsubscribeUrl: 'https://seller.example/unsubscribe?lead=ho',
            messageId: `<${id}@seller.example>`,
          },
        },
        { clock },
      ),
      newEvent({ type: 'EmailSendAttempted', data: { suggestionId: id, attempt: 1 } }, { clock }),
    ]);
    expect(await sender.send(id, { by: 'rep-ana' })).toMatchObject({ status: 'in_progress' });

    clock.set('2026-03-02T12:04:00Z');
    expect(await sender.retryDue()).toBe(0);
    clock.set('2026-03-02T12:06:00Z');
    expect(await sender.retryDue()).toBe(1);

    expect(server.received).toHaveLength(1);
    expect((await store.readStream('lead-ho')).filter((event) => event.type === 'EmailSent').map((event) => (event.data as { attempt: number }).attempt)).toEqual([2]);
  });
});

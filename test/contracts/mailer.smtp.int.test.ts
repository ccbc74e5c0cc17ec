/**
 * The SMTP adapter against a real SMTP server (npm smtp-server) started in the test on a free
 * port: what it received is parsed back with mailparser by the contract.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpMailer, redactedUrl } from '../../infra/mail/index.ts';
import { MailDeliveryError, manualClock, UnavailableError, type Clock } from '../../services/core/index.ts';
import { composeSuggestionEmail } from '../../services/suggestions/index.ts';
import { draft, mailerContract } from './mailer.contract.ts';
import { startSmtpServer as startServer } from './smtpTestServer.ts';

mailerContract('smtp (nodemailer against smtp-server)', {
  idempotent: false,
  refuses: true,
  async open({ clock }: { clock: Clock }) {
    const server = await startServer();
    const mailer = createSmtpMailer({ url: server.url, clock });
    return {
      mailer,
      arrived: () => Promise.resolve([...server.received]),
      refuse: (code: number, at: 'rcpt' | 'data') => server.refuse(code, at),
      async destroy() {
        await mailer.close();
        await server.close();
      },
    };
  },
});

describe('SMTP mailer, beyond the contract', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('reports a server that is not there as a retryable MailDeliveryError, without the password', async () => {
    const server = await startServer();
    const url = server.url.replace('smtp://', 'smtp://nudge:hunter2@');
    await server.close();
    const mailer = createSmtpMailer({ url, clock: manualClock(), connectTimeoutMs: 2_000 });
    cleanup.push(() => mailer.close());

    const failure = await mailer.send(composeSuggestionEmail(draft())).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MailDeliveryError);
    expect(failure).toMatchObject({ retryable: true, responseCode: undefined });
    expect((failure as Error).message).not.toContain('hunter2');
    await expect(mailer.ping()).rejects.toBeInstanceOf(UnavailableError);
  });

  it('answers ping when the server greets, and sends many messages over its pool', async () => {
    const server = await startServer();
    const mailer = createSmtpMailer({ url: server.url, clock: manualClock(), maxConnections: 2 });
    cleanup.push(() => server.close(), () => mailer.close());

    await mailer.ping();
    const ids = Array.from({ length: 20 }, (_, index) => `0b9c7a52-3f0e-4d4b-9a57-${String(index).padStart(12, '0')}`);
    const sent = await Promise.all(ids.map((suggestionId) => mailer.send(composeSuggestionEmail(draft({ suggestionId })))));

    expect(sent.map((result) => result.transport)).toEqual(ids.map(() => 'smtp'));
    expect(sent[0]?.detail).toMatch(/^250 /);
    expect(server.received).toHaveLength(20);
  });

  it('shows a URL without its password', () => {
    expect(redactedUrl('smtps://nudge:s3cr%40t@mail.example.com:465')).toBe('smtps://nudge:***@mail.example.com:465');
    expect(redactedUrl('smtp://mail.example.com')).toBe('smtp://mail.example.com');
  });
});

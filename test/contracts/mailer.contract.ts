import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { MailDeliveryError, manualClock, ValidationError, type Clock } from '../../services/core/index.ts';
import type { Mailer, OutgoingEmail } from '../../services/ports/index.ts';
import { composeSuggestionEmail, type SuggestionEmailDraft } from '../../services/suggestions/index.ts';

export interface MailerFixture {
  readonly mailer: Mailer;
  /** Every message as it arrived (the bytes the server received, or the outbox files), oldest first. */
  arrived(): Promise<Buffer[]>;
  /**
   * Makes the receiving side refuse the next message with this SMTP reply, at RCPT TO or at the
   * end of DATA. Absent for an adapter with no server to refuse (the outbox).
   */
  readonly refuse?: ((code: number, at: 'rcpt' | 'data') => void) | undefined;
  destroy(): Promise<void>;
}

export interface MailerFactory {
  open(options: { clock: Clock }): Promise<MailerFixture>;
  /** True when a second send of one key delivers nothing (the outbox); false when it cannot know (SMTP). */
  readonly idempotent: boolean;
  /** True when the fixture's `refuse` makes a server refuse messages. */
  readonly refuses: boolean;
}

const SUGGESTION_ID = '0b9c7a52-3f0e-4d4b-9a57-1c2d3e4f5a6b';
const NOW = '2026-03-02T09:30:00.000Z';

export function draft(overrides: Partial<SuggestionEmailDraft> = {}): SuggestionEmailDraft {
  return {
    suggestionId: SUGGESTION_ID,
    subject: 'Your pricing question',
    body: 'Hi Dana,\n\nthanks for looking at the pricing page.\nWould a call on Thursday work?\n\nSam',
    rep: { name: 'Sam Rep', email: 'sam@vendor.example' },
    lead: { name: 'Dana Lead', email: 'dana@acme.example' },
    unsubscribeUrl: 'https://nudge.vendor.example/unsubscribe?token=abc123',
    unsubscribeMailto: 'unsubscribe@vendor.example',
    messageIdDomain: 'mail.vendor.example',
    ...overrides,
  };
}

function only(address: AddressObject | AddressObject[] | undefined): { name: string; address: string | undefined } {
  const value = (Array.isArray(address) ? address[0] : address)?.value[0];
  return { name: value?.name ?? '', address: value?.address };
}

function header(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((entry) => entry.key === name)?.line;
  return line?.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

async function parsedArrivals(fixture: MailerFixture): Promise<ParsedMail[]> {
  return Promise.all((await fixture.arrived()).map((raw) => simpleParser(raw)));
}

/** The Mailer port's contract: every adapter runs it. */
export function mailerContract(name: string, factory: MailerFactory): void {
  describe(`Mailer contract: ${name}`, () => {
    let fixture: MailerFixture | undefined;
    const open = async (): Promise<MailerFixture> => {
      fixture = await factory.open({ clock: manualClock(NOW) });
      return fixture;
    };
    afterEach(async () => {
      await fixture?.destroy();
      fixture = undefined;
    });

    it('delivers an approved email with its sender, recipient, subject, both parts and every header', async () => {
      const { mailer, ...received } = await open();
      const message = composeSuggestionEmail(draft());

      const sent = await mailer.send(message);

      expect(sent).toMatchObject({ messageId: `<${SUGGESTION_ID}@mail.vendor.example>`, acceptedAt: new Date(NOW) });
      expect(sent.detail).not.toBe('');
      const [mail, ...more] = await parsedArrivals({ mailer, ...received });
      expect(more).toHaveLength(0);
      expect(only(mail?.from)).toEqual({ name: 'Sam Rep', address: 'sam@vendor.example' });
      expect(only(mail?.to)).toEqual({ name: 'Dana Lead', address: 'dana@acme.example' });
      expect(mail?.subject).toBe('Your pricing question');
      expect(mail?.messageId).toBe(sent.messageId);
      expect(mail?.date).toEqual(new Date(NOW));
      expect(mail?.text).toContain('thanks for looking at the pricing page.\nWould a call on Thursday work?');
      expect(mail?.text).toContain('https://nudge.vendor.example/unsubscribe?token=abc123');
      expect(mail?.html).toContain('<p>Hi Dana,</p>');
      expect(header(mail!, 'list-unsubscribe')).toBe('<https://nudge.vendor.example/unsubscribe?token=abc123>, <mailto:unsubscribe@vendor.example>');
      expect(header(mail!, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    });

    it('gives a retried send of one suggestion the same Message-ID', async () => {
      const { mailer, ...received } = await open();
      const message = composeSuggestionEmail(draft());

      const first = await mailer.send(message);
      const second = await mailer.send(message);

      expect(second.messageId).toBe(first.messageId);
      const arrivals = await parsedArrivals({ mailer, ...received });
      expect(new Set(arrivals.map((mail) => mail.messageId))).toEqual(new Set([first.messageId]));
      if (factory.idempotent) {
        expect(arrivals).toHaveLength(1);
        expect(second).toEqual(first);
      }
    });

    // Registered only where it applies (not skipped): an SMTP server cannot tell a retried message from a new one.
    if (factory.idempotent) {
      it('delivers one message when the same key is sent twice at once', async () => {
        const { mailer, ...received } = await open();
        const message = composeSuggestionEmail(draft());

        const [first, second] = await Promise.all([mailer.send(message), mailer.send(message)]);

        expect(second).toEqual(first);
        expect(await received.arrived()).toHaveLength(1);
      });
    }

    it('carries a malicious trait verbatim in the text part and as inert text in the HTML part', async () => {
      const { mailer, ...received } = await open();
      const company = '<script>alert(1)</script>';
      const title = '"><img src=x onerror=alert(document.cookie)>';
      const message = composeSuggestionEmail(draft({ subject: `About ${company}`, body: `Hi,\n\nhow is ${company} doing? As ${title} you may like this.` }));

      await mailer.send(message);

      const [mail] = await parsedArrivals({ mailer, ...received });
      expect(mail?.subject).toBe(`About ${company}`);
      expect(mail?.text).toContain(`how is ${company} doing? As ${title} you may like this.`);
      const html = String(mail?.html);
      expect(html).not.toMatch(/<script|<img|onerror=alert\(document\.cookie\)>/i);
      expect(html).toContain('how is &#60;script&#62;alert(1)&#60;/script&#62; doing?');
      expect(html).toContain('As &#34;&#62;&#60;img src=x onerror=alert(document.cookie)&#62; you may like this.');
      expect(html).toContain('<title>About &#60;script&#62;alert(1)&#60;/script&#62;</title>');
    });

    it('keeps unicode subjects and names, and names with quotes and commas, intact', async () => {
      const { mailer, ...received } = await open();
      const message = composeSuggestionEmail(
        draft({
          subject: 'Rendez-vous à Zürich — 東京でも 🚀',
          body: 'Grüße aus Köln, 李雷!',
          rep: { name: 'Zoë Ångström', email: 'zoe@vendor.example' },
          lead: { name: 'Doe, "Jane" 李雷', email: 'jane@acme.example' },
        }),
      );

      await mailer.send(message);

      const [mail] = await parsedArrivals({ mailer, ...received });
      expect(mail?.subject).toBe('Rendez-vous à Zürich — 東京でも 🚀');
      expect(only(mail?.from)).toEqual({ name: 'Zoë Ångström', address: 'zoe@vendor.example' });
      expect(only(mail?.to)).toEqual({ name: 'Doe, "Jane" 李雷', address: 'jane@acme.example' });
      expect(mail?.text).toContain('Grüße aus Köln, 李雷!');
      expect(mail?.html).toContain('Grüße aus Köln, 李雷!');
    });

    it('refuses a header that would start a new line, and delivers nothing', async () => {
      const { mailer, ...received } = await open();
      const good = composeSuggestionEmail(draft());
      const smuggled: OutgoingEmail[] = [
        { ...good, subject: 'Hello\r\nBcc: everyone@victim.example' },
        { ...good, to: { name: 'Dana\nBcc: everyone@victim.example', address: 'dana@acme.example' } },
        { ...good, headers: { 'X-Note': 'a\r\nBcc: everyone@victim.example' } },
        { ...good, idempotencyKey: '../../etc/passwd' },
      ];

      for (const message of smuggled) await expect(mailer.send(message)).rejects.toBeInstanceOf(ValidationError);

      expect(await received.arrived()).toHaveLength(0);
    });

    // An outbox has no server to refuse a message; its own test file covers a disk that refuses.
    if (factory.refuses) {
      describe('when the server refuses', () => {
        it.each([
          [450, 'rcpt', true],
          [550, 'rcpt', false],
          [451, 'data', true],
          [554, 'data', false],
        ] as const)('a %i reply at %s gives a MailDeliveryError with retryable=%s', async (code, at, retryable) => {
          const opened = await open();
          opened.refuse?.(code, at);

          const failure = await opened.mailer.send(composeSuggestionEmail(draft())).catch((error: unknown) => error);

          expect(failure).toBeInstanceOf(MailDeliveryError);
          expect(failure).toMatchObject({ retryable, responseCode: code, code: 'mail_delivery_failed' });
          expect(await opened.arrived()).toHaveLength(0);
        });
      });
    }
  });
}

/** A person on an envelope: `name` is shown, `address` receives. */
export interface MailAddress {
  readonly name: string;
  readonly address: string;
}

/**
 * One email, ready to leave: composed and validated by the domain
 * (services/suggestions/emailComposition.ts), so an adapter only encodes and hands it over.
 */
export interface OutgoingEmail {
  /** What makes a send the same send: the suggestion id. Letters, digits, `.`, `_`, `-`. */
  readonly idempotencyKey: string;
  /**
   * The RFC 5322 Message-ID, angle brackets included (`<suggestion-id@nudge.local>`), derived
   * from the idempotency key, so a retried send of one suggestion carries the same Message-ID
   * and a receiving server or the lead's client can tell the copies apart.
   */
  readonly messageId: string;
  readonly from: MailAddress;
  readonly to: MailAddress;
  readonly replyTo?: MailAddress | undefined;
  /** One line: no CR or LF. */
  readonly subject: string;
  readonly text: string;
  /** An HTML alternative; every value in it already escaped by its composer. */
  readonly html?: string | undefined;
  /**
   * List-Unsubscribe targets, at least one. With a `url` the message also carries
   * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the URL must accept a POST.
   */
  readonly listUnsubscribe: { readonly url?: string | undefined; readonly mailto?: string | undefined };
  /** Extra headers (`X-...`): names are header tokens, values one line. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

export interface SentEmail {
  /** The Message-ID the message carries (the one in OutgoingEmail, or the one recorded earlier). */
  readonly messageId: string;
  /** When the server accepted it, or the outbox file was written. */
  readonly acceptedAt: Date;
  readonly transport: 'smtp' | 'outbox';
  /** The server's final reply (`250 2.0.0 Ok: queued as ...`) or the outbox file's path. */
  readonly detail: string;
}

/**
 * Sends an approved email: through an SMTP server at scale, into an outbox folder of `.eml`
 * files when embedded. Only called after a rep approved the suggestion (DESIGN.md guarantee 7).
 *
 *   const sent = await mailer.send(composeSuggestionEmail({ ... }));
 *   // append EmailSent { suggestionId, messageId: sent.messageId, ... }
 *
 * Guarantees (test/contracts/mailer.contract.ts):
 * - a resolved `send` means the message was accepted (by the server, or durably written);
 * - a failure throws MailDeliveryError whose `retryable` says if the same message may go through
 *   later (4xx reply, connection lost, timeout) or not (5xx reply); a message that cannot be
 *   encoded (a header with CR/LF, no unsubscribe target) throws ValidationError before anything
 *   is sent;
 * - every message carries the given Message-ID, From, To, Subject, List-Unsubscribe (and
 *   List-Unsubscribe-Post with a URL), a text part and, when given, an HTML alternative.
 *
 * Sending twice: the outbox adapter is idempotent on `idempotencyKey` (a second send returns
 * the first one's result and writes nothing). An SMTP adapter cannot be: after a lost reply or
 * a crash it cannot know what the server kept. Not sending twice is then the caller's job: it
 * records EmailSent (with the messageId) and checks that record before calling `send` again;
 * the repeated Message-ID lets receiving systems spot the copy when a retry after a lost reply
 * does deliver twice.
 */
export interface Mailer {
  send(message: OutgoingEmail): Promise<SentEmail>;

  /** Resolves when the mailer can send (the server answers, the outbox is writable); throws UnavailableError otherwise. */
  ping(): Promise<void>;

  /** Lets messages in flight finish and releases connections. */
  close(): Promise<void>;
}

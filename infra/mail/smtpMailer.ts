import nodemailer, { type NodemailerError, type SMTPSentMessageInfo } from 'nodemailer';
import { MailDeliveryError, systemClock, UnavailableError, type Clock } from '../../services/core/index.ts';
import type { Mailer } from '../../services/ports/index.ts';
import { checkOutgoingEmail, sendMailOptions } from './mailMessage.ts';

export interface SmtpMailerOptions {
  /**
   * `smtp://user:pass@host:587` (plain, upgraded with STARTTLS when the server offers it;
   * `?requireTLS=true` refuses to go on without it) or `smtps://user:pass@host:465` (TLS from
   * the first byte). Other nodemailer options go in the query: `?tls.servername=mail.example.com`.
   */
  readonly url: string;
  readonly clock?: Clock;
  /** Connections kept open to the server. Default 5. */
  readonly maxConnections?: number;
  /** How long to wait for a connection and for the server's greeting. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** How long a silent connection may stay open mid-send. Default 60 s. */
  readonly socketTimeoutMs?: number;
}

/**
 * Errors without an SMTP reply that a later attempt may not meet: the connection failed or
 * stopped, not the message. Anything else without a reply (bad envelope, bad configuration,
 * no credentials, a TLS certificate that does not match) will fail the same way again.
 */
const transientCodes = new Set([
  'ECONNECTION',
  'ESOCKET',
  'ETIMEDOUT',
  'EDNS',
  'EPROXY',
  'EMAXLIMIT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 *   const mailer = createSmtpMailer({ url: 'smtp://nudge:secret@mail.example.com:587' });
 *
 * A pool of connections, each reused for many messages. A reply of 4xx (and 503) or a lost
 * connection makes a retryable MailDeliveryError; a 5xx reply a permanent one.
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const clock = options.clock ?? systemClock;
  const connectTimeout = options.connectTimeoutMs ?? 10_000;
  const server = redactedUrl(options.url);
  let transport: ReturnType<typeof pooledTransport>;
  try {
    transport = pooledTransport(options.url, options.maxConnections ?? 5, connectTimeout, options.socketTimeoutMs ?? 60_000);
  } catch (error) {
    throw new UnavailableError(`cannot use the SMTP server at ${server}: ${messageOf(error)}`, { cause: error });
  }
  let open = true;
  return {
    async send(message) {
      if (!open) throw new UnavailableError('the SMTP mailer is closed');
      checkOutgoingEmail(message);
      let info: SMTPSentMessageInfo;
      try {
        info = await transport.sendMail(sendMailOptions(message, clock.now()));
      } catch (error) {
        throw deliveryError(error, server);
      }
      const acceptedAt = clock.now();
      // Only one recipient: a refused one is a failed send, whatever nodemailer made of it.
      if (info.rejected.length > 0) throw new MailDeliveryError(`${server} refused ${info.rejected.join(', ')}`, { retryable: false });
      return { messageId: message.messageId, acceptedAt, transport: 'smtp', detail: info.response };
    },
    async ping() {
      if (!open) throw new UnavailableError('the SMTP mailer is closed');
      try {
        await transport.verify();
      } catch (error) {
        throw new UnavailableError(`the SMTP server at ${server} does not answer: ${messageOf(error)}`, { cause: error });
      }
    },
    close() {
      if (open) {
        open = false;
        transport.close();
      }
      return Promise.resolve();
    },
  };
}

/** nodemailer's pooled SMTP transport; the URL's own settings (port, TLS, credentials) win over these. */
function pooledTransport(url: string, maxConnections: number, connectTimeout: number, socketTimeout: number) {
  return nodemailer.createTransport({
    url,
    pool: true,
    maxConnections,
    connectionTimeout: connectTimeout,
    greetingTimeout: connectTimeout,
    socketTimeout,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
}

/** Translates nodemailer's error into the project's, reading the SMTP reply class when there is one. */
function deliveryError(error: unknown, server: string): MailDeliveryError {
  const failure = (error ?? {}) as NodemailerError;
  const responseCode = typeof failure.responseCode === 'number' ? failure.responseCode : undefined;
  const retryable =
    responseCode === undefined
      ? transientCodes.has(String(failure.code)) || transientCodes.has(String(failure.originalCode))
      : (failure.permanent ?? (responseCode >= 500 && responseCode !== 503)) === false;
  const said = failure.response ?? messageOf(error);
  const what = responseCode === undefined ? `could not deliver through ${server}` : `${server} refused the message`;
  return new MailDeliveryError(`${what} (${failure.code ?? 'error'}${failure.command === undefined ? '' : ` at ${failure.command}`}): ${said}`, {
    retryable,
    responseCode,
    cause: error,
  });
}

/** The URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const { protocol, username, password, host } = new URL(url);
    const user = username === '' ? '' : `${username}${password === '' ? '' : ':***'}@`;
    return `${protocol}//${user}${host}`;
  } catch {
    return '(an unreadable SMTP URL)';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

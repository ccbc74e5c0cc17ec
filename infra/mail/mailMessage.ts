import type { SendMailOptions } from 'nodemailer';
import { ValidationError, type FieldIssue } from '../../services/core/index.ts';
import type { OutgoingEmail } from '../../services/ports/index.ts';

/**
 * What both mail adapters share: the last check of a message before it is encoded, and its
 * translation into nodemailer's message options. The domain composer already validated it;
 * this check is the adapter's own guard, so that no caller of the port can smuggle a header
 * line through a CR/LF or write outside the outbox through a key.
 */

const idempotencyKeyPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const messageIdPattern = /^<[^<>\s@]+@[^<>\s@]+>$/;
const headerNamePattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Control characters other than TAB (CR and LF among them) end or corrupt a header line. */
const headerBreaker = /[^\P{Cc}\t]/u;
/** Headers the adapter writes itself: a caller must not replace or repeat them. */
const reservedHeaders = new Set(['from', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'message-id', 'date', 'list-unsubscribe', 'list-unsubscribe-post', 'mime-version', 'content-type', 'content-transfer-encoding']);

export function checkOutgoingEmail(message: OutgoingEmail): void {
  const issues: FieldIssue[] = [];
  const line = (path: string, value: string | undefined): void => {
    if (value !== undefined && headerBreaker.test(value)) issues.push({ path, message: 'must be one line, without control characters' });
  };
  if (!idempotencyKeyPattern.test(message.idempotencyKey)) {
    issues.push({ path: 'idempotencyKey', message: 'must be 1 to 200 letters, digits, ".", "_" or "-", starting with a letter or digit' });
  }
  if (!messageIdPattern.test(message.messageId)) issues.push({ path: 'messageId', message: 'must look like <id@domain>' });
  for (const [role, who] of [['from', message.from], ['to', message.to], ['replyTo', message.replyTo]] as const) {
    if (who === undefined) continue;
    line(`${role}.name`, who.name);
    line(`${role}.address`, who.address);
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(who.address)) issues.push({ path: `${role}.address`, message: 'must be an email address' });
  }
  line('subject', message.subject);
  const { url, mailto } = message.listUnsubscribe;
  if (url === undefined && mailto === undefined) issues.push({ path: 'listUnsubscribe', message: 'needs a url or a mailto address' });
  if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) issues.push({ path: 'listUnsubscribe.url', message: 'must be an http(s) URL' });
  if (mailto !== undefined && !/^[^\s@<>]+@[^\s@<>]+$/.test(mailto)) issues.push({ path: 'listUnsubscribe.mailto', message: 'must be an email address' });
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!headerNamePattern.test(name)) issues.push({ path: `headers.${name}`, message: 'is not a header name' });
    else if (reservedHeaders.has(name.toLowerCase())) issues.push({ path: `headers.${name}`, message: 'is set by the mailer itself' });
    line(`headers.${name}`, value);
  }
  if (issues.length > 0) throw new ValidationError('the email cannot be sent', issues);
}

/** nodemailer's options for one message; `date` becomes the Date header. */
export function sendMailOptions(message: OutgoingEmail, date: Date): SendMailOptions {
  const { url, mailto } = message.listUnsubscribe;
  const targets = [url, mailto === undefined ? undefined : `mailto:${mailto}`].filter((target) => target !== undefined);
  return {
    messageId: message.messageId,
    date,
    from: { name: message.from.name, address: message.from.address },
    to: { name: message.to.name, address: message.to.address },
    ...(message.replyTo === undefined ? {} : { replyTo: { name: message.replyTo.name, address: message.replyTo.address } }),
    subject: message.subject,
    text: message.text,
    ...(message.html === undefined ? {} : { html: message.html }),
    // One List-Unsubscribe header naming every target; One-Click (RFC 8058) only with a URL to POST to.
    list: { unsubscribe: [targets] },
    headers: { ...(url === undefined ? {} : { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }), ...message.headers },
    // The message is built from strings only: nodemailer must never read a file or fetch a URL for it.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

import { ValidationError, type FieldIssue } from '../core/index.ts';
import type { OutgoingEmail } from '../ports/index.ts';

/**
 * Turns an approved `email` suggestion into the message the Mailer sends. The draft's subject
 * and body were rendered from journey templates whose values come from traits a visitor typed,
 * so nothing in them is trusted: the text part carries them as written, the HTML part escapes
 * every character that means markup, and anything that would end a header line is refused.
 */
export interface SuggestionEmailDraft {
  /** The suggestion's id: the send's idempotency key and the Message-ID's left part. */
  readonly suggestionId: string;
  /** The draft's subject and body, as the rep approved them (maybe edited). */
  readonly subject: string;
  readonly body: string;
  /** The lead's owner: the message comes from them, and replies go to them. An empty name shows the address alone. */
  readonly rep: { readonly name: string; readonly email: string };
  readonly lead: { readonly name?: string | null | undefined; readonly email: string };
  /** The lead's own unsubscribe link (base URL plus the lead's token), for the header and the footer. */
  readonly unsubscribeUrl: string;
  /** Also offered in List-Unsubscribe, for clients that prefer mail. */
  readonly unsubscribeMailto?: string | undefined;
  /** The Message-ID's right part (NUDGE_MAIL_FROM_DOMAIN). */
  readonly messageIdDomain: string;
}

export const emailLimits = { subject: 300, body: 50_000, name: 200 } as const;

/** Control characters other than TAB (CR and LF among them): they end or corrupt a header line. */
const controlCharacter = /[^\P{Cc}\t]/u;
/** A control character a text body has no business carrying (TAB, LF and CR are fine there). */
const bodyControlCharacter = /[^\P{Cc}\t\n\r]/u;
const domainLabel = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?`;
const domainPattern = new RegExp(String.raw`^(?=.{1,253}$)${domainLabel}(?:\.${domainLabel})+$`, 'u');
const localPartPattern = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** `<suggestion-id@domain>`: the same for every attempt at one suggestion. */
export function suggestionMessageId(suggestionId: string, domain: string): string {
  return `<${suggestionId}@${domain.toLowerCase()}>`;
}

/**
 * The message for one approved email suggestion; throws ValidationError naming every field
 * that cannot go into an email (a CR/LF in the subject or a name, a malformed address, ...).
 *
 *   const message = composeSuggestionEmail({ suggestionId, subject, body, rep, lead, unsubscribeUrl, messageIdDomain });
 *   const sent = await mailer.send(message);
 */
export function composeSuggestionEmail(draft: SuggestionEmailDraft): OutgoingEmail {
  const issues: FieldIssue[] = [];
  const oneLine = (path: string, value: string, max: number, required: boolean): void => {
    if (controlCharacter.test(value)) issues.push({ path, message: 'must be one line, without control characters (CR/LF would start a new header)' });
    if (required && value.trim() === '') issues.push({ path, message: 'must not be empty' });
    if (value.length > max) issues.push({ path, message: `must be at most ${max} characters` });
  };
  const address = (path: string, value: string): void => {
    if (!isEmailAddress(value)) issues.push({ path, message: 'must be an email address like name@example.com' });
  };

  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(draft.suggestionId)) issues.push({ path: 'suggestionId', message: 'must be an id of letters, digits, ".", "_" or "-"' });
  oneLine('subject', draft.subject, emailLimits.subject, true);
  if (draft.body.trim() === '') issues.push({ path: 'body', message: 'must not be empty' });
  if (draft.body.length > emailLimits.body) issues.push({ path: 'body', message: `must be at most ${emailLimits.body} characters` });
  if (bodyControlCharacter.test(draft.body)) issues.push({ path: 'body', message: 'must not contain control characters' });
  oneLine('rep.name', draft.rep.name, emailLimits.name, false);
  address('rep.email', draft.rep.email);
  oneLine('lead.name', draft.lead.name ?? '', emailLimits.name, false);
  address('lead.email', draft.lead.email);
  if (!isWebUrl(draft.unsubscribeUrl)) issues.push({ path: 'unsubscribeUrl', message: 'must be an http(s) URL' });
  if (draft.unsubscribeMailto !== undefined) address('unsubscribeMailto', draft.unsubscribeMailto);
  if (!domainPattern.test(draft.messageIdDomain)) issues.push({ path: 'messageIdDomain', message: 'must be a domain like mail.example.com' });
  if (issues.length > 0) throw new ValidationError('cannot compose the email', issues);

  const unsubscribeUrl = new URL(draft.unsubscribeUrl).href;
  const body = draft.body.replace(/\r\n?/g, '\n');
  return {
    idempotencyKey: draft.suggestionId,
    messageId: suggestionMessageId(draft.suggestionId, draft.messageIdDomain),
    from: { name: draft.rep.name.trim(), address: draft.rep.email },
    to: { name: (draft.lead.name ?? '').trim(), address: draft.lead.email },
    subject: draft.subject.trim(),
    text: `${body}\n\n-- \nTo stop receiving these emails: ${unsubscribeUrl}\n`,
    html: htmlBody(draft.subject.trim(), body, unsubscribeUrl),
    listUnsubscribe: { url: unsubscribeUrl, ...(draft.unsubscribeMailto === undefined ? {} : { mailto: draft.unsubscribeMailto }) },
  };
}

/** Traits that say "do not contact": an unsubscribe or an explicit flag. Such a lead gets no email. */
export function isContactable(traits: Readonly<Record<string, unknown>>): boolean {
  return !(traits.doNotContact === true || traits.do_not_contact === true || traits.unsubscribed === true);
}

/** `&`, `<`, `>`, `"` and `'` as entities: safe in element content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Paragraphs at blank lines, line breaks kept; every piece of text escaped on its way in. */
function htmlBody(subject: string, body: string, unsubscribeUrl: string): string {
  const paragraphs = body
    .split(/\n(?:[ \t]*\n)+/)
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p>${paragraph.split('\n').map(escapeHtml).join('<br>\n')}</p>`);
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head>',
    '<body>',
    ...paragraphs,
    `<p style="color:#666;font-size:12px">To stop receiving these emails, <a href="${escapeHtml(unsubscribeUrl)}">unsubscribe</a>.</p>`,
    '</body></html>',
    '',
  ].join('\n');
}

function isEmailAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0) return false;
  const local = value.slice(0, at);
  return local.length <= 64 && localPartPattern.test(local) && domainPattern.test(value.slice(at + 1));
}

function isWebUrl(value: string): boolean {
  if (controlCharacter.test(value) || /\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

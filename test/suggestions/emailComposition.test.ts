/**
 * Composing an approved email suggestion: given a draft (maybe edited by the rep), the rep and
 * the lead, then the message the Mailer sends — or a ValidationError naming each bad field.
 */
import { describe, expect, it } from 'vitest';
import { isDoNotContact } from '../../journeys/facts/leadFacts.ts';
import { ValidationError } from '../../services/core/index.ts';
import { composeSuggestionEmail, escapeHtml, isContactable, type SuggestionEmailDraft } from '../../services/suggestions/index.ts';

const draft: SuggestionEmailDraft = {
  suggestionId: '0b9c7a52-3f0e-4d4b-9a57-1c2d3e4f5a6b',
  subject: '  Your pricing question ',
  body: 'Hi Dana,\r\n\r\nthanks for looking.\r\nThursday?\n\n\nSam',
  rep: { name: 'Sam Rep', email: 'sam@vendor.example' },
  lead: { name: 'Dana Lead', email: 'dana@acme.example' },
  unsubscribeUrl: 'https://nudge.vendor.example/unsubscribe?token=abc&lead=42',
  messageIdDomain: 'Mail.Vendor.Example',
};

function issuesOf(input: SuggestionEmailDraft): { path: string; message: string }[] {
  try {
    composeSuggestionEmail(input);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('composing a suggestion email', () => {
  it('sends from the rep to the lead, keyed and identified by the suggestion', () => {
    const message = composeSuggestionEmail(draft);

    expect(message).toMatchObject({
      idempotencyKey: draft.suggestionId,
      messageId: '<0b9c7a52-3f0e-4d4b-9a57-1c2d3e4f5a6b@mail.vendor.example>',
      from: { name: 'Sam Rep', address: 'sam@vendor.example' },
      to: { name: 'Dana Lead', address: 'dana@acme.example' },
      subject: 'Your pricing question',
      listUnsubscribe: { url: 'https://nudge.vendor.example/unsubscribe?token=abc&lead=42' },
    });
    expect(message.replyTo).toBeUndefined();
  });

  it('keeps the text as written (line endings made LF) and adds the unsubscribe link below a signature separator', () => {
    const { text } = composeSuggestionEmail(draft);

    expect(text).toBe('Hi Dana,\n\nthanks for looking.\nThursday?\n\n\nSam\n\n-- \nTo stop receiving these emails: https://nudge.vendor.example/unsubscribe?token=abc&lead=42\n');
  });

  it('builds the HTML alternative as paragraphs and line breaks, the link escaped in its attribute', () => {
    const { html } = composeSuggestionEmail(draft);

    expect(html).toContain('<p>Hi Dana,</p>\n<p>thanks for looking.<br>\nThursday?</p>\n<p>Sam</p>');
    expect(html).toContain('<a href="https://nudge.vendor.example/unsubscribe?token=abc&#38;lead=42">unsubscribe</a>');
  });

  it.each([
    ['a script tag', '<script>alert(1)</script>'],
    ['an attribute break-out', '"><img src=x onerror=alert(1)>'],
    ['a single-quoted break-out', "'><svg onload=alert(1)>"],
    ['an entity', '&lt;script&gt;'],
  ])('turns %s in a trait into text in the HTML part, and keeps it verbatim in the text part', (_, trait) => {
    const message = composeSuggestionEmail({ ...draft, subject: `Re: ${trait}`, body: `Hello ${trait},\n\nbye` });

    expect(message.text.startsWith(`Hello ${trait},\n\nbye`)).toBe(true);
    expect(message.subject).toBe(`Re: ${trait}`);
    expect(message.html).toContain(`<p>Hello ${escapeHtml(trait)},</p>`);
    expect(message.html).toContain(`<title>Re: ${escapeHtml(trait)}</title>`);
    expect(message.html).not.toMatch(/<script|<img|<svg/);
    expect(escapeHtml(trait)).not.toMatch(/[<>"']/);
  });

  it('writes to a lead, and from a rep, without a name by address alone, and offers a mailto unsubscribe when given', () => {
    const message = composeSuggestionEmail({
      ...draft,
      rep: { name: '', email: 'sam@vendor.example' },
      lead: { name: null, email: 'dana@acme.example' },
      unsubscribeMailto: 'unsubscribe@vendor.example',
    });

    expect(message.from).toEqual({ name: '', address: 'sam@vendor.example' });
    expect(message.to).toEqual({ name: '', address: 'dana@acme.example' });
    expect(message.listUnsubscribe).toEqual({ url: draft.unsubscribeUrl, mailto: 'unsubscribe@vendor.example' });
  });

  it('accepts an internationalised domain, not a non-ASCII local part (few servers take SMTPUTF8)', () => {
    expect(composeSuggestionEmail({ ...draft, lead: { email: 'joerg@bäckerei-köln.de' } }).to.address).toBe('joerg@bäckerei-köln.de');
    expect(issuesOf({ ...draft, lead: { email: 'jörg@bäckerei-köln.de' } }).map((issue) => issue.path)).toEqual(['lead.email']);
  });
});

describe('refusing what cannot go into an email', () => {
  it.each([
    ['subject', { subject: 'Hello\r\nBcc: all@victim.example' }],
    ['subject', { subject: 'Hello\nthere' }],
    ['rep.name', { rep: { name: 'Sam\rBcc: x@y.example', email: 'sam@vendor.example' } }],
    ['lead.name', { lead: { name: 'Dana\n', email: 'dana@acme.example' } }],
    ['lead.email', { lead: { name: 'Dana', email: 'dana@acme.example\r\nBcc: x@y.example' } }],
    ['rep.email', { rep: { name: 'Sam', email: 'Sam <sam@vendor.example>' } }],
    ['lead.email', { lead: { email: 'not-an-address' } }],
    ['lead.email', { lead: { email: 'two@@acme.example' } }],
    ['lead.email', { lead: { email: 'dot.@acme.example' } }],
    ['lead.email', { lead: { email: 'dana@localhost' } }],
    ['unsubscribeUrl', { unsubscribeUrl: 'javascript:alert(1)' }],
    ['unsubscribeUrl', { unsubscribeUrl: 'https://x.example/u\r\nBcc: x@y.example' }],
    ['unsubscribeMailto', { unsubscribeMailto: 'no address' }],
    ['messageIdDomain', { messageIdDomain: 'nudge local' }],
    ['suggestionId', { suggestionId: '../../etc/passwd' }],
    ['subject', { subject: '   ' }],
    ['subject', { subject: 'x'.repeat(301) }],
    ['body', { body: ' \n ' }],
    ['body', { body: 'bell \u0007' }],
  ] as const)('refuses a bad %s with a ValidationError naming it', (field, change) => {
    expect(issuesOf({ ...draft, ...change }).map((issue) => issue.path)).toEqual([field]);
  });

  it('names every bad field in one error', () => {
    const issues = issuesOf({ ...draft, subject: 'a\nb', rep: { name: 'Sam\u0000', email: 'x' }, lead: { email: 'y' } });

    expect(issues.map((issue) => issue.path)).toEqual(['subject', 'rep.name', 'rep.email', 'lead.email']);
  });
});

describe('who may be emailed', () => {
  it.each([
    [{}, true],
    [{ unsubscribed: true }, false],
    [{ doNotContact: true }, false],
    [{ do_not_contact: true }, false],
    [{ unsubscribed: false, doNotContact: false }, true],
    [{ unsubscribed: 'true' }, true],
  ])('a lead with traits %j is contactable: %s — the same rule as the journeys’ do-not-contact fact', (traits, contactable) => {
    expect(isContactable(traits)).toBe(contactable);
    expect(isContactable(traits)).toBe(!isDoNotContact(traits));
  });
});

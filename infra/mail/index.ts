export { createOutboxMailer } from './outboxMailer.ts';
export type { OutboxMailerOptions } from './outboxMailer.ts';
export { createSmtpMailer, redactedUrl } from './smtpMailer.ts';
export type { SmtpMailerOptions } from './smtpMailer.ts';

/**
 * The outbox adapter: each message a `.eml` file in a temporary folder, parsed back with
 * mailparser by the contract.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOutboxMailer } from '../../infra/mail/index.ts';
import { MailDeliveryError, manualClock, type Clock } from '../../services/core/index.ts';
import { composeSuggestionEmail } from '../../services/suggestions/index.ts';
import { draft, mailerContract } from './mailer.contract.ts';

function emlFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.eml'))
      .sort();
  } catch {
    return [];
  }
}

mailerContract('outbox (.eml files)', {
  idempotent: true,
  refuses: false,
  open({ clock }: { clock: Clock }) {
    const root = mkdtempSync(join(tmpdir(), 'nudge-outbox-'));
    const dir = join(root, 'outbox');
    const mailer = createOutboxMailer({ dir, clock });
    return Promise.resolve({
      mailer,
      arrived: () => Promise.resolve(emlFiles(dir).map((name) => readFileSync(join(dir, name)))),
      async destroy() {
        await mailer.close();
        rmSync(root, { recursive: true, force: true });
      },
    });
  },
});

describe('outbox mailer, beyond the contract', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names each file after its time and key, leaves no temporary file, and keeps one file per key across restarts', async () => {
    root = mkdtempSync(join(tmpdir(), 'nudge-outbox-'));
    const dir = join(root, 'outbox');
    const clock = manualClock('2026-03-02T09:30:00.123Z');
    const message = composeSuggestionEmail(draft());
    const first = await createOutboxMailer({ dir, clock }).send(message);

    clock.advance(60_000);
    const afterRestart = await createOutboxMailer({ dir, clock }).send(message);

    expect(readdirSync(dir)).toEqual([`2026-03-02T09-30-00.123Z-${message.idempotencyKey}.eml`]);
    expect(first).toEqual({ messageId: message.messageId, acceptedAt: new Date('2026-03-02T09:30:00.123Z'), transport: 'outbox', detail: join(dir, readdirSync(dir)[0]!) });
    expect(afterRestart).toEqual(first);
    expect(readFileSync(first.detail, 'utf8')).toMatch(/\r\n\r\n/);
  });

  it('writes one file per key, even when one key ends like another', async () => {
    root = mkdtempSync(join(tmpdir(), 'nudge-outbox-'));
    const dir = join(root, 'outbox');
    const mailer = createOutboxMailer({ dir, clock: manualClock() });

    await mailer.send(composeSuggestionEmail(draft({ suggestionId: 'retry-abc' })));
    await mailer.send(composeSuggestionEmail(draft({ suggestionId: 'abc' })));
    await mailer.send(composeSuggestionEmail(draft({ suggestionId: 'aaaaaaaa-0000-4000-8000-000000000002' })));

    expect(emlFiles(dir)).toHaveLength(3);
  });

  it('reports an outbox it cannot write as a retryable MailDeliveryError', async () => {
    root = mkdtempSync(join(tmpdir(), 'nudge-outbox-'));
    const dir = join(root, 'outbox');
    writeFileSync(dir, 'a file where the folder should be');
    const mailer = createOutboxMailer({ dir, clock: manualClock() });

    const failure = await mailer.send(composeSuggestionEmail(draft())).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MailDeliveryError);
    expect(failure).toMatchObject({ retryable: true });
    await expect(mailer.ping()).rejects.toThrow(/not writable/);
  });
});

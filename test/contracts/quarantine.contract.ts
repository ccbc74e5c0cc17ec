/**
 * The Quarantine contract: every adapter runs this one suite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewQuarantineEntry, Quarantine } from '../../services/ports/index.ts';

export interface QuarantineUnderTest {
  readonly quarantine: Quarantine;
  reopen(): Promise<Quarantine>;
  destroy(): Promise<void>;
}

export interface QuarantineHarness {
  open(): Promise<QuarantineUnderTest>;
  readonly skip?: string | undefined;
}

function rejected(payload: string, path = 'event'): NewQuarantineEntry {
  return { payload, issues: [{ path, message: 'must name the event' }], source: 'http', writeKeyHint: 'wk:abc', receivedAt: '2026-11-22T10:00:00.000Z' };
}

export function quarantineContract(adapter: string, harness: QuarantineHarness): void {
  const suite = harness.skip === undefined ? describe : describe.skip;
  if (harness.skip !== undefined) console.warn(`[contract] Quarantine/${adapter} skipped: ${harness.skip}`);

  suite(`Quarantine contract: ${adapter}`, () => {
    let subject: QuarantineUnderTest;
    let quarantine: Quarantine;
    beforeEach(async () => {
      subject = await harness.open();
      quarantine = subject.quarantine;
    });
    afterEach(async () => {
      await subject.destroy();
    });

    it('keeps the payload byte for byte with its issues, open, and survives a restart', async () => {
      const payload = '{"type":"track","event":"","name":"网络研讨会 🚀","x":"\'; DROP TABLE events;--"}';
      const kept = await quarantine.put(rejected(payload));

      quarantine = await subject.reopen();
      const again = await quarantine.get(kept.id);

      expect(again).toEqual({ ...kept, payload });
      expect(again).toMatchObject({ status: 'open', attempts: 0, issues: [{ path: 'event', message: 'must name the event' }], writeKeyHint: 'wk:abc' });
    });

    it('the same payload resent while its entry is open is kept once; after a retry it is kept again', async () => {
      const first = await quarantine.put(rejected('{"type":"track"}'));
      const again = await quarantine.put({ ...rejected('{"type":"track"}'), receivedAt: '2026-11-22T10:05:00.000Z' });
      expect(again.id).toBe(first.id);
      await quarantine.resolve(first.id, 'dropped', '2026-11-22T11:00:00.000Z');
      const later = await quarantine.put(rejected('{"type":"track"}'));
      expect(later.id).not.toBe(first.id);
      expect((await quarantine.list({ status: 'open', limit: 10 })).items.map((e) => e.id)).toEqual([later.id]);
    });

    it('lists open entries newest first, in pages', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await quarantine.put(rejected(`{"n":${i}}`))).id);
      const first = await quarantine.list({ status: 'open', limit: 3 });
      const second = await quarantine.list({ status: 'open', limit: 3, cursor: first.next! });
      expect([...first.items, ...second.items].map((e) => e.id)).toEqual([...ids].reverse());
      expect(second.next).toBeNull();
    });

    it('a failed retry keeps the entry open with the new issues and counts the attempt', async () => {
      const kept = await quarantine.put(rejected('{}'));
      const after = await quarantine.recordAttempt(kept.id, [{ path: 'userId', message: 'userId or anonymousId is required' }], '2026-11-22T11:00:00.000Z');
      expect(after).toMatchObject({ status: 'open', attempts: 1, lastAttemptAt: '2026-11-22T11:00:00.000Z', issues: [{ path: 'userId' }] });
    });

    it('a resolved entry leaves the open list and cannot be resolved twice', async () => {
      const kept = await quarantine.put(rejected('{}'));
      await quarantine.resolve(kept.id, 'retried', '2026-11-22T12:00:00.000Z');
      expect((await quarantine.list({ status: 'open', limit: 10 })).items).toEqual([]);
      expect((await quarantine.list({ status: 'retried', limit: 10 })).items.map((e) => e.id)).toEqual([kept.id]);
      await expect(quarantine.resolve(kept.id, 'dropped', '2026-11-22T12:00:01.000Z')).rejects.toMatchObject({ name: 'NotFoundError' });
    });

    it('answers null for an unknown id and refuses a forged cursor', async () => {
      expect(await quarantine.get('0190f5a0-0000-7000-8000-000000000000')).toBeNull();
      await expect(quarantine.list({ limit: 5, cursor: "x' OR 1=1" })).rejects.toMatchObject({ name: 'ValidationError' });
    });
  });
}

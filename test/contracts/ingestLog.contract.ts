import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveredRecord, IngestLog, IngestRecord, RecordVerdict } from '../../services/ports/index.ts';

export interface IngestLogFixture {
  /** A fresh log (own topics, own group) and a second handle on the same log, as another worker process has. */
  readonly log: IngestLog;
  openWorker(): IngestLog;
  /** What reached the dead-letter log so far: the original bytes and the error. */
  deadLetters(): Promise<{ value: string; error: string; sourceOffset: string; headers: Record<string, string> }[]>;
  /** Publishes raw bytes with raw headers, as a producer that is not Nudge might. */
  publishRaw(message: { key: string; value: string; headers: Record<string, string> }): Promise<void>;
  destroy(): Promise<void>;
}

const record = (n: number, key = `userId:u${n % 3}`): IngestRecord => ({
  id: `m-${n}`,
  type: 'segment.track',
  source: '/nudge/http',
  time: new Date(Date.UTC(2026, 10, 1, 0, 0, n)).toISOString(),
  key,
  data: { type: 'track', event: 'Page Viewed', userId: key.slice('userId:'.length), messageId: `m-${n}`, properties: { n } },
});

/** Consumes with `handler` until `until` holds or the time is up, then stops the consumer. */
async function consumeUntil(log: IngestLog, handler: (records: readonly DeliveredRecord[]) => Promise<readonly RecordVerdict[]>, until: () => boolean, timeoutMs = 30_000): Promise<void> {
  const stop = new AbortController();
  const consuming = log.consume(handler, stop.signal);
  const deadline = Date.now() + timeoutMs;
  while (!until() && Date.now() < deadline) await delay(50);
  stop.abort();
  await consuming;
  if (!until()) throw new Error(`not done after ${timeoutMs} ms`);
}

/** The IngestLog port's contract: every log (Kafka on a real broker, Kafka on librdkafka's mock cluster) runs it. */
export function ingestLogContract(name: string, factory: { open(): Promise<IngestLogFixture> }, options: { timeoutMs: number }): void {
  describe(`IngestLog contract: ${name}`, () => {
    let fixture: IngestLogFixture | undefined;
    afterEach(async () => {
      await fixture?.destroy();
      fixture = undefined;
    });

    it(
      'delivers every published record with its attributes, in publish order per key',
      async () => {
        fixture = await factory.open();
        const published = Array.from({ length: 30 }, (_, n) => record(n));
        await fixture.log.publish(published.slice(0, 10));
        await fixture.log.publish(published.slice(10));
        const seen: DeliveredRecord[] = [];

        await consumeUntil(fixture.log, async (records) => (seen.push(...records), records.map(() => ({ ok: true }) as const)), () => seen.length >= 30);

        expect(seen.map(({ position: _position, ...rest }) => rest).sort((a, b) => a.id.localeCompare(b.id))).toEqual([...published].sort((a, b) => a.id.localeCompare(b.id)));
        for (const key of ['userId:u0', 'userId:u1', 'userId:u2']) {
          expect(seen.filter((r) => r.key === key).map((r) => r.id)).toEqual(published.filter((r) => r.key === key).map((r) => r.id));
        }
        expect(new Set(seen.map((r) => r.position)).size).toBe(30);
      },
      options.timeoutMs,
    );

    it(
      'commits only what was handled: a batch whose handler failed comes again, a handled one never does',
      async () => {
        fixture = await factory.open();
        await fixture.log.publish([record(1, 'userId:a'), record(2, 'userId:a')]);
        let failures = 0;
        const handled: string[] = [];
        await consumeUntil(
          fixture.log,
          async (records) => {
            if (failures === 0) {
              failures++;
              throw new Error('the store is down');
            }
            handled.push(...records.map((r) => r.id));
            return records.map(() => ({ ok: true }) as const);
          },
          () => handled.length >= 2,
        );
        expect(handled).toEqual(['m-1', 'm-2']);
        expect(await fixture.log.backlog()).toBe(0);

        // Another worker of the group, later: nothing left to deliver until something new comes.
        const worker = fixture.openWorker();
        await worker.publish([record(3, 'userId:a')]);
        const later: string[] = [];
        await consumeUntil(worker, async (records) => (later.push(...records.map((r) => r.id)), records.map(() => ({ ok: true }) as const)), () => later.length >= 1);
        expect(later).toEqual(['m-3']);
        await worker.close();
      },
      options.timeoutMs,
    );

    it(
      'sends refused records and unreadable ones to the dead-letter log with their bytes, the error and the source offset, and moves on',
      async () => {
        fixture = await factory.open();
        await fixture.log.publish([record(1, 'userId:p')]);
        await fixture.publishRaw({ key: 'userId:p', value: 'not json at all', headers: { ce_specversion: '1.0', ce_id: 'raw-1', ce_source: '/elsewhere', ce_type: 'segment.track' } });
        await fixture.publishRaw({ key: 'userId:p', value: '{"type":"track"}', headers: { 'x-sender': 'legacy' } });
        await fixture.log.publish([record(2, 'userId:p')]);
        const handled: string[] = [];
        await consumeUntil(
          fixture.log,
          async (records) => {
            handled.push(...records.map((r) => r.id));
            return records.map((r) => (r.id === 'm-1' ? { ok: false as const, error: 'event: must not be empty' } : { ok: true as const }));
          },
          () => handled.includes('m-2'),
        );
        expect(handled).toEqual(['m-1', 'm-2']);
        const dead = await fixture.deadLetters();
        expect(dead.map((d) => d.error)).toEqual(
          expect.arrayContaining(['event: must not be empty', expect.stringMatching(/^value: is not JSON/), expect.stringMatching(/^header ce_specversion: is missing/)]),
        );
        expect(dead).toHaveLength(3);
        const legacy = dead.find((d) => d.headers['x-sender'] === 'legacy')!;
        expect(legacy.value).toBe('{"type":"track"}');
        expect(legacy.sourceOffset).toMatch(/^\d+$/);
        expect(dead.find((d) => d.error.startsWith('value:'))?.value).toBe('not json at all');
        expect(await fixture.log.backlog()).toBe(0);
      },
      options.timeoutMs,
    );

    it(
      'counts the backlog: published and not yet handled',
      async () => {
        fixture = await factory.open();
        expect(await fixture.log.backlog()).toBe(0);
        await fixture.log.publish([record(1), record(2), record(3)]);
        expect(await fixture.log.backlog()).toBe(3);
      },
      options.timeoutMs,
    );
  });
}

/**
 * The EventStore contract: every adapter runs this one suite (STYLE.md habit 5).
 *
 *   eventStoreContract('sqlite', { open: async () => ({ store, reopen, openSecond, destroy }) });
 *
 * An adapter that cannot run on this machine passes `skip` with the reason; the suite then prints
 * the reason and registers its tests as skipped, never as passed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../services/core/index.ts';
import { ConcurrencyError, newEvent, ValidationError } from '../../services/core/index.ts';
import type { EventStore, SubscriptionBatch } from '../../services/ports/index.ts';

export interface EventStoreUnderTest {
  readonly store: EventStore;
  /** Close this store and open the same data again, as a restarted process would. */
  reopen(): Promise<EventStore>;
  /** A second, independent connection to the same data, as another writer would have. */
  openSecond(): Promise<EventStore>;
  /** Close everything and delete the data. */
  destroy(): Promise<void>;
}

export interface EventStoreHarness {
  open(): Promise<EventStoreUnderTest>;
  /** Why this adapter cannot run here; the suite is then skipped with this reason printed. */
  readonly skip?: string | undefined;
}

/**
 * The store under test from a way to open a client on the same data: `reopen` closes the current
 * client and opens another, `openSecond` opens an independent one, `destroy` closes them all and
 * then runs `cleanUp` (delete the data, where the adapter owns it).
 */
export function storeUnderTest(open: () => EventStore, cleanUp: () => void = () => undefined): EventStoreUnderTest {
  let store = open();
  const others: EventStore[] = [];
  return {
    get store() {
      return store;
    },
    async reopen() {
      await store.close();
      store = open();
      return store;
    },
    openSecond() {
      const other = open();
      others.push(other);
      return Promise.resolve(other);
    },
    async destroy() {
      await Promise.all([store, ...others].map((one) => one.close()));
      cleanUp();
    },
  };
}

let streamCounter = 0;
/** Streams unique per test so adapters backed by a shared server need no cleaning between tests. */
function uniqueStream(prefix = 'lead'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${(streamCounter++).toString(36)}`;
}

function touch(name: string, extra: Record<string, unknown> = {}): NewEvent {
  return newEvent(
    { type: 'TouchRecorded', data: { name, channel: 'webinar', properties: { title: 'Pricing in 2027', ...extra } } },
    { occurredAt: '2026-11-01T09:30:00.000Z' },
  );
}

function touches(count: number, label = 'touch'): NewEvent[] {
  return Array.from({ length: count }, (_, index) => touch(`${label} ${index}`, { index }));
}

async function collect(
  store: EventStore,
  options: { after?: number; maxBatchSize?: number; types?: readonly string[] },
  until: (received: RecordedEvent[], batch: SubscriptionBatch) => boolean,
  timeoutMs = 10_000,
): Promise<{ events: RecordedEvent[]; batches: SubscriptionBatch[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: RecordedEvent[] = [];
  const batches: SubscriptionBatch[] = [];
  try {
    for await (const batch of store.subscribe({ ...options, signal: controller.signal })) {
      batches.push(batch);
      events.push(...batch.events);
      if (until(events, batch)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return { events, batches };
}

export function eventStoreContract(adapter: string, harness: EventStoreHarness): void {
  const suite = harness.skip === undefined ? describe : describe.skip;
  if (harness.skip !== undefined) console.warn(`[contract] EventStore/${adapter} skipped: ${harness.skip}`);

  suite(`EventStore contract: ${adapter}`, () => {
    let subject: EventStoreUnderTest;
    let store: EventStore;
    const extra: EventStore[] = [];

    beforeEach(async () => {
      subject = await harness.open();
      store = subject.store;
    });

    afterEach(async () => {
      await Promise.all(extra.splice(0).map((s) => s.close()));
      await subject.destroy();
    });

    describe('append and read a stream', () => {
      it('stores events with revisions from 0 and returns them as recorded', async () => {
        const stream = uniqueStream();
        const events = touches(3);

        const result = await store.append(stream, events, { expectedRevision: 'noStream' });

        expect(result.streamRevision).toBe(2);
        expect(result.duplicates).toEqual([]);
        expect(result.appended.map((e) => [e.id, e.revision])).toEqual(events.map((e, i) => [e.id, i]));
        const read = await store.readStream(stream);
        expect(read).toEqual(result.appended);
        expect(read[0]).toMatchObject({
          stream,
          type: 'TouchRecorded',
          data: events[0]!.data,
          metadata: { ...events[0]!.metadata, recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown },
        });
      });

      it('keeps data and metadata exactly, unicode and nesting included', async () => {
        const stream = uniqueStream();
        const data = { name: '网络研讨会 — “Pricing” 🚀', nested: { list: [1, 2.5, null, true, 'x'], empty: {} }, big: 'x'.repeat(20_000) };
        const event = newEvent({ type: 'TraitsUpdated', data }, { occurredAt: '2026-01-02T03:04:05.678Z', causedBy: { messageId: 'req-1', correlationId: 'corr-1' }, schemaVersion: 3 });

        await store.append(stream, [event]);

        const [read] = await store.readStream(stream);
        expect(read!.data).toEqual(data);
        expect(read!.metadata).toMatchObject({ occurredAt: '2026-01-02T03:04:05.678Z', causationId: 'req-1', correlationId: 'corr-1', schemaVersion: 3 });
      });

      it('reads from a revision, backwards, and with a limit', async () => {
        const stream = uniqueStream();
        await store.append(stream, touches(10));

        const fromFour = await store.readStream(stream, { from: 4, limit: 3 });
        const backwards = await store.readStream(stream, { direction: 'backwards', limit: 4 });
        const backwardsFromFive = await store.readStream(stream, { direction: 'backwards', from: 5 });

        expect(fromFour.map((e) => e.revision)).toEqual([4, 5, 6]);
        expect(backwards.map((e) => e.revision)).toEqual([9, 8, 7, 6]);
        expect(backwardsFromFive.map((e) => e.revision)).toEqual([5, 4, 3, 2, 1, 0]);
      });

      it('reads an absent stream as empty and reports it does not exist', async () => {
        const stream = uniqueStream();

        expect(await store.readStream(stream)).toEqual([]);
        expect(await store.streamRevision(stream)).toBeNull();
      });

      it('reports a stream’s revision once it exists', async () => {
        const stream = uniqueStream();
        await store.append(stream, touches(2));
        await store.append(stream, touches(3));

        expect(await store.streamRevision(stream)).toBe(4);
      });

      it('refuses malformed events with the failing fields named, storing nothing', async () => {
        const stream = uniqueStream();
        const good = touch('good');
        const bad = { ...touch('bad'), id: 'not-a-uuid' };

        const error = await store.append(stream, [good, bad]).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['events[1].id']);
        expect(await store.streamRevision(stream)).toBeNull();
      });
    });

    describe('optimistic concurrency', () => {
      it('noStream: succeeds on a new stream, fails once it exists', async () => {
        const stream = uniqueStream();
        await store.append(stream, touches(1), { expectedRevision: 'noStream' });

        const error = await store.append(stream, touches(1), { expectedRevision: 'noStream' }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ stream, expected: 'noStream', actual: 0 });
      });

      it('streamExists: fails on an absent stream, succeeds once it exists', async () => {
        const stream = uniqueStream();

        const error = await store.append(stream, touches(1), { expectedRevision: 'streamExists' }).catch((e: unknown) => e);
        expect(error).toMatchObject({ constructor: ConcurrencyError, expected: 'streamExists', actual: null });

        await store.append(stream, touches(1));
        await expect(store.append(stream, touches(1), { expectedRevision: 'streamExists' })).resolves.toMatchObject({ streamRevision: 1 });
      });

      it('an exact revision: succeeds when it matches, fails with expected and actual when not, storing nothing', async () => {
        const stream = uniqueStream();
        await store.append(stream, touches(3));
        await store.append(stream, touches(1), { expectedRevision: 2 });

        const stale = touches(2);
        const error = await store.append(stream, stale, { expectedRevision: 2 }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ stream, expected: 2, actual: 3 });
        const ids = (await store.readStream(stream)).map((e) => e.id);
        expect(ids).not.toContain(stale[0]!.id);
        expect(ids).toHaveLength(4);
      });

      it('an exact revision on an absent stream fails with actual null', async () => {
        const error = await store.append(uniqueStream(), touches(1), { expectedRevision: 0 }).catch((e: unknown) => e);

        expect(error).toMatchObject({ constructor: ConcurrencyError, expected: 0, actual: null });
      });

      it('any: appends whatever the revision', async () => {
        const stream = uniqueStream();
        await store.append(stream, touches(2), { expectedRevision: 'any' });

        await expect(store.append(stream, touches(1), { expectedRevision: 'any' })).resolves.toMatchObject({ streamRevision: 2 });
      });

      it('concurrent appends at the same revision: exactly one wins each revision', async () => {
        const stream = uniqueStream();
        const writers = 8;
        const rounds = 5;
        for (let revision = -1; revision < rounds - 1; revision++) {
          const expectedRevision = revision === -1 ? ('noStream' as const) : revision;
          const outcomes = await Promise.allSettled(
            Array.from({ length: writers }, (_, w) => store.append(stream, [touch(`writer ${w}`)], { expectedRevision })),
          );
          const won = outcomes.filter((o) => o.status === 'fulfilled');
          const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost.every((o) => o.reason instanceof ConcurrencyError)).toBe(true);
        }
        const history = await store.readStream(stream);
        expect(history.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      });

      it('two connections racing on one stream: exactly one wins each revision', async () => {
        const other = await subject.openSecond();
        extra.push(other);
        const stream = uniqueStream();
        await store.append(stream, touches(1));

        let current = 0;
        for (let round = 0; round < 10; round++) {
          const outcomes = await Promise.allSettled([
            store.append(stream, [touch(`a ${round}`)], { expectedRevision: current }),
            other.append(stream, [touch(`b ${round}`)], { expectedRevision: current }),
          ]);
          expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
          const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(lost?.reason).toBeInstanceOf(ConcurrencyError);
          current += 1;
        }
        expect(await other.streamRevision(stream)).toBe(10);
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([...Array(11).keys()]);
      });
    });

    describe('another connection appending to the same stream', () => {
      it('an expected revision is checked against what the other connection stored, not what this one remembers', async () => {
        const other = await subject.openSecond();
        extra.push(other);
        const stream = uniqueStream();
        await store.append(stream, touches(2, 'first'));
        await other.append(stream, [touch('theirs')], { expectedRevision: 1 });

        await expect(store.append(stream, [touch('stale')], { expectedRevision: 1 })).rejects.toMatchObject({ name: 'ConcurrencyError', expected: 1, actual: 2 });
        const ours = await store.append(stream, [touch('ours')], { expectedRevision: 2 });

        expect(ours.appended.map((event) => event.revision)).toEqual([3]);
        expect((await other.readStream(stream)).map((event) => event.revision)).toEqual([0, 1, 2, 3]);
      });
    });

    describe('appends in flight together', () => {
      it('each succeeds or fails alone, in the order they were asked for', async () => {
        const streams = [uniqueStream(), uniqueStream(), uniqueStream()];
        const calls = [
          store.append(streams[0]!, touches(2), { expectedRevision: 'noStream' }),
          store.append(streams[1]!, touches(1), { expectedRevision: 5 }),
          store.append(streams[0]!, touches(1), { expectedRevision: 1 }),
          store.append(streams[2]!, touches(3)),
          store.append(streams[0]!, touches(1), { expectedRevision: 1 }),
        ];

        const outcomes = await Promise.allSettled(calls);

        expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected']);
        expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
        expect((outcomes[4] as PromiseRejectedResult).reason).toMatchObject({ expected: 1, actual: 2 });
        expect(await store.streamRevision(streams[0]!)).toBe(2);
        expect(await store.streamRevision(streams[1]!)).toBeNull();
        const positions = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value.appended.map((e) => e.position) : []));
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      });

      it('a hundred appends to one stream with revision "any" keep every event once, in call order', async () => {
        const stream = uniqueStream();
        const batches = Array.from({ length: 100 }, (_, i) => touches(2, `burst ${i}`));

        await Promise.all(batches.map((batch) => store.append(stream, batch)));

        expect((await store.readStream(stream)).map((e) => e.id)).toEqual(batches.flat().map((e) => e.id));
      });
    });

    describe('idempotency by event id', () => {
      it('a repeated id is stored once and reported as a duplicate', async () => {
        const stream = uniqueStream();
        const [first, second] = touches(2);
        await store.append(stream, [first!]);

        const result = await store.append(stream, [first!, second!]);

        expect(result.duplicates).toEqual([first!.id]);
        expect(result.appended.map((e) => e.id)).toEqual([second!.id]);
        expect((await store.readStream(stream)).map((e) => e.id)).toEqual([first!.id, second!.id]);
      });

      it('a retried append is a no-op success even though its expected revision is stale', async () => {
        const stream = uniqueStream();
        const batch = touches(3);
        await store.append(stream, batch, { expectedRevision: 'noStream' });

        const retry = await store.append(stream, batch, { expectedRevision: 'noStream' });

        expect(retry).toEqual({ streamRevision: 2, appended: [], duplicates: batch.map((e) => e.id) });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('a partly stored batch with a stale expected revision conflicts and stores nothing new', async () => {
        const stream = uniqueStream();
        const [stored, fresh] = touches(2);
        await store.append(stream, [stored!], { expectedRevision: 'noStream' });

        await expect(store.append(stream, [stored!, fresh!], { expectedRevision: 'noStream' })).rejects.toMatchObject({
          name: 'ConcurrencyError',
          expected: 'noStream',
          actual: 0,
        });
        expect((await store.readStream(stream)).map((e) => e.id)).toEqual([stored!.id]);
      });

      it('the same id twice in one append is stored once', async () => {
        const stream = uniqueStream();
        const event = touch('twice');

        const result = await store.append(stream, [event, event]);

        expect(result.appended).toHaveLength(1);
        expect(result.duplicates).toEqual([event.id]);
      });

      it('an id stored in another stream is not stored again', async () => {
        const event = touch('moved');
        await store.append(uniqueStream(), [event]);
        const other = uniqueStream();

        const result = await store.append(other, [event]);

        expect(result.duplicates).toEqual([event.id]);
        expect(await store.streamRevision(other)).toBeNull();
      });

      it('says which ids are stored, in any stream, and after a restart', async () => {
        const [a, b] = touches(2, 'stored ids');
        const absent = touch('never appended');
        await store.append(uniqueStream(), [a!]);
        await store.append(uniqueStream(), [b!]);

        expect(await store.storedIds([a!.id, absent.id, b!.id])).toEqual(new Set([a!.id, b!.id]));
        expect(await store.storedIds([])).toEqual(new Set());
        store = await subject.reopen();
        expect(await store.storedIds([absent.id, b!.id, b!.id])).toEqual(new Set([b!.id]));
      });

      it('a duplicate is recognised at any time distance: after thousands of other events and a restart', async () => {
        const stream = uniqueStream();
        const early = touch('early');
        await store.append(stream, [early]);
        for (let i = 0; i < 20; i++) await store.append(uniqueStream('filler'), touches(100, `filler ${i}`));
        store = await subject.reopen();

        const result = await store.append(stream, [early]);

        expect(result.duplicates).toEqual([early.id]);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('global order', () => {
      it('readAll returns every event once, in strictly increasing positions, across thousands of streams', async () => {
        const head = await store.headPosition();
        const streams = Array.from({ length: 2_000 }, () => uniqueStream());
        const written: string[] = [];
        for (const [index, stream] of streams.entries()) {
          const batch = touches(1 + (index % 3));
          written.push(...batch.map((e) => e.id));
          await store.append(stream, batch);
        }

        const read: RecordedEvent[] = [];
        let after = head;
        for (;;) {
          const page = await store.readAll({ after, limit: 777 });
          if (page.length === 0) break;
          read.push(...page);
          after = page.at(-1)!.position;
        }

        expect(read.map((e) => e.id)).toEqual(written);
        expect(read.every((e, i) => i === 0 || e.position > read[i - 1]!.position)).toBe(true);
        expect(await store.headPosition()).toBe(read.at(-1)!.position);
        expect(new Set(read.map((e) => e.stream)).size).toBe(2_000);
      });

      it('readAll backwards returns the newest first', async () => {
        const head = await store.headPosition();
        const stream = uniqueStream();
        const { appended } = await store.append(stream, touches(5));

        const newest = await store.readAll({ direction: 'backwards', limit: 3 });
        const beforeLast = await store.readAll({ direction: 'backwards', before: appended.at(-1)!.position, limit: 2 });

        expect(newest.map((e) => e.id)).toEqual(appended.slice(2).reverse().map((e) => e.id));
        expect(beforeLast.map((e) => e.id)).toEqual([appended[3]!.id, appended[2]!.id]);
        expect(newest.every((e) => e.position > head)).toBe(true);
      });
    });

    describe('subscriptions', () => {
      it('catches up on history, announces it, then delivers live appends in order', async () => {
        const start = await store.headPosition();
        const stream = uniqueStream();
        await store.append(stream, touches(25, 'history'));
        const live = touches(5, 'live');

        const received = collect(store, { after: start, maxBatchSize: 10 }, (events) => events.length >= 30);
        setTimeout(() => {
          void (async () => {
            for (const event of live) await store.append(uniqueStream(), [event]);
          })();
        }, 50);
        const { events, batches } = await received;

        expect(events.map((e) => e.data)).toEqual([...touches(25, 'history'), ...live].map((e) => e.data));
        expect(batches.every((b) => b.events.length <= 10)).toBe(true);
        expect(batches.some((b) => b.caughtUp)).toBe(true);
        expect(events.every((e, i) => i === 0 || e.position > events[i - 1]!.position)).toBe(true);
      });

      it('announces caught-up with an empty batch when there is nothing to deliver', async () => {
        const head = await store.headPosition();

        const { batches } = await collect(store, { after: head }, (_events, batch) => batch.caughtUp);

        expect(batches).toEqual([{ events: [], position: head, caughtUp: true }]);
      });

      it("gives each batch's position: its last event's, the checkpoint to resume after", async () => {
        const start = await store.headPosition();
        await store.append(uniqueStream(), touches(12, 'positions'));

        const { batches } = await collect(store, { after: start, maxBatchSize: 5 }, (events) => events.length >= 12);

        expect(batches.map((b) => b.events.length)).toEqual([5, 5, 2]);
        for (const batch of batches) expect(batch.position).toBe(batch.events.at(-1)!.position);
      });

      describe('of some types only', () => {
        const other = (label: string): NewEvent => newEvent({ type: 'OwnerAssigned', data: { ownerId: `rep-${label}` } });

        it('delivers only those, in order, and carries the subscriber past the others to the head', async () => {
          const start = await store.headPosition();
          const wanted: NewEvent[] = [];
          for (let i = 0; i < 9; i++) {
            const mine = other(String(i));
            wanted.push(mine);
            await store.append(uniqueStream(), [...touches(3, `between ${i}`), mine]);
          }
          await store.append(uniqueStream(), touches(4, 'after the last'));
          const head = await store.headPosition();
          // Reopened: read from the backend, not from what the store kept of its own appends.
          store = await subject.reopen();

          const { events, batches } = await collect(store, { after: start, maxBatchSize: 4, types: ['OwnerAssigned'] }, (_events, batch) => batch.position >= head);

          expect(events.map((e) => e.id)).toEqual(wanted.map((e) => e.id));
          expect(batches.flatMap((b) => b.events).every((e) => e.type === 'OwnerAssigned')).toBe(true);
          expect(batches.every((b) => b.events.length <= 4)).toBe(true);
          // Positions only move forward, each at or past its batch's last event; the last is the head, past the trailing touches.
          batches.forEach((batch, i) => {
            expect(batch.position).toBeGreaterThanOrEqual(batch.events.at(-1)?.position ?? start);
            if (i > 0) expect(batch.position).toBeGreaterThan(batches[i - 1]!.position);
          });
          expect(batches.at(-1)!.position).toBe(head);
        });

        it('resumes from a batch position skipping nothing and repeating nothing, and moves on live appends of other types', async () => {
          const start = await store.headPosition();
          const first = other('first');
          await store.append(uniqueStream(), [touch('before'), first, touch('after')]);
          const head = await store.headPosition();
          const caught = await collect(store, { after: start, types: ['OwnerAssigned'] }, (_events, batch) => batch.position >= head);
          expect(caught.events.map((e) => e.id)).toEqual([first.id]);

          // Live: a touch alone moves the position on (a batch with no events); then a wanted event comes.
          const second = other('second');
          const received = collect(store, { after: caught.batches.at(-1)!.position, types: ['OwnerAssigned'] }, (events) => events.length >= 1);
          setTimeout(() => {
            void (async () => {
              await store.append(uniqueStream(), [touch('live touch')]);
              await store.append(uniqueStream(), [touch('live touch 2'), second]);
            })();
          }, 50);
          const live = await received;

          expect(live.events.map((e) => e.id)).toEqual([second.id]);
          expect(live.batches.at(-1)!.position).toBe(live.events.at(-1)!.position);
        });

        it('refuses a types list that is not one, naming the field', async () => {
          const read = async (types: unknown): Promise<unknown> => {
            for await (const batch of store.subscribe({ types: types as string[] })) return batch;
            return null;
          };
          await expect(read('OwnerAssigned')).rejects.toMatchObject({ issues: [{ path: 'types' }] });
          await expect(read('OwnerAssigned')).rejects.toBeInstanceOf(ValidationError);
          await expect(read(['OwnerAssigned', ''])).rejects.toMatchObject({ issues: [{ path: 'types[1]' }] });
        });
      });

      it('sees appends made through another connection', async () => {
        const other = await subject.openSecond();
        extra.push(other);
        const head = await store.headPosition();
        const event = touch('from elsewhere');

        const received = collect(store, { after: head }, (events) => events.length >= 1);
        setTimeout(() => void other.append(uniqueStream(), [event]), 50);

        expect((await received).events.map((e) => e.id)).toEqual([event.id]);
      });

      it('resumes after a restart from the checkpoint the subscriber stored, skipping nothing and repeating nothing', async () => {
        const start = await store.headPosition();
        const all = touches(40, 'resumable');
        for (const event of all.slice(0, 30)) await store.append(uniqueStream(), [event]);

        const first = await collect(store, { after: start, maxBatchSize: 7 }, (events) => events.length >= 12);
        const handled = first.events.slice(0, 12);
        const checkpoint = handled.at(-1)!.position;

        store = await subject.reopen();
        for (const event of all.slice(30)) await store.append(uniqueStream(), [event]);
        const second = await collect(store, { after: checkpoint }, (events) => events.length >= 28);

        expect([...handled, ...second.events].map((e) => e.id)).toEqual(all.map((e) => e.id));
      });

      it('stops when its signal is aborted', async () => {
        const controller = new AbortController();
        const seen: SubscriptionBatch[] = [];
        const done = (async () => {
          for await (const batch of store.subscribe({ after: await store.headPosition(), signal: controller.signal })) seen.push(batch);
        })();
        setTimeout(() => controller.abort(), 100);

        await expect(done).resolves.toBeUndefined();
        expect(seen.length).toBeGreaterThanOrEqual(1);
      });
    });

    describe('health and lifecycle', () => {
      it('ping resolves while open', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('an acknowledged append is there after the store is closed and reopened', async () => {
        const stream = uniqueStream();
        const { appended } = await store.append(stream, touches(3), { expectedRevision: 'noStream' });

        store = await subject.reopen();

        expect(await store.readStream(stream)).toEqual(appended);
      });
    });
  });
}


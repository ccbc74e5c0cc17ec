import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../services/core/index.ts';
import { newEvent } from '../../../services/core/index.ts';
import type { EventStore } from '../../../services/ports/index.ts';
import { temporaryStores } from '../../support/sqliteStores.ts';

/**
 * The SQLite store serves its newest appends to readers from memory (the tail). What a reader
 * gets must not depend on it: the same events, in the same order, as a fresh connection reading
 * the file, also when another writer appends in between: another store of this process (another
 * thread's, which wakes ours over the commits channel) or another process (which does not).
 */
const stores = temporaryStores({ synchronous: 'normal', pollIntervalMs: 10 });
const storePath = (prefix: string): string => stores.path(prefix);
const open = (path: string): EventStore => stores.open(path);

const touch = (i: number): NewEvent => newEvent({ type: 'TouchRecorded', data: { i, nested: { list: [i, i + 1] }, absent: undefined } });
const plain = (events: readonly unknown[]) => JSON.parse(JSON.stringify(events)) as unknown;

describe('sqlite event store tail', () => {
  it('reads from memory exactly what a fresh connection reads from the file, across writers of two processes', async () => {
    const path = storePath('nudge-tail-');
    const ours = open(path);
    const theirs = open(path);

    let i = 0;
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 7 }, () => ours.append(`lead-${i % 3}`, [touch(i++), touch(i++)])));
      // Another process's appends break the run of positions our tail holds.
      if (round % 2 === 1) await theirs.append('lead-other', [touch(i++)]);
    }

    const fromFile = await open(path).readAll();
    expect(fromFile).toHaveLength(i);
    for (const [after, limit] of [[0, -1], [3, 5], [14, 100], [15, 1], [fromFile.length - 2, 10], [fromFile.length, 10]] as const) {
      const expected = fromFile.filter((event) => event.position > after).slice(0, limit < 0 ? undefined : limit);
      expect(plain(await ours.readAll({ after, ...(limit < 0 ? {} : { limit }) })), `after ${after}, limit ${limit}`).toEqual(plain(expected));
    }
  });

  it("does not end a page at its own newest event when another process appended after it", async () => {
    const path = storePath('nudge-tail-end-');
    const ours = open(path);
    const theirs = open(path);
    await ours.append('lead-a', [touch(1), touch(2), touch(3)]);
    await theirs.append('lead-b', [touch(4), touch(5)]);
    // A page that stops short of its limit says "this is the end of the store": it must include theirs.
    expect((await ours.readAll({ after: 1, limit: 10 })).map((event) => event.position)).toEqual([2, 3, 4, 5]);
    // Read from the end of our tail (where a caught-up subscriber looks): theirs are there too.
    expect((await ours.readAll({ after: 3 })).map((event) => event.position)).toEqual([4, 5]);
    await ours.append('lead-a', [touch(6)]);
    expect((await ours.readAll({ after: 6 })).map((event) => event.position)).toEqual([]);
    await theirs.append('lead-b', [touch(7)]);
    expect((await ours.readAll({ after: 6 })).map((event) => event.position)).toEqual([7]);
  });

  it('delivers every event once, in order, to a subscriber while both processes append', async () => {
    const path = storePath('nudge-tail-sub-');
    const ours = open(path);
    const theirs = open(path);
    const stop = new AbortController();
    const seen: number[] = [];
    const subscribed = (async () => {
      for await (const batch of ours.subscribe({ signal: stop.signal, maxBatchSize: 4 })) {
        seen.push(...batch.events.map((event) => event.position));
        if (seen.length === 60) stop.abort();
      }
    })();
    for (let n = 0; n < 30; n++) {
      await ours.append('lead-a', [touch(n)]);
      await theirs.append('lead-b', [touch(n)]);
    }
    await subscribed;
    expect(seen).toEqual(Array.from({ length: 60 }, (_, k) => k + 1));
  });

  it('reads what the file holds while two stores of one process append at the same time', async () => {
    const path = storePath('nudge-tail-concurrent-');
    const ours = open(path);
    const theirs = open(path);
    let i = 0;
    for (let round = 0; round < 12; round++) {
      await Promise.all([
        ...Array.from({ length: 1 + (round % 4) }, () => ours.append(`lead-o${i % 5}`, [touch(i++)])),
        ...Array.from({ length: 1 + ((round + 2) % 3) }, () => theirs.append(`lead-t${i % 5}`, [touch(i++), touch(i++)])),
      ]);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fromFile = await open(path).readAll();
    for (const reader of [ours, theirs]) {
      for (let after = 0; after <= fromFile.length; after += 3) {
        expect(plain(await reader.readAll({ after, limit: 7 })), `after ${after}`).toEqual(plain(fromFile.filter((event) => event.position > after).slice(0, 7)));
      }
      expect(plain(await reader.readAll({ after: 0 }))).toEqual(plain(fromFile));
    }
  });

  it('reads what the file holds when another process appends in between', async () => {
    const path = storePath('nudge-tail-process-');
    const ours = open(path);
    const storeModule = new URL('../../../infra/sqlite/index.ts', import.meta.url).href;
    const coreModule = new URL('../../../services/core/index.ts', import.meta.url).href;
    const otherProcess = (n: number) => {
      const script = `const { createSqliteEventStore } = await import(${JSON.stringify(storeModule)});
        const { newEvent } = await import(${JSON.stringify(coreModule)});
        const store = createSqliteEventStore({ path: ${JSON.stringify(path)}, synchronous: 'normal', writerThread: false });
        await store.append('lead-process', [newEvent({ type: 'TouchRecorded', data: { n: ${n} } }), newEvent({ type: 'TouchRecorded', data: { n: ${n + 1} } })]);
        await store.close();`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
    };
    let i = 0;
    for (let round = 0; round < 12; round++) {
      await ours.append('lead-a', [touch(i++), touch(i++)]);
      if (round % 3 === 1) otherProcess(1_000 + round);
    }
    const fromFile = await open(path).readAll();
    expect(fromFile).toHaveLength(i + 8);
    for (let after = 0; after <= fromFile.length; after += 2) {
      expect(plain(await ours.readAll({ after, limit: 5 })), `after ${after}`).toEqual(plain(fromFile.filter((event) => event.position > after).slice(0, 5)));
    }
  });

  it('gives readers frozen events, so one reader cannot change what the others see', async () => {
    const store = open(storePath('nudge-tail-frozen-'));
    await store.append('lead-a', [touch(1), touch(2)]);
    const [event] = await store.readAll({ after: 0, limit: 1 });
    expect(() => {
      (event!.data as { i: number }).i = 99;
    }).toThrow(TypeError);
    expect(((await store.readAll({ after: 0, limit: 1 }))[0]!.data as { i: number }).i).toBe(1);
  });

  it('decodes an event on first use, and a spread, a clone or JSON of it holds the decoded data and metadata', async () => {
    const path = storePath('nudge-tail-decoded-');
    const store = open(path);
    await store.append('lead-a', [touch(1)]);
    // From the tail, from a stream read, and from the file (another store on the same file).
    for (const [event] of [await store.readAll({ after: 0, limit: 1 }), await store.readStream('lead-a'), await open(path).readAll()]) {
      expect(event).toBeDefined();
      if (event === undefined) continue;
      expect(Object.keys(event).sort()).toEqual(['data', 'id', 'metadata', 'position', 'revision', 'stream', 'type']);
      expect(event.data).toBe(event.data);
      const copies = [{ ...event }, structuredClone(event), JSON.parse(JSON.stringify(event)) as typeof event];
      for (const copy of copies) {
        expect(copy.data).toEqual({ i: 1, nested: { list: [1, 2] } });
        expect(copy.metadata).toEqual(event.metadata);
        expect(Object.getOwnPropertyDescriptor(copy, 'data')).toHaveProperty('value');
      }
    }
  });
});

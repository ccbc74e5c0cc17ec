import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectSqliteWriter, createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import { newEvent, UnavailableError } from '../../../services/core/index.ts';
import type { EventStore } from '../../../services/ports/index.ts';

// The port's contract runs on a store that commits through another's writer (eventStore.sqlite.int.test.ts);
// these are the parts of sharing one writer that the contract does not name.
const dirs: string[] = [];
const stores: EventStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0).reverse()) await store.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setUp(): { path: string; owner: EventStore; client: () => EventStore } {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-shared-writer-'));
  dirs.push(dir);
  const path = join(dir, 'events.db');
  const owner = createSqliteEventStore({ path });
  stores.push(owner);
  return {
    path,
    owner,
    client: () => {
      const writerPort = connectSqliteWriter(owner);
      if (writerPort === null) throw new Error('no writer thread');
      const store = createSqliteEventStore({ path, writerPort });
      stores.push(store);
      return store;
    },
  };
}

const touch = (i: number) => newEvent({ type: 'TouchRecorded', data: { i } });

describe('a store committing through another store’s writer thread', () => {
  it('interleaves its commits with the owner’s in one order, and each sees the other’s at once', async () => {
    const { owner, client } = setUp();
    const other = client();
    const seen: number[] = [];
    const stop = new AbortController();
    const following = (async () => {
      for await (const batch of owner.subscribe({ signal: stop.signal })) {
        for (const event of batch.events) seen.push((event.data as { i: number }).i);
        if (seen.length === 40) stop.abort();
      }
    })();
    await Promise.all(Array.from({ length: 20 }, (_, i) => Promise.all([owner.append(`lead-o${i % 3}`, [touch(i)]), other.append(`lead-c${i % 3}`, [touch(100 + i)])])));
    await following;
    expect(seen.sort((a, b) => a - b)).toEqual([...Array.from({ length: 20 }, (_, i) => i), ...Array.from({ length: 20 }, (_, i) => 100 + i)]);
    const positions = (await other.readAll()).map((event) => event.position);
    expect(positions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // Optimistic concurrency holds across the two stores: the writer knows each stream's revision.
    await expect(other.append('lead-o0', [touch(999)], { expectedRevision: 0 })).rejects.toThrow(/revision/);
  });

  it('the owner keeps the connected stores’ commits in its tail too, whole and in order, so its readers need not go to the file', async () => {
    const { path, owner, client } = setUp();
    const other = client();
    for (let i = 0; i < 10; i++) {
      await owner.append('lead-o', [touch(i)]);
      await other.append('lead-c', [touch(100 + i), touch(200 + i)]);
    }
    // The thread sends the owner the others' rows before its answers to the owner's later commits.
    await owner.append('lead-o', [touch(999)]);
    // A reading store on the same file holds no tail: what the owner keeps must match it.
    const reader = createSqliteEventStore({ path, readOnly: true });
    stores.push(reader);
    const fromFile = await reader.readAll();
    const fromOwner = await owner.readAll();
    expect(fromOwner.map((event) => [event.position, event.id, event.data, event.metadata])).toEqual(fromFile.map((event) => [event.position, event.id, event.data, event.metadata]));
    // Served from the tail: the shared, frozen events; a read of the file gives plain objects.
    expect(fromOwner.every((event) => Object.isFrozen(event))).toBe(true);
    expect(fromFile.some((event) => Object.isFrozen(event))).toBe(false);
  });

  it('closing it leaves the writer to its owner and to the other stores connected to it', async () => {
    const { owner, client } = setUp();
    const first = client();
    const second = client();
    await first.append('lead-a', [touch(1)]);
    await first.close();
    await second.append('lead-a', [touch(2)]);
    await owner.append('lead-a', [touch(3)]);
    expect((await owner.readStream('lead-a')).map((event) => (event.data as { i: number }).i)).toEqual([1, 2, 3]);
  });

  it('fails its appends as unavailable once the owner has closed the writer, instead of waiting', async () => {
    const { owner, client } = setUp();
    const store = client();
    await store.append('lead-a', [touch(1)]);
    await owner.close();
    await expect(store.append('lead-a', [touch(2)])).rejects.toThrow(UnavailableError);
    await expect(store.ping()).rejects.toThrow(/writer thread this store commits through has stopped/);
  });

  it('is offered only by a store with a writer thread', async () => {
    const { path } = setUp();
    const sameThread = createSqliteEventStore({ path, writerThread: false });
    const memory = createSqliteEventStore({ path: ':memory:' });
    stores.push(sameThread, memory);
    expect(connectSqliteWriter(sameThread)).toBeNull();
    expect(connectSqliteWriter(memory)).toBeNull();
  });
});

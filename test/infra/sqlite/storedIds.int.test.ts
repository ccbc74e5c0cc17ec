import { describe, expect, it } from 'vitest';
import { storedIdsRead } from '../../../infra/sqlite/sqliteEventStore.ts';
import type { NewEvent } from '../../../services/core/index.ts';
import { deriveId, newEvent } from '../../../services/core/index.ts';
import type { EventStore } from '../../../services/ports/index.ts';
import { temporaryStores } from '../../support/sqliteStores.ts';

/**
 * `storedIds` on the SQLite store answers from an in-memory filter of the stored ids for the ids
 * it certainly does not hold, and from the id index for the rest. Its answers must be the file's
 * at every moment: while the filter is being read from the file, after another process (or
 * another store of this process, with a writer of its own) appended, and for its own appends.
 */
const stores = temporaryStores({ synchronous: 'normal', pollIntervalMs: 10 });
const storePath = (): string => stores.path('nudge-stored-ids-');
const open = (path: string): EventStore => stores.open(path);

const touches = (prefix: string, count: number): NewEvent[] =>
  Array.from({ length: count }, (_, i) => newEvent({ type: 'TouchRecorded', data: { i } }, { id: deriveId('stored-ids-test', prefix, String(i)) }));

/** Appends `events` in appends of 200 to streams of their own; resolves to their ids. */
async function appendAll(store: EventStore, stream: string, events: readonly NewEvent[]): Promise<string[]> {
  const appends: Promise<unknown>[] = [];
  for (let first = 0; first < events.length; first += 200) appends.push(store.append(`${stream}-${first}`, events.slice(first, first + 200)));
  await Promise.all(appends);
  return events.map((event) => event.id);
}

/** What `store` says of `ids`, asked 500 at a time (as ingestion asks). */
async function stored(store: EventStore, ids: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (let first = 0; first < ids.length; first += 500) found.push(...(await store.storedIds(ids.slice(first, first + 500))));
  return found.sort();
}

const sorted = (ids: readonly string[]): string[] => [...ids].sort();
const absentIds = touches('absent', 3_000).map((event) => event.id);

describe('sqlite event store: storedIds', () => {
  it('finds the ids a file already holds, before and after reading them into memory, and nothing else', async () => {
    const path = storePath();
    const writer = open(path);
    // More than two chunks of the filter's read (5,000 ids each).
    const old = await appendAll(writer, 'old', touches('old', 12_000));
    await writer.close();

    const store = open(path);
    // The first call starts reading the ids into memory and answers from the file meanwhile.
    expect(await stored(store, [...old.slice(0, 400), ...absentIds.slice(0, 100)])).toEqual(sorted(old.slice(0, 400)));
    await storedIdsRead(store);
    expect(await stored(store, old)).toEqual(sorted(old));
    expect(await stored(store, absentIds)).toEqual([]);
    expect(await stored(store, [...absentIds.slice(0, 10), old[11_999]!, old[0]!])).toEqual(sorted([old[11_999]!, old[0]!]));
  });

  it('finds what this store and another writer append while the ids are being read and after', async () => {
    const path = storePath();
    const old = await appendAll(open(path), 'old', touches('old', 12_000));
    const ours = open(path);
    // Another store on the file with a writer of its own: as another process, its commits do not reach ours.
    const theirs = open(path);
    await ours.storedIds([absentIds[0]!]);
    const during = await Promise.all([appendAll(ours, 'ours-during', touches('ours-during', 600)), appendAll(theirs, 'theirs-during', touches('theirs-during', 600))]);
    await storedIdsRead(ours);
    const after = [await appendAll(ours, 'ours-after', touches('ours-after', 600)), await appendAll(theirs, 'theirs-after', touches('theirs-after', 600))];
    const all = [...old, ...during.flat(), ...after.flat()];
    expect(await stored(ours, all)).toEqual(sorted(all));
    expect(await stored(ours, absentIds)).toEqual([]);
    // Another writer again, between two questions: found at once.
    const last = await appendAll(theirs, 'theirs-last', touches('theirs-last', 3));
    expect(await stored(ours, [...last, absentIds[1]!])).toEqual(sorted(last));
  });

  it('stops reading the ids when the store closes meanwhile', async () => {
    const path = storePath();
    await appendAll(open(path), 'old', touches('old', 12_000));
    const store = open(path);
    await store.storedIds([absentIds[0]!]);
    await store.close();
    await storedIdsRead(store);
    await expect(store.storedIds([absentIds[0]!])).rejects.toThrow(/closed/);
  });
});

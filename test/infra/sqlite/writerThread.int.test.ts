import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import type { NewEvent } from '../../../services/core/index.ts';
import { newEvent } from '../../../services/core/index.ts';

/** The SQLite store's group commits run on a writer thread of its own (the default for a file). */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-writer-'));
  dirs.push(dir);
  return join(dir, 'events.db');
}

const touch = (i: number): NewEvent => newEvent({ type: 'TouchRecorded', data: { i, page: `/pricing?i=${i}`, title: 'Nudge – the next best action for every lead' } });

/** How many times a 1 ms interval fires while a 20,000-event append is committed. */
async function ticksDuring(writerThread: boolean): Promise<number> {
  const store = createSqliteEventStore({ path: storePath(), writerThread });
  try {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    const appending = store.append('lead-big', Array.from({ length: 20_000 }, (_, i) => touch(i)));
    // The interval's first turn comes after the append's commit has begun.
    await appending;
    clearInterval(timer);
    expect(await store.streamRevision('lead-big')).toBe(19_999);
    return ticks;
  } finally {
    await store.close();
  }
}

describe('sqlite event store writer thread', () => {
  it('keeps the event loop turning while a commit is written; on the caller thread the commit holds it', async () => {
    expect(await ticksDuring(true)).toBeGreaterThan(0);
    expect(await ticksDuring(false)).toBe(0);
  });

  it('stores data and metadata as TEXT, character for character, though they reach the writer as UTF-8 bytes', async () => {
    const path = storePath();
    const store = createSqliteEventStore({ path });
    const text = { title: 'Nudge – the next best action', names: ['Zoë', '中文', '𝄞'], quote: '"\\\u0000' };
    await store.append('lead-1', [newEvent({ type: 'TouchRecorded', data: text }, { causedBy: { messageId: 'ünïcødé ✓' } })]);
    await store.close();

    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const row = db.prepare('SELECT typeof(data) AS dataType, typeof(metadata) AS metadataType, data, metadata FROM events').get() as Record<string, string>;
      expect(row).toMatchObject({ dataType: 'text', metadataType: 'text', data: JSON.stringify(text) });
      expect(JSON.parse(row.metadata!)).toMatchObject({ causationId: 'ünïcødé ✓' });
    } finally {
      db.close();
    }
    const reopened = createSqliteEventStore({ path, readOnly: true });
    expect((await reopened.readAll({ after: 0 }))[0]!.data).toEqual(text);
    await reopened.close();
  });

  it('commits, before closing, every append asked for before close', async () => {
    const path = storePath();
    const store = createSqliteEventStore({ path });
    const appends = Array.from({ length: 50 }, (_, i) => store.append(`lead-${i % 5}`, [touch(i)]));
    await store.close();
    expect((await Promise.allSettled(appends)).every((outcome) => outcome.status === 'fulfilled')).toBe(true);

    const reopened = createSqliteEventStore({ path, readOnly: true });
    expect(await reopened.headPosition()).toBe(50);
    await reopened.close();
  });

  it('refuses data JSON cannot hold, naming the event, while the appends asked for with it are stored', async () => {
    const store = createSqliteEventStore({ path: storePath() });
    try {
      const bad = newEvent({ type: 'TouchRecorded', data: { amount: 10n } });
      const outcomes = await Promise.allSettled([store.append('lead-1', [touch(1)]), store.append('lead-2', [touch(2), bad]), store.append('lead-3', [touch(3)])]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ name: 'ValidationError', issues: [{ path: 'events[1].data' }] });
      expect(await store.streamRevision('lead-2')).toBeNull();
      expect(await store.headPosition()).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('a read-only store refuses appends as unavailable and writes nothing', async () => {
    const path = storePath();
    const writer = createSqliteEventStore({ path });
    await writer.append('lead-1', [touch(1)]);
    await writer.close();

    const reader = createSqliteEventStore({ path, readOnly: true });
    await expect(reader.append('lead-1', [touch(2)])).rejects.toMatchObject({ name: 'UnavailableError' });
    expect(await reader.headPosition()).toBe(1);
    await reader.close();
  });
});

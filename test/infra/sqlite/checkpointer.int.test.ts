import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import type { NewEvent } from '../../../services/core/index.ts';
import { newEvent } from '../../../services/core/index.ts';

/** The SQLite store's WAL is copied into the file by a checkpointer thread, not by the commits. */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-checkpointer-'));
  dirs.push(dir);
  return join(dir, 'events.db');
}

const padding = 'x'.repeat(900);
const touch = (stream: number, i: number): NewEvent => newEvent({ type: 'TouchRecorded', data: { stream, i, padding } });
const size = (path: string): number => (existsSync(path) ? statSync(path).size : 0);

/** Salt-1 of a WAL file's header (bytes 16-19): SQLite draws a new one each time the WAL starts over. */
function walSalt(path: string): string {
  const header = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 4, 16);
  } finally {
    closeSync(fd);
  }
  return header.toString('hex');
}

describe('SQLite event store: background checkpoints', () => {
  it('keeps the WAL small under steady appends: the checkpointer copies it into the file, and the WAL starts over', async () => {
    const path = storePath();
    // Small figures, so a few megabytes of appends show it: copy every 10 ms, start over past 200 pages (800 KB).
    const store = createSqliteEventStore({ path, checkpointer: { intervalMs: 10, restartFrames: 200 } });
    let largestWal = 0;
    let events = 0;
    /** The WAL header's salt changes each time the WAL starts over. */
    const salts = new Set<string>();
    // Four lanes that each append again as soon as their last append is stored: the writer always
    // has a commit to run, so a checkpoint seldom ends with nothing committed meanwhile, and the WAL
    // starts over because the writer copies the last frames when asked. ~1 KB events over 300
    // streams put index pages all over.
    const until = performance.now() + 800;
    const lane = async (n: number): Promise<void> => {
      for (let commit = 0; performance.now() < until; commit++) {
        await store.append(`lead-${(commit * 4 + n) % 300}`, Array.from({ length: 20 }, (_, k) => touch(n, commit * 20 + k)));
        events += 20;
        largestWal = Math.max(largestWal, size(`${path}-wal`));
        salts.add(walSalt(`${path}-wal`));
      }
    };
    await Promise.all([0, 1, 2, 3].map(lane));
    // Copied into the file while the store was open (the commits themselves never checkpoint).
    expect(size(path)).toBeGreaterThan(4_000_000);
    // It started over again and again (here 36-42 times, against 2-3 when the writer does not copy
    // the last frames), so it never held more than a fraction of what was written (~1 KB an event;
    // without starting over, the WAL holds every page every commit wrote: more than the events).
    expect(salts.size).toBeGreaterThanOrEqual(10);
    expect(largestWal).toBeLessThan((events * 1_000) / 3);
    await store.close();

    const reopened = createSqliteEventStore({ path, readOnly: true });
    expect((await reopened.readAll({ after: 0, limit: 1_000_000 })).length).toBe(events);
    await reopened.close();
  });

  it('closes its checkpointer with the store, and with `checkpointer: false` the commits checkpoint as before', async () => {
    for (const checkpointer of [undefined, false] as const) {
      const path = storePath();
      const store = createSqliteEventStore({ path, ...(checkpointer === undefined ? {} : { checkpointer }) });
      await store.append('lead-1', [touch(1, 1), touch(1, 2)]);
      // close() resolves once the writer thread (and the checkpointer it started) has ended.
      await store.close();
      const reopened = createSqliteEventStore({ path, readOnly: true });
      expect((await reopened.readStream('lead-1')).map((event) => (event.data as { i: number }).i)).toEqual([1, 2]);
      await reopened.close();
    }
  });
});

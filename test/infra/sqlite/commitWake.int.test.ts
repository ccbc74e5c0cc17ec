import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { newEvent } from '../../../services/core/index.ts';
import type { EventStore } from '../../../services/ports/index.ts';
import { temporaryStores } from '../../support/sqliteStores.ts';

/**
 * Several stores of one process on the same file (a worker thread's and the main thread's, in
 * embedded mode with the runner in its own thread): a commit by one wakes the others'
 * subscriptions at once, not at their next poll. The poll is set to a minute here, so an event
 * seen within seconds came by the wake-up.
 */
const stores = temporaryStores({ synchronous: 'normal', pollIntervalMs: 60_000 });
const storePath = (): string => stores.path('nudge-commit-wake-');
const open = (path: string): EventStore => stores.open(path);

/** Resolves with the first event a live subscription of `store` delivers, or rejects after `ms`. */
function firstLiveEvent(store: EventStore, ms: number): { ready: Promise<void>; event: Promise<{ type: string; waitedMs: number }> } {
  const stop = new AbortController();
  let caughtUp: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (caughtUp = resolve));
  const event = (async () => {
    const timer = setTimeout(() => stop.abort(), ms);
    let since = 0;
    try {
      for await (const batch of store.subscribe({ signal: stop.signal })) {
        if (batch.caughtUp && since === 0) {
          since = performance.now();
          caughtUp();
        }
        if (batch.events.length > 0) return { type: batch.events[0]!.type, waitedMs: performance.now() - since };
      }
      throw new Error(`no event within ${ms} ms`);
    } finally {
      clearTimeout(timer);
      stop.abort();
    }
  })();
  return { ready, event };
}

describe('sqlite event store: a commit wakes the other stores of the process on the same file', () => {
  it('another store of this thread', async () => {
    const path = storePath();
    const writer = open(path);
    const reader = open(path);
    const live = firstLiveEvent(reader, 10_000);
    await live.ready;
    await writer.append('lead-1', [newEvent({ type: 'TouchRecorded', data: { n: 1 } })]);
    const seen = await live.event;
    expect(seen.type).toBe('TouchRecorded');
    expect(seen.waitedMs).toBeLessThan(10_000);
  });

  it('a store in a worker thread', async () => {
    const path = storePath();
    const reader = open(path);
    const live = firstLiveEvent(reader, 10_000);
    await live.ready;
    const storeModule = new URL('../../../infra/sqlite/index.ts', import.meta.url).href;
    const coreModule = new URL('../../../services/core/index.ts', import.meta.url).href;
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       (async () => {
         const { createSqliteEventStore } = await import(workerData.storeModule);
         const { newEvent } = await import(workerData.coreModule);
         const store = createSqliteEventStore({ path: workerData.path, synchronous: 'normal', writerThread: false });
         await store.append('lead-2', [newEvent({ type: 'SuggestionProposed', data: { n: 2 } })]);
         await store.close();
         parentPort.postMessage('appended');
       })().catch((error) => parentPort.postMessage(String(error)));`,
      { eval: true, workerData: { path, storeModule, coreModule } },
    );
    const answer = await new Promise((resolve) => worker.once('message', resolve));
    await worker.terminate();
    expect(answer).toBe('appended');
    const seen = await live.event;
    expect(seen.type).toBe('SuggestionProposed');
  });
});

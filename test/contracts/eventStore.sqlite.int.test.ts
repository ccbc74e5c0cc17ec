import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectSqliteWriter, createSqliteEventStore } from '../../infra/sqlite/index.ts';
import type { EventStore } from '../../services/ports/index.ts';
import { eventStoreContract, storeUnderTest } from './eventStore.contract.ts';

/** A store on a file, reopened and opened twice as the contract asks; `writerThread` as given. */
function fileHarness(writerThread: boolean): Parameters<typeof eventStoreContract>[1] {
  return {
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'nudge-contract-'));
      const path = join(dir, 'events.db');
      return Promise.resolve(
        storeUnderTest(
          () => createSqliteEventStore({ path, pollIntervalMs: 20, writerThread }),
          () => rmSync(dir, { recursive: true, force: true }),
        ),
      );
    },
  };
}

// As it ships: group commits on the store's writer thread.
eventStoreContract('sqlite (file, WAL, synchronous=full, writer thread)', fileHarness(true));
// Group commits on the caller's thread (as for ':memory:').
eventStoreContract('sqlite (file, WAL, synchronous=full, same thread)', fileHarness(false));

/**
 * A store that commits through another store's writer thread (`writerPort`), as the runner thread
 * of `nudge serve` does through the main thread's store: the owner stays open for the whole test.
 */
function sharedWriterHarness(): Parameters<typeof eventStoreContract>[1] {
  return {
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'nudge-contract-shared-'));
      const path = join(dir, 'events.db');
      const owner = createSqliteEventStore({ path, pollIntervalMs: 20 });
      const client = (): EventStore => {
        const writerPort = connectSqliteWriter(owner);
        if (writerPort === null) throw new Error('the owner store has no writer thread');
        return createSqliteEventStore({ path, pollIntervalMs: 20, writerPort });
      };
      return Promise.resolve(
        storeUnderTest(client, () => {
          void owner.close().then(() => rmSync(dir, { recursive: true, force: true }));
        }),
      );
    },
  };
}

// Commits through the writer thread of another store of the process (the runner thread's store).
eventStoreContract('sqlite (file, WAL, synchronous=full, through another store’s writer thread)', sharedWriterHarness());

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
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

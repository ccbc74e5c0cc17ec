import { afterAll, beforeAll } from 'vitest';
import { createKurrentDbEventStore } from '../../infra/kurrentdb/index.ts';
import type { StartedKurrentDb } from '../support/containers.ts';
import { CONTAINER_STARTUP_MS, containerRuntime, images, startKurrentDb } from '../support/containers.ts';
import { eventStoreContract, storeUnderTest } from './eventStore.contract.ts';

/**
 * The EventStore contract on KurrentDB: the server in KURRENTDB_TEST_URL (for example the one
 * docker compose publishes, kurrentdb://localhost:2113?tls=false), else a KurrentDB container
 * started with testcontainers, else skipped with the reason printed.
 *
 * One server for the whole file, not one per test: the contract gives every test its own streams
 * and measures readAll and subscriptions from the head position it reads at the start of the
 * test, so it needs no empty store, only no other writer of domain streams while a test runs.
 * Tests in a file run one after the other, and the checkpoints suite, the only other user of the
 * server, writes to `nudge.checkpoint-…` streams, which the store leaves out of $all.
 * Each test opens its own store objects (clients) on that server; a reopen is a new client.
 */
const url = process.env.KURRENTDB_TEST_URL?.trim() || undefined;
const runtime = url === undefined ? await containerRuntime() : undefined;
const skip = url === undefined && runtime?.ok !== true ? `needs KURRENTDB_TEST_URL or a container runtime for ${images.kurrentdb} (${runtime?.ok === false ? runtime.reason : 'unknown'})` : undefined;

let server: StartedKurrentDb | undefined;
if (skip === undefined && url === undefined) {
  beforeAll(async () => {
    server = await startKurrentDb();
  }, CONTAINER_STARTUP_MS);
  afterAll(async () => {
    await server?.stop();
  });
}

eventStoreContract(url === undefined ? `KurrentDB (testcontainers, ${images.kurrentdb})` : 'KurrentDB (KURRENTDB_TEST_URL)', {
  skip,
  open() {
    const connectionString = url ?? server?.connectionString;
    if (connectionString === undefined) throw new Error('the KurrentDB container did not start');
    // A shared server keeps the test's streams: their names are unique, nothing else reads them.
    return Promise.resolve(storeUnderTest(() => createKurrentDbEventStore({ connectionString, pollIntervalMs: 200 })));
  },
});

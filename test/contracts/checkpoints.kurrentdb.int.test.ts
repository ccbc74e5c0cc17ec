import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createKurrentDbCheckpoints } from '../../infra/kurrentdb/index.ts';
import type { StartedKurrentDb } from '../support/containers.ts';
import { CONTAINER_STARTUP_MS, containerRuntime, images, startKurrentDb } from '../support/containers.ts';
import { checkpointsContract } from './checkpoints.contract.ts';

/**
 * The Checkpoints contract on KurrentDB: KURRENTDB_TEST_URL, else a testcontainers KurrentDB,
 * else skipped with the reason printed. The contract names its subscribers `journey-runner` and
 * `projector` in every test, so each fixture gets its own scope (its own checkpoint streams) on
 * the one server of this file.
 */
const url = process.env.KURRENTDB_TEST_URL?.trim() || undefined;
const runtime = url === undefined ? await containerRuntime() : undefined;

if (url === undefined && runtime?.ok !== true) {
  const reason = runtime?.ok === false ? runtime.reason : 'unknown';
  describe('Checkpoints contract: KurrentDB', () => {
    it.skip(`needs KURRENTDB_TEST_URL or a container runtime for ${images.kurrentdb} (${reason})`, () => undefined);
  });
  console.warn(`skipping the KurrentDB checkpoints contract: KURRENTDB_TEST_URL is not set and testcontainers has no runtime (${reason})`);
} else {
  let server: StartedKurrentDb | undefined;
  if (url === undefined) {
    beforeAll(async () => {
      server = await startKurrentDb();
    }, CONTAINER_STARTUP_MS);
    afterAll(async () => {
      await server?.stop();
    });
  }

  checkpointsContract(url === undefined ? `KurrentDB (testcontainers, ${images.kurrentdb})` : 'KurrentDB (KURRENTDB_TEST_URL)', {
    open() {
      const connectionString = url ?? server?.connectionString;
      if (connectionString === undefined) throw new Error('the KurrentDB container did not start');
      const scope = `contract-${randomUUID()}`;
      let checkpoints = createKurrentDbCheckpoints({ connectionString, scope });
      return Promise.resolve({
        get checkpoints() {
          return checkpoints;
        },
        async reopen() {
          await checkpoints.close();
          checkpoints = createKurrentDbCheckpoints({ connectionString, scope });
          return checkpoints;
        },
        async destroy() {
          await checkpoints.close();
        },
      });
    },
  });
}

import { afterAll, beforeAll, describe, it } from 'vitest';
import { openClickHouseAnalytics } from '../../infra/clickhouse/index.ts';
import type { StartedClickHouse } from '../support/containers.ts';
import { CONTAINER_STARTUP_MS, containerRuntime, images, startClickHouse } from '../support/containers.ts';
import { analyticsContract } from './analytics.contract.ts';

/**
 * The same contract against a ClickHouse server: set CLICKHOUSE_TEST_URL (e.g. the server from
 * docker-compose, http://localhost:8123), or have a container runtime for testcontainers, which
 * then starts one ClickHouse server for this file (each test uses its own database). With
 * neither, this suite skips and says why.
 */
const url = process.env.CLICKHOUSE_TEST_URL;
const given = url === undefined || url === '' ? undefined : url;
const runtime = given === undefined ? await containerRuntime() : undefined;

if (given === undefined && runtime?.ok !== true) {
  const reason = runtime?.ok === false ? runtime.reason : 'unknown';
  describe('Analytics contract: ClickHouse server', () => {
    it.skip(`needs CLICKHOUSE_TEST_URL pointing at a ClickHouse server (none on this machine), or a container runtime for ${images.clickhouse} (${reason})`, () => undefined);
  });
  console.warn(`skipping the ClickHouse server contract: CLICKHOUSE_TEST_URL is not set and testcontainers has no runtime (${reason})`);
} else {
  let server: StartedClickHouse | undefined;
  if (given === undefined) {
    beforeAll(async () => {
      server = await startClickHouse();
    }, CONTAINER_STARTUP_MS);
    afterAll(async () => {
      await server?.stop();
    });
  }
  let n = 0;
  analyticsContract(given === undefined ? `ClickHouse server (testcontainers, ${images.clickhouse})` : `ClickHouse server ${new URL(given).host}`, {
    async open() {
      const serverUrl = given ?? server?.url;
      if (serverUrl === undefined) throw new Error('the ClickHouse container did not start');
      const database = `contract_${process.pid}_${Date.now().toString(36)}_${n++}`;
      const analytics = await openClickHouseAnalytics({ engine: 'server', url: serverUrl, database });
      return {
        analytics,
        async destroy() {
          await analytics.command(`DROP DATABASE IF EXISTS \`${database}\``);
          await analytics.close();
        },
      };
    },
  });
}

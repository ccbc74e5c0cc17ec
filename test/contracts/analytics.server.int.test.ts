import { describe, it } from 'vitest';
import { openClickHouseAnalytics } from '../../infra/clickhouse/index.ts';
import { analyticsContract } from './analytics.contract.ts';

/**
 * The same contract against a ClickHouse server: set CLICKHOUSE_TEST_URL (e.g. the server from
 * docker-compose, http://localhost:8123). Without one, this suite skips and says why.
 */
const url = process.env.CLICKHOUSE_TEST_URL;
if (url === undefined || url === '') {
  describe('Analytics contract: ClickHouse server', () => {
    it.skip('needs CLICKHOUSE_TEST_URL pointing at a ClickHouse server (none on this machine)', () => undefined);
  });
  console.warn('skipping the ClickHouse server contract: CLICKHOUSE_TEST_URL is not set');
} else {
  let n = 0;
  analyticsContract(`ClickHouse server ${new URL(url).host}`, {
    async open() {
      const database = `contract_${process.pid}_${Date.now().toString(36)}_${n++}`;
      const analytics = await openClickHouseAnalytics({ engine: 'server', url, database });
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

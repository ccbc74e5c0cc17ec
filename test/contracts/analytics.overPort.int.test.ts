import { MessageChannel } from 'node:worker_threads';
import { analyticsOverPort, serveAnalyticsOnPort } from '../../infra/clickhouse/analyticsOverPort.ts';
import { openTestAnalytics } from '../support/analytics.ts';
import { analyticsContract } from './analytics.contract.ts';

// The engine (chDB) served on one end of a MessageChannel and used through the other, as the
// projector's thread uses the engine held by the main thread of `nudge serve`.
analyticsContract('over a MessagePort (chDB on the other end)', {
  async open() {
    const engine = await openTestAnalytics('overport');
    const { port1, port2 } = new MessageChannel();
    const serving = serveAnalyticsOnPort(engine, port1);
    const analytics = analyticsOverPort(port2, { database: engine.database, description: engine.description });
    return {
      analytics,
      async destroy() {
        await analytics.close();
        serving.close();
        await engine.drop();
      },
    };
  },
});

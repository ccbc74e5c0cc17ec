import { analyticsContract } from './analytics.contract.ts';
import { openTestAnalytics } from '../support/analytics.ts';

analyticsContract('chDB (embedded)', {
  async open() {
    const analytics = await openTestAnalytics('contract');
    return { analytics, destroy: () => analytics.drop() };
  },
});

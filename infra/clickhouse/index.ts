export { openClickHouseAnalytics } from './clickhouseAnalytics.ts';
export type { ClickHouseAnalyticsOptions } from './clickhouseAnalytics.ts';

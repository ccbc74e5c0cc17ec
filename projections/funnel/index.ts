// Funnel and forecast analytics over the ClickHouse projection (docs/funnel-and-forecast.md).
export { forecast } from './forecastReport.ts';
export type { ForecastOptions, ForecastReport, ForecastSegment, ForecastStage, ForecastTotals } from './forecastReport.ts';
export {
  MAX_WINDOW_DAYS,
  forecastGroupings,
  forecastQuerySchema,
  funnelGroupings,
  funnelQuerySchema,
  parseForecastQuery,
  parseFunnelQuery,
} from './funnelQueries.ts';
export type { ForecastGroupBy, ForecastQuery, ForecastQueryInput, FunnelGroupBy, FunnelQuery, FunnelQueryInput } from './funnelQueries.ts';
export { funnel } from './funnelReport.ts';
export type { FunnelCohort, FunnelOptions, FunnelReport, FunnelSegment, FunnelStageFigures, OwnerComparison, OwnerStageComparison } from './funnelReport.ts';
export { defaultFunnelStages, funnelStages } from './funnelStages.ts';

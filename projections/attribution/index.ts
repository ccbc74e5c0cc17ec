/**
 * Multi-touch attribution over the analytics tables: which channels, sources, media, campaigns
 * or contents the conversions of a period (and their revenue) are owed to, by ten models.
 * docs/attribution.md defines each model and what its numbers mean.
 *
 *   const query = parseAttributionQuery(request.query, { stages: settings.stages });
 *   const report = await attribute(analytics, query, { stages: settings.stages });
 *   const side = await compareModels(analytics, attributionModels, query, { stages: settings.stages });
 */
export { attributionModels, type AttributionModel, positionModels, type PositionModel, type NamedPosition } from './attributionModels.ts';
export {
  attributionKeys,
  attributionQuerySchema,
  parseAttributionQuery,
  type AttributionKey,
  type AttributionQuery,
  type AttributionQueryOptions,
} from './attributionQuery.ts';
export { attribute, compareModels } from './attribute.ts';
export type {
  AttributionOptions,
  AttributionQueryEcho,
  AttributionReport,
  AttributionRow,
  AttributionTotals,
  ModelComparison,
  ModelComparisonRow,
  ModelCredit,
} from './attributionReport.ts';
export { UNMAPPED_COST_KEY } from './adCostSql.ts';
export { NO_TOUCH_KEY } from './positionCreditSql.ts';
export { removalEffects, type PathTransition, type RemovalEffects } from './markovChain.ts';

export type { JourneyStatsReport, NodeStats, ReasonCounts, SuggestionStats } from './journeyStats.ts';
export { JourneyStats } from './journeyStats.ts';
export type { JourneyStatsProjectionOptions, JourneyStatsStatus } from './journeyStatsProjection.ts';
export { createJourneyStatsProjection, JourneyStatsProjection } from './journeyStatsProjection.ts';

export type { JourneyDefinitionCommand, JourneyDefinitionState, JourneyVersionInfo } from './journeyDefinition.ts';
export { journeyDefinitionDecider } from './journeyDefinition.ts';
export type { JourneyDetail, JourneyDiff, JourneySummary, SaveResult } from './journeyService.ts';
export { JOURNEY_REGISTRY_STREAM, JourneyInvalidError, JourneyService } from './journeyService.ts';

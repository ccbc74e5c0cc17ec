export type { JourneyEngineOptions, LeadOutput } from './journeyEngine.ts';
export { JourneyEngine } from './journeyEngine.ts';
export type { JourneyRunnerOptions, JourneyRunnerStatus } from './journeyRunner.ts';
export { createJourneyRunner, JOURNEY_RUNNER_CHECKPOINT, JourneyRunner, journeyRunnerCheckpoint, leadShard } from './journeyRunner.ts';

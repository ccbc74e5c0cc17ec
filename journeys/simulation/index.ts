/**
 * Back-testing: a journey version replayed over the recorded history, in isolation, with a
 * virtual clock; the report says what it would have done and what became of the leads it touched.
 *
 *   const report = await simulateJourney({ store, evaluator, document, from, to });
 */
export type { SimulateJourneyOptions } from './simulateJourney.ts';
export { simulateJourney } from './simulateJourney.ts';
export type { NodeVisits, RepDay, SimulationReport, SuggestionLoad } from './simulationReport.ts';
export { DEFAULT_STAGE_ORDER, UNASSIGNED } from './simulationReport.ts';
export { MAX_SIMULATION_DAYS, parseWindowBound, simulationWindowIssues } from './simulationWindow.ts';

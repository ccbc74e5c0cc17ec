export { scoreCalibration } from './calibration.ts';
export type { CalibrationDecile, CalibrationReport } from './calibration.ts';
export { evaluateScore } from './evaluateScore.ts';
export type { LeadSnapshot, ScoreBreakdown } from './evaluateScore.ts';
export { LeadScoring } from './leadScoring.ts';
export type { LeadScore, RuleExplanation, ScoreExplanation, ScorerOptions } from './leadScoring.ts';
export { bandOf, defaultScoringModelFile, loadScoringModel, parseScoringModel, scoringModelSchema } from './scoringModel.ts';
export type { Condition, ConditionRule, EngagementRule, LeafCondition, ScoringModel } from './scoringModel.ts';
export { ruleColumn, scoringQuery, scoringSql } from './scoringSql.ts';

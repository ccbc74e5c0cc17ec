export { createCompiledEvaluator } from './compiledEvaluator.ts';
export type { CompiledRuleEvaluator, SyncCompiledCondition } from './compiledEvaluator.ts';
export { createJsonRulesEngineEvaluator } from './jsonRulesEngineEvaluator.ts';

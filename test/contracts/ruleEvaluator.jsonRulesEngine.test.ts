import { createJsonRulesEngineEvaluator } from '../../infra/rules/index.ts';
import { ruleEvaluatorContract } from './ruleEvaluator.contract.ts';

ruleEvaluatorContract('json-rules-engine', () => createJsonRulesEngineEvaluator());

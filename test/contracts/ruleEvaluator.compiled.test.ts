import { createCompiledEvaluator } from '../../infra/rules/index.ts';
import { ruleEvaluatorContract } from './ruleEvaluator.contract.ts';

ruleEvaluatorContract('compiled', () => createCompiledEvaluator());

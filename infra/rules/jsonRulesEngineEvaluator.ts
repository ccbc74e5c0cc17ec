import { Engine } from 'json-rules-engine';
import type { Almanac, EngineResult, RuleProperties } from 'json-rules-engine';
import { ValidationError } from '../../services/core/index.ts';
import type { Condition, ConditionCheck, ConditionResult, FactSource, RuleEvaluator } from '../../services/ports/index.ts';
import { acceptCondition } from './conditionValidation.ts';

/**
 * The reference RuleEvaluator: json-rules-engine itself (v7.3.1, default operators and path
 * resolver). Slow (tens of µs per evaluation: promises, a clone of the condition per run,
 * jsonpath-plus), so the product runs the compiled evaluator; this one is what the compiled one
 * is proved against, and stays usable as a fallback.
 *
 *   const check = createJsonRulesEngineEvaluator().compile({ any: [{ fact: 'touches', params: { name: 'Demo requested' }, operator: 'greaterThan', value: 0 }] });
 *   const { holds, checks } = await check.evaluate(facts);
 *
 * One Engine per condition, with one rule and one dynamic fact per fact name the condition uses
 * (values that name a fact included); each fact asks the run's FactSource, handed to the run as a
 * runtime fact under a reserved name. A leaf without params, or with empty params, asks with
 * `undefined` (json-rules-engine itself passes `{}`).
 *
 * Runs of one engine are queued: json-rules-engine keeps a running/finished status on the Engine,
 * so a run that starts while another finishes skips its rule and reports no result at all.
 */
export function createJsonRulesEngineEvaluator(): RuleEvaluator {
  return {
    name: 'json-rules-engine',
    compile(condition) {
      const accepted = acceptCondition(condition);
      const facts = factNames(accepted);
      if (facts.has(SOURCE_FACT)) {
        throw new ValidationError('the condition cannot be evaluated', [{ path: '', message: `the fact name ${JSON.stringify(SOURCE_FACT)} is reserved` }]);
      }
      const engine = new Engine([], { allowUndefinedFacts: true });
      engine.addRule({ conditions: accepted as unknown as RuleProperties['conditions'], event: { type: 'holds' } });
      for (const fact of facts) {
        engine.addFact(fact, (params: Record<string, unknown>, almanac: Almanac) =>
          almanac.factValue<FactSource>(SOURCE_FACT).then((source) => source.value(fact, Object.keys(params).length === 0 ? undefined : params)),
        );
      }
      let queue: Promise<unknown> = Promise.resolve();
      return {
        evaluate(source) {
          const run = queue.then(() => engine.run({ [SOURCE_FACT]: source }));
          queue = run.catch(() => undefined);
          return run.then(conditionResult);
        },
      };
    },
  };
}

/** The runtime fact that carries a run's FactSource to the dynamic facts. */
const SOURCE_FACT = '\u0000nudge:factSource';

function factNames(condition: Condition, names = new Set<string>()): Set<string> {
  if ('all' in condition) for (const child of condition.all) factNames(child, names);
  else if ('any' in condition) for (const child of condition.any) factNames(child, names);
  else if ('not' in condition) factNames(condition.not, names);
  else {
    names.add(condition.fact);
    const { value } = condition;
    if (value !== null && typeof value === 'object' && Object.hasOwn(value, 'fact')) names.add((value as { fact: string }).fact);
  }
  return names;
}

/** A condition node of the rule result as the engine leaves it: the input's keys plus results. */
interface EvaluatedNode {
  readonly all?: readonly EvaluatedNode[];
  readonly any?: readonly EvaluatedNode[];
  readonly not?: EvaluatedNode;
  readonly fact: string;
  readonly operator: string;
  readonly path?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly factResult: unknown;
  readonly valueResult: unknown;
  readonly result: boolean;
}

function conditionResult({ results, failureResults }: EngineResult): ConditionResult {
  const ruleResult = results[0] ?? failureResults[0];
  if (ruleResult === undefined) throw new Error('json-rules-engine finished without evaluating the rule');
  const checks: ConditionCheck[] = [];
  collectChecks(ruleResult.conditions as unknown as EvaluatedNode, '', checks);
  return { holds: ruleResult.result === true, checks };
}

/** Leaves in document order; groups are tested in json-rules-engine's order (any, all, not). */
function collectChecks(node: EvaluatedNode, at: string, checks: ConditionCheck[]): void {
  const prefix = at === '' ? '' : `${at}.`;
  if (Object.hasOwn(node, 'any')) node.any!.forEach((child, index) => collectChecks(child, `${prefix}any[${index}]`, checks));
  else if (Object.hasOwn(node, 'all')) node.all!.forEach((child, index) => collectChecks(child, `${prefix}all[${index}]`, checks));
  else if (Object.hasOwn(node, 'not')) collectChecks(node.not!, `${prefix}not`, checks);
  else {
    checks.push({
      at,
      fact: node.fact,
      ...(node.path === undefined ? {} : { path: node.path }),
      ...(node.params === undefined ? {} : { params: node.params }),
      operator: node.operator,
      value: node.valueResult,
      factValue: node.factResult,
      holds: node.result,
    });
  }
}

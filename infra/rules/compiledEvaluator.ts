import type { PropertyPathKey } from '../../services/core/index.ts';
import { parsePropertyPath } from '../../services/core/index.ts';
import type {
  CompiledCondition,
  Condition,
  ConditionCheck,
  ConditionResult,
  FactReference,
  FactSource,
  LeafCondition,
  RuleEvaluator,
  TopLevelCondition,
} from '../../services/ports/index.ts';
import { acceptCondition } from './conditionValidation.ts';
import { readFactPath } from './factPath.ts';
import { comparison } from './ruleOperators.ts';

/** A compiled condition that can also be evaluated without a promise (the journey engine's hot path). */
export interface SyncCompiledCondition extends CompiledCondition {
  /** The same result as `evaluate`, synchronously; throws where `evaluate` rejects. */
  evaluateSync(facts: FactSource): ConditionResult;
}

export interface CompiledRuleEvaluator extends RuleEvaluator {
  compile(condition: TopLevelCondition): SyncCompiledCondition;
}

/**
 * The fast RuleEvaluator: compile() turns a condition once into plain closures (paths parsed into
 * property keys, operators into functions, constants frozen), so an evaluation walks no JSON,
 * clones nothing and runs no JSONPath. It means exactly what json-rules-engine means, quirks
 * included (see ruleOperators.ts and factPath.ts); test/infra/rules/differential.test.ts compares
 * the two on thousands of generated conditions.
 *
 *   const evaluator = createCompiledEvaluator();
 *   const check = evaluator.compile({ all: [{ fact: 'score', path: '$.fit', operator: 'greaterThan', value: 60 }] });
 *   const { holds, checks } = check.evaluateSync(facts); // or: await check.evaluate(facts)
 *
 * Like json-rules-engine without priorities, every leaf is evaluated (no short-circuit), `all: []`
 * and also `any: []` hold, and each distinct fact and params is asked of the FactSource once per
 * evaluation. A leaf without params, or with empty params, asks with `undefined`.
 */
export function createCompiledEvaluator(): CompiledRuleEvaluator {
  return {
    name: 'compiled',
    compile(condition) {
      return compileAccepted(acceptCondition(condition));
    },
  };
}

/** One leaf's evaluation, given the values of the condition's distinct fact reads. */
type LeafEvaluation = (reads: readonly unknown[]) => ConditionCheck;
/** A node's truth, given the checks of every leaf. */
type NodeEvaluation = (checks: readonly ConditionCheck[]) => boolean;

function compileAccepted(condition: TopLevelCondition): SyncCompiledCondition {
  const reads = new FactReads();
  const leaves: LeafEvaluation[] = [];
  const root = compileNode(condition, '', reads, leaves);
  const { facts, params } = reads;
  const readCount = facts.length;
  const leafCount = leaves.length;

  function evaluateSync(source: FactSource): ConditionResult {
    const values = new Array<unknown>(readCount);
    for (let i = 0; i < readCount; i++) values[i] = source.value(facts[i]!, params[i]);
    const checks = new Array<ConditionCheck>(leafCount);
    for (let i = 0; i < leafCount; i++) checks[i] = leaves[i]!(values);
    return { holds: root(checks), checks };
  }

  return {
    evaluateSync,
    async evaluate(source) {
      return evaluateSync(source);
    },
  };
}

function compileNode(node: Condition, at: string, reads: FactReads, leaves: LeafEvaluation[]): NodeEvaluation {
  const prefix = at === '' ? '' : `${at}.`;
  if ('all' in node || 'any' in node) {
    const every = 'all' in node;
    const children = (every ? node.all : node.any).map((child, index) =>
      compileNode(child, `${prefix}${every ? 'all' : 'any'}[${index}]`, reads, leaves),
    );
    // json-rules-engine: an empty group holds, `any` included.
    if (children.length === 0) return () => true;
    if (children.length === 1) return children[0]!;
    return every
      ? (checks) => {
          for (const child of children) if (!child(checks)) return false;
          return true;
        }
      : (checks) => {
          for (const child of children) if (child(checks)) return true;
          return false;
        };
  }
  if ('not' in node) {
    const child = compileNode(node.not, `${prefix}not`, reads, leaves);
    return (checks) => !child(checks);
  }
  const index = leaves.length;
  leaves.push(compileLeaf(node, at, reads));
  return (checks) => checks[index]!.holds;
}

function compileLeaf(leaf: LeafCondition, at: string, reads: FactReads): LeafEvaluation {
  const readFact = reads.reader(leaf.fact, leaf.params, leaf.path);
  const reference = factReference(leaf.value);
  const readValue: (values: readonly unknown[]) => unknown =
    reference === undefined ? constant(deepFreeze(leaf.value)) : reads.reader(reference.fact, reference.params, reference.path);
  const compare = comparison(leaf.operator)!;
  const check = checkMaker(at, leaf);
  return (values) => {
    const factValue = readFact(values);
    const value = readValue(values);
    return check(factValue, value, compare(factValue, value));
  };
}

function constant(value: unknown): () => unknown {
  return () => value;
}

/** json-rules-engine's test (almanac.getValue): an object with its own `fact` names a fact. */
function factReference(value: unknown): FactReference | undefined {
  return value !== null && typeof value === 'object' && Object.hasOwn(value, 'fact') ? (value as FactReference) : undefined;
}

/** One object shape per leaf, built without spreading: `path` and `params` only when the leaf has them. */
function checkMaker(at: string, leaf: LeafCondition): (factValue: unknown, value: unknown, holds: boolean) => ConditionCheck {
  const { fact, operator, path } = leaf;
  const params = leaf.params === undefined ? undefined : deepFreeze(leaf.params);
  if (path !== undefined && params !== undefined) {
    return (factValue, value, holds) => ({ at, fact, path, params, operator, value, factValue, holds });
  }
  if (path !== undefined) return (factValue, value, holds) => ({ at, fact, path, operator, value, factValue, holds });
  if (params !== undefined) return (factValue, value, holds) => ({ at, fact, params, operator, value, factValue, holds });
  return (factValue, value, holds) => ({ at, fact, operator, value, factValue, holds });
}

/**
 * The distinct (fact, params) pairs a condition reads, each asked of the FactSource once per
 * evaluation, as json-rules-engine's almanac caches a fact per params.
 */
class FactReads {
  readonly facts: string[] = [];
  readonly params: (Readonly<Record<string, unknown>> | undefined)[] = [];
  readonly #slots = new Map<string, number>();

  reader(fact: string, params: Readonly<Record<string, unknown>> | undefined, path: string | undefined): (values: readonly unknown[]) => unknown {
    const asked = params === undefined || Object.keys(params).length === 0 ? undefined : deepFreeze(params);
    const key = `${fact}\u0000${asked === undefined ? '' : canonical(asked)}`;
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.facts.length;
      this.#slots.set(key, slot);
      this.facts.push(fact);
      this.params.push(asked);
    }
    const at = slot;
    if (path === undefined) return (values) => values[at];
    const parsed = parsePropertyPath(path);
    const keys: readonly PropertyPathKey[] = parsed.ok ? parsed.keys : [];
    return (values) => readFactPath(values[at], keys);
  }
}

/** Params as a key: equal params (in any key order) give the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
      .join(',')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return Object.is(value, -0) ? '-0' : String(value);
}

/** Constants and params are shared by every evaluation and handed out in checks: nobody may change them. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

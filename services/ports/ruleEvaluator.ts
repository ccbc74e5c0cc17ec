/**
 * Conditions in json-rules-engine's format (`all` / `any` / `not`, `fact`, `operator`, `value`,
 * `params`, `path`), and the port that evaluates them. json-rules-engine is the reference for what
 * a condition means; adapters must agree with it exactly (test/contracts/ruleEvaluator.contract.ts
 * and the differential test prove it).
 *
 * Restrictions compared with json-rules-engine, checked by the journey validator:
 * - `path` is a simple property path: `$`, then `.name`, `[0]` or `['any name']` steps
 *   (no wildcards, filters or script expressions);
 * - no named condition references (`condition: "name"`) and no priorities.
 */

/** A fact reference as a condition's `value`: compare with another fact instead of a constant. */
export interface FactReference {
  readonly fact: string;
  readonly path?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

export interface LeafCondition {
  readonly fact: string;
  /** One of json-rules-engine's operators, optionally decorated: `in`, `not:in`, `someFact:equal`. */
  readonly operator: string;
  /** A constant, or a FactReference. */
  readonly value: unknown;
  readonly path?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

export type AllCondition = { readonly all: readonly Condition[] };
export type AnyCondition = { readonly any: readonly Condition[] };
export type NotCondition = { readonly not: Condition };

/** What a journey's `when` holds: json-rules-engine's top level is always all, any or not. */
export type TopLevelCondition = AllCondition | AnyCondition | NotCondition;
export type Condition = TopLevelCondition | LeafCondition;

/** The operators json-rules-engine ships, and the decorators that wrap them. */
export const ruleOperators = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
] as const;
export const ruleOperatorDecorators = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'] as const;

/**
 * Where a condition's facts come from. `value` returns the fact's value for these params
 * (undefined when the fact has no value: a missing fact is not an error, it compares as
 * undefined, as json-rules-engine does with `allowUndefinedFacts`). It must be a pure function of
 * its arguments for the duration of one evaluation.
 */
export interface FactSource {
  value(fact: string, params: Readonly<Record<string, unknown>> | undefined): unknown;
}

/** One leaf condition as evaluated: what the rep reads in a suggestion's reason. */
export interface ConditionCheck {
  /** Where the leaf sits in the condition: `all[0]`, `any[1].not`, … */
  readonly at: string;
  readonly fact: string;
  readonly path?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly operator: string;
  /** The value compared with, resolved when the condition named a fact. */
  readonly value: unknown;
  /** The fact's value (after `path`) that was compared. */
  readonly factValue: unknown;
  readonly holds: boolean;
}

export interface ConditionResult {
  readonly holds: boolean;
  /** Every leaf, in document order (all leaves are evaluated, as json-rules-engine does without priorities). */
  readonly checks: readonly ConditionCheck[];
}

export interface CompiledCondition {
  evaluate(facts: FactSource): Promise<ConditionResult>;
  /**
   * The same, without a promise, for adapters that can (the compiled one): the journey engine's
   * hot path calls it when present. Must agree with `evaluate` exactly.
   */
  evaluateSync?(facts: FactSource): ConditionResult;
}

/**
 * Evaluates conditions. Compile once (per journey version), evaluate many times.
 *
 *   const check = evaluator.compile({ all: [{ fact: 'score', path: '$.fit', operator: 'greaterThan', value: 60 }] });
 *   const { holds, checks } = await check.evaluate(facts);
 */
export interface RuleEvaluator {
  /** `compiled` or `json-rules-engine`: shown by benchmarks and logs. */
  readonly name: string;
  /** Throws ValidationError (with the failing paths) for a condition it cannot evaluate. */
  compile(condition: TopLevelCondition): CompiledCondition;
}

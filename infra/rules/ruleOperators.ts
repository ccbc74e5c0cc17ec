import type { ruleOperatorDecorators, ruleOperators } from '../../services/ports/index.ts';

/**
 * json-rules-engine's operators and decorators (dist/engine-default-operators.js and
 * dist/engine-default-operator-decorators.js, v7.3.1) as plain functions, written the way the
 * engine writes them so that every quirk comes along: an operator is `validator(factValue) &&
 * compare(factValue, value)`, and a decorator wraps the operator after it with its own validator.
 *
 * The quirks, kept on purpose and listed here for the journey docs to cite:
 * - `in` / `notIn` call `value.indexOf(factValue)`: a string value is searched as text
 *   ("ell" is in "hello"; undefined is in "undefined"), and any other value that is not an array
 *   (a number, null, an object) makes the evaluation throw a TypeError;
 * - `contains` / `doesNotContain` are false, both of them, when the fact is not an array;
 * - the numeric operators are false when `Number.parseFloat(factValue)` is NaN, and otherwise
 *   compare with JavaScript's `<`: `"12"` passes the check and is less than `"9"` (text order),
 *   `[5]` passes and is less than 6, `"12abc"` passes but is neither less nor greater than 5;
 * - `someFact` / `everyFact` are false (and `not:someFact:…` true) when the fact is not an
 *   array; `someValue` / `everyValue` throw when the value is not an array;
 * - `everyFact` and `everyValue` hold for an empty array, `someFact` and `someValue` do not;
 * - `swap` exchanges the two sides, so the operator's check applies to the value instead.
 */

/** One operator, decorators included: true when the fact value and the value compare. */
export type Comparison = (factValue: unknown, value: unknown) => boolean;

type RuleOperator = (typeof ruleOperators)[number];
type RuleOperatorDecorator = (typeof ruleOperatorDecorators)[number];

interface Searchable {
  indexOf(item: unknown): number;
}

interface Listed {
  some(test: (item: unknown) => boolean): boolean;
  every(test: (item: unknown) => boolean): boolean;
}

/** json-rules-engine's numberValidator: `Number.parseFloat(factValue).toString() !== 'NaN'`. */
function isNumeric(factValue: unknown): boolean {
  // For a number this is "not NaN"; parseFloat would print and parse it again to say the same.
  if (typeof factValue === 'number') return factValue === factValue;
  return !Number.isNaN(Number.parseFloat(factValue as string));
}

const operators: ReadonlyMap<string, Comparison> = new Map<RuleOperator, Comparison>([
  ['equal', (a, b) => a === b],
  ['notEqual', (a, b) => a !== b],
  ['in', (a, b) => (b as Searchable).indexOf(a) > -1],
  ['notIn', (a, b) => (b as Searchable).indexOf(a) === -1],
  ['contains', (a, b) => Array.isArray(a) && a.indexOf(b) > -1],
  ['doesNotContain', (a, b) => Array.isArray(a) && a.indexOf(b) === -1],
  ['lessThan', (a, b) => isNumeric(a) && (a as number) < (b as number)],
  ['lessThanInclusive', (a, b) => isNumeric(a) && (a as number) <= (b as number)],
  ['greaterThan', (a, b) => isNumeric(a) && (a as number) > (b as number)],
  ['greaterThanInclusive', (a, b) => isNumeric(a) && (a as number) >= (b as number)],
]);

// Parameter names as in json-rules-engine, so that a TypeError says the same (`jsonValue.some is not a function`).
const decorators: ReadonlyMap<string, (next: Comparison) => Comparison> = new Map<RuleOperatorDecorator, (next: Comparison) => Comparison>([
  ['someFact', (next) => (factValue, jsonValue) => Array.isArray(factValue) && factValue.some((fv) => next(fv, jsonValue))],
  ['someValue', (next) => (factValue, jsonValue) => (jsonValue as Listed).some((jv) => next(factValue, jv))],
  ['everyFact', (next) => (factValue, jsonValue) => Array.isArray(factValue) && factValue.every((fv) => next(fv, jsonValue))],
  ['everyValue', (next) => (factValue, jsonValue) => (jsonValue as Listed).every((jv) => next(factValue, jv))],
  ['swap', (next) => (factValue, jsonValue) => next(jsonValue, factValue)],
  ['not', (next) => (factValue, jsonValue) => !next(factValue, jsonValue)],
]);

/**
 * The comparison an operator name stands for (`greaterThan`, `not:in`, `everyFact:lessThan`), or
 * undefined when json-rules-engine would not know it: the last part names an operator, every part
 * before it a decorator, outermost first.
 */
export function comparison(operator: string): Comparison | undefined {
  const parts = operator.split(':');
  let compare = operators.get(parts.pop()!);
  for (let i = parts.length - 1; i >= 0 && compare !== undefined; i--) {
    const decorate = decorators.get(parts[i]!);
    compare = decorate === undefined ? undefined : decorate(compare);
  }
  return compare;
}

import type { Condition, LeafCondition, TopLevelCondition } from '../../services/ports/index.ts';
import { ruleOperatorDecorators, ruleOperators } from '../../services/ports/index.ts';
import { didYouMean } from './closeMatches.ts';
import { factIssues } from './factRules.ts';
import type { DocumentIssue, DocumentKey } from './journeyIssue.ts';
import { documentError } from './journeyIssue.ts';
import { factReferenceSchema } from './journeySchema.ts';
import { checkShape } from './shapeIssues.ts';

/**
 * Checks a condition (json-rules-engine's format) beyond its shape: every fact and operator is
 * known, every value fits its operator, no group is empty. The evaluators refuse some of these
 * only at publish time and accept others that can never hold (`in` with a single value compares
 * text by substring in json-rules-engine); the author should hear about both while writing.
 */
export function conditionIssues(condition: TopLevelCondition, at: readonly DocumentKey[]): DocumentIssue[] {
  return walk(condition, at, 0);
}

/** Deeper than any journey needs; the evaluators refuse more (infra/rules/conditionValidation.ts). */
const MAX_DEPTH = 64;
const NUMERIC = new Set<string>(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);
const LIST_VALUE = new Set<string>(['in', 'notIn']);
const LIST_FACT = new Set<string>(['contains', 'doesNotContain']);
const OPERATORS = new Set<string>(ruleOperators);
const DECORATORS = new Set<string>(ruleOperatorDecorators);

function walk(condition: Condition, at: readonly DocumentKey[], depth: number): DocumentIssue[] {
  if (depth > MAX_DEPTH) return [documentError(at, `conditions nest deeper than ${MAX_DEPTH} levels`)];
  if ('all' in condition) {
    if (condition.all.length === 0) return [documentError([...at, 'all'], 'an empty all: [] always holds; remove it or add conditions')];
    return condition.all.flatMap((child, index) => walk(child, [...at, 'all', index], depth + 1));
  }
  if ('any' in condition) {
    if (condition.any.length === 0) return [documentError([...at, 'any'], 'an empty any: [] never holds; remove it or add conditions')];
    return condition.any.flatMap((child, index) => walk(child, [...at, 'any', index], depth + 1));
  }
  if ('not' in condition) return walk(condition.not, [...at, 'not'], depth + 1);
  return leafIssues(condition, at);
}

function leafIssues(leaf: LeafCondition, at: readonly DocumentKey[]): DocumentIssue[] {
  const issues = factIssues(leaf, at);
  const operator = parseOperator(leaf.operator);
  if (!operator.ok) issues.push(documentError([...at, 'operator'], operator.message));
  const valueAt = [...at, 'value'];
  if (!Object.hasOwn(leaf, 'value')) {
    issues.push(documentError(at, 'needs a value to compare with: value: <a constant>, or value: { fact: … } to compare with another fact'));
  } else if (isFactReference(leaf.value)) {
    const reference = checkShape(factReferenceSchema, leaf.value, { at: valueAt });
    issues.push(...(reference.ok ? factIssues(reference.data, valueAt) : reference.issues));
  } else {
    issues.push(...dataIssues(leaf.value, valueAt, 0));
    if (operator.ok) issues.push(...valueIssues(leaf.value, operator, valueAt));
  }
  return issues;
}

/** What other rule languages call json-rules-engine's operators: the name an author reaches for first. */
const operatorAliases: Readonly<Record<string, string>> = {
  '=': 'equal',
  '==': 'equal',
  eq: 'equal',
  is: 'equal',
  '!=': 'notEqual',
  ne: 'notEqual',
  neq: 'notEqual',
  isNot: 'notEqual',
  '>': 'greaterThan',
  gt: 'greaterThan',
  '>=': 'greaterThanInclusive',
  gte: 'greaterThanInclusive',
  greaterThanOrEqual: 'greaterThanInclusive',
  greaterThanOrEqualTo: 'greaterThanInclusive',
  '<': 'lessThan',
  lt: 'lessThan',
  '<=': 'lessThanInclusive',
  lte: 'lessThanInclusive',
  lessThanOrEqual: 'lessThanInclusive',
  lessThanOrEqualTo: 'lessThanInclusive',
  includes: 'contains',
  notContains: 'doesNotContain',
  notIncludes: 'doesNotContain',
  oneOf: 'in',
  nin: 'notIn',
  notOneOf: 'notIn',
};

type ParsedOperator = { ok: true; text: string; base: string; decorators: string[] } | { ok: false; message: string };

/** `not:someFact:in` → decorators ['not', 'someFact'] (outermost first), base `in`. */
export function parseOperator(text: string): ParsedOperator {
  const parts = text.split(':');
  const base = parts.pop()!;
  const operators = `the operators are ${ruleOperators.join(', ')}, optionally after decorators like not:in or someFact:equal`;
  if (!OPERATORS.has(base)) {
    const meant = operatorAliases[base] === undefined ? didYouMean(base, ruleOperators) : ` (did you mean ${operatorAliases[base]}?)`;
    return { ok: false, message: `"${base}" is not an operator${meant}: ${operators}` };
  }
  for (const decorator of parts) {
    if (!DECORATORS.has(decorator)) {
      return {
        ok: false,
        message: `"${decorator}" is not an operator decorator${didYouMean(decorator, ruleOperatorDecorators)}: the decorators are ${ruleOperatorDecorators.join(', ')}`,
      };
    }
  }
  return { ok: true, text, base, decorators: parts };
}

/**
 * What the operator needs of the constant: json-rules-engine calls `base(factValue, value)`
 * through the decorators, outermost first. `swap` exchanges the two sides; `someValue` and
 * `everyValue` compare each item of the value (so the value must be a list), `someFact` and
 * `everyFact` each item of the fact. `in` needs a list on the value side, numeric operators a
 * number on either side, `contains` a list on the fact side.
 */
function valueIssues(value: unknown, operator: ParsedOperator & { ok: true }, at: readonly DocumentKey[]): DocumentIssue[] {
  let side: 'value' | 'fact' = 'value';
  let lists = 0;
  for (const decorator of operator.decorators) {
    if (decorator === 'swap') side = side === 'value' ? 'fact' : 'value';
    else if ((decorator === 'someValue' || decorator === 'everyValue') && side === 'value') lists += 1;
    else if ((decorator === 'someFact' || decorator === 'everyFact') && side === 'fact') lists += 1;
  }
  const need = NUMERIC.has(operator.base)
    ? 'number'
    : (LIST_VALUE.has(operator.base) && side === 'value') || (LIST_FACT.has(operator.base) && side === 'fact')
      ? 'list'
      : null;
  if (need === null && lists === 0) return [];
  return checkValue(value, lists, need, operator, at);
}

function checkValue(value: unknown, lists: number, need: 'number' | 'list' | null, operator: ParsedOperator & { ok: true }, at: readonly DocumentKey[]): DocumentIssue[] {
  if (lists > 0) {
    if (!Array.isArray(value)) return [documentError(at, `${operator.text} compares with each item of the value: it must be a list, like [a, b]`)];
    return value.flatMap((item, index) => checkValue(item, lists - 1, need, operator, [...at, index]));
  }
  if (need === 'list' && !Array.isArray(value)) {
    const single = operator.base === 'in' || operator.base === 'contains' ? 'equal' : 'notEqual';
    return [documentError(at, `${operator.text} needs a list of values, like value: [US, CA] (to compare with one value, use ${single})`)];
  }
  if (need === 'number' && typeof value !== 'number') {
    const quoted = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
    return [documentError(at, `${operator.text} compares numbers: the value must be a number, like 60${quoted ? ` (remove the quotes around "${value}")` : ''}`)];
  }
  return [];
}

/** json-rules-engine treats an object with its own `fact` as a reference to that fact. */
function isFactReference(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'fact');
}

/** Constants the evaluators refuse (infra/rules/conditionValidation.ts): `__proto__` keys, deep nesting. */
function dataIssues(value: unknown, at: readonly DocumentKey[], depth: number): DocumentIssue[] {
  if (typeof value !== 'object' || value === null) return [];
  if (depth > MAX_DEPTH) return [documentError(at, `the value nests deeper than ${MAX_DEPTH} levels`)];
  if (Array.isArray(value)) return value.flatMap((item, index) => dataIssues(item, [...at, index], depth + 1));
  return Object.entries(value).flatMap(([key, item]) =>
    key === '__proto__' ? [documentError([...at, key], 'a key named __proto__ is not allowed', 'key')] : dataIssues(item, [...at, key], depth + 1),
  );
}

import type { FieldIssue } from '../../services/core/index.ts';
import { fieldPath, parsePropertyPath, ValidationError } from '../../services/core/index.ts';
import type { Condition, LeafCondition, TopLevelCondition } from '../../services/ports/index.ts';
import { comparison } from './ruleOperators.ts';

/**
 * What both evaluators accept, checked the same way so that they refuse the same conditions:
 * json-rules-engine's format restricted as services/ports/ruleEvaluator.ts says (simple paths, no
 * named condition references, no priorities), with known operators and no unknown keys (a typo
 * like `param:` would otherwise be ignored silently). Returns a copy, so a caller that edits its
 * condition object later changes nothing that was compiled.
 *
 *   const accepted = acceptCondition(when); // or throws ValidationError with `all[0].path`-style issues
 */
export function acceptCondition(condition: unknown): TopLevelCondition {
  const issues: FieldIssue[] = [];
  const copy = copyCondition(condition, [], issues, true);
  if (issues.length > 0) throw new ValidationError('the condition cannot be evaluated', issues);
  return copy as TopLevelCondition;
}

const GROUP_KEYS = ['all', 'any', 'not'] as const;
const LEAF_KEYS = new Set(['fact', 'operator', 'value', 'path', 'params']);
const REFERENCE_KEYS = new Set(['fact', 'path', 'params']);
/** Deeper than any journey needs; stops a cyclic object (a YAML alias to an ancestor) too. */
const MAX_DEPTH = 64;

type Segments = readonly (string | number)[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function copyCondition(node: unknown, at: Segments, issues: FieldIssue[], topLevel: boolean): Condition | undefined {
  const issue = (segments: Segments, message: string): undefined => {
    issues.push({ path: fieldPath(segments), message });
    return undefined;
  };
  if (at.length > MAX_DEPTH) return issue(at, `conditions nest deeper than ${MAX_DEPTH} levels`);
  if (!isObject(node)) return issue(at, 'must be a condition: { all: [...] }, { any: [...] }, { not: {...} } or { fact, operator, value }');
  const groups = GROUP_KEYS.filter((key) => Object.hasOwn(node, key));
  if (groups.length > 1) return issue(at, `has ${groups.join(' and ')}: a group is one of all, any or not`);
  const group = groups[0];
  if (group === undefined && topLevel) return issue(at, 'the top level is a group: { all: [...] }, { any: [...] } or { not: {...} }');
  if (group === undefined) return copyLeaf(node, at, issues);
  for (const key of Object.keys(node)) {
    if (key !== group) issue([...at, key], `a group holds only its ${group}: ${key} is not allowed here`);
  }
  const inner = node[group];
  if (group === 'not') {
    const child = copyCondition(inner, [...at, 'not'], issues, false);
    return child === undefined ? undefined : { not: child };
  }
  if (!Array.isArray(inner)) return issue([...at, group], `must be a list of conditions`);
  const children = inner.map((child, index) => copyCondition(child, [...at, group, index], issues, false));
  return group === 'all' ? { all: children as Condition[] } : { any: children as Condition[] };
}

function copyLeaf(node: Record<string, unknown>, at: Segments, issues: FieldIssue[]): LeafCondition | undefined {
  const before = issues.length;
  const issue = (key: string, message: string): void => void issues.push({ path: fieldPath([...at, key]), message });
  for (const key of Object.keys(node)) {
    if (!LEAF_KEYS.has(key)) {
      issue(key, key === 'condition' || key === 'priority' ? `${key} is not supported in journeys` : `unknown key: a condition has fact, operator, value, path and params`);
    }
  }
  const { fact, operator } = node;
  if (typeof fact !== 'string' || fact === '') issue('fact', 'must name a fact');
  if (typeof operator !== 'string' || comparison(operator) === undefined) {
    issue('operator', `${typeof operator === 'string' ? `unknown operator "${operator}"` : 'must name an operator'}: ${OPERATOR_HELP}`);
  }
  if (!Object.hasOwn(node, 'value')) issue('value', 'must have a value to compare with (a constant, or { fact: name })');
  checkPath(node, at, issues);
  const params = copyParams(node, at, issues);
  const value = copyValue(node.value, [...at, 'value'], issues);
  if (issues.length > before) return undefined;
  return {
    fact: fact as string,
    operator: operator as string,
    value,
    ...(node.path === undefined ? {} : { path: node.path as string }),
    ...(params === undefined ? {} : { params }),
  };
}

const OPERATOR_HELP =
  'use equal, notEqual, in, notIn, contains, doesNotContain, lessThan, lessThanInclusive, greaterThan or greaterThanInclusive, ' +
  'optionally after decorators like not:, someFact:, someValue:, everyFact:, everyValue:, swap: (e.g. not:in)';

function checkPath(node: Record<string, unknown>, at: Segments, issues: FieldIssue[]): void {
  if (node.path === undefined) return;
  const parsed = typeof node.path === 'string' ? parsePropertyPath(node.path) : { ok: false as const, message: 'a path is text like $.traits.country' };
  if (!parsed.ok) issues.push({ path: fieldPath([...at, 'path']), message: parsed.message });
}

function copyParams(node: Record<string, unknown>, at: Segments, issues: FieldIssue[]): Record<string, unknown> | undefined {
  if (node.params === undefined) return undefined;
  if (!isObject(node.params)) {
    issues.push({ path: fieldPath([...at, 'params']), message: 'params are an object, like { name: Webinar attended, withinDays: 30 }' });
    return undefined;
  }
  return copyData(node.params, [...at, 'params'], issues) as Record<string, unknown>;
}

/** A value is a constant, or a fact reference when it is an object with its own `fact` (as json-rules-engine decides). */
function copyValue(value: unknown, at: Segments, issues: FieldIssue[]): unknown {
  if (!isObject(value) || !Object.hasOwn(value, 'fact')) return copyData(value, at, issues);
  const before = issues.length;
  for (const key of Object.keys(value)) {
    if (!REFERENCE_KEYS.has(key)) issues.push({ path: fieldPath([...at, key]), message: 'a value with a fact names another fact: it has fact, path and params only' });
  }
  if (typeof value.fact !== 'string' || value.fact === '') issues.push({ path: fieldPath([...at, 'fact']), message: 'must name a fact' });
  checkPath(value, at, issues);
  const params = copyParams(value, at, issues);
  if (issues.length > before) return undefined;
  return {
    fact: value.fact,
    ...(value.path === undefined ? {} : { path: value.path }),
    ...(params === undefined ? {} : { params }),
  };
}

/** JSON data (YAML's too: NaN and infinities are numbers), copied with the same prototypes. */
function copyData(value: unknown, at: Segments, issues: FieldIssue[]): unknown {
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      issues.push({ path: fieldPath(at), message: `must be data (text, a number, true/false, null, a list or an object), not a ${typeof value}` });
      return undefined;
  }
  if (at.length > MAX_DEPTH) {
    issues.push({ path: fieldPath(at), message: `data nests deeper than ${MAX_DEPTH} levels` });
    return undefined;
  }
  if (Array.isArray(value)) return value.map((item: unknown, index) => copyData(item, [...at, index], issues));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    issues.push({ path: fieldPath(at), message: 'must be data (text, a number, true/false, null, a list or an object)' });
    return undefined;
  }
  const copy = Object.create(prototype) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) {
    // json-rules-engine clones the condition on every run, and its clone turns this key into a prototype.
    if (key === '__proto__') issues.push({ path: fieldPath([...at, key]), message: 'a key named __proto__ is not allowed' });
    Object.defineProperty(copy, key, { value: copyData(item, [...at, key], issues), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

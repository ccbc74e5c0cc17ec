import { parsePropertyPath } from '../../services/core/index.ts';
import { factCatalog, factNames } from '../facts/factCatalog.ts';
import { didYouMean, listOf } from './closeMatches.ts';
import { eventNameWarnings } from './eventNameRules.ts';
import type { DocumentIssue, DocumentKey } from './journeyIssue.ts';
import { documentError } from './journeyIssue.ts';
import { checkShape } from './shapeIssues.ts';

/** A fact as a condition names it: a leaf's `fact`, or a fact reference in its `value`. */
export interface FactUse {
  readonly fact: string;
  readonly path?: string | undefined;
  readonly params?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Checks one use of a fact against the catalog (journeys/facts/factCatalog.ts): the fact exists,
 * its params parse with the fact's schema (facts without params take none), and its path is a
 * simple property path that starts at one of the fact's fields. A path that leads nowhere would
 * otherwise compare `undefined` and make the condition silently false for every lead.
 */
export function factIssues(use: FactUse, at: readonly DocumentKey[]): DocumentIssue[] {
  const definition = factCatalog[use.fact];
  if (definition === undefined) {
    return [documentError([...at, 'fact'], `"${use.fact}" is not a fact${didYouMean(use.fact, factNames)}: the facts are ${factNames.join(', ')}`)];
  }
  return [...paramsIssues(use, at), ...pathIssues(use, at)];
}

const paramsExamples: Readonly<Record<string, string>> = {
  daysSince: '{ event: Email Link Clicked }',
  touches: '{ name: Content Viewed, withinDays: 30 }',
  suggestions: '{ action: call }',
};

function paramsIssues(use: FactUse, at: readonly DocumentKey[]): DocumentIssue[] {
  const schema = factCatalog[use.fact]!.params;
  const paramsAt = [...at, 'params'];
  if (schema === null) return use.params === undefined ? [] : [documentError(paramsAt, `${use.fact} takes no params: remove params`)];
  const checked = checkShape(schema, use.params ?? {}, { at: paramsAt, name: `the params of ${use.fact}` });
  if (!checked.ok && use.params === undefined) {
    const required = checked.issues.map((issue) => String(issue.at.at(-1)));
    return [documentError(paramsAt, `${use.fact} needs params: ${required.join(', ')} ${required.length === 1 ? 'is' : 'are'} required, like params: ${paramsExamples[use.fact] ?? '{ … }'}`)];
  }
  if (!checked.ok) return checked.issues;
  const params = checked.data as Record<string, unknown>;
  // A misspelt event name in a count or a "days since" silently counts nothing.
  if (use.fact === 'daysSince' && typeof params.event === 'string') return eventNameWarnings(params.event, [...paramsAt, 'event']);
  if (use.fact === 'touches' && typeof params.name === 'string') return eventNameWarnings(params.name, [...paramsAt, 'name']);
  if (use.fact === 'touches' && Array.isArray(params.name)) {
    return params.name.flatMap((name: unknown, index) => (typeof name === 'string' ? eventNameWarnings(name, [...paramsAt, 'name', index]) : []));
  }
  return [];
}

function pathIssues(use: FactUse, at: readonly DocumentKey[]): DocumentIssue[] {
  if (use.path === undefined) return [];
  const pathAt = [...at, 'path'];
  const parsed = parsePropertyPath(use.path);
  if (!parsed.ok) return [documentError(pathAt, parsed.message)];
  const [first] = parsed.keys;
  if (first === undefined) return [];
  const { fields } = factCatalog[use.fact]!;
  if (fields === null) return [documentError(pathAt, `${use.fact} is a number, so it takes no path: remove path`)];
  if (typeof first === 'string' && fields.includes(first)) return [];
  const hint = typeof first === 'string' ? didYouMean(first, fields) : '';
  return [documentError(pathAt, `${use.fact} has no field ${String(first)}${hint}: a path starts with one of ${listOf(fields, 20)}, like $.${fields[0]}`)];
}

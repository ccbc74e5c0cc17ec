import { fieldPath } from '../../services/core/index.ts';

/**
 * One problem in a journey document, as an author sees it: where (the YAML path and, when the
 * document came from text, the line and column) and what, in words a marketer understands.
 * Errors stop a save or a publish; warnings are shown and do not.
 */
export interface JourneyIssue {
  /** Document keys joined like `nodes.check-fit.branches[0].when.all[0].fact`; '' for the whole file. */
  readonly path: string;
  readonly message: string;
  /** 1-based; null when the document did not come from text (validateJourney on an object). */
  readonly line: number | null;
  readonly column: number | null;
  readonly severity: 'error' | 'warning';
}

/** A document key: a field name or a list index. */
export type DocumentKey = string | number;

/**
 * An issue before it is placed in the source: its path as keys, so that the loader can find the
 * line in the YAML. `on: 'key'` points at the key (`foo:` for an unknown field `foo`, the node id
 * for an unreachable node) rather than at the value.
 */
export interface DocumentIssue {
  readonly at: readonly DocumentKey[];
  readonly message: string;
  readonly severity: 'error' | 'warning';
  readonly on?: 'key' | 'value';
  /** A character of the value (a template's bad `{{`): the column points at it when the text allows. */
  readonly offset?: number;
}

export function documentError(at: readonly DocumentKey[], message: string, on?: 'key' | 'value'): DocumentIssue {
  return on === undefined ? { at, message, severity: 'error' } : { at, message, severity: 'error', on };
}

export function documentWarning(at: readonly DocumentKey[], message: string): DocumentIssue {
  return { at, message, severity: 'warning' };
}

/** The issue as JourneyIssue, at this position (null when unknown). */
export function placeIssue(issue: DocumentIssue, position: { line: number; column: number } | null): JourneyIssue {
  return { path: fieldPath(issue.at), message: issue.message, line: position?.line ?? null, column: position?.column ?? null, severity: issue.severity };
}

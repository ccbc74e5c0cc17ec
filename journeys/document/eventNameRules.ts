import { knownEventNames } from '../facts/eventNames.ts';
import { closeMatches } from './closeMatches.ts';
import type { DocumentIssue, DocumentKey } from './journeyIssue.ts';
import { documentWarning } from './journeyIssue.ts';

const known = new Set(knownEventNames);

/**
 * A warning when an event name is probably a typo of a documented one (`Webinar Atended`). Any
 * other unknown name is fine: teams send their own events, and a journey may wait for one that
 * has not been seen yet. Names are compared exactly, as events are matched by name.
 */
export function eventNameWarnings(name: string, at: readonly DocumentKey[]): DocumentIssue[] {
  if (known.has(name)) return [];
  const [close] = closeMatches(name, knownEventNames);
  if (close === undefined) return [];
  const sameLetters = close.toLowerCase() === name.toLowerCase();
  return [
    documentWarning(
      at,
      `no event is named "${name}"; did you mean "${close}"? ${sameLetters ? 'Names are case-sensitive: ' : ''}events match by exact name, so this one would never match "${close}"`,
    ),
  ];
}

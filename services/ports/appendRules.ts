import type { FieldIssue, NewEvent } from '../core/index.ts';
import { ConcurrencyError, isUuid } from '../core/index.ts';
import type { ExpectedRevision } from './eventStore.ts';

/** Longest stream name any adapter takes. */
export const MAX_STREAM_NAME = 512;

/**
 * What is wrong with an append before any adapter looks at it (the EventStore contract's rules):
 * a stream name of 1–512 characters, a whole-number or named expected revision, and for each event
 * a UUID id, a type and data. Adapters add their own rules (reserved names) to the list.
 */
export function appendIssues(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (typeof stream !== 'string' || stream.length === 0) issues.push({ path: 'stream', message: 'must be a non-empty name' });
  else if (stream.length > MAX_STREAM_NAME) issues.push({ path: 'stream', message: `must be at most ${MAX_STREAM_NAME} characters` });
  if (typeof expected === 'number' && (!Number.isInteger(expected) || expected < 0)) {
    issues.push({ path: 'expectedRevision', message: 'must be a whole number ≥ 0, "any", "noStream" or "streamExists"' });
  }
  events.forEach((event, index) => {
    if (!isUuid(event.id)) issues.push({ path: `events[${index}].id`, message: 'must be a UUID' });
    if (typeof event.type !== 'string' || event.type.length === 0) issues.push({ path: `events[${index}].type`, message: 'must be a non-empty string' });
    if (event.data === undefined) issues.push({ path: `events[${index}].data`, message: 'is required' });
  });
  return issues;
}

/** Whether a stream at `current` (null: absent) satisfies `expected`; the ConcurrencyError when it does not. */
export function expectationMismatch(stream: string, expected: ExpectedRevision, current: number | null): ConcurrencyError | null {
  if (expected === 'any') return null;
  if (expected === 'noStream') return current === null ? null : new ConcurrencyError(stream, 'noStream', current);
  if (expected === 'streamExists') return current === null ? new ConcurrencyError(stream, 'streamExists', null) : null;
  return current === expected ? null : new ConcurrencyError(stream, expected, current);
}

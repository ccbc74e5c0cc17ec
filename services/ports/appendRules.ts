import type { FieldIssue, NewEvent } from '../core/index.ts';
import { ConcurrencyError, isUuid, ValidationError } from '../core/index.ts';
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

/**
 * A subscription's settings as every adapter reads them (the EventStore contract's rules): the
 * batch size (default 500, a whole number ≥ 1) and the types to deliver (null: all), each a
 * non-empty string. Bad settings are a ValidationError naming the field.
 */
export function subscriptionSettings(options: { readonly maxBatchSize?: number; readonly types?: readonly string[] }): { maxBatchSize: number; types: ReadonlySet<string> | null } {
  const maxBatchSize = options.maxBatchSize ?? 500;
  const issues: FieldIssue[] = [];
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) issues.push({ path: 'maxBatchSize', message: 'must be a whole number ≥ 1' });
  const types = options.types;
  if (types !== undefined) {
    if (!Array.isArray(types)) issues.push({ path: 'types', message: 'must be a list of event types' });
    else types.forEach((type: unknown, i) => {
      if (typeof type !== 'string' || type.length === 0) issues.push({ path: `types[${i}]`, message: 'must be a non-empty event type' });
    });
  }
  if (issues.length > 0) throw new ValidationError('invalid subscription', issues);
  return { maxBatchSize, types: types === undefined ? null : new Set(types) };
}

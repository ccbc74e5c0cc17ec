import { v5 as uuidv5, v7 as uuidv7, validate as validateUuid } from 'uuid';

/**
 * Ids are UUIDs: version 7 (time-ordered, so they sort by creation time) for new messages,
 * version 5 (name-based) when an id must be derived from something the outside world sent,
 * such as a Segment messageId, so that the same input always yields the same event id.
 * UUIDs are also what EventStoreDB/KurrentDB requires of event ids.
 */
export type IdGenerator = () => string;

/** A time-ordered UUIDv7; monotonic within one process. */
export const newId: IdGenerator = () => uuidv7();

/** Namespace for ids Nudge derives from outside identifiers (a fixed, random UUID). */
const NUDGE_NAMESPACE = '6f1c2b0e-5d4a-4c8e-9a57-2f3b8e1d7c40';

/** The same name always gives the same id: `deriveId('segment', writeKey, messageId)`. */
export function deriveId(...parts: readonly string[]): string {
  return uuidv5(parts.map((part) => `${part.length}:${part}`).join('|'), NUDGE_NAMESPACE);
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && validateUuid(value);
}

/** Ids that count up from a seed: for tests that need predictable ids. */
export function sequentialIds(prefix = '00000000-0000-7000-8000-'): IdGenerator {
  let next = 0;
  return () => `${prefix}${(next++).toString(16).padStart(12, '0')}`;
}

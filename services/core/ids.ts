import { hash, randomUUID } from 'node:crypto';
import { parse as parseUuid, validate as validateUuid } from 'uuid';

/**
 * Ids are UUIDs: version 7 (time-ordered, so they sort by creation time) for new messages,
 * version 5 (name-based) when an id must be derived from something the outside world sent,
 * such as a Segment messageId, so that the same input always yields the same event id.
 * UUIDs are also what EventStoreDB/KurrentDB requires of event ids.
 */
export type IdGenerator = () => string;

/** The newest id's milliseconds and counter: ids made in one millisecond count up (RFC 9562 §6.2, method 1). */
let lastMs = -1;
let counter = 0;

/**
 * A time-ordered UUIDv7, monotonic within one process: 48 bits of Unix milliseconds, a 12-bit
 * counter (random start each millisecond, +1 per id within it; on overflow, or when the clock
 * steps back, the milliseconds move on from the newest id's) and 62 random bits. The random bits
 * come from `crypto.randomUUID`, which draws from a pooled buffer: about a tenth of the cost of
 * uuid's v7 (a `getRandomValues` call per id), and every request and suggestion takes one.
 */
export const newId: IdGenerator = () => {
  const random = randomUUID();
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // Below 0x800, so a millisecond has at least 2,048 ids before it overflows.
    counter = Number.parseInt(random.slice(15, 18), 16) & 0x7ff;
  } else if (++counter > 0xfff) {
    lastMs++;
    counter = 0;
  }
  const time = lastMs.toString(16).padStart(12, '0');
  // randomUUID's last two groups keep their variant bits (10xx): the same as v7's.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${counter.toString(16).padStart(3, '0')}-${random.slice(19)}`;
};

/** Namespace for ids Nudge derives from outside identifiers (a fixed, random UUID). */
const NUDGE_NAMESPACE = '6f1c2b0e-5d4a-4c8e-9a57-2f3b8e1d7c40';

const NAMESPACE_BYTES = Buffer.from(parseUuid(NUDGE_NAMESPACE));

/**
 * The same name always gives the same id: `deriveId('segment', writeKey, messageId)`.
 * A UUIDv5 (RFC 9562 §5.5: SHA-1 of namespace and name, version and variant bits set), equal to
 * uuid's `v5(name, namespace)`; written out with Node's one-shot `crypto.hash` because ingestion
 * derives several ids per message and uuid's v5 was a measurable share of its time.
 */
export function deriveId(...parts: readonly string[]): string {
  const name = parts.map((part) => `${part.length}:${part}`).join('|');
  // A hex digest (a string) costs a third of a Buffer digest; the version and variant are set in the text.
  const hex = hash('sha1', Buffer.concat([NAMESPACE_BYTES, Buffer.from(name, 'utf8')]), 'hex');
  const variant = VARIANT_DIGITS[Number.parseInt(hex[16]!, 16)]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The first digit of the variant group: the top two bits 10, the low two bits the hash's. */
const VARIANT_DIGITS = Array.from({ length: 16 }, (_, digit) => ((digit & 0x3) | 0x8).toString(16));

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && validateUuid(value);
}

/** Ids that count up from a seed: for tests that need predictable ids. */
export function sequentialIds(prefix = '00000000-0000-7000-8000-'): IdGenerator {
  let next = 0;
  return () => `${prefix}${(next++).toString(16).padStart(12, '0')}`;
}

/**
 * The `sequence`-th id of a series that hangs off one derived id: the base's first 20 hex digits
 * (80 bits of its hash, with the version and variant bits) and the sequence number in the last 12.
 * Deterministic like `deriveId` but without a hash per id: the journey runner numbers the events
 * of one journey instance this way. Distinct bases collide only if their first 80 bits do.
 */
export function sequencedId(base: string, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 0 || sequence >= 2 ** 48) throw new RangeError(`sequencedId: sequence out of range: ${sequence}`);
  return `${base.slice(0, 24)}${sequence.toString(16).padStart(12, '0')}`;
}

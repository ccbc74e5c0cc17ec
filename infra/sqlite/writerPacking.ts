import type { ExpectedRevision } from '../../services/ports/index.ts';
import type { AppendRequest, SerialisedEvent } from './sqliteAppender.ts';

/**
 * A group commit's appends as they travel to the writer thread, in three parts:
 *
 * - the short strings (stream names, ids, types) one after the other in one string, with their
 *   lengths: the writer needs them as strings (revisions by stream, outcomes by id);
 * - each event's data and metadata as UTF-8, one after the other in one buffer, with their byte
 *   lengths: the writer binds them as they are (`CAST(? AS TEXT)`), so it never makes strings of
 *   them, and the buffer is moved to the writer thread rather than copied (`transfer`);
 * - the shape (each append's expectation and number of events) in numbers.
 *
 * Copying the appends themselves (structured clone) walks hundreds of small objects and strings,
 * which took the main thread about 1 µs an event (bench/README.md, "What `e2e.ts` does"); one
 * string of everything was a copy of each text into it, a second copy to the thread, and, where
 * any text was not Latin-1, all of it in two bytes a character, converted back to UTF-8 by SQLite.
 */
export interface PackedRequests {
  readonly text: string;
  /** The length (UTF-16 code units) of each string in `text`, in order. */
  readonly lengths: Uint32Array;
  /** Every event's data, then its metadata, as UTF-8: a view at the start of an ArrayBuffer of its own (maybe longer), so it can be transferred. */
  readonly bytes: Uint8Array;
  /** The length in bytes of each data and metadata in `bytes`, in order. */
  readonly byteLengths: Uint32Array;
  /** Per append: its expectation (a revision ≥ 0, or -1 any, -2 noStream, -3 streamExists) and its number of events. */
  readonly shape: Float64Array;
}

const NAMED: Record<Exclude<ExpectedRevision, number>, number> = { any: -1, noStream: -2, streamExists: -3 };
const BY_CODE = new Map<number, ExpectedRevision>(Object.entries(NAMED).map(([name, code]) => [code, name as ExpectedRevision]));

export function packRequests(requests: readonly AppendRequest[]): PackedRequests {
  const parts: string[] = [];
  const shape = new Float64Array(requests.length * 2);
  let events = 0;
  for (const request of requests) events += request.events.length;
  const byteLengths = new Uint32Array(events * 2);
  // Room for the worst case (3 bytes of UTF-8 per UTF-16 code unit) instead of measuring each text
  // first, which read every text twice; the pages of the room left unwritten are never touched.
  let room = 0;
  requests.forEach((request, r) => {
    shape[2 * r] = typeof request.expected === 'number' ? request.expected : NAMED[request.expected];
    shape[2 * r + 1] = request.events.length;
    parts.push(request.stream);
    for (const event of request.events) {
      parts.push(event.id, event.type);
      room += maxByteLength(event.data) + maxByteLength(event.metadata);
    }
  });
  // Not from Buffer's shared pool: the buffer must own its memory to be transferred.
  const buffer = Buffer.allocUnsafeSlow(room);
  let at = 0;
  let b = 0;
  for (const request of requests) {
    for (const event of request.events) {
      at += byteLengths[b++] = write(buffer, event.data, at);
      at += byteLengths[b++] = write(buffer, event.metadata, at);
    }
  }
  const lengths = new Uint32Array(parts.length);
  for (let i = 0; i < parts.length; i++) lengths[i] = parts[i]!.length;
  return { text: parts.join(''), lengths, bytes: buffer.subarray(0, at), byteLengths, shape };
}

/** What to list as `transfer` when posting `packed`: its bytes move to the other thread (and are gone here). */
export function transferOf(packed: PackedRequests): ArrayBuffer[] {
  return packed.bytes.buffer.byteLength === 0 ? [] : [packed.bytes.buffer as ArrayBuffer];
}

/** The appends back; each event's data and metadata are views into `packed.bytes` (UTF-8). */
export function unpackRequests(packed: PackedRequests): AppendRequest[] {
  const { text, bytes, shape } = packed;
  const strings = parts(packed.lengths, (from, to) => text.slice(from, to));
  const texts = parts(packed.byteLengths, (from, to) => bytes.subarray(from, to));
  const requests: AppendRequest[] = [];
  for (let r = 0; r < shape.length; r += 2) {
    const code = shape[r]!;
    const expected = code >= 0 ? code : BY_CODE.get(code);
    if (expected === undefined) throw new Error(`packed appends: unknown expectation ${code}`);
    const stream = strings.take();
    const events: SerialisedEvent[] = [];
    for (let e = 0; e < shape[r + 1]!; e++) events.push({ id: strings.take(), type: strings.take(), data: texts.take(), metadata: texts.take() });
    requests.push({ stream, expected, events });
  }
  if (!strings.used(text.length)) throw new Error('packed appends: the strings do not match their shape');
  if (!texts.used(bytes.length)) throw new Error('packed appends: the bytes do not match their shape');
  return requests;
}

/** Takes the parts of a packed whole one after the other, by their lengths. */
function parts<T>(lengths: Uint32Array, slice: (from: number, to: number) => T): { take(): T; used(size: number): boolean } {
  let at = 0;
  let next = 0;
  return {
    take() {
      const length = lengths[next++]!;
      const part = slice(at, at + length);
      at += length;
      return part;
    },
    /** Whether every length was taken and they add up to `size`. */
    used: (size) => next === lengths.length && at === size,
  };
}

/** A serialised field as a string (UTF-8 bytes are decoded). */
export function textOf(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : decoder.decode(value);
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** At most how many bytes a text takes in UTF-8: a UTF-16 code unit never takes more than 3 (a pair of them, 4). */
function maxByteLength(value: string | Uint8Array): number {
  return typeof value === 'string' ? value.length * 3 : value.byteLength;
}

function write(into: Buffer, value: string | Uint8Array, at: number): number {
  if (typeof value === 'string') return into.write(value, at, 'utf8');
  into.set(value, at);
  return value.byteLength;
}

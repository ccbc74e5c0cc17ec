import type { ExpectedRevision } from '../../services/ports/index.ts';
import type { AppendRequest } from './sqliteAppender.ts';

/**
 * A group commit's appends as they travel to the writer thread: every string of them (stream
 * names, ids, types, the serialised data and metadata) one after the other in one string, with
 * their lengths, and the shape (each append's expectation and number of events) in numbers.
 * Copying that to another thread is a copy of one string and two arrays; copying the appends
 * themselves (structured clone) walks hundreds of small objects and strings, which took the main
 * thread about 1 µs an event (bench/README.md, "What `e2e.ts` does").
 */
export interface PackedRequests {
  readonly text: string;
  /** The length (UTF-16 code units) of each string in `text`, in order. */
  readonly lengths: Uint32Array;
  /** Per append: its expectation (a revision ≥ 0, or -1 any, -2 noStream, -3 streamExists) and its number of events. */
  readonly shape: Float64Array;
}

const NAMED: Record<Exclude<ExpectedRevision, number>, number> = { any: -1, noStream: -2, streamExists: -3 };
const BY_CODE = new Map<number, ExpectedRevision>(Object.entries(NAMED).map(([name, code]) => [code, name as ExpectedRevision]));

export function packRequests(requests: readonly AppendRequest[]): PackedRequests {
  const parts: string[] = [];
  const shape = new Float64Array(requests.length * 2);
  requests.forEach((request, r) => {
    shape[2 * r] = typeof request.expected === 'number' ? request.expected : NAMED[request.expected];
    shape[2 * r + 1] = request.events.length;
    parts.push(request.stream);
    for (const event of request.events) parts.push(event.id, event.type, event.data, event.metadata);
  });
  const lengths = new Uint32Array(parts.length);
  for (let i = 0; i < parts.length; i++) lengths[i] = parts[i]!.length;
  return { text: parts.join(''), lengths, shape };
}

export function unpackRequests(packed: PackedRequests): AppendRequest[] {
  const { text, lengths, shape } = packed;
  let at = 0;
  let next = 0;
  const take = (): string => {
    const length = lengths[next++]!;
    const part = text.slice(at, at + length);
    at += length;
    return part;
  };
  const requests: AppendRequest[] = [];
  for (let r = 0; r < shape.length; r += 2) {
    const code = shape[r]!;
    const expected = code >= 0 ? code : BY_CODE.get(code);
    if (expected === undefined) throw new Error(`packed appends: unknown expectation ${code}`);
    const stream = take();
    const events: AppendRequest['events'][number][] = [];
    for (let e = 0; e < shape[r + 1]!; e++) events.push({ id: take(), type: take(), data: take(), metadata: take() });
    requests.push({ stream, expected, events });
  }
  if (next !== lengths.length || at !== text.length) throw new Error('packed appends: the strings do not match their shape');
  return requests;
}

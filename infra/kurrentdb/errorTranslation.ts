import type { AppendStreamState, CurrentStreamState, ErrorType } from '@kurrent/kurrentdb-client';
import { ConcurrencyError, ConflictError, NudgeError, PayloadTooLargeError, UnavailableError } from '../../services/core/index.ts';
import type { ExpectedRevision } from '../../services/ports/index.ts';

/**
 * KurrentDB's words never leave the adapter (STYLE.md habit 6): the client's CommandErrors are
 * told apart by their `type` (not `instanceof`, so that two copies of the client still match,
 * and so that this file needs the client's types only, see clientLibrary.ts) and become the
 * project's errors.
 */
type ErrorKind = `${ErrorType}`;

interface ClientError {
  readonly type: ErrorKind;
  readonly message: string;
  readonly streamName?: string;
  readonly stream?: string;
  readonly expectedState?: AppendStreamState;
  readonly actualState?: CurrentStreamState;
  readonly maxAppendSize?: number;
  readonly maxSize?: number;
  readonly feature?: string;
  readonly minimumVersion?: string;
}

function clientError(error: unknown): ClientError | null {
  if (!(error instanceof Error)) return null;
  return typeof (error as { type?: unknown }).type === 'string' ? (error as unknown as ClientError) : null;
}

/** A stream's revision was not the one a write expected: the caller decides what that means. */
export function isWrongExpectedVersion(error: unknown): boolean {
  return clientError(error)?.type === 'wrong-expected-version';
}

/**
 * Whether a refused append may have been refused because of what is already stored, so that the
 * id guard's lookup can explain it. Not only a revision clash: KurrentDB's own idempotency check
 * refuses a batch whose first ids are stored and the rest not ("corrupted idempotency"), and
 * how that reaches a multi-stream append's caller (an invalid or aborted transaction, an unknown
 * error) is not part of the client's contract. Only what cannot come from stored data is left
 * out: the server unreachable or refusing us, and size limits checked before anything is read.
 */
export function mayBeConflict(error: unknown): boolean {
  const type = clientError(error)?.type;
  if (type === undefined) return false;
  const notAboutStoredData: readonly ErrorKind[] = [
    'unavailable',
    'cancelled',
    'deadline-exceeded',
    'not-leader',
    'access-denied',
    'unsupported',
    'maximum-append-size-exceeded',
    'append-record-size-exceeded',
  ];
  return !notAboutStoredData.includes(type);
}

/** Reading a stream that has no events, or that was deleted: for the port, a stream that does not exist. */
export function isMissingStream(error: unknown): boolean {
  const type = clientError(error)?.type;
  return type === 'stream-not-found' || type === 'stream-deleted' || type === 'stream-tombstoned';
}

/** The port's expectation in the client's terms. */
export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return 'any';
    case 'noStream':
      return 'no_stream';
    case 'streamExists':
      return 'stream_exists';
    default:
      return BigInt(expected);
  }
}

/** A stream's state as KurrentDB reports it: a revision, `no_stream`, or -5/-6 for deleted/tombstoned. */
export function fromCurrentState(state: CurrentStreamState | undefined): number | null {
  if (state === undefined || state === 'no_stream' || state < 0n) return null;
  return Number(state);
}


/**
 * Any error from the client as one of the project's: a revision clash is a ConcurrencyError, a
 * size limit a PayloadTooLargeError, a deleted stream a ConflictError, the rest (the server down,
 * a timeout, refused credentials, a server too old) an UnavailableError. `doing` says what was
 * being done, for the message: `append to lead-42`.
 */
export function translateError(error: unknown, doing: string, expected?: ExpectedRevision): Error {
  if (error instanceof NudgeError) return error;
  const known = clientError(error);
  const options = { cause: error };
  if (known === null) return new UnavailableError(`KurrentDB: ${doing}: ${messageOf(error)}`, options);
  switch (known.type) {
    case 'wrong-expected-version': {
      const stream = known.streamName ?? '';
      const actual = fromCurrentState(known.actualState);
      const wanted = expected ?? fromAppendState(known.expectedState);
      // An unconditional write cannot clash; if the server says it did, it is not the caller's conflict.
      if (wanted === 'any') return new UnavailableError(`KurrentDB: ${doing}: refused an unconditional write (${known.message})`, options);
      return new ConcurrencyError(stream, wanted, actual);
    }
    case 'maximum-append-size-exceeded':
      return new PayloadTooLargeError(`KurrentDB: ${doing}: the append is larger than the server accepts (${known.maxAppendSize} bytes)`, known.maxAppendSize ?? 0);
    case 'transaction-max-size-exceeded':
    case 'append-record-size-exceeded':
      return new PayloadTooLargeError(`KurrentDB: ${doing}: larger than the server accepts (${known.maxSize} bytes)`, known.maxSize ?? 0);
    case 'stream-deleted':
    case 'stream-tombstoned':
      return new ConflictError(`KurrentDB: ${doing}: the stream ${known.streamName ?? known.stream ?? ''} was deleted`, options);
    case 'access-denied':
      return new UnavailableError(`KurrentDB: ${doing}: access denied (check the user and password of the connection string)`, options);
    case 'unsupported':
      return new UnavailableError(`KurrentDB: ${doing}: the server is too old (${known.feature ?? 'this feature'} needs KurrentDB ${known.minimumVersion ?? '25.1'} or later)`, options);
    case 'unavailable':
      return new UnavailableError(`KurrentDB: ${doing}: the server cannot be reached (${known.message || known.type})`, options);
    case 'timeout':
    case 'deadline-exceeded':
    case 'cancelled':
    case 'not-leader':
    case 'unknown':
    case 'stream-not-found':
    case 'no-stream':
    case 'not-found':
    case 'invalid-argument':
    case 'invalid-transaction':
    case 'scavenge-not-found':
    case 'append-consistency-violation':
    case 'missing-required-metadata-property':
    case 'persistent-subscription-failed':
    case 'persistent-subscription-does-not-exist':
    case 'persistent-subscription-exists':
    case 'persistent-subscription-dropped':
    case 'maximum-subscribers-reached':
    case 'user-not-found':
    case 'user-conflict':
      return new UnavailableError(`KurrentDB: ${doing}: ${known.message || known.type}`, options);
    default: {
      const unknown: never = known.type;
      return new UnavailableError(`KurrentDB: ${doing}: ${known.message || String(unknown)}`, options);
    }
  }
}

function fromAppendState(state: AppendStreamState | undefined): ExpectedRevision {
  if (state === undefined || state === 'any') return 'any';
  if (state === 'no_stream') return 'noStream';
  if (state === 'stream_exists') return 'streamExists';
  return Number(state);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

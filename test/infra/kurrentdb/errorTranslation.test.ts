/**
 * The client's errors as the project's: given what @kurrent/kurrentdb-client throws, then the
 * error the domain and the HTTP layer see (never the vendor's).
 */
import {
  AccessDeniedError,
  InvalidTransactionError,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError as KurrentUnavailableError,
  UnsupportedError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { describe, expect, it } from 'vitest';
import { isMissingStream, isWrongExpectedVersion, mayBeConflict, toStreamState, translateError } from '../../../infra/kurrentdb/errorTranslation.ts';
import { expectationMismatch } from '../../../services/ports/index.ts';
import { ConcurrencyError, ConflictError, PayloadTooLargeError, UnavailableError, ValidationError } from '../../../services/core/index.ts';

function wrongExpectedVersion(expected: bigint | 'no_stream' | 'stream_exists' | 'any', current: bigint | 'no_stream'): WrongExpectedVersionError {
  return new WrongExpectedVersionError(undefined, { streamName: 'lead-42', expected, current });
}

describe('a stream revision clash', () => {
  it('becomes a ConcurrencyError with the expected and the actual revision', () => {
    const error = translateError(wrongExpectedVersion(3n, 5n), 'append to lead-42');

    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ stream: 'lead-42', expected: 3, actual: 5 });
  });

  it('names noStream and streamExists as the port does, and an absent stream as actual null', () => {
    expect(translateError(wrongExpectedVersion('no_stream', 0n), 'append')).toMatchObject({ expected: 'noStream', actual: 0 });
    expect(translateError(wrongExpectedVersion('stream_exists', 'no_stream'), 'append')).toMatchObject({ expected: 'streamExists', actual: null });
  });

  it("keeps the caller's own expectation when it gives one", () => {
    expect(translateError(wrongExpectedVersion(7n, 9n), 'append', 'noStream')).toMatchObject({ expected: 'noStream', actual: 9 });
  });

  it('is recognised by its type, and nothing else is', () => {
    expect(isWrongExpectedVersion(wrongExpectedVersion(1n, 2n))).toBe(true);
    expect(isWrongExpectedVersion(new KurrentUnavailableError())).toBe(false);
    expect(isWrongExpectedVersion(new Error('wrong-expected-version'))).toBe(false);
  });

  it('is not the only refusal the id guard looks into: a batch KurrentDB finds partly stored is refused otherwise', () => {
    expect(mayBeConflict(wrongExpectedVersion(1n, 2n))).toBe(true);
    expect(mayBeConflict(new InvalidTransactionError())).toBe(true);
    expect(mayBeConflict(new KurrentUnavailableError())).toBe(false);
    expect(mayBeConflict(MaxAppendSizeExceededError.fromMaxAppendSize(1_024))).toBe(false);
    expect(mayBeConflict(new AccessDeniedError())).toBe(false);
    expect(mayBeConflict(new Error('14 UNAVAILABLE: No connection established'))).toBe(false);
  });
});

describe('other client errors', () => {
  it('a size limit becomes a PayloadTooLargeError with the limit', () => {
    const error = translateError(MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576), 'append to lead-42');

    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ limitBytes: 1_048_576 });
  });

  it('a deleted stream becomes a ConflictError naming it', () => {
    const error = translateError(StreamDeletedError.fromStreamName('lead-7'), 'append to lead-7');

    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain('lead-7');
  });

  it('an unreachable server, refused credentials and a server too old become UnavailableErrors that say so', () => {
    expect(translateError(new KurrentUnavailableError(undefined, 'connect ECONNREFUSED'), 'read $all')).toBeInstanceOf(UnavailableError);
    expect(translateError(new AccessDeniedError(), 'read $all').message).toMatch(/access denied.*user and password/);
    expect(translateError(new UnsupportedError('multiStreamAppend', '25.1'), 'append').message).toMatch(/needs KurrentDB 25\.1 or later/);
  });

  it('an error that is not the client’s becomes an UnavailableError keeping it as the cause; the project’s own pass through', () => {
    const cause = new Error('socket hang up');
    const translated = translateError(cause, 'read lead-1');
    const own = new ValidationError('bad');

    expect(translated).toBeInstanceOf(UnavailableError);
    expect(translated.cause).toBe(cause);
    expect(translateError(own, 'read')).toBe(own);
  });

  it('a stream that was never written or was deleted reads as missing', () => {
    expect(isMissingStream(new StreamNotFoundError(undefined, 'lead-1'))).toBe(true);
    expect(isMissingStream(StreamDeletedError.fromStreamName('lead-1'))).toBe(true);
    expect(isMissingStream(new KurrentUnavailableError())).toBe(false);
  });
});

describe('expected revisions', () => {
  it("become the client's stream states", () => {
    expect(toStreamState('any')).toBe('any');
    expect(toStreamState('noStream')).toBe('no_stream');
    expect(toStreamState('streamExists')).toBe('stream_exists');
    expect(toStreamState(12)).toBe(12n);
  });

  it('are checked against the revision a stream is at, the way the port states them', () => {
    expect(expectationMismatch('s', 'any', 4)).toBeNull();
    expect(expectationMismatch('s', 'noStream', null)).toBeNull();
    expect(expectationMismatch('s', 'noStream', 0)).toMatchObject({ expected: 'noStream', actual: 0 });
    expect(expectationMismatch('s', 'streamExists', null)).toMatchObject({ expected: 'streamExists', actual: null });
    expect(expectationMismatch('s', 2, 2)).toBeNull();
    expect(expectationMismatch('s', 2, 3)).toMatchObject({ stream: 's', expected: 2, actual: 3 });
    expect(expectationMismatch('s', 0, null)).toMatchObject({ expected: 0, actual: null });
  });
});

/**
 * KurrentDB's {commit, prepare} positions as the port's GlobalPosition numbers, and back: given a
 * position KurrentDB reports, then the number Nudge stores as a checkpoint (or a refusal).
 */
import { describe, expect, it } from 'vitest';
import { toAllPosition, toGlobalPosition, toRevision } from '../../../infra/kurrentdb/globalPositions.ts';
import { UnavailableError } from '../../../services/core/index.ts';

describe('a KurrentDB position as a GlobalPosition', () => {
  it('is the commit position, a log offset, as a number', () => {
    expect(toGlobalPosition({ commit: 1_234_567n, prepare: 1_234_567n })).toBe(1_234_567);
  });

  it('keeps the order of $all: a later event has a larger number', () => {
    const positions = [{ commit: 300n, prepare: 300n }, { commit: 412n, prepare: 412n }, { commit: 9_000_000_000_000n, prepare: 9_000_000_000_000n }].map(toGlobalPosition);

    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('is exact up to 2^53 - 1 and refused beyond, never rounded', () => {
    const largest = BigInt(Number.MAX_SAFE_INTEGER);

    expect(toGlobalPosition({ commit: largest, prepare: largest })).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toGlobalPosition({ commit: largest + 1n, prepare: largest + 1n })).toThrow(UnavailableError);
  });

  it('refuses the "no position" KurrentDB sends as 2^64 - 1, a missing position, and 0 (START is no event)', () => {
    const unknown = 2n ** 64n - 1n;

    expect(() => toGlobalPosition({ commit: unknown, prepare: unknown })).toThrow(/outside 1/);
    expect(() => toGlobalPosition(undefined)).toThrow(/did not report the position/);
    expect(() => toGlobalPosition({ commit: 0n, prepare: 0n })).toThrow(UnavailableError);
  });

  it('goes back to the {commit, prepare} pair to read $all from', () => {
    expect(toAllPosition(4_096)).toEqual({ commit: 4_096n, prepare: 4_096n });
    expect(toGlobalPosition(toAllPosition(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toAllPosition(0)).toThrow(RangeError);
    expect(() => toAllPosition(1.5)).toThrow(RangeError);
  });
});

describe('a stream revision', () => {
  it('is a number from 0, refused when negative or beyond 2^53 - 1', () => {
    expect(toRevision(0n)).toBe(0);
    expect(toRevision(41n)).toBe(41);
    expect(() => toRevision(-1n)).toThrow(UnavailableError);
    expect(() => toRevision(2n ** 53n)).toThrow(UnavailableError);
  });
});

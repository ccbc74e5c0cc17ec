/**
 * The seeded stream: given a key, then the same numbers on every run, other numbers for another
 * key, draws inside their ranges, and collision-free scrambled ids.
 */
import { describe, expect, it } from 'vitest';
import { createRandom, scramble32 } from '../../services/demo/random.ts';

describe('createRandom', () => {
  it('gives the same numbers for the same key, other numbers for another', () => {
    const draw = (key: number): number[] => {
      const random = createRandom(key, 'test');
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('keeps draws in their ranges, spread evenly', () => {
    const random = createRandom('ranges');
    const values = Array.from({ length: 20_000 }, () => random.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((sum, value) => sum + value, 0) / values.length).toBeCloseTo(0.5, 1);
    const ints = Array.from({ length: 5_000 }, () => random.int(3, 7));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5, 6, 7]));
    expect(random.hex(12)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('draws weighted choices and Poisson counts with the means asked for', () => {
    const random = createRandom('shapes');
    const picks = Array.from({ length: 10_000 }, () => random.weighted([['a', 3], ['b', 1]] as const));
    expect(picks.filter((pick) => pick === 'a').length / picks.length).toBeCloseTo(0.75, 1);
    for (const mean of [2, 50]) {
      const counts = Array.from({ length: 4_000 }, () => random.poisson(mean));
      expect(counts.reduce((sum, count) => sum + count, 0) / counts.length / mean).toBeCloseTo(1, 1);
    }
  });
});

describe('scramble32', () => {
  it('maps distinct numbers to distinct numbers', () => {
    const seen = new Set(Array.from({ length: 100_000 }, (_, i) => scramble32(i, 12_345)));
    expect(seen.size).toBe(100_000);
  });
});

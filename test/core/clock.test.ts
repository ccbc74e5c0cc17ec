import { describe, expect, it } from 'vitest';
import { manualClock, systemClock } from '../../services/core/index.ts';

describe('clocks', () => {
  it('a manual clock stands still until moved', () => {
    const clock = manualClock('2026-03-01T08:00:00.000Z');

    expect(clock.now().toISOString()).toBe('2026-03-01T08:00:00.000Z');
    clock.advance(90_000);
    expect(clock.now().toISOString()).toBe('2026-03-01T08:01:30.000Z');
    clock.set('2026-04-01T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });

  it('a manual clock hands out copies, so callers cannot move it by mutating a date', () => {
    const clock = manualClock('2026-03-01T08:00:00.000Z');

    clock.now().setFullYear(1999);

    expect(clock.now().getUTCFullYear()).toBe(2026);
  });

  it('refuses dates that are not dates', () => {
    expect(() => manualClock('yesterday-ish')).toThrow(RangeError);
    expect(() => manualClock().set('soon')).toThrow(RangeError);
  });

  it('the system clock tells the time', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();

    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

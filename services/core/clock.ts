/**
 * Time is injected, never read from a global, so that decisions are reproducible and tests can
 * move time by hand. Domain code takes `now` as an argument; adapters and services take a Clock.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that moves only when told to: `const clock = manualClock('2026-01-01T00:00:00Z')`. */
export interface ManualClock extends Clock {
  set(to: Date | string): void;
  advance(milliseconds: number): void;
}

export function manualClock(start: Date | string = '2026-01-01T00:00:00.000Z'): ManualClock {
  let current = new Date(start).getTime();
  if (Number.isNaN(current)) throw new RangeError(`manualClock: not a date: ${String(start)}`);
  return {
    now: () => new Date(current),
    set(to) {
      const next = new Date(to).getTime();
      if (Number.isNaN(next)) throw new RangeError(`manualClock.set: not a date: ${String(to)}`);
      current = next;
    },
    advance(milliseconds) {
      current += milliseconds;
    },
  };
}

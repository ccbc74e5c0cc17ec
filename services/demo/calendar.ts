import type { Random } from './random.ts';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The demo's time window: [startMs, endMs), from UTC midnight of the start day. */
export interface DemoWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * A time in [from, to) that favours working hours and weekdays in a time zone `utcOffsetHours`
 * from UTC: B2B buyers read, register and meet at work. Rejection sampling keeps the result in
 * the interval however short it is.
 */
export function workingTime(random: Random, from: number, to: number, utcOffsetHours: number): number {
  if (to <= from) return from;
  let candidate = from;
  for (let attempt = 0; attempt < 12; attempt++) {
    candidate = from + Math.floor(random.next() * (to - from));
    if (random.next() < workWeight(candidate, utcOffsetHours)) return candidate;
  }
  return candidate;
}

function workWeight(time: number, utcOffsetHours: number): number {
  const local = new Date(time + utcOffsetHours * HOUR);
  const weekday = local.getUTCDay();
  const hour = local.getUTCHours();
  const weekend = weekday === 0 || weekday === 6 ? 0.15 : 1;
  const daytime = hour >= 8 && hour < 18 ? 1 : hour >= 7 && hour < 22 ? 0.3 : 0.04;
  return weekend * daytime;
}

/** `2026-03-01` of a time. */
export function utcDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

export function isoTime(time: number): string {
  return new Date(time).toISOString();
}

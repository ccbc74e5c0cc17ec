/**
 * ISO-8601 durations as journeys write them: `P30D`, `PT4H`, `P1DT12H`, `P2W`, `PT90M`.
 * Years and months are refused: their length depends on the calendar, and a wait must mean the
 * same number of hours whenever it starts, so that a replay decides the same.
 */
const pattern = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Milliseconds of a duration, or an explanation of why it is not one. */
export function parseDuration(text: string): { ok: true; ms: number } | { ok: false; message: string } {
  const datePart = text.split('T')[0] ?? '';
  if (/^P.*\d+[YM]/.test(datePart)) {
    return { ok: false, message: `"${text}" uses years or months, whose length varies: write days instead (P30D, P90D)` };
  }
  const match = pattern.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) {
    return { ok: false, message: `"${text}" is not a duration: write it like P3D (3 days), PT4H (4 hours), P1DT12H or P2W` };
  }
  const [, weeks, days, hours, minutes, seconds] = match.map((part) => (part === undefined ? 0 : Number(part)));
  const ms = weeks! * 7 * DAY + days! * DAY + hours! * HOUR + minutes! * MINUTE + seconds! * SECOND;
  if (ms <= 0) return { ok: false, message: `"${text}" is zero: a duration must be longer than that` };
  return { ok: true, ms };
}

/** Milliseconds of a duration already validated; throws on an invalid one. */
export function durationMs(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new RangeError(parsed.message);
  return parsed.ms;
}

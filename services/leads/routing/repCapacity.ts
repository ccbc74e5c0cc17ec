/**
 * Capacity, as routing counts it: a rep is at capacity when the leads assigned to them on their
 * local calendar day (in their time zone) number `dailyCapacity` or more. Every assignment counts
 * (routing, a person's, a tracking call's); a day's count never goes down when a lead is moved on.
 * "Today" is the day of the decision's logical time (the event that made the lead routable), so
 * replaying last quarter's history fills each day as it was, not today.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

/** `2026-03-02`: the calendar day `at` falls on in `timeZone` (an unknown zone counts as UTC). */
export function localDay(at: Date, timeZone: string): string {
  let format = formats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      format = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
    }
    formats.set(timeZone, format);
  }
  return format.format(at);
}

/** How many leads a rep got on one local day. */
export interface AssignmentCounts {
  assignedOn(repId: string, day: string): number;
}

export function atCapacity(rep: { readonly id: string; readonly dailyCapacity: number; readonly timeZone: string }, counts: AssignmentCounts, at: Date): boolean {
  return counts.assignedOn(rep.id, localDay(at, rep.timeZone)) >= rep.dailyCapacity;
}

/**
 * "Did you mean …?" for names a marketer types by hand: node ids, facts, operators, fields,
 * event names. A typo is the most common mistake in a hand-written journey, and naming the
 * intended word fixes it faster than a list of every valid one.
 */

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Candidates within `maxDistance` edits of `name` (case-insensitively, so `Lead` finds `lead`),
 * closest first. Short names allow fewer edits: `in` is not a typo of `id`.
 */
export function closeMatches(name: string, candidates: Iterable<string>, maxDistance = 2): string[] {
  const lower = name.toLowerCase();
  const allowed = Math.min(maxDistance, name.length < 3 ? 0 : name.length < 6 ? 1 : 2);
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= allowed) scored.push({ candidate, distance });
  }
  return scored.sort((x, y) => x.distance - y.distance).map((entry) => entry.candidate);
}

/** ` (did you mean call-now?)`, or '' when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const [best] = closeMatches(name, candidates);
  return best === undefined ? '' : ` (did you mean ${best}?)`;
}

/** `a, b, c` — or the first few and a count, so that a message stays one line. */
export function listOf(items: readonly string[], most = 12): string {
  if (items.length <= most) return items.join(', ');
  return `${items.slice(0, most).join(', ')} and ${items.length - most} more`;
}

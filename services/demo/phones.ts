/**
 * Phone numbers from the ranges kept for fiction, so no demo number rings a real phone:
 * NANP 555-0100 to 555-0199 in every area code, and Ofcom's drama numbers (020 7946 0xxx,
 * 0113 496 0xxx, …). Each number is handed out once: two contacts sharing a phone would be
 * merged by identity resolution.
 */

const nanpAreaCodes: readonly string[] = (() => {
  const codes: string[] = [];
  for (let a = 2; a <= 9; a++) {
    for (let b = 0; b <= 8; b++) {
      for (let c = 0; c <= 9; c++) if (!(b === 1 && c === 1)) codes.push(`${a}${b}${c}`);
    }
  }
  return codes;
})();

const ofcomBlocks: readonly string[] = ['20 7946 0', '113 496 0', '114 496 0', '115 496 0', '116 496 0', '117 496 0', '118 496 0', '121 496 0', '131 496 0', '141 496 0', '151 496 0', '161 496 0', '191 498 0'];

const plans = {
  nanp: { capacity: nanpAreaCodes.length * 100, format: (n: number) => `+1 ${nanpAreaCodes[Math.floor(n / 100)]!}-555-01${String(n % 100).padStart(2, '0')}` },
  ofcom: { capacity: ofcomBlocks.length * 1_000, format: (n: number) => `+44 ${ofcomBlocks[Math.floor(n / 1_000)]!}${String(n % 1_000).padStart(3, '0')}` },
} as const;

/** Coprime to both capacities, so `n * STRIDE mod capacity` visits every number once. */
const STRIDE = 7_919;

/** The next unused number of a plan, or null when the range is used up. */
export function allocatePhone(plan: keyof typeof plans, counters: Map<string, number>): string | null {
  const { capacity, format } = plans[plan];
  const n = counters.get(plan) ?? 0;
  if (n >= capacity) return null;
  counters.set(plan, n + 1);
  return format((n * STRIDE) % capacity);
}

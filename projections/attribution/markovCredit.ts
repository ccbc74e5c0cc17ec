import { type PathTransition, removalEffects } from './markovChain.ts';
import { type CreditRow, NO_TOUCH_KEY } from './positionCreditSql.ts';

/** A row of markovTransitionsSql. */
export interface TransitionRow {
  readonly from_key: string | null;
  readonly to_key: string | null;
  readonly converted: number;
  readonly transitions: number;
  readonly revenue: number;
}

/**
 * Markov credit from the transition counts: the conversions (and revenue) that had touches,
 * shared among keys in proportion to their removal effects; `(no touch)` conversions keep their
 * own row. Also the per-key rows the position query would give (touches on converting paths;
 * each conversion counted once, on its first touch's key), read off the same counts: every
 * touch of a converting path is the start of one transition, and every path leaves (start) once.
 */
export function markovCredit(transitions: readonly TransitionRow[]): {
  credit: Map<string, { conversions: number; revenue: number; removalEffect: number }>;
  rows: CreditRow[];
} {
  const rows = new Map<string, { touches: number; conversions: number; revenue: number }>();
  const rowOf = (key: string) => {
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { touches: 0, conversions: 0, revenue: 0 }));
    return row;
  };
  const chain: PathTransition[] = [];
  let conversions = 0;
  let revenue = 0;
  for (const transition of transitions) {
    const from = transition.from_key;
    const to = transition.to_key;
    const converted = Number(transition.converted) === 1;
    const count = Number(transition.transitions);
    if (from === null && to === null) {
      // A conversion with no touch: not a path through any key.
      const row = rowOf(NO_TOUCH_KEY);
      row.conversions += count;
      row.revenue += Number(transition.revenue);
      continue;
    }
    chain.push({ from, to, converted, count });
    if (!converted) continue;
    if (from !== null) rowOf(from).touches += count;
    else if (to !== null) {
      const row = rowOf(to);
      row.conversions += count;
      row.revenue += Number(transition.revenue);
      conversions += count;
      revenue += Number(transition.revenue);
    }
  }
  const { removalEffects: effects } = removalEffects(chain);
  const totalEffect = [...effects.values()].reduce((total, effect) => total + effect, 0);
  const credit = new Map<string, { conversions: number; revenue: number; removalEffect: number }>();
  for (const [key, effect] of effects) {
    const share = totalEffect > 0 ? effect / totalEffect : 0;
    credit.set(key, { conversions: conversions * share, revenue: revenue * share, removalEffect: effect });
  }
  const creditRows = [...rows].map(([key, row]): CreditRow => ({ key, ...row, credit: [], creditedRevenue: [] }));
  return { credit, rows: creditRows };
}


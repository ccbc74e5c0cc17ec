/**
 * How many paths went from one state to the next: `from` null is (start), `to` null is the end
 * of the path, (conversion) when `converted`, else (null).
 */
export interface PathTransition {
  readonly from: string | null;
  readonly to: string | null;
  readonly converted: boolean;
  readonly count: number;
}

export interface RemovalEffects {
  /** P(conversion) from (start) in the chain as observed. */
  readonly conversionProbability: number;
  /** Key → 1 − P(conversion with the key removed) / P(conversion); 0 for every key when nothing converted. */
  readonly removalEffects: ReadonlyMap<string, number>;
}

/**
 * Removal effects of a first-order Markov chain over paths. Transient states are (start) and the
 * keys; (conversion) and (null) absorb. With Q the transient-to-transient probabilities, r the
 * probabilities of stepping into (conversion), N = (I − Q)⁻¹ (expected visits) and x = N·r
 * (P(conversion) from each state):
 *
 * removing k sends every transition into k to (null), so the conversions lost are exactly those
 * of paths that visit k: P(conversion | k removed) = x_start − h_k·x_k, where
 * h_k = N[start,k] / N[k,k] is the probability of ever visiting k from (start). Hence
 * RE_k = h_k·x_k / x_start, for every key from one inversion instead of one solve per key.
 *
 * Dense: time grows with the cube of the number of keys (a few hundred keys take milliseconds,
 * a thousand about a second).
 */
export function removalEffects(transitions: readonly PathTransition[]): RemovalEffects {
  const keys = [...new Set(transitions.flatMap((t) => [t.from, t.to]).filter((state): state is string => state !== null))].sort();
  const index = new Map(keys.map((key, i) => [key, i + 1]));
  const size = keys.length + 1;
  const stateOf = (key: string | null): number => (key === null ? 0 : index.get(key)!);

  const counts = new Float64Array(size * size);
  const toConversion = new Float64Array(size);
  const outgoing = new Float64Array(size);
  for (const { from, to, converted, count } of transitions) {
    const i = stateOf(from);
    outgoing[i]! += count;
    if (to !== null) counts[i * size + stateOf(to)]! += count;
    else if (converted) toConversion[i]! += count;
  }

  // I − Q, and r, from the counts.
  const a = new Float64Array(size * size);
  const r = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const out = outgoing[i]!;
    a[i * size + i] = 1;
    if (out === 0) continue;
    for (let j = 0; j < size; j++) a[i * size + j]! -= counts[i * size + j]! / out;
    r[i] = toConversion[i]! / out;
  }
  const n = invert(a, size);
  const x = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let sum = 0;
    for (let j = 0; j < size; j++) sum += n[i * size + j]! * r[j]!;
    x[i] = sum;
  }

  const conversionProbability = x[0]!;
  const effects = new Map<string, number>();
  for (const key of keys) {
    const k = stateOf(key);
    const reach = n[k]! / n[k * size + k]!;
    effects.set(key, conversionProbability > 0 ? Math.min(1, Math.max(0, (reach * x[k]!) / conversionProbability)) : 0);
  }
  return { conversionProbability, removalEffects: effects };
}

/** The inverse of a square matrix (row-major), by Gauss–Jordan elimination with partial pivoting. */
function invert(matrix: Float64Array, size: number): Float64Array {
  const a = Float64Array.from(matrix);
  const inverse = new Float64Array(size * size);
  for (let i = 0; i < size; i++) inverse[i * size + i] = 1;
  for (let column = 0; column < size; column++) {
    let pivot = column;
    for (let row = column + 1; row < size; row++) if (Math.abs(a[row * size + column]!) > Math.abs(a[pivot * size + column]!)) pivot = row;
    const pivotValue = a[pivot * size + column]!;
    // I − Q of an absorbing chain is invertible: every state observed on a path leads to an end.
    if (Math.abs(pivotValue) < 1e-12) throw new RangeError('markov: the chain has a state from which no path ends');
    if (pivot !== column) {
      swapRows(a, size, pivot, column);
      swapRows(inverse, size, pivot, column);
    }
    for (let j = 0; j < size; j++) {
      a[column * size + j]! /= pivotValue;
      inverse[column * size + j]! /= pivotValue;
    }
    for (let row = 0; row < size; row++) {
      const factor = a[row * size + column]!;
      if (row === column || factor === 0) continue;
      for (let j = 0; j < size; j++) {
        a[row * size + j]! -= factor * a[column * size + j]!;
        inverse[row * size + j]! -= factor * inverse[column * size + j]!;
      }
    }
  }
  return inverse;
}

function swapRows(matrix: Float64Array, size: number, first: number, second: number): void {
  for (let j = 0; j < size; j++) {
    const held = matrix[first * size + j]!;
    matrix[first * size + j] = matrix[second * size + j]!;
    matrix[second * size + j] = held;
  }
}

import { describe, expect, it } from 'vitest';
import { type PathTransition, removalEffects } from '../../../projections/attribution/index.ts';

/** The transitions of paths, each a list of keys ending in conversion (true) or null (false). */
function transitionsOf(paths: readonly (readonly [readonly string[], boolean])[]): PathTransition[] {
  const counts = new Map<string, PathTransition>();
  for (const [keys, converted] of paths) {
    const states: (string | null)[] = [null, ...keys, null];
    for (let i = 0; i + 1 < states.length; i++) {
      const from = states[i]!;
      const to = states[i + 1]!;
      const id = JSON.stringify([from, to, converted]);
      const before = counts.get(id);
      counts.set(id, { from, to, converted, count: (before?.count ?? 0) + 1 });
    }
  }
  return [...counts.values()];
}

describe('removalEffects', () => {
  it('gives the textbook removal effects of C1 → C2 → C3 → conversion, C1 → null, C2 → C3 → null', () => {
    // Transition probabilities: start→C1 2/3, start→C2 1/3; C1→C2 1/2, C1→null 1/2; C2→C3 1;
    // C3→conversion 1/2, C3→null 1/2.
    // P(conversion) = P(reach C3)·1/2 = (2/3·1/2 + 1/3)·1/2 = 1/3.
    // Without C1: only start→C2→C3→conversion = 1/3·1/2 = 1/6, RE = 1 − (1/6)/(1/3) = 1/2.
    // Without C2 or C3: every conversion passes through both, P = 0, RE = 1.
    const { conversionProbability, removalEffects: effects } = removalEffects(
      transitionsOf([
        [['C1', 'C2', 'C3'], true],
        [['C1'], false],
        [['C2', 'C3'], false],
      ]),
    );
    expect(conversionProbability).toBeCloseTo(1 / 3, 12);
    expect(effects.get('C1')).toBeCloseTo(0.5, 12);
    expect(effects.get('C2')).toBeCloseTo(1, 12);
    expect(effects.get('C3')).toBeCloseTo(1, 12);
  });

  it('handles a path that comes back to a key: A → B → A → conversion, B → null', () => {
    // start→A 1/2, start→B 1/2; A→B 1/2, A→conversion 1/2; B→A 1/2, B→null 1/2.
    // x_A = 1/2·x_B + 1/2 and x_B = 1/2·x_A, so x_A = 2/3, x_B = 1/3, P = 1/2·2/3 + 1/2·1/3 = 1/2.
    // Without A nothing converts: RE_A = 1.
    // Without B (start→B and A→B go to null): x_A = 1/2, P = 1/2·1/2 = 1/4, RE_B = 1 − (1/4)/(1/2) = 1/2.
    const { conversionProbability, removalEffects: effects } = removalEffects(
      transitionsOf([
        [['A', 'B', 'A'], true],
        [['B'], false],
      ]),
    );
    expect(conversionProbability).toBeCloseTo(0.5, 12);
    expect(effects.get('A')).toBeCloseTo(1, 12);
    expect(effects.get('B')).toBeCloseTo(0.5, 12);
  });

  it('gives a key that only leads into converting keys its share: X → Y → null, Y → conversion', () => {
    // start→X 1/2, start→Y 1/2; X→Y 1; Y→null 1/2, Y→conversion 1/2.
    // P = (1/2 + 1/2)·1/2 = 1/2. Without X: start→X goes to null, P = 1/2·1/2 = 1/4, RE_X = 1/2.
    // Without Y: P = 0, RE_Y = 1.
    const { removalEffects: effects } = removalEffects(
      transitionsOf([
        [['X', 'Y'], false],
        [['Y'], true],
      ]),
    );
    expect(effects.get('X')).toBeCloseTo(0.5, 12);
    expect(effects.get('Y')).toBeCloseTo(1, 12);
  });

  it('gives every key a removal effect of 0 when nothing converted', () => {
    const { conversionProbability, removalEffects: effects } = removalEffects(transitionsOf([[['A', 'B'], false]]));
    expect(conversionProbability).toBe(0);
    expect([...effects.values()]).toEqual([0, 0]);
  });
});

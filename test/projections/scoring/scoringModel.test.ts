import { describe, expect, it } from 'vitest';
import { bandOf, loadScoringModel, parseScoringModel } from '../../../projections/scoring/index.ts';
import { ValidationError } from '../../../services/core/index.ts';

function problems(source: string): string[] {
  try {
    parseScoringModel(source, 'model.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the model to be refused');
}

describe('scoring model file', () => {
  it('ships a valid default model', () => {
    const model = loadScoringModel();
    expect(model.bands.map((band) => band.name)).toEqual(['A', 'B', 'C', 'D']);
    expect(model.fit.length).toBeGreaterThan(3);
    expect(bandOf(model, 85)).toBe('A');
    expect(bandOf(model, 60)).toBe('B');
    expect(bandOf(model, -50)).toBe('D');
  });

  it('names every problem with its path and line', () => {
    const found = problems(`name: broken
mqlThreshold: 50
bands:
  - { name: A, min: 10 }
  - { name: B, min: 20 }
  - { name: C, min: 0 }
fit:
  - { id: Senior, when: { field: trait.title }, points: 10 }
  - { id: size, when: { field: employees, gte: 10 }, points: 5 }
engagement:
  - { id: size, points: 3 }
negative:
  - { id: nice, when: { field: status, equals: good }, points: 5 }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        'bands[1].min (line 5): must be below the band above it (10): bands go from the highest down',
        'bands[2].min (line 6): the last band takes every total below the others: leave out its min',
        'fit[0].id (line 8): must be lower-case letters, digits and - (like senior-title)',
        expect.stringMatching(/^fit\[0\]\.when.*needs exactly one operator/),
        expect.stringMatching(/^fit\[1\]\.when.*field.*must be trait\.<name>, account\.<name>/),
        expect.stringMatching(/^engagement\[0\].*needs events, channels or both/),
        'negative[0].points (line 13): must be ≤ 0 (a negative rule takes points away)',
      ]),
    );
  });

  it('refuses YAML that does not parse, naming the line', () => {
    expect(problems('name: x\nbands: [\n')[0]).toMatch(/^line \d+:/);
  });
});

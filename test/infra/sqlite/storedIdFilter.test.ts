import { describe, expect, it } from 'vitest';
import { IdFilter } from '../../../infra/sqlite/storedIdFilter.ts';
import { deriveId } from '../../../services/core/index.ts';

const ids = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => deriveId('test', prefix, String(i)));

describe('IdFilter', () => {
  it('holds every id added, also after growing well past the capacity it was made for', () => {
    const filter = new IdFilter(1_000, 1_000);
    const added = ids('added', 300_000);
    for (const id of added) filter.add(id);
    expect(added.filter((id) => !filter.mayHold(id))).toEqual([]);
    expect(filter.added).toBe(300_000);
  });

  it('answers "maybe" for about one id in a hundred it never held, grown or not', () => {
    const grown = new IdFilter(1_000, 1_000);
    const sized = new IdFilter(300_000, 1_000);
    for (const id of ids('added', 300_000)) {
      grown.add(id);
      sized.add(id);
    }
    const absent = ids('absent', 100_000);
    const rate = (filter: IdFilter): number => absent.filter((id) => filter.mayHold(id)).length / absent.length;
    // 0.8 % for a filter filled to its capacity; each added layer has half the rate of the one before.
    expect(rate(sized)).toBeGreaterThan(0.002);
    expect(rate(sized)).toBeLessThan(0.012);
    expect(rate(grown)).toBeLessThan(0.02);
  });

  it('takes about 1.2 bytes an id it is made for', () => {
    const filter = new IdFilter(1_000_000);
    expect(filter.bytes).toBeGreaterThan(1_100_000);
    expect(filter.bytes).toBeLessThan(1_400_000);
    // A young store's filter starts at a million ids: each layer it grows is one more test per id.
    expect(new IdFilter().bytes).toBe(new IdFilter(1_048_576).bytes);
    expect(new IdFilter(10, 1_000).bytes).toBeLessThan(2_000);
  });
});

/**
 * Simple paths, read by the compiled evaluator (readFactPath over parsePropertyPath's keys), against
 * json-rules-engine's almanac with its default resolver (jsonpath-plus, `wrap: false`): for every
 * path the parser accepts, both must read the same value from the same fact.
 */
import { Almanac } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { readFactPath } from '../../../infra/rules/factPath.ts';
import { parsePropertyPath } from '../../../services/core/index.ts';

async function almanacRead(factValue: unknown, path: string): Promise<unknown> {
  const almanac = new Almanac({ allowUndefinedFacts: true });
  almanac.addFact('x', factValue);
  return almanac.factValue('x', {}, path);
}

function compiledRead(factValue: unknown, path: string): unknown {
  const parsed = parsePropertyPath(path);
  if (!parsed.ok) throw new Error(parsed.message);
  return readFactPath(factValue, parsed.keys);
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('fact paths, compiled and in json-rules-engine', () => {
  it('read the same values in the cases worth naming', async () => {
    const lead = { traits: { country: 'DE', title: 'VP', empty: '', zero: 0, off: false, nil: null, gone: undefined, list: [1, [2, 3]] }, 0: 'zero key' };
    const cases: [unknown, string][] = [
      [lead, '$'],
      [lead, '$.traits.country'],
      [lead, '$.traits.list[1][0]'],
      [lead, '$.traits.list.length'],
      [lead, '$.traits.title.length'],
      [lead, '$.traits.title[1]'],
      [lead, '$.traits.empty.length'],
      [lead, '$.traits.zero.toFixed'],
      [lead, '$.traits.off.valueOf'],
      [lead, '$.traits.nil.x'],
      [lead, '$.traits.gone'],
      [lead, '$.traits.missing.deeper'],
      [lead, '$[0]'],
      [lead, "$['0']"],
      [lead, '$.constructor'],
      [lead, '$.__proto__'],
      [lead, '$.traits.hasOwnProperty'],
      [['a', 'b'], '$[1]'],
      [['a', 'b'], '$.length'],
      ['text', '$.length'],
      [42, '$.x'],
      [null, '$.x'],
      [undefined, '$.x'],
      [true, '$'],
    ];
    for (const [factValue, path] of cases) {
      expect(compiledRead(factValue, path), `${JSON.stringify(factValue)} ${path}`).toStrictEqual(await almanacRead(factValue, path));
    }
  });

  it('read the same values for 20,000 generated paths, names with punctuation, spaces and unicode included', async () => {
    const random = seededRandom(0x9a7_2026);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const characters = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), 'é', '网', '🚀'];
    const leaves: unknown[] = [0, 1, -2.5, '', 'abc', true, false, null, undefined, [], {}, [1, 2], { x: 1 }];
    const randomName = (): string => {
      if (random() < 0.4) return pick(['a', 'b', 'x', 'length', '0', '1', '$a', 'a-b', '_', 'constructor', '__proto__', 'first name', 'utm.source', '.', '...', '%.%', 'a:b']);
      return Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(characters)).join('');
    };
    /** A value along the path most of the time, so that reads hit; sometimes cut short or off the path. */
    const build = (keys: readonly (string | number)[], at: number): unknown => {
      if (at === keys.length || random() < 0.08) return pick(leaves);
      const key = keys[at]!;
      const child = build(keys, at + 1);
      if (random() < 0.05) return 'text at a step';
      if (typeof key === 'number' && random() < 0.7) {
        const list: unknown[] = [pick(leaves), pick(leaves), pick(leaves)];
        list[key] = child;
        return list;
      }
      const object: Record<string, unknown> = { [randomName()]: pick(leaves) };
      if (random() < 0.9) Object.defineProperty(object, String(key), { value: child, enumerable: true, writable: true, configurable: true });
      return object;
    };

    let compared = 0;
    let found = 0;
    const disagreements: string[] = [];
    while (compared < 20_000) {
      let path = '$';
      for (let steps = Math.floor(random() * 4); steps > 0; steps--) {
        const roll = random();
        path += roll < 0.3 ? `.${randomName()}` : roll < 0.8 ? `['${randomName()}']` : `[${Math.floor(random() * 3)}]`;
      }
      const parsed = parsePropertyPath(path);
      if (!parsed.ok) continue;
      compared++;
      const factValue = build(parsed.keys, 0);
      const want = await almanacRead(factValue, path);
      const got = readFactPath(factValue, parsed.keys);
      if (got !== undefined) found++;
      if (!Object.is(got, want) && disagreements.length < 5) disagreements.push(`${path} of ${JSON.stringify(factValue)}: almanac ${String(want)}, compiled ${String(got)}`);
    }

    expect(disagreements, disagreements.join('\n')).toEqual([]);
    expect(found).toBeGreaterThan(compared * 0.5);
  }, 30_000);
});

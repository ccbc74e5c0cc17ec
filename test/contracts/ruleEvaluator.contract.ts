/**
 * The RuleEvaluator contract: every adapter runs this one suite (STYLE.md habit 5). It states
 * what a condition means — json-rules-engine's meaning, quirks included — so that the journey
 * docs can cite it and a new adapter can prove itself.
 *
 *   ruleEvaluatorContract('compiled', () => createCompiledEvaluator());
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../services/core/index.ts';
import type { ConditionResult, FactSource, RuleEvaluator, TopLevelCondition } from '../../services/ports/index.ts';

type Params = Readonly<Record<string, unknown>> | undefined;

/** Facts from a record, recording what was asked; `touches` counts by its params, as the real one does. */
function factSource(facts: Record<string, unknown>): FactSource & { asked: [string, Params][] } {
  const asked: [string, Params][] = [];
  return {
    asked,
    value(fact, params) {
      asked.push([fact, params]);
      if (fact === 'touches') {
        const withinDays = typeof params?.withinDays === 'number' ? params.withinDays : Number.POSITIVE_INFINITY;
        const touches = (facts.touches ?? []) as { name: string; daysAgo: number }[];
        return touches.filter((t) => t.daysAgo <= withinDays && (params?.name === undefined || t.name === params.name)).length;
      }
      return facts[fact];
    },
  };
}

const lead = {
  traits: { country: 'DE', employees: 250, 'first name': 'Ada', title: 'VP Sales', tags: ['vip', 'beta'], empty: '' },
  emails: ['ada@example.com', 'ada@work.example'],
};

export function ruleEvaluatorContract(adapter: string, create: () => RuleEvaluator): void {
  describe(`RuleEvaluator contract: ${adapter}`, () => {
    const evaluator = create();
    const evaluate = (condition: TopLevelCondition, facts: Record<string, unknown> = {}): Promise<ConditionResult> =>
      evaluator.compile(condition).evaluate(factSource(facts));
    /** One leaf under `all`, evaluated against these facts: does it hold? */
    const holds = async (operator: string, factValue: unknown, value: unknown): Promise<boolean> =>
      (await evaluate({ all: [{ fact: 'x', operator, value }] }, { x: factValue })).holds;

    it(`is named ${adapter}`, () => {
      expect(evaluator.name).toBe(adapter);
    });

    describe('operators', () => {
      it('equal and notEqual compare strictly (===): 5 is not "5"', async () => {
        expect(await holds('equal', 5, 5)).toBe(true);
        expect(await holds('equal', '5', 5)).toBe(false);
        expect(await holds('equal', null, null)).toBe(true);
        expect(await holds('equal', [1], [1])).toBe(false);
        expect(await holds('notEqual', '5', 5)).toBe(true);
        expect(await holds('notEqual', 'DE', 'DE')).toBe(false);
      });

      it('in and notIn look the fact up in a list value', async () => {
        expect(await holds('in', 'DE', ['DE', 'FR'])).toBe(true);
        expect(await holds('in', 'US', ['DE', 'FR'])).toBe(false);
        expect(await holds('notIn', 'US', ['DE', 'FR'])).toBe(true);
        expect(await holds('notIn', 'DE', ['DE', 'FR'])).toBe(false);
      });

      it('in searches a text value as text: "ell" is in "hello", and a missing fact is in "undefined"', async () => {
        expect(await holds('in', 'ell', 'hello')).toBe(true);
        expect(await holds('in', undefined, 'is undefined')).toBe(true);
        expect(await holds('notIn', 'x', 'hello')).toBe(true);
      });

      it('in and notIn with a value that is neither a list nor text make the evaluation fail', async () => {
        await expect(evaluate({ all: [{ fact: 'x', operator: 'in', value: 5 }] }, { x: 5 })).rejects.toThrow(TypeError);
        await expect(evaluate({ all: [{ fact: 'x', operator: 'notIn', value: null }] }, { x: 5 })).rejects.toThrow(TypeError);
        await expect(evaluate({ all: [{ fact: 'x', operator: 'in', value: { DE: true } }] }, { x: 'DE' })).rejects.toThrow(TypeError);
      });

      it('contains and doesNotContain look the value up in a list fact, and are both false for any other fact', async () => {
        expect(await holds('contains', ['vip', 'beta'], 'vip')).toBe(true);
        expect(await holds('contains', ['vip', 'beta'], 'gold')).toBe(false);
        expect(await holds('doesNotContain', ['vip', 'beta'], 'gold')).toBe(true);
        expect(await holds('contains', 'vip customer', 'vip')).toBe(false);
        expect(await holds('doesNotContain', 'vip customer', 'gold')).toBe(false);
        expect(await holds('doesNotContain', undefined, 'gold')).toBe(false);
      });

      it('lessThan, lessThanInclusive, greaterThan and greaterThanInclusive compare numbers', async () => {
        expect(await holds('lessThan', 59, 60)).toBe(true);
        expect(await holds('lessThan', 60, 60)).toBe(false);
        expect(await holds('lessThanInclusive', 60, 60)).toBe(true);
        expect(await holds('greaterThan', 61, 60)).toBe(true);
        expect(await holds('greaterThan', 60, 60)).toBe(false);
        expect(await holds('greaterThanInclusive', 60, 60)).toBe(true);
        expect(await holds('greaterThan', -0.5, -1)).toBe(true);
      });

      it('numeric operators are false, all of them, when the fact does not start like a number', async () => {
        for (const operator of ['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']) {
          for (const factValue of ['abc', '', null, undefined, true, {}, []]) {
            expect(await holds(operator, factValue, 10), `${operator} ${JSON.stringify(factValue)}`).toBe(false);
          }
        }
      });

      it('numeric operators compare numeric text as text: "12" is less than "9", and a list of one number counts as that number', async () => {
        expect(await holds('lessThan', '12', '9')).toBe(true);
        expect(await holds('greaterThan', '12', 9)).toBe(true);
        expect(await holds('lessThan', [5], 6)).toBe(true);
        expect(await holds('greaterThan', '12abc', 5)).toBe(false);
        expect(await holds('lessThan', '12abc', 50)).toBe(false);
      });
    });

    describe('decorators', () => {
      it('someFact and everyFact apply the operator to each item of a list fact', async () => {
        expect(await holds('someFact:greaterThan', [10, 70], 60)).toBe(true);
        expect(await holds('everyFact:greaterThan', [10, 70], 60)).toBe(false);
        expect(await holds('everyFact:greaterThan', [61, 70], 60)).toBe(true);
      });

      it('someFact and everyFact are false when the fact is not a list; everyFact holds for an empty list', async () => {
        expect(await holds('someFact:equal', 'vip', 'vip')).toBe(false);
        expect(await holds('everyFact:equal', 'vip', 'vip')).toBe(false);
        expect(await holds('everyFact:equal', [], 'vip')).toBe(true);
        expect(await holds('someFact:equal', [], 'vip')).toBe(false);
      });

      it('someValue and everyValue apply the operator to each item of a list value, and fail when the value is not a list', async () => {
        expect(await holds('someValue:equal', 'DE', ['FR', 'DE'])).toBe(true);
        expect(await holds('everyValue:lessThan', 5, [6, 7])).toBe(true);
        expect(await holds('everyValue:lessThan', 5, [6, 4])).toBe(false);
        await expect(evaluate({ all: [{ fact: 'x', operator: 'someValue:equal', value: 'DE' }] }, { x: 'DE' })).rejects.toThrow(TypeError);
      });

      it('swap exchanges the sides: swap:in asks whether the value is in the fact', async () => {
        expect(await holds('swap:in', ['vip', 'beta'], 'vip')).toBe(true);
        expect(await holds('swap:greaterThan', 5, 10)).toBe(true);
        expect(await holds('swap:lessThan', 5, 'abc')).toBe(false);
      });

      it('not negates, and decorators chain outermost first', async () => {
        expect(await holds('not:in', 'US', ['DE', 'FR'])).toBe(true);
        expect(await holds('not:equal', 'DE', 'DE')).toBe(false);
        expect(await holds('not:someFact:equal', ['beta'], 'vip')).toBe(true);
        expect(await holds('not:someFact:equal', 'not a list', 'vip')).toBe(true);
        expect(await holds('someFact:not:equal', ['vip', 'vip'], 'vip')).toBe(false);
        expect(await holds('everyFact:someValue:equal', ['DE', 'FR'], ['FR', 'DE', 'US'])).toBe(true);
        expect(await holds('not:not:equal', 1, 1)).toBe(true);
      });
    });

    describe('all, any and not', () => {
      it('nest to any depth', async () => {
        const condition: TopLevelCondition = {
          all: [
            { fact: 'lead', path: '$.traits.country', operator: 'in', value: ['DE', 'AT', 'CH'] },
            { any: [{ fact: 'score', operator: 'greaterThan', value: 80 }, { not: { fact: 'lead', path: '$.traits.tags', operator: 'contains', value: 'churned' } }] },
          ],
        };

        expect((await evaluate(condition, { lead, score: 50 })).holds).toBe(true);
        expect((await evaluate(condition, { lead: { traits: { country: 'DE', tags: ['churned'] } }, score: 50 })).holds).toBe(false);
        expect((await evaluate(condition, { lead: { traits: { country: 'DE', tags: ['churned'] } }, score: 90 })).holds).toBe(true);
        expect((await evaluate(condition, { lead: { traits: { country: 'US' } }, score: 90 })).holds).toBe(false);
      });

      it('an empty all holds, and so does an empty any (json-rules-engine treats every empty group as true)', async () => {
        expect((await evaluate({ all: [] })).holds).toBe(true);
        expect((await evaluate({ any: [] })).holds).toBe(true);
        expect((await evaluate({ not: { any: [] } })).holds).toBe(false);
        expect((await evaluate({ any: [{ all: [] }, { fact: 'x', operator: 'equal', value: 1 }] })).holds).toBe(true);
      });

      it('not at the top level negates one condition', async () => {
        const condition: TopLevelCondition = { not: { fact: 'score', operator: 'greaterThan', value: 60 } };

        expect((await evaluate(condition, { score: 50 })).holds).toBe(true);
        expect((await evaluate(condition, { score: 70 })).holds).toBe(false);
      });
    });

    describe('paths', () => {
      const atPath = async (path: string, factValue: unknown): Promise<unknown> => {
        const { checks } = await evaluate({ all: [{ fact: 'x', path, operator: 'equal', value: null }] }, { x: factValue });
        return checks[0]!.factValue;
      };

      it('read properties, list items and quoted names of a fact', async () => {
        expect(await atPath('$.traits.country', lead)).toBe('DE');
        expect(await atPath("$.traits['first name']", lead)).toBe('Ada');
        expect(await atPath('$.emails[1]', lead)).toBe('ada@work.example');
        expect(await atPath('$.traits.tags[0]', lead)).toBe('vip');
        expect(await atPath('$.traits', lead)).toBe(lead.traits);
        expect(await atPath('$', lead)).toBe(lead);
        expect(await atPath('$[1]', ['a', 'b'])).toBe('b');
      });

      it('give undefined for a missing property, a missing item, or a step below null', async () => {
        expect(await atPath('$.traits.industry', lead)).toBeUndefined();
        expect(await atPath('$.emails[5]', lead)).toBeUndefined();
        expect(await atPath('$.traits.country.code', { traits: { country: null } })).toBeUndefined();
        expect(await atPath('$.nested.deeper', {})).toBeUndefined();
        expect(await atPath('$.constructor', {})).toBeUndefined();
      });

      it('return a fact that is not an object as it is, path or not', async () => {
        expect(await atPath('$.traits.country', 'DE')).toBe('DE');
        expect(await atPath('$.length', 'abc')).toBe('abc');
        expect(await atPath('$.value', 42)).toBe(42);
        expect(await atPath('$.value', null)).toBeNull();
        expect(await atPath('$.value', undefined)).toBeUndefined();
      });

      it('step into text below the fact (a length, a character), but not into empty text', async () => {
        expect(await atPath('$.traits.title.length', lead)).toBe(8);
        expect(await atPath('$.traits.title[0]', lead)).toBe('V');
        expect(await atPath('$.traits.empty.length', lead)).toBeUndefined();
        expect(await atPath('$.emails.length', lead)).toBe(2);
      });
    });

    describe('facts and params', () => {
      it('asks the FactSource with the leaf’s params, and with undefined when it has none or empty ones', async () => {
        const source = factSource({ touches: [{ name: 'Webinar attended', daysAgo: 3 }] });
        const condition: TopLevelCondition = {
          all: [
            { fact: 'touches', params: { name: 'Webinar attended', withinDays: 7 }, operator: 'greaterThanInclusive', value: 1 },
            { fact: 'score', operator: 'greaterThan', value: 10 },
            { fact: 'lead', params: {}, operator: 'notEqual', value: null },
          ],
        };

        await evaluator.compile(condition).evaluate(source);

        expect(source.asked).toEqual(
          expect.arrayContaining([
            ['touches', { name: 'Webinar attended', withinDays: 7 }],
            ['score', undefined],
            ['lead', undefined],
          ]),
        );
        expect(source.asked).toHaveLength(3);
      });

      it('asks once per fact and params in one evaluation, however many leaves read them', async () => {
        const source = factSource({ lead, touches: [] });
        const condition: TopLevelCondition = {
          all: [
            { fact: 'lead', path: '$.traits.country', operator: 'equal', value: 'DE' },
            { fact: 'lead', path: '$.traits.employees', operator: 'greaterThan', value: 100 },
            { fact: 'touches', params: { withinDays: 7 }, operator: 'equal', value: 0 },
            { fact: 'touches', params: { withinDays: 30 }, operator: 'equal', value: 0 },
            { fact: 'touches', params: { withinDays: 7 }, operator: 'lessThan', value: 3 },
          ],
        };

        const { holds } = await evaluator.compile(condition).evaluate(source);

        expect(holds).toBe(true);
        expect(source.asked.map(([fact]) => fact).sort()).toEqual(['lead', 'touches', 'touches']);
      });

      it('gives the same fact different values for different params', async () => {
        const facts = { touches: [{ name: 'Webinar attended', daysAgo: 3 }, { name: 'Pricing viewed', daysAgo: 20 }] };
        const condition: TopLevelCondition = {
          all: [
            { fact: 'touches', params: { withinDays: 7 }, operator: 'equal', value: 1 },
            { fact: 'touches', params: { withinDays: 30 }, operator: 'equal', value: 2 },
            { fact: 'touches', params: { name: 'Pricing viewed' }, operator: 'equal', value: 1 },
          ],
        };

        const { holds, checks } = await evaluate(condition, facts);

        expect(holds).toBe(true);
        expect(checks.map((c) => c.factValue)).toEqual([1, 2, 1]);
      });

      it('compares a missing fact as undefined: equal to nothing but undefined, notEqual to everything else', async () => {
        expect(await holds('equal', undefined, null)).toBe(false);
        expect(await holds('notEqual', undefined, null)).toBe(true);
        expect(await holds('greaterThan', undefined, -1)).toBe(false);
        const { checks } = await evaluate({ all: [{ fact: 'nowhere', path: '$.a.b', operator: 'equal', value: 1 }] });
        expect(checks[0]).toMatchObject({ fact: 'nowhere', factValue: undefined, holds: false });
      });

      it('compares with another fact when the value names one, path and params included', async () => {
        const facts = { lead, account: { owner: { country: 'DE' } }, touches: [{ name: 'Demo requested', daysAgo: 1 }] };
        const condition: TopLevelCondition = {
          all: [
            { fact: 'lead', path: '$.traits.country', operator: 'equal', value: { fact: 'account', path: '$.owner.country' } },
            { fact: 'score', operator: 'lessThan', value: { fact: 'touches', params: { name: 'Demo requested' } } },
            { fact: 'lead', path: '$.traits.country', operator: 'equal', value: { fact: 'nowhere' } },
          ],
        };

        const { holds, checks } = await evaluate(condition, { ...facts, score: 0 });

        expect(holds).toBe(false);
        expect(checks.map((c) => [c.value, c.factValue, c.holds])).toEqual([
          ['DE', 'DE', true],
          [1, 0, true],
          [undefined, 'DE', false],
        ]);
      });

      it('fails the evaluation when the FactSource throws', async () => {
        const failing: FactSource = {
          value() {
            throw new Error('history unavailable');
          },
        };

        await expect(evaluator.compile({ all: [{ fact: 'score', operator: 'equal', value: 1 }] }).evaluate(failing)).rejects.toThrow('history unavailable');
      });
    });

    describe('checks', () => {
      it('list every leaf in document order with where it sits, what it compared and whether it held', async () => {
        const condition: TopLevelCondition = {
          any: [
            { fact: 'score', operator: 'greaterThan', value: 60 },
            { not: { fact: 'lead', path: '$.traits.country', operator: 'in', value: ['US'] } },
            {
              all: [
                { fact: 'touches', params: { withinDays: 7 }, operator: 'greaterThanInclusive', value: 1 },
                { any: [{ fact: 'lead', path: '$.traits.tags', operator: 'contains', value: 'vip' }] },
              ],
            },
          ],
        };

        const result = await evaluate(condition, { score: 72, lead, touches: [{ name: 'Webinar attended', daysAgo: 2 }] });

        expect(result).toStrictEqual({
          holds: true,
          checks: [
            { at: 'any[0]', fact: 'score', operator: 'greaterThan', value: 60, factValue: 72, holds: true },
            { at: 'any[1].not', fact: 'lead', path: '$.traits.country', operator: 'in', value: ['US'], factValue: 'DE', holds: false },
            { at: 'any[2].all[0]', fact: 'touches', params: { withinDays: 7 }, operator: 'greaterThanInclusive', value: 1, factValue: 1, holds: true },
            { at: 'any[2].all[1].any[0]', fact: 'lead', path: '$.traits.tags', operator: 'contains', value: 'vip', factValue: ['vip', 'beta'], holds: true },
          ],
        });
      });

      it('evaluate every leaf, also after the outcome is known (no short-circuit)', async () => {
        const { holds, checks } = await evaluate(
          { all: [{ fact: 'a', operator: 'equal', value: 1 }, { fact: 'b', operator: 'equal', value: 2 }, { fact: 'c', operator: 'equal', value: 3 }] },
          { a: 0, b: 2, c: 3 },
        );

        expect(holds).toBe(false);
        expect(checks.map((c) => [c.at, c.holds])).toEqual([
          ['all[0]', false],
          ['all[1]', true],
          ['all[2]', true],
        ]);
      });

      it('record a leaf under a top-level not at `not`', async () => {
        const { checks } = await evaluate({ not: { fact: 'score', operator: 'equal', value: 1 } }, { score: 1 });

        expect(checks).toStrictEqual([{ at: 'not', fact: 'score', operator: 'equal', value: 1, factValue: 1, holds: true }]);
      });
    });

    describe('compiling', () => {
      const issuesOf = (condition: unknown): readonly { path: string; message: string }[] => {
        try {
          evaluator.compile(condition as TopLevelCondition);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          return (error as ValidationError).issues;
        }
        throw new Error('compile accepted the condition');
      };

      it('refuses a path that is not a simple property path, naming where it is', () => {
        const issues = issuesOf({ all: [{ fact: 'lead', path: '$.traits.*', operator: 'equal', value: 1 }, { not: { fact: 'lead', path: 'traits.country', operator: 'equal', value: 1 } }] });

        expect(issues).toEqual([
          { path: 'all[0].path', message: expect.stringContaining('$.traits.*') as unknown },
          { path: 'all[1].not.path', message: expect.stringContaining('write $.traits.country') as unknown },
        ]);
      });

      it('refuses an unknown operator or decorator', () => {
        expect(issuesOf({ any: [{ fact: 'a', operator: 'equal', value: 1 }, { fact: 'a', operator: 'equals', value: 1 }] })).toEqual([
          { path: 'any[1].operator', message: expect.stringContaining('unknown operator "equals"') as unknown },
        ]);
        expect(issuesOf({ all: [{ fact: 'a', operator: 'never:equal', value: 1 }] })[0]!.path).toBe('all[0].operator');
        expect(issuesOf({ all: [{ fact: 'a', operator: 'not:', value: 1 }] })[0]!.path).toBe('all[0].operator');
      });

      it('refuses a leaf at the top level, a group with two kinds, unknown keys, and a leaf without a value', () => {
        expect(issuesOf({ fact: 'a', operator: 'equal', value: 1 })[0]!.path).toBe('');
        expect(issuesOf({ all: [], any: [] })[0]!.path).toBe('');
        expect(issuesOf({ all: [{ fact: 'a', operator: 'equal', value: 1, param: {} }] })[0]!.path).toBe('all[0].param');
        expect(issuesOf({ all: [{ fact: 'a', operator: 'equal', value: 1, priority: 2 }] })[0]!.path).toBe('all[0].priority');
        expect(issuesOf({ all: [{ condition: 'named' }] })[0]!.path).toBe('all[0].condition');
        expect(issuesOf({ all: [{ fact: 'a', operator: 'equal' }] })[0]!.path).toBe('all[0].value');
        expect(issuesOf({ all: {} })[0]!.path).toBe('all');
      });

      it('refuses data json-rules-engine would not keep as written: a __proto__ key, a function', () => {
        expect(issuesOf({ all: [{ fact: 'a', operator: 'equal', value: JSON.parse('{"__proto__": {"x": 1}}') as unknown }] })[0]!.path).toBe('all[0].value.__proto__');
        expect(issuesOf({ all: [{ fact: 'a', operator: 'equal', value: 1, params: { since: () => 1 } }] })[0]!.path).toBe('all[0].params.since');
      });

      it('refuses a fact reference with a bad path or unknown keys', () => {
        expect(issuesOf({ all: [{ fact: 'a', operator: 'equal', value: { fact: 'b', path: '$..x' } }] })[0]!.path).toBe('all[0].value.path');
        expect(issuesOf({ all: [{ fact: 'a', operator: 'equal', value: { fact: 'b', extra: 1 } }] })[0]!.path).toBe('all[0].value.extra');
      });

      it('keeps what it compiled when the caller changes its condition object afterwards', async () => {
        const condition = { all: [{ fact: 'x', operator: 'in', value: ['DE'] }] };
        const compiled = evaluator.compile(condition);

        condition.all[0]!.value.push('US');
        condition.all[0]!.operator = 'notIn';

        expect((await compiled.evaluate(factSource({ x: 'US' }))).holds).toBe(false);
      });

      it('evaluates one compiled condition many times, also concurrently, each with its own facts', async () => {
        const compiled = evaluator.compile({ all: [{ fact: 'score', operator: 'greaterThan', value: 49 }, { fact: 'lead', path: '$.n', operator: 'equal', value: { fact: 'score' } }] });

        const results = await Promise.all(Array.from({ length: 60 }, (_, n) => compiled.evaluate(factSource({ score: n, lead: { n } }))));

        expect(results.map((r) => r.holds)).toEqual(Array.from({ length: 60 }, (_, n) => n > 49));
        expect(results.map((r) => r.checks[0]!.factValue)).toEqual(Array.from({ length: 60 }, (_, n) => n));
      });

      it('gives every evaluation its result when one starts while another is finishing', async () => {
        const compiled = evaluator.compile({ all: [{ fact: 'score', operator: 'equal', value: 1 }] });

        for (let ticks = 0; ticks < 40; ticks++) {
          const first = compiled.evaluate(factSource({ score: 1 }));
          for (let i = 0; i < ticks; i++) await Promise.resolve();
          const second = compiled.evaluate(factSource({ score: 2 }));

          expect((await Promise.all([first, second])).map((r) => r.holds)).toEqual([true, false]);
        }
      });
    });
  });
}

/**
 * The compiled evaluator against json-rules-engine itself, on generated conditions and facts: for
 * every pair both must give deep-equal results (holds, and every check with its values), or both
 * must fail with the same class of error. (Not always the same message: when several leaves throw,
 * json-rules-engine reports whichever its promises reject first, the compiled evaluator the first
 * in document order.) The generator is seeded, so a failure is reproducible; it reaches every operator and
 * decorator, nested groups, paths that hit, miss or start from non-objects, params, fact references,
 * missing facts and values of every JSON type, and it checks that it did.
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createCompiledEvaluator, createJsonRulesEngineEvaluator } from '../../../infra/rules/index.ts';
import type { Condition, ConditionResult, FactSource, LeafCondition, TopLevelCondition } from '../../../services/ports/index.ts';
import { ruleOperatorDecorators, ruleOperators } from '../../../services/ports/index.ts';

const SEED = 0x5eed_2026;
const CONDITIONS = 5_000;
const FACT_SETS_PER_CONDITION = 4;

/** mulberry32: small, fast, and the same sequence on every machine. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const chance = (random: Random, p: number): boolean => random() < p;

const FACTS = ['lead', 'score', 'tags', 'title', 'flag', 'nothing', 'touches', 'account', 'missing'] as const;
/** Keys objects are made of, so that generated paths often hit. */
const KEYS = ['traits', 'country', 'tags', 'first name', 'n', 'a', 'b', 'length', '0', 'utm.source'] as const;
const SCALARS: readonly unknown[] = [
  0, -0, 1, -3, 2.5, 12, 60, 1e21, Number.NaN, Number.POSITIVE_INFINITY,
  '12', '9', 'abc', '', 'DE', 'hello', 'ell', '12abc', ' 7', 'undefined', '[object Object]',
  true, false, null, undefined,
];

function randomValue(random: Random, depth = 0): unknown {
  const roll = random();
  if (depth >= 3 || roll < 0.6) return pick(random, SCALARS);
  if (roll < 0.8) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 4); i > 0; i--) object[pick(random, KEYS)] = randomValue(random, depth + 1);
  return object;
}

/** A lead-like object most of the time, anything else sometimes. */
function randomLead(random: Random): unknown {
  if (chance(random, 0.15)) return randomValue(random);
  return {
    traits: { country: pick(random, ['DE', 'FR', 'US', '', null]), 'first name': pick(random, ['Ada', '', 12]), tags: randomValue(random, 2), n: pick(random, SCALARS) },
    tags: pick(random, [['vip', 'beta'], [], ['DE'], 'vip', [1, 2, 12]]),
    'utm.source': pick(random, ['google', '']),
    n: randomValue(random, 1),
    0: pick(random, SCALARS),
  };
}

type Facts = Record<string, unknown>;

function randomFacts(random: Random): Facts {
  return {
    lead: randomLead(random),
    account: randomLead(random),
    score: chance(random, 0.7) ? pick(random, [0, 10, 49, 50, 60, 61, 72, -1, 2.5]) : randomValue(random),
    tags: chance(random, 0.6) ? pick(random, [['vip', 'beta'], [], ['DE', 'FR'], [1, 12, 60]]) : randomValue(random),
    title: pick(random, ['VP Sales', 'hello', '', '12', 'abc']),
    flag: randomValue(random),
    nothing: null,
    touchBase: pick(random, [0, 1, 3, 7]),
  };
}

/** Facts as a FactSource; `touches` depends on its params (a count, or a list when asked for one). */
function sourceOf(facts: Facts): FactSource {
  return {
    value(fact, params) {
      if (fact !== 'touches') return fact === 'missing' ? undefined : facts[fact];
      const base = facts.touchBase as number;
      if (params === undefined) return base;
      if (params.asList === true) return Array.from({ length: base }, (_, i) => i);
      const withinDays = typeof params.withinDays === 'number' ? params.withinDays : 0;
      const name = typeof params.name === 'string' ? params.name.length : 0;
      return base + (withinDays % 3) + name;
    },
  };
}

function randomPath(random: Random): string {
  if (chance(random, 0.1)) return '$';
  let path = '$';
  for (let steps = 1 + Math.floor(random() * 3); steps > 0; steps--) {
    const roll = random();
    if (roll < 0.25) path += `[${Math.floor(random() * 3)}]`;
    else {
      const key = pick(random, KEYS);
      path += /^[A-Za-z_$][\w$-]*$/.test(key) && roll < 0.8 ? `.${key}` : `['${key}']`;
    }
  }
  return path;
}

function randomParams(random: Random): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (chance(random, 0.6)) params.withinDays = pick(random, [7, 30, 90]);
  if (chance(random, 0.4)) params.name = pick(random, ['Webinar attended', 'Demo requested']);
  if (chance(random, 0.15)) params.asList = true;
  return params;
}

function randomOperator(random: Random): string {
  const decorators: string[] = [];
  for (let count = chance(random, 0.5) ? 0 : 1 + Math.floor(random() * 2); count > 0; count--) decorators.push(pick(random, ruleOperatorDecorators));
  return [...decorators, pick(random, ruleOperators)].join(':');
}

/** Values that suit the operator most of the time, so that most evaluations do not simply throw. */
function randomConstant(random: Random, operator: string): unknown {
  const wantsList = /(^|:)(in|notIn)$/.test(operator) || /someValue|everyValue/.test(operator);
  if (wantsList && chance(random, 0.85)) return Array.from({ length: Math.floor(random() * 4) }, () => pick(random, SCALARS));
  if (wantsList && chance(random, 0.6)) return pick(random, ['hello', 'DE FR', '']);
  return randomValue(random);
}

function randomLeaf(random: Random): LeafCondition {
  const operator = randomOperator(random);
  const value = chance(random, 0.15)
    ? { fact: pick(random, FACTS), ...(chance(random, 0.5) ? { path: randomPath(random) } : {}), ...(chance(random, 0.3) ? { params: randomParams(random) } : {}) }
    : randomConstant(random, operator);
  return {
    fact: pick(random, FACTS),
    operator,
    value,
    ...(chance(random, 0.45) ? { path: randomPath(random) } : {}),
    ...(chance(random, 0.25) ? { params: randomParams(random) } : {}),
  };
}

function randomNode(random: Random, depth: number): Condition {
  if (depth >= 3 || chance(random, 0.55)) return randomLeaf(random);
  return randomGroup(random, depth);
}

function randomGroup(random: Random, depth: number): TopLevelCondition {
  const roll = random();
  if (roll < 0.2) return { not: randomNode(random, depth + 1) };
  const children = Array.from({ length: Math.floor(random() * 5) }, () => randomNode(random, depth + 1));
  return roll < 0.6 ? { all: children } : { any: children };
}

type Outcome = { ok: true; result: ConditionResult } | { ok: false; error: unknown };

async function outcome(run: () => Promise<ConditionResult>): Promise<Outcome> {
  try {
    return { ok: true, result: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** JSON that shows undefined, NaN, infinities and -0, which a failure report must not hide. */
function show(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === undefined) return '<undefined>';
    if (typeof item === 'number' && !Number.isFinite(item)) return `<${item}>`;
    if (Object.is(item, -0)) return '<-0>';
    return item;
  });
}

function leavesOf(node: Condition): LeafCondition[] {
  if ('all' in node) return node.all.flatMap(leavesOf);
  if ('any' in node) return node.any.flatMap(leavesOf);
  if ('not' in node) return leavesOf(node.not);
  return [node];
}

describe('compiled evaluator against json-rules-engine', () => {
  it(`agrees on ${CONDITIONS * FACT_SETS_PER_CONDITION} generated (condition, facts) pairs`, async () => {
    const random = seededRandom(SEED);
    const reference = createJsonRulesEngineEvaluator();
    const compiled = createCompiledEvaluator();
    const disagreements: string[] = [];
    const seen = { holds: 0, fails: 0, thrown: 0, checks: 0, operators: new Set<string>(), decorators: new Set<string>(), paths: 0, missingFact: 0, references: 0, params: 0 };

    for (let n = 0; n < CONDITIONS; n++) {
      const condition = randomGroup(random, 0);
      const expected = reference.compile(condition);
      const actual = compiled.compile(condition);
      for (const leaf of leavesOf(condition)) {
        const parts = leaf.operator.split(':');
        seen.operators.add(parts.pop()!);
        for (const decorator of parts) seen.decorators.add(decorator);
      }

      for (let set = 0; set < FACT_SETS_PER_CONDITION; set++) {
        const facts = randomFacts(random);
        const source = sourceOf(facts);
        const want = await outcome(() => expected.evaluate(source));
        const got = await outcome(() => actual.evaluate(source));

        const agree = want.ok && got.ok ? isDeepStrictEqual(got.result, want.result) : !want.ok && !got.ok && (want.error as Error).name === (got.error as Error).name;
        if (!agree && disagreements.length < 5) {
          disagreements.push(
            `condition ${n}, fact set ${set}\n  condition: ${show(condition)}\n  facts:     ${show(facts)}\n` +
              `  json-rules-engine: ${want.ok ? show(want.result) : String(want.error)}\n  compiled:          ${got.ok ? show(got.result) : String(got.error)}`,
          );
        }
        if (!want.ok) seen.thrown++;
        else {
          if (want.result.holds) seen.holds++;
          else seen.fails++;
          for (const check of want.result.checks) {
            seen.checks++;
            if (check.path !== undefined) seen.paths++;
            if (check.params !== undefined) seen.params++;
            if (check.factValue === undefined) seen.missingFact++;
          }
        }
      }
      if (leavesOf(condition).some((leaf) => leaf.value !== null && typeof leaf.value === 'object' && 'fact' in leaf.value)) seen.references++;
    }

    if (process.env.DIFFERENTIAL_STATS) console.log(JSON.stringify({ ...seen, operators: seen.operators.size, decorators: seen.decorators.size }));
    expect(disagreements, disagreements.join('\n\n')).toEqual([]);
    // The generator reached what it is meant to reach.
    const pairs = CONDITIONS * FACT_SETS_PER_CONDITION;
    expect([...seen.operators].sort()).toEqual([...ruleOperators].sort());
    expect([...seen.decorators].sort()).toEqual([...ruleOperatorDecorators].sort());
    expect(seen.thrown).toBeLessThan(pairs * 0.3);
    expect(Math.min(seen.holds, seen.fails)).toBeGreaterThan(pairs * 0.2);
    expect(Math.min(seen.paths, seen.params, seen.missingFact)).toBeGreaterThan(seen.checks * 0.05);
    expect(seen.references).toBeGreaterThan(CONDITIONS * 0.1);
  }, 60_000);
});

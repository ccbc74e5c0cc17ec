/**
 * Rule-evaluator benchmark: the compiled evaluator against json-rules-engine (the reference), on
 * the same realistic journey conditions and the same generated leads, in the same run.
 *
 *   node bench/ruleEvaluators.ts            full run (about 35 s)
 *   node bench/ruleEvaluators.ts --quick    smoke run (about 8 s)
 *   node bench/ruleEvaluators.ts --json     also print the results as one JSON object, last line
 *
 * Runs alternate (json-rules-engine, compiled, then compiled, json-rules-engine, …) and each
 * figure is a median; the ratio compiled ÷ json-rules-engine is the figure to compare between
 * machines. Before timing, both evaluators must agree on every (condition, lead) pair. Nothing
 * here asserts a timing: the target is printed as PASS/MISS, exit code 0. See bench/README.md.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import { createCompiledEvaluator, createJsonRulesEngineEvaluator } from '../infra/rules/index.ts';
import type { CompiledCondition, FactSource, TopLevelCondition } from '../services/ports/index.ts';
import { median } from './benchMath.ts';
import { progress, progressDone, table } from './benchOutput.ts';

// ---------------------------------------------------------------------------------------------
// Settings

interface Settings {
  readonly leads: number;
  /** Measured (json-rules-engine, compiled) pairs. */
  readonly pairs: number;
  /** How long one measured run lasts. */
  readonly runMs: number;
  /** How long each evaluator runs each condition alone, for the per-condition table. */
  readonly perConditionMs: number;
}

const FULL: Settings = { leads: 2_000, pairs: 5, runMs: 1_500, perConditionMs: 150 };
const QUICK: Settings = { leads: 500, pairs: 3, runMs: 400, perConditionMs: 40 };

/** ≥ 50,000 lead-events/s for whole journeys leaves a few µs per event: one condition must cost well under that. */
const TARGET_COMPILED_MICROSECONDS = 2;

// ---------------------------------------------------------------------------------------------
// Realistic conditions, as journeys write them (../shared/JOURNEYS.md), and realistic leads.

const FREE_MAIL = ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'gmx.de', 'web.de', 'proton.me', 'aol.com', 'mail.ru'];

const CONDITIONS: readonly { readonly name: string; readonly when: TopLevelCondition }[] = [
  { name: 'trigger: country in list', when: { all: [{ fact: 'lead', path: '$.traits.country', operator: 'in', value: ['CN', 'SG', 'US'] }] } },
  { name: 'exit: stage in list', when: { all: [{ fact: 'lead', path: '$.stage', operator: 'in', value: ['sql', 'opportunity', 'customer'] }] } },
  { name: 'branch: fit score', when: { all: [{ fact: 'score', path: '$.fit', operator: 'greaterThanInclusive', value: 60 }] } },
  {
    name: 'contactable, owned, scored',
    when: {
      all: [
        { fact: 'score', path: '$.total', operator: 'greaterThan', value: 50 },
        { fact: 'lead', path: '$.doNotContact', operator: 'notEqual', value: true },
        { fact: 'lead', path: '$.ownerId', operator: 'notEqual', value: null },
      ],
    },
  },
  {
    name: 'touches with params (any)',
    when: {
      any: [
        { fact: 'touches', params: { name: 'Pricing Viewed', withinDays: 7 }, operator: 'greaterThanInclusive', value: 2 },
        { fact: 'touches', params: { name: 'Demo Requested', withinDays: 30 }, operator: 'greaterThanInclusive', value: 1 },
      ],
    },
  },
  {
    name: 'keyed wait: same webinar',
    when: { all: [{ fact: 'event', path: '$.properties.webinar_id', operator: 'equal', value: { fact: 'trigger', path: '$.properties.webinar_id' } }] },
  },
  { name: 'daysSince email click', when: { all: [{ fact: 'daysSince', params: { event: 'Email Clicked' }, operator: 'lessThan', value: 14 }] } },
  { name: 'no open suggestion', when: { all: [{ fact: 'suggestions', params: { journey: 'any' }, path: '$.open', operator: 'equal', value: 0 }] } },
  { name: 'tag contains vip', when: { all: [{ fact: 'lead', path: '$.tags', operator: 'contains', value: 'vip' }] } },
  { name: 'someFact tag in list', when: { all: [{ fact: 'lead', path: '$.tags', operator: 'someFact:in', value: ['enterprise', 'strategic'] }] } },
  {
    name: 'account industry and size',
    when: {
      all: [
        { fact: 'account', path: '$.traits.industry', operator: 'in', value: ['fintech', 'insurance', 'banking'] },
        { fact: 'account', path: '$.traits.employees', operator: 'greaterThanInclusive', value: 200 },
      ],
    },
  },
  { name: 'not free mail (10-item list)', when: { not: { fact: 'lead', path: '$.traits.email_domain', operator: 'in', value: FREE_MAIL } } },
  {
    name: 'band A and an event touch',
    when: {
      all: [
        { fact: 'score', path: '$.band', operator: 'equal', value: 'A' },
        {
          any: [
            { fact: 'touches', params: { channel: 'webinar', withinDays: 90 }, operator: 'greaterThanInclusive', value: 1 },
            { fact: 'touches', params: { channel: 'events', withinDays: 90 }, operator: 'greaterThanInclusive', value: 1 },
          ],
        },
      ],
    },
  },
  {
    name: 'reachable by phone',
    when: {
      all: [
        { fact: 'lead', path: "$.traits['first name']", operator: 'notEqual', value: '' },
        { fact: 'lead', path: '$.phone', operator: 'notEqual', value: null },
      ],
    },
  },
  {
    name: 'event is a webinar attendance',
    when: {
      all: [
        { fact: 'event', path: '$.name', operator: 'equal', value: 'Webinar Attended' },
        { fact: 'event', path: '$.channel', operator: 'in', value: ['webinar', 'events'] },
      ],
    },
  },
  {
    name: 'trigger plan and event seats',
    when: {
      all: [
        { fact: 'trigger', path: '$.properties.plan', operator: 'in', value: ['pro', 'enterprise'] },
        { fact: 'event', path: '$.properties.seats', operator: 'greaterThan', value: 10 },
      ],
    },
  },
  {
    name: 'stuck in mql, quiet',
    when: {
      all: [
        { fact: 'lead', path: '$.stage', operator: 'equal', value: 'mql' },
        { fact: 'daysSince', params: { event: 'Lifecycle Stage Changed' }, operator: 'greaterThan', value: 3 },
        { not: { fact: 'touches', params: { withinDays: 7 }, operator: 'greaterThanInclusive', value: 1 } },
      ],
    },
  },
  { name: 'engagement above fit (fact value)', when: { all: [{ fact: 'score', path: '$.engagement', operator: 'greaterThan', value: { fact: 'score', path: '$.fit' } }] } },
  { name: 'seniority in list', when: { any: [{ fact: 'lead', path: '$.traits.seniority', operator: 'in', value: ['vp', 'director', 'c-level'] }] } },
  {
    name: 'large: 9 leaves, depth 3',
    when: {
      all: [
        { fact: 'lead', path: '$.traits.country', operator: 'in', value: ['DE', 'AT', 'CH', 'US', 'GB'] },
        { fact: 'lead', path: '$.doNotContact', operator: 'equal', value: false },
        {
          any: [
            { fact: 'score', path: '$.fit', operator: 'greaterThanInclusive', value: 70 },
            { all: [{ fact: 'score', path: '$.engagement', operator: 'greaterThan', value: 40 }, { fact: 'touches', params: { withinDays: 14 }, operator: 'greaterThan', value: 3 }] },
          ],
        },
        {
          not: {
            any: [
              { fact: 'lead', path: '$.stage', operator: 'in', value: ['customer', 'churned'] },
              { fact: 'suggestions', path: '$.open', operator: 'greaterThan', value: 0 },
              { fact: 'lead', path: '$.tags', operator: 'contains', value: 'competitor' },
            ],
          },
        },
        { fact: 'account', path: '$.traits.employees', operator: 'greaterThan', value: 50 },
      ],
    },
  },
];

const DAY_MS = 86_400_000;
const NOW = Date.parse('2026-11-02T12:00:00Z');
const TOUCH_NAMES = ['Pricing Viewed', 'Demo Requested', 'Webinar Attended', 'Content Viewed', 'Email Clicked'];
const TOUCH_CHANNELS = ['web', 'email', 'webinar', 'events', 'ads'];

/** A deterministic pseudo-random sequence (mulberry32), so every run sees the same leads. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One lead's facts, served the way journeys/facts/factSource.ts serves them (touches counted per params). */
function generatedLead(random: () => number, n: number): FactSource {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const maybe = <T>(p: number, value: T): T | null => (random() < p ? value : null);
  const lead = {
    id: `lead-${n}`,
    stage: pick(['lead', 'mql', 'sql', 'opportunity', 'customer', null]),
    status: pick(['new', 'working', 'nurture']),
    ownerId: maybe(0.7, `rep-${n % 17}`),
    phone: maybe(0.5, '+49 30 1234567'),
    doNotContact: random() < 0.05,
    tags: Array.from({ length: Math.floor(random() * 4) }, () => pick(['vip', 'beta', 'enterprise', 'partner', 'strategic', 'competitor'])),
    traits: {
      country: pick(['DE', 'US', 'GB', 'FR', 'SG', 'CN', 'AT']),
      'first name': pick(['Ada', 'Grace', 'Linus', '']),
      seniority: pick(['vp', 'manager', 'director', 'c-level', 'ic']),
      email_domain: pick([...FREE_MAIL, 'acme.com', 'globex.io', 'initech.de', 'umbrella.co']),
      title: pick(['VP Sales', 'Head of Marketing', 'CTO', 'Engineer']),
    },
  };
  const fit = Math.floor(random() * 100);
  const engagement = Math.floor(random() * 100);
  const score = { fit, engagement, total: Math.round((fit + engagement) / 2), band: fit > 70 ? 'A' : fit > 40 ? 'B' : 'C' };
  const account = maybe(0.8, { traits: { industry: pick(['fintech', 'retail', 'insurance', 'saas', 'banking']), employees: Math.floor(random() * 2_000) }, leadCount: 1 + Math.floor(random() * 9) });
  const webinar = `wb-${Math.floor(random() * 4)}`;
  const trigger = { name: 'Webinar Attended', channel: 'webinar', properties: { webinar_id: webinar, plan: pick(['free', 'pro', 'enterprise']) } };
  const event = {
    name: pick(['Webinar Attended', 'Meeting Booked', 'Email Clicked']),
    channel: pick(TOUCH_CHANNELS),
    properties: { webinar_id: random() < 0.5 ? webinar : `wb-${Math.floor(random() * 4)}`, seats: Math.floor(random() * 40) },
  };
  const touches = Array.from({ length: 3 + Math.floor(random() * 12) }, () => ({ name: pick(TOUCH_NAMES), channel: pick(TOUCH_CHANNELS), at: NOW - Math.floor(random() * 120) * DAY_MS }));
  const lastAt = new Map<string, number>();
  for (const touch of touches) lastAt.set(touch.name, Math.max(lastAt.get(touch.name) ?? 0, touch.at));
  lastAt.set('Lifecycle Stage Changed', NOW - Math.floor(random() * 20) * DAY_MS);
  const suggestions = { count: Math.floor(random() * 3), open: random() < 0.3 ? 1 : 0, completed: 0, dismissed: 0, expired: 0, last: null };

  return {
    value(fact, params) {
      switch (fact) {
        case 'lead':
          return lead;
        case 'account':
          return account ?? undefined;
        case 'score':
          return score;
        case 'trigger':
          return trigger;
        case 'event':
          return event;
        case 'suggestions':
          return suggestions;
        case 'daysSince': {
          const at = typeof params?.event === 'string' ? lastAt.get(params.event) : undefined;
          return at === undefined ? undefined : (NOW - at) / DAY_MS;
        }
        case 'touches': {
          const since = typeof params?.withinDays === 'number' ? NOW - params.withinDays * DAY_MS : Number.NEGATIVE_INFINITY;
          let count = 0;
          for (const touch of touches) {
            if (touch.at >= since && (params?.name === undefined || touch.name === params.name) && (params?.channel === undefined || touch.channel === params.channel)) count++;
          }
          return count;
        }
        default:
          return undefined;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Side {
  readonly name: 'json-rules-engine' | 'compiled' | 'compiled (evaluateSync)';
  readonly conditions: readonly CompiledCondition[];
  /** Evaluate one (condition, lead): through the port's promise, or synchronously. */
  readonly evaluate: (condition: number, lead: FactSource) => unknown;
}

interface Run {
  readonly evaluations: number;
  readonly ms: number;
  readonly perSecond: number;
}

/**
 * Evaluates every condition for lead after lead, round robin, until the time is up. Promises are
 * awaited one by one, as the journey engine awaits a decision before the next.
 */
async function timedRun(side: Side, leads: readonly FactSource[], conditions: readonly number[], runMs: number): Promise<Run> {
  let evaluations = 0;
  let leadIndex = 0;
  const start = performance.now();
  let now = start;
  while (now - start < runMs) {
    const lead = leads[leadIndex]!;
    leadIndex = (leadIndex + 1) % leads.length;
    for (const condition of conditions) {
      const result = side.evaluate(condition, lead);
      if (result instanceof Promise) await result;
    }
    evaluations += conditions.length;
    if (evaluations % 64 < conditions.length) now = performance.now();
  }
  now = performance.now();
  return { evaluations, ms: now - start, perSecond: (evaluations / (now - start)) * 1_000 };
}


// ---------------------------------------------------------------------------------------------
// Output

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmt = (value: number): string => integer.format(value);
const times = (value: number): string => `${value.toFixed(1)}×`;
const micro = (perSecond: number): string => `${(1_000_000 / perSecond).toFixed(perSecond > 1_000_000 ? 3 : 2)} µs`;
const range = (values: readonly number[]): string => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;


// ---------------------------------------------------------------------------------------------
// Main

const USAGE =
  'usage: node bench/ruleEvaluators.ts [--quick] [--json]\n  --quick  fewer leads, shorter runs, a smoke run of about 8 s\n  --json   also print the results as one JSON object on the last line';

function readFlags(): { quick: boolean; json: boolean } {
  try {
    const { values } = parseArgs({
      options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    return { quick: values.quick, json: values.json };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

const flags = readFlags();
const settings = flags.quick ? QUICK : FULL;
const began = performance.now();
const random = seededRandom(2026);
const leads = Array.from({ length: settings.leads }, (_, n) => generatedLead(random, n));

const reference = createJsonRulesEngineEvaluator();
const compiledEvaluator = createCompiledEvaluator();
const referenceConditions = CONDITIONS.map(({ when }) => reference.compile(when));
const compiledConditions = CONDITIONS.map(({ when }) => compiledEvaluator.compile(when));
const sides = {
  reference: { name: 'json-rules-engine', conditions: referenceConditions, evaluate: (c, lead) => referenceConditions[c]!.evaluate(lead) } satisfies Side,
  compiled: { name: 'compiled', conditions: compiledConditions, evaluate: (c, lead) => compiledConditions[c]!.evaluate(lead) } satisfies Side,
  sync: { name: 'compiled (evaluateSync)', conditions: compiledConditions, evaluate: (c, lead) => compiledConditions[c]!.evaluateSync(lead) } satisfies Side,
};
const allConditions = CONDITIONS.map((_, index) => index);

// Both must agree on every pair before any timing means anything.
let agreed = 0;
let held = 0;
const disagreements: string[] = [];
for (const [c, { name }] of CONDITIONS.entries()) {
  progress(`checking agreement: ${name}`);
  for (const lead of leads) {
    const want = await referenceConditions[c]!.evaluate(lead);
    const got = compiledConditions[c]!.evaluateSync(lead);
    if (isDeepStrictEqual(want, got)) agreed++;
    else if (disagreements.length < 3) disagreements.push(`${name}: json-rules-engine ${JSON.stringify(want)} · compiled ${JSON.stringify(got)}`);
    if (want.holds) held++;
  }
}
const pairsChecked = CONDITIONS.length * leads.length;

// Warm-up: JIT and caches, both sides.
for (const side of [sides.reference, sides.compiled, sides.sync]) {
  progress(`warm-up: ${side.name}`);
  await timedRun(side, leads, allConditions, settings.runMs / 2);
}

// Alternating pairs: reference, compiled, sync, then sync, compiled, reference, …
const runs: Record<'reference' | 'compiled' | 'sync', Run[]> = { reference: [], compiled: [], sync: [] };
for (let pair = 0; pair < settings.pairs; pair++) {
  const order: (keyof typeof runs)[] = pair % 2 === 0 ? ['reference', 'compiled', 'sync'] : ['sync', 'compiled', 'reference'];
  for (const key of order) {
    progress(`pair ${pair + 1}/${settings.pairs}: ${sides[key].name}`);
    runs[key].push(await timedRun(sides[key], leads, allConditions, settings.runMs));
  }
}
const perSecond = {
  reference: median(runs.reference.map((r) => r.perSecond)),
  compiled: median(runs.compiled.map((r) => r.perSecond)),
  sync: median(runs.sync.map((r) => r.perSecond)),
};
const pairRatios = runs.compiled.map((run, i) => run.perSecond / runs.reference[i]!.perSecond);
const syncPairRatios = runs.sync.map((run, i) => run.perSecond / runs.reference[i]!.perSecond);
const ratio = median(pairRatios);
const syncRatio = median(syncPairRatios);

// Each condition alone, for the table: where the time goes.
const perCondition = [];
for (const [c, { name }] of CONDITIONS.entries()) {
  progress(`per condition: ${name}`);
  const figures: Record<'reference' | 'compiled' | 'sync', number> = { reference: 0, compiled: 0, sync: 0 };
  for (const key of ['reference', 'compiled', 'sync'] as const) figures[key] = (await timedRun(sides[key], leads, [c], settings.perConditionMs)).perSecond;
  const leaves = JSON.stringify(CONDITIONS[c]!.when).split('"operator"').length - 1;
  perCondition.push({ name, leaves, ...figures, ratio: figures.compiled / figures.reference });
}
progressDone();

const compiledMicroseconds = 1_000_000 / perSecond.compiled;
const pass = compiledMicroseconds <= TARGET_COMPILED_MICROSECONDS;
const cpus = os.cpus();
const elapsedSeconds = (performance.now() - began) / 1_000;

console.log(`Nudge rule-evaluator benchmark${flags.quick ? ' (--quick)' : ''}`);
console.log(`  node ${process.version} · ${cpus[0]?.model.trim() ?? 'unknown cpu'} × ${cpus.length} · ${os.platform()} ${os.arch()}`);
console.log(`  ${CONDITIONS.length} journey conditions × ${fmt(leads.length)} generated leads; every figure: median of ${settings.pairs} alternating runs of ${fmt(settings.runMs)} ms`);
console.log(
  `  agreement: ${fmt(agreed)} of ${fmt(pairsChecked)} (condition, lead) pairs give deep-equal results (${fmt(held)} hold)${disagreements.length > 0 ? ` — DISAGREE:\n    ${disagreements.join('\n    ')}` : ''}`,
);
console.log('');
console.log('All conditions, lead after lead (evaluate() awaited one at a time; evaluateSync without a promise)');
console.log(
  table(
    ['evaluator', 'evaluations/s', 'per evaluation', '÷ json-rules-engine', 'pairs min–max'],
    [
      ['json-rules-engine', fmt(perSecond.reference), micro(perSecond.reference), '1.0×', '—'],
      ['compiled', fmt(perSecond.compiled), micro(perSecond.compiled), times(ratio), range(pairRatios)],
      ['compiled (evaluateSync)', fmt(perSecond.sync), micro(perSecond.sync), times(syncRatio), range(syncPairRatios)],
    ],
  ),
);
console.log('');
console.log('Each condition alone (one run each, not alternated: read the ratios, not the digits)');
console.log(
  table(
    ['condition', 'leaves', 'json-rules-engine', 'compiled', 'evaluateSync', 'compiled ÷ jre'],
    perCondition.map((row) => [row.name, String(row.leaves), micro(row.reference), micro(row.compiled), micro(row.sync), times(row.ratio)]),
  ),
);
console.log('');
console.log('Target');
console.log(
  table(
    ['target', 'wanted', 'measured', 'result'],
    [['compiled: one condition, through evaluate()', `≤ ${TARGET_COMPILED_MICROSECONDS} µs`, micro(perSecond.compiled), pass ? 'PASS' : 'MISS']],
  ),
);
console.log('');
console.log(`  run took ${elapsedSeconds.toFixed(1)} s`);

if (flags.json) {
  const round = (value: number): number => Math.round(value * 1_000) / 1_000;
  console.log(
    JSON.stringify({
      benchmark: 'rule-evaluators',
      quick: flags.quick,
      node: process.version,
      cpu: cpus[0]?.model.trim() ?? null,
      cpus: cpus.length,
      platform: `${os.platform()} ${os.arch()}`,
      conditions: CONDITIONS.length,
      leads: leads.length,
      agreement: { agreed, pairs: pairsChecked },
      jsonRulesEngineEvaluationsPerSecond: Math.round(perSecond.reference),
      compiledEvaluationsPerSecond: Math.round(perSecond.compiled),
      compiledSyncEvaluationsPerSecond: Math.round(perSecond.sync),
      ratio: round(ratio),
      syncRatio: round(syncRatio),
      pairRatios: pairRatios.map(round),
      perCondition: perCondition.map((row) => ({
        name: row.name,
        leaves: row.leaves,
        jsonRulesEngineMicroseconds: round(1_000_000 / row.reference),
        compiledMicroseconds: round(1_000_000 / row.compiled),
        syncMicroseconds: round(1_000_000 / row.sync),
        ratio: round(row.ratio),
      })),
      target: { name: 'compiled: one condition, through evaluate()', microseconds: TARGET_COMPILED_MICROSECONDS, measured: round(compiledMicroseconds), pass },
      seconds: round(elapsedSeconds),
    }),
  );
}

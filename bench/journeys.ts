/**
 * Journey benchmark: lead-events handled per second by the journey engine (facts kept
 * incrementally, the interpreter, the shipped library journeys) with the compiled condition
 * evaluator, against the same run with json-rules-engine, in one process, alternating.
 *
 *   node bench/journeys.ts            full run (10,000 leads, about a minute on 2 cores)
 *   node bench/journeys.ts --quick    smoke run (2,000 leads, about 15 s)
 *   node bench/journeys.ts --json     also print the results as one JSON object, last line
 *   node bench/journeys.ts --profile  only the compiled evaluator, once (to run under --cpu-prof)
 *
 * A lead-event is one event of a lead's history taken through `JourneyEngine.handle` with
 * decisions on (plus the waits that fall due between events). Both evaluators must decide the
 * same events: the benchmark compares the outputs and says so. Nothing asserts a timing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createCompiledEvaluator, createJsonRulesEngineEvaluator } from '../infra/rules/index.ts';
import { parseJourneySource } from '../journeys/document/index.ts';
import { JourneyEngine } from '../journeys/runner/index.ts';
import { journeyLibraryDir } from '../journeys/library/index.ts';
import type { RecordedEvent } from '../services/core/index.ts';
import { deriveId } from '../services/core/index.ts';
import type { RuleEvaluator } from '../services/ports/index.ts';
import { median } from './benchMath.ts';
import { createRandom } from '../services/demo/random.ts';

const TARGET_EVENTS_PER_SECOND = 50_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// A deterministic B2B history: accounts of a few contacts, content, webinars, chats, demo
// requests, scores, stage changes and reps completing suggestions.

interface Draft {
  readonly stream: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly at: number;
}

const touchOf = (name: string, channel: string, at: number, properties: Record<string, unknown> = {}) => ({
  type: 'TouchRecorded',
  data: {
    messageId: `m-${at}-${name}`,
    call: 'track',
    name,
    pageName: null,
    channel,
    channelRule: 'bench',
    occurredAt: new Date(at).toISOString(),
    receivedAt: new Date(at).toISOString(),
    utm: { source: null, medium: null, campaign: null, term: null, content: null },
    clickIds: {},
    url: null,
    referrer: null,
    properties,
    anonymousId: null,
    userId: null,
    ip: null,
    userAgent: null,
  },
});

function history(leads: number, seed: number): RecordedEvent[] {
  const random = createRandom('bench-journeys', seed);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const drafts: Draft[] = [];
  for (let i = 0; i < leads; i++) {
    const stream = `lead-${i}`;
    let at = start + Math.floor(random.next() * 120 * DAY);
    const step = (maxDays: number) => (at += Math.floor(random.next() * maxDays * DAY) + 60_000);
    const push = (event: { type: string; data: Record<string, unknown> }) => drafts.push({ stream, ...event, at });
    push({ type: 'TraitsUpdated', data: { messageId: `t-${i}`, traits: { firstName: `Lead${i}`, title: 'Head of Marketing', country: ['US', 'SG', 'DE', 'CN'][i % 4] } } });
    push({ type: 'AccountAssociated', data: { messageId: `a-${i}`, accountId: `acct-${Math.floor(i / 3)}`, via: 'email_domain', groupId: null, domain: `a${Math.floor(i / 3)}.example`, name: `Account ${Math.floor(i / 3)}`, traits: { employees: Math.floor(random.next() * 1000) } } });
    push({ type: 'LeadScoreChanged', data: { fit: Math.floor(random.next() * 100), engagement: 10, total: 50, band: 'B' } });
    const touches = 8 + Math.floor(random.next() * 14);
    for (let t = 0; t < touches; t++) {
      step(4);
      const roll = random.next();
      if (roll < 0.45) push(touchOf('Content Viewed', 'content', at, { title: `Guide ${t}` }));
      else if (roll < 0.6) push(touchOf('Page Viewed', 'organic_search', at));
      else if (roll < 0.7) push(touchOf('Webinar Attended', 'webinar', at, { webinar_title: 'Pricing in 2027', webinar_id: 'w-1' }));
      else if (roll < 0.78) push(touchOf('Live Chat Conversation Ended', 'chat', at));
      else if (roll < 0.84) push(touchOf('Demo Requested', 'direct', at));
      else if (roll < 0.9) push(touchOf('Email Link Clicked', 'email', at));
      else if (roll < 0.95) push({ type: 'LifecycleStageChanged', data: { messageId: `s-${i}-${t}`, from: 'lead', to: 'opportunity', amount: 12_000, currency: 'USD' } });
      else push({ type: 'LeadScoreChanged', data: { fit: Math.floor(random.next() * 100), engagement: 40, total: 70, band: 'A' } });
    }
  }
  drafts.sort((a, b) => a.at - b.at);
  const revisions = new Map<string, number>();
  return drafts.map((draft, index) => {
    const revision = (revisions.get(draft.stream) ?? -1) + 1;
    revisions.set(draft.stream, revision);
    const occurredAt = new Date(draft.at).toISOString();
    return {
      id: deriveId('bench', String(index)),
      stream: draft.stream,
      revision,
      position: index + 100,
      type: draft.type,
      data: draft.data,
      metadata: { occurredAt, recordedAt: occurredAt, causationId: null, correlationId: null, schemaVersion: 1 },
    };
  });
}

function libraryEvents(): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  for (const file of readdirSync(journeyLibraryDir).filter((name) => name.endsWith('.yaml')).sort()) {
    const parsed = parseJourneySource(readFileSync(`${journeyLibraryDir}/${file}`, 'utf8'), { format: 'yaml', fileName: file });
    if (!parsed.ok) throw new Error(`${file} is not valid: ${parsed.issues.map((issue) => issue.message).join('; ')}`);
    const journeyId = parsed.journey.id;
    for (const [type, data] of [
      ['JourneyDraftSaved', { journeyId, version: 1, document: parsed.journey, source: '', savedBy: null }],
      ['JourneyPublished', { journeyId, version: 1, by: null }],
    ] as const) {
      const occurredAt = '2025-12-01T00:00:00.000Z';
      events.push({
        id: deriveId('bench-journey', journeyId, type),
        stream: `journey-${journeyId}`,
        revision: type === 'JourneyDraftSaved' ? 0 : 1,
        position: events.length + 1,
        type,
        data,
        metadata: { occurredAt, recordedAt: occurredAt, causationId: null, correlationId: null, schemaVersion: 1 },
      });
    }
  }
  return events;
}

// ---------------------------------------------------------------------------------------------

interface Run {
  readonly seconds: number;
  readonly leadEvents: number;
  readonly decided: number;
  readonly fingerprint: string;
  readonly byType: ReadonlyMap<string, number>;
}

async function runOnce(evaluator: RuleEvaluator, journeys: readonly RecordedEvent[], events: readonly RecordedEvent[]): Promise<Run> {
  const engine = new JourneyEngine({ evaluator });
  for (const event of journeys) await engine.handle(event, { decide: true });
  let decided = 0;
  let hash = 0;
  const byType = new Map<string, number>();
  const started = performance.now();
  for (const event of events) {
    const at = Date.parse(event.metadata.occurredAt);
    const due = engine.nextDueAt();
    const outputs = [...(due !== null && due <= at ? await engine.fireTimers(at) : []), ...(await engine.handle(event, { decide: true }))];
    for (const output of outputs) {
      decided += output.events.length;
      for (const out of output.events) {
        hash = (Math.imul(hash, 31) + out.id.charCodeAt(0) + out.id.charCodeAt(35)) | 0;
        byType.set(out.type, (byType.get(out.type) ?? 0) + 1);
      }
    }
  }
  const seconds = (performance.now() - started) / 1_000;
  return { seconds, leadEvents: events.length, decided, fingerprint: `${decided}:${hash}`, byType };
}


const fmt = (value: number): string => Math.round(value).toLocaleString('en-US');

async function main(): Promise<void> {
  const { values: flags } = parseArgs({ options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, profile: { type: 'boolean', default: false } } });
  const leads = flags.quick ? 2_000 : 10_000;
  const pairs = flags.quick ? 2 : 3;
  const journeys = libraryEvents();
  const events = history(leads, 42);
  console.log(`Nudge journey benchmark${flags.quick ? ' (--quick)' : ''}: ${journeys.length / 2} library journeys, ${fmt(leads)} leads, ${fmt(events.length)} lead-events`);

  if (flags.profile) {
    const run = await runOnce(createCompiledEvaluator(), journeys, events);
    console.log(`compiled: ${fmt(run.leadEvents / run.seconds)} lead-events/s; decided events by type:`);
    for (const [type, count] of [...run.byType].sort((a, b) => b[1] - a[1])) console.log(`  ${type.padEnd(22)}${fmt(count).padStart(10)}`);
    return;
  }
  // Warm-up: JIT both paths once on a slice.
  await runOnce(createCompiledEvaluator(), journeys, events.slice(0, 5_000));
  await runOnce(createJsonRulesEngineEvaluator(), journeys, events.slice(0, 5_000));

  const compiled: Run[] = [];
  const reference: Run[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? (['compiled', 'jre'] as const) : (['jre', 'compiled'] as const);
    for (const which of order) {
      const run = await runOnce(which === 'compiled' ? createCompiledEvaluator() : createJsonRulesEngineEvaluator(), journeys, events);
      (which === 'compiled' ? compiled : reference).push(run);
    }
  }
  const rate = (runs: readonly Run[]) => median(runs.map((run) => run.leadEvents / run.seconds));
  const ratios = compiled.map((run, i) => reference[i]!.seconds / run.seconds);
  const compiledRate = rate(compiled);
  const referenceRate = rate(reference);
  const agree = new Set([...compiled, ...reference].map((run) => run.fingerprint)).size === 1;

  console.log('');
  console.log('  evaluator           lead-events/s   decided events');
  console.log(`  compiled         ${fmt(compiledRate).padStart(15)}   ${fmt(compiled[0]!.decided).padStart(14)}`);
  console.log(`  json-rules-engine${fmt(referenceRate).padStart(15)}   ${fmt(reference[0]!.decided).padStart(14)}`);
  console.log('');
  console.log(`  compiled / json-rules-engine: ${median(ratios).toFixed(2)}× (pairs ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
  console.log(`  same decisions from both evaluators: ${agree ? 'yes' : 'NO — a bug: the evaluators disagree'}`);
  console.log(`  target ≥ ${fmt(TARGET_EVENTS_PER_SECOND)} lead-events/s with the compiled evaluator: ${compiledRate >= TARGET_EVENTS_PER_SECOND ? 'PASS' : 'MISS'}`);
  if (flags.json) {
    console.log(
      JSON.stringify({
        leads,
        leadEvents: events.length,
        compiledEventsPerSecond: compiledRate,
        jsonRulesEngineEventsPerSecond: referenceRate,
        ratio: median(ratios),
        decided: compiled[0]!.decided,
        agree,
      }),
    );
  }
}

await main();

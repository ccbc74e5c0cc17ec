/**
 * Back-testing benchmark: how long `simulateJourney` takes to replay a realistic store through
 * each shipped journey, against a bare `store.readAll` pass over the same store in the same run
 * (the floor: reading and parsing every event).
 *
 *   node bench/simulation.ts            full run: 10,000 demo leads × 180 days (about 2 minutes, mostly ingestion)
 *   node bench/simulation.ts --quick    smoke run: 2,000 leads × 180 days (about 20 s)
 *   node bench/simulation.ts --json     also print the results as one JSON object, last line
 *
 * The store is built as a user builds one: `nudge demo generate`'s generator (services/demo),
 * then the real ingestion path (`openIngestion`: validation, identity, the lead index) into a
 * fresh data folder under os.tmpdir(), removed at the end. It uses NUDGE_SQLITE_SYNCHRONOUS=normal
 * to spend less time on the set-up; the reads measured do not depend on it. Nothing asserts a
 * timing: the report says whether each journey stayed under the one-minute goal.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createCompiledEvaluator } from '../infra/rules/index.ts';
import type { JourneyDocument } from '../journeys/document/index.ts';
import { parseJourneySource } from '../journeys/document/index.ts';
import { journeyLibraryDir } from '../journeys/library/index.ts';
import type { SimulationReport } from '../journeys/simulation/index.ts';
import { simulateJourney } from '../journeys/simulation/index.ts';
import { loadConfig } from '../services/config/index.ts';
import { buildDemoWorld, demoMessages } from '../services/demo/index.ts';
import type { IngestReport } from '../services/ingest/index.ts';
import { openEventStore, openIngestion } from '../services/main.ts';
import type { EventStore } from '../services/ports/index.ts';
import { median } from './benchMath.ts';

const DAYS = 180;
const SEED = 7;
const START = new Date('2025-07-01T00:00:00Z');
const GOAL_SECONDS = 60;
/** Ingestion set-up this long is worth saying out loud. */
const SLOW_INGEST_SECONDS = 180;
const BATCH = 500;
const PAGE = 5_000;

const fmt = (value: number): string => Math.round(value).toLocaleString('en-US');


/** Generates the demo history and ingests it, two batches in flight, as `nudge ingest` does. */
async function buildStore(dataDir: string, leads: number): Promise<{ messages: number; events: number; seconds: number }> {
  const config = loadConfig({ NUDGE_DATA_DIR: dataDir, NUDGE_SQLITE_SYNCHRONOUS: 'normal' });
  const ingestion = await openIngestion(config);
  const started = performance.now();
  let messages = 0;
  let quarantined = 0;
  const add = (report: IngestReport): void => {
    if (report.failed.length > 0) throw report.failed[0]!.error;
    quarantined += report.quarantined.length;
  };
  try {
    const world = buildDemoWorld({ leads, days: DAYS, seed: SEED, start: START });
    let batch: unknown[] = [];
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async (): Promise<void> => {
      const sent = batch;
      batch = [];
      const previous = inFlight;
      inFlight = (async () => {
        const report = await ingestion.service.batch({ batch: sent }, { source: 'bench', writeKeyHint: null });
        await previous;
        add(report);
      })();
      await previous;
    };
    for (const message of demoMessages(world)) {
      messages++;
      batch.push(message);
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    await inFlight;
  } finally {
    await ingestion.close();
  }
  if (quarantined > 0) throw new Error(`${quarantined} demo messages were quarantined: the generator and ingestion disagree`);
  const store = openEventStore(config, { readOnly: true });
  const events = await store.headPosition();
  await store.close();
  return { messages, events, seconds: (performance.now() - started) / 1_000 };
}

/** The floor: every event read and parsed, in the same pages the simulation reads. */
async function readAllPass(store: EventStore): Promise<{ events: number; seconds: number }> {
  const started = performance.now();
  let events = 0;
  for (let after = 0; ; ) {
    const page = await store.readAll({ after, limit: PAGE });
    events += page.length;
    if (page.length < PAGE) break;
    after = page.at(-1)!.position;
  }
  return { events, seconds: (performance.now() - started) / 1_000 };
}

function library(): JourneyDocument[] {
  return readdirSync(journeyLibraryDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const parsed = parseJourneySource(readFileSync(join(journeyLibraryDir, file), 'utf8'), { fileName: file });
      if (!parsed.ok) throw new Error(`${file} is not valid: ${parsed.issues.map((issue) => issue.message).join('; ')}`);
      return parsed.journey;
    });
}

interface JourneyRun {
  readonly journeyId: string;
  readonly seconds: number;
  readonly eventsRead: number;
  readonly eventsReplayed: number;
  readonly eventsPerSecond: number;
  readonly entries: number;
  readonly suggestions: number;
  readonly ratioToRead: number;
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({ options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
  const leads = flags.quick ? 2_000 : 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'nudge-bench-simulation-'));
  const cleanUp = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    console.log(`Nudge back-testing benchmark${flags.quick ? ' (--quick)' : ''}: ${fmt(leads)} demo leads × ${DAYS} days (seed ${SEED}), Node ${process.versions.node}`);
    const built = await buildStore(join(dir, 'data'), leads);
    console.log(
      `  set-up: ${fmt(built.messages)} Segment messages ingested into ${fmt(built.events)} events in ${built.seconds.toFixed(1)} s (${fmt(built.messages / built.seconds)} messages/s)` +
        (built.seconds > SLOW_INGEST_SECONDS ? `: slower than ${SLOW_INGEST_SECONDS / 60} minutes` : ''),
    );

    const store = openEventStore(loadConfig({ NUDGE_DATA_DIR: join(dir, 'data') }), { readOnly: true });
    const evaluator = createCompiledEvaluator();
    const from = START;
    const to = new Date(START.getTime() + DAYS * 86_400_000);
    const journeys = library();
    try {
      // Warm-up: the first read fills the page cache, the first simulation JITs the engine.
      await readAllPass(store);
      await simulateJourney({ store, evaluator, document: journeys[0]!, from, to: new Date(from.getTime() + 7 * 86_400_000) });

      const reads: number[] = [];
      const runs: JourneyRun[] = [];
      for (const document of journeys) {
        const read = await readAllPass(store);
        reads.push(read.seconds);
        const started = performance.now();
        const report: SimulationReport = await simulateJourney({ store, evaluator, document, from, to });
        const seconds = (performance.now() - started) / 1_000;
        runs.push({
          journeyId: document.id,
          seconds,
          eventsRead: report.eventsRead,
          eventsReplayed: report.eventsReplayed,
          eventsPerSecond: report.eventsRead / seconds,
          entries: report.entries,
          suggestions: report.suggestions.total,
          ratioToRead: seconds / read.seconds,
        });
      }
      const readSeconds = median(reads);
      const events = runs[0]!.eventsRead;

      console.log('');
      console.log(`  bare readAll (pages of ${fmt(PAGE)}): ${fmt(events)} events in ${readSeconds.toFixed(2)} s (${fmt(events / readSeconds)} events/s, median of ${reads.length})`);
      console.log('');
      console.log('  journey                    events replayed   entries   suggestions   seconds     events/s   simulation/read');
      for (const run of runs) {
        console.log(
          `  ${run.journeyId.padEnd(25)}  ${fmt(run.eventsReplayed).padStart(15)}  ${fmt(run.entries).padStart(8)}  ${fmt(run.suggestions).padStart(12)}  ${run.seconds.toFixed(2).padStart(8)}  ${fmt(run.eventsPerSecond).padStart(11)}  ${`${run.ratioToRead.toFixed(2)}×`.padStart(16)}`,
        );
      }
      const slowest = Math.max(...runs.map((run) => run.seconds));
      console.log('');
      console.log(`  goal: each journey over the whole period in under ${GOAL_SECONDS} s: ${slowest < GOAL_SECONDS ? 'PASS' : 'MISS'} (slowest ${slowest.toFixed(1)} s)`);
      if (flags.json) {
        console.log(JSON.stringify({ leads, days: DAYS, messages: built.messages, events: built.events, ingestSeconds: built.seconds, readAllSeconds: readSeconds, journeys: runs }));
      }
    } finally {
      await store.close();
    }
  } finally {
    cleanUp();
  }
}

await main();

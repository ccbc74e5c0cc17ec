/**
 * The Kafka ingest path, end to end: Segment messages published to the ingest topic (as the API
 * publishes them: CloudEvents, keyed by person) while an ingest worker consumes them into a real
 * event store and lead index (SQLite, synchronous=FULL as in production), against the raw rate at
 * which a plain kafkajs consumer group reads the same topic in the same run. The Kafka peer is
 * librdkafka's mock cluster (test/support/kafka), so both sides pay the same broker. The producer
 * runs in a thread of its own (in production it is the API tier, another process), so the ingest
 * worker has this process's main thread as it would have its own.
 *
 *   node bench/kafka.ts            full run (100,000 messages)
 *   node bench/kafka.ts --quick    smoke run (20,000 messages)
 *   node bench/kafka.ts --json     also print the results as one JSON object, last line
 *
 * Nothing asserts a timing: the target is printed as PASS/MISS, exit code 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaIngestLog } from '../infra/kafka/index.ts';
import { createSqliteEventStore, createSqliteLeadIndex } from '../infra/sqlite/index.ts';
import { createIngestPipeline, defaultChannelRules, IngestWorker, receiveMessage, recordOf } from '../services/ingest/index.ts';
import { parseSegmentMessage } from '../services/ingest/index.ts';
import { defaultLeadSettings } from '../services/leads/index.ts';
import { kafkaMockAvailable, startKafkaMock } from '../test/support/kafka/index.ts';
import { table } from './benchOutput.ts';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
const MESSAGES = args.quick ? 20_000 : 100_000;
const USERS = 5_000;
const PARTITIONS = 6;
/** Most records published and not yet handled: about 3 MB a partition, inside the mock's ~5 MB. */
const MAX_AHEAD = 24_000;
const PUBLISH_BATCH = 500;
const TARGET_RATIO = 0.4;
const TOPIC = 'bench.ingest';
const DLQ = 'bench.ingest.dead-letter';

const available = kafkaMockAvailable();
if (!available.ok) {
  console.log(`bench/kafka needs librdkafka's mock cluster: ${available.reason}`);
  process.exit(0);
}

const UTM = [
  { source: 'google', medium: 'cpc', name: 'q3-enterprise-push' },
  { source: 'linkedin', medium: 'paid_social', name: 'abm-fintech-tier1' },
  { source: 'newsletter', medium: 'email', name: 'october-digest' },
];
const EVENTS = ['Pricing Viewed', 'Webinar Registered', 'Content Downloaded', 'Email Link Clicked'];

function message(n: number): Record<string, unknown> {
  const utm = UTM[n % UTM.length]!;
  return {
    type: 'track',
    messageId: `bench-kafka-${n}`,
    userId: `user-${n % USERS}`,
    event: EVENTS[n % EVENTS.length],
    properties: { path: '/pricing', plan: 'growth' },
    context: { campaign: utm, page: { url: `https://www.example.com/pricing?utm_source=${utm.source}`, referrer: 'https://www.google.com/' }, userAgent: 'Mozilla/5.0 (bench)' },
    timestamp: new Date(Date.UTC(2026, 10, 1) + n * 1_000).toISOString(),
  };
}

/** The producer's thread: publishes the messages as the API does, at most MAX_AHEAD ahead of the worker. */
async function publish(): Promise<void> {
  const { brokers, handled, messages } = workerData as { brokers: string[]; handled: Int32Array; messages: number };
  const log = createKafkaIngestLog({ brokers, topic: TOPIC, deadLetterTopic: DLQ, groupId: 'bench-publisher' });
  const started = performance.now();
  const receivedAt = new Date();
  let published = 0;
  for (let n = 0; n < messages; n += PUBLISH_BATCH) {
    const records = [];
    for (let i = n; i < Math.min(messages, n + PUBLISH_BATCH); i++) {
      const parsed = parseSegmentMessage(message(i));
      if (!parsed.ok) throw new Error(`bench message ${i} is invalid: ${JSON.stringify(parsed.issues)}`);
      records.push(recordOf(receiveMessage(parsed.message, receivedAt), '/bench'));
    }
    await log.publish(records);
    published += records.length;
    // The mock cluster keeps about 5 MB a partition and drops older records even when no group has
    // consumed them (as a real broker's retention.bytes would): stay at most MAX_AHEAD records
    // ahead of the worker, so every record is still there when the worker comes to it.
    while (published - Atomics.load(handled, 0) > MAX_AHEAD) await delay(5);
  }
  await log.close();
  parentPort!.postMessage({ published, ms: performance.now() - started });
}

/** The measurement, on the main thread. */
async function measure(): Promise<void> {
  const cluster = await startKafkaMock({ topics: [{ name: TOPIC, partitions: PARTITIONS }, { name: DLQ, partitions: 1 }] });
  const dir = mkdtempSync(join(os.tmpdir(), 'nudge-bench-kafka-'));
  try {
    console.log(`bench/kafka: ${MESSAGES.toLocaleString('en-US')} Segment track calls (${USERS.toLocaleString('en-US')} people) through ${TOPIC} (${PARTITIONS} partitions) on librdkafka's mock cluster; ${os.cpus().length} cores`);

    // 1. End to end: publish while one ingest worker stores.
    const log = createKafkaIngestLog({ brokers: cluster.brokers, topic: TOPIC, deadLetterTopic: DLQ, groupId: 'bench-nudge', sessionTimeoutMs: 6_000 });
    const store = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'full' });
    const index = createSqliteLeadIndex({ path: join(dir, 'leads.db') });
    const pipeline = createIngestPipeline({ store, index, settings: defaultLeadSettings, channelRules: defaultChannelRules });
    // What the worker handled, for the producer's thread to stay within MAX_AHEAD of it.
    const handled = new Int32Array(new SharedArrayBuffer(4));
    const worker = new IngestWorker({ log, pipeline, onBatch: (tally) => Atomics.store(handled, 0, tally.records) });
    const stop = new AbortController();
    const working = worker.run(stop.signal);
    // Let the worker join its group first: the join is not part of the rate.
    while ((await log.backlog().catch(() => -1)) < 0) await delay(100);
    await delay(4_000);

    // A worker that stops (its consumer crashed) ends the run with its error instead of a wait forever.
    let workerError: unknown = null;
    void working.catch((error: unknown) => (workerError = error ?? new Error('the ingest worker stopped')));

    const started = performance.now();
    const publisher = new Worker(new URL(import.meta.url), { workerData: { brokers: cluster.brokers, handled, messages: MESSAGES } });
    const publishing = new Promise<{ published: number; ms: number }>((resolve, reject) => {
      publisher.once('message', resolve);
      publisher.once('error', reject);
      publisher.once('exit', (code) => reject(new Error(`the publisher thread exited (${code}) before it was done`)));
    });
    const { published } = await Promise.race([publishing, working.then(() => Promise.reject(new Error('the ingest worker stopped')))]);
    const publishedMs = performance.now() - started;
    let lastProgress = performance.now();
    let lastRecords = worker.tally.records;
    while (worker.tally.records < MESSAGES) {
      if (workerError !== null) throw workerError instanceof Error ? workerError : new Error(`the ingest worker stopped: ${JSON.stringify(workerError)}`);
      if (worker.tally.records !== lastRecords) [lastRecords, lastProgress] = [worker.tally.records, performance.now()];
      if (performance.now() - lastProgress > 30_000) throw new Error(`the ingest worker handled no record for 30 s (${lastRecords} of ${MESSAGES}; backlog ${await log.backlog().catch(() => '?')})`);
      await delay(20);
    }
    const endToEndMs = performance.now() - started;
    await publisher.terminate();
    stop.abort();
    await working;
    await log.close();
    const stored = (await store.headPosition());
    const tally = worker.tally;
    await index.close();
    await store.close();

    // 2. The raw rate: a plain kafkajs consumer group reads the same topic from the start, that is
    // the records the mock cluster still keeps (about 5 MB a partition; the oldest are gone).
    const kafka = new Kafka({ clientId: 'bench-raw', brokers: cluster.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const retained = (await admin.fetchTopicOffsets(TOPIC)).reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: 'bench-raw', sessionTimeout: 6_000 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let consumed = 0;
    let firstAt = 0;
    const rawDone = new Promise<number>((resolve) => {
      void consumer.run({
        autoCommit: true,
        eachBatch: async ({ batch }) => {
          if (firstAt === 0) firstAt = performance.now();
          // What any consumer does at least: read each record's value as JSON.
          for (const record of batch.messages) JSON.parse(record.value!.toString('utf8'));
          consumed += batch.messages.length;
          if (consumed >= retained) resolve(performance.now());
        },
      });
    });
    const rawEnd = await rawDone;
    await consumer.disconnect();
    const rawMs = rawEnd - firstAt;

    const rate = (count: number, ms: number): number => Math.round((count / ms) * 1_000);
    const endToEndRate = rate(tally.stored + tally.duplicate + tally.unchanged, endToEndMs);
    const rawRate = rate(consumed, rawMs);
    const ratio = endToEndRate / rawRate;
    const n = (value: number): string => value.toLocaleString('en-US');
    console.log('');
    console.log(
      table(
        ['path', 'messages', 'seconds', 'messages/s'],
        [
          ['publish (kafkajs producer in its own thread, acks=all, 500 a send)', n(published), (publishedMs / 1_000).toFixed(1), n(rate(published, publishedMs))],
          ['end to end: publish → ingest worker → event store', n(tally.records), (endToEndMs / 1_000).toFixed(1), n(endToEndRate)],
          ['raw kafkajs consume of the same topic (JSON.parse each)', n(consumed), (rawMs / 1_000).toFixed(1), n(rawRate)],
        ],
      ),
    );
    console.log(`\nstored: ${n(tally.stored)} messages (${n(stored)} events in the store), ${n(tally.duplicate)} duplicate, ${n(tally.unchanged)} unchanged, ${n(tally.deadLettered)} dead-lettered`);
    console.log(`\nTarget (from the issue): end to end ≥ ${TARGET_RATIO}× the raw consume rate: measured ${ratio.toFixed(2)}× → ${ratio >= TARGET_RATIO ? 'PASS' : 'MISS'}`);
    if (args.json) console.log(JSON.stringify({ messages: MESSAGES, publishPerSecond: rate(published, publishedMs), endToEndPerSecond: endToEndRate, rawConsumePerSecond: rawRate, ratio, target: TARGET_RATIO, stored: tally.stored, events: stored }));
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMainThread) await measure();
else await publish();

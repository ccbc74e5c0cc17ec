/**
 * The Kafka ingest path end to end on a real Kafka protocol peer (librdkafka's mock cluster):
 * the API's side publishes (IngestService → IngestLogSink), a consumer group of two ingest
 * workers — each with its own store and lead-index connections, as two processes have — stores.
 * Given a worker that crashes after appending and before committing, nothing is lost and nothing
 * is stored twice; an invalid message goes to the dead-letter topic; a person's messages keep
 * their order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaIngestLog } from '../../infra/kafka/index.ts';
import { createSqliteEventStore, createSqliteLeadIndex, createSqliteQuarantine } from '../../infra/sqlite/index.ts';
import type { MessageSink } from '../../services/ingest/index.ts';
import { createIngestPipeline, defaultChannelRules, IngestLogSink, IngestService, IngestWorker } from '../../services/ingest/index.ts';
import { defaultLeadSettings } from '../../services/leads/index.ts';
import type { EventStore, IngestLog } from '../../services/ports/index.ts';
import type { KafkaMock } from '../support/kafka/index.ts';
import { kafkaMockAvailable, mockGroupAssigners, startKafkaMock } from '../support/kafka/index.ts';

const available = kafkaMockAvailable();
if (!available.ok) console.warn(`skipping the Kafka ingest worker test: ${available.reason}`);

const TOPIC = 'nudge.ingest';
const DLQ = 'nudge.ingest.dead-letter';
const USERS = 6;
const PER_USER = 15;

describe.skipIf(!available.ok)('ingest workers on Kafka (a consumer group of two)', () => {
  let cluster: KafkaMock;
  let dir: string;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    cluster = await startKafkaMock({ topics: [{ name: TOPIC, partitions: 6 }, { name: DLQ, partitions: 1 }] });
    dir = mkdtempSync(join(tmpdir(), 'nudge-kafka-workers-'));
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function kafkaLog(): IngestLog {
    const log = createKafkaIngestLog({ brokers: cluster.brokers, topic: TOPIC, deadLetterTopic: DLQ, groupId: 'workers', sessionTimeoutMs: 6_000, partitionAssigners: mockGroupAssigners });
    closers.push(() => log.close());
    return log;
  }

  /** What one worker process opens: its own connections to the store and the lead index. */
  function workerProcess(): { store: EventStore; pipeline: ReturnType<typeof createIngestPipeline>; log: IngestLog } {
    const store = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' });
    const index = createSqliteLeadIndex({ path: join(dir, 'leads.db') });
    closers.push(async () => {
      await index.close();
      await store.close();
    });
    return { store, pipeline: createIngestPipeline({ store, index, settings: defaultLeadSettings, channelRules: defaultChannelRules }), log: kafkaLog() };
  }

  it('stores every message once though a worker crashes between append and commit; a person keeps their order; an invalid message goes to the dead-letter topic', async () => {
    // The API's side: validate, publish, answer `accepted`.
    const quarantine = createSqliteQuarantine({ path: join(dir, 'quarantine.db') });
    closers.push(() => quarantine.close());
    const api = new IngestService({ pipeline: new IngestLogSink(kafkaLog()), quarantine });
    const messages = Array.from({ length: USERS * PER_USER }, (_, i) => ({
      type: 'track',
      messageId: `kafka-${i}`,
      userId: `user-${i % USERS}`,
      event: 'Pricing Viewed',
      properties: { n: Math.floor(i / USERS) },
      timestamp: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
    }));
    for (let i = 0; i < messages.length; i += 30) {
      const report = await api.batch({ batch: messages.slice(i, i + 30) }, { source: 'test', writeKeyHint: null });
      expect(report).toMatchObject({ accepted: 30, stored: 0, failed: [] });
    }
    // A producer other than Nudge publishes a track without an event name.
    const kafka = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      messages: [{ key: 'userId:user-0', value: JSON.stringify({ type: 'track', userId: 'user-0', messageId: 'poison-1' }), headers: { ce_specversion: '1.0', ce_id: 'poison-1', ce_source: '/crm-sync', ce_type: 'segment.track', ce_time: '2026-11-01T00:00:00Z', 'content-type': 'application/json' } }],
    });
    await producer.disconnect();

    // Worker A appends its first batch, then dies before the commit (the process is gone).
    const a = workerProcess();
    const stopA = new AbortController();
    let crashed = false;
    const crashing: MessageSink = {
      async submit(received) {
        const outcomes = await a.pipeline.submit(received);
        if (!crashed && outcomes.some((outcome) => outcome.status === 'stored')) {
          crashed = true;
          stopA.abort();
          throw new Error('killed between append and commit');
        }
        return outcomes;
      },
    };
    const runningA = new IngestWorker({ log: a.log, pipeline: crashing }).run(stopA.signal).catch(() => undefined);
    const b = workerProcess();
    const stopB = new AbortController();
    const workerB = new IngestWorker({ log: b.log, pipeline: b.pipeline });
    const runningB = workerB.run(stopB.signal);

    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && (!crashed || (await b.log.backlog()) > 0)) await delay(250);
    stopB.abort();
    await Promise.all([runningA, runningB]);
    expect(crashed).toBe(true);
    expect(await b.log.backlog()).toBe(0);

    const events = await b.store.readAll({ limit: 100_000 });
    const touches = events.filter((event) => event.type === 'TouchRecorded');
    const ids = touches.map((event) => (event.data as { messageId: string }).messageId);
    expect(ids.sort()).toEqual(messages.map((message) => message.messageId).sort());
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    // Worker B took over the crashed batch: what A had stored came again as duplicates.
    expect(workerB.tally.duplicate).toBeGreaterThan(0);
    for (let user = 0; user < USERS; user++) {
      const order = touches
        .filter((event) => event.stream === touches.find((t) => (t.data as { messageId: string }).messageId === `kafka-${user}`)!.stream)
        .map((event) => ((event.data as { properties?: { n?: number } }).properties?.n ?? -1));
      expect(order).toEqual([...order].sort((x, y) => x - y));
      expect(order).toHaveLength(PER_USER);
    }

    // The poison message is on the dead-letter topic with the reason and where it came from.
    const consumer = kafka.consumer({ groupId: 'dlq-reader', sessionTimeout: 6_000 });
    await consumer.connect();
    await consumer.subscribe({ topic: DLQ, fromBeginning: true });
    const dead = await new Promise<{ value: string; headers: Record<string, string> }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) =>
          resolve({ value: message.value!.toString('utf8'), headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) }),
      });
    });
    await consumer.disconnect();
    expect(JSON.parse(dead.value)).toEqual({ type: 'track', userId: 'user-0', messageId: 'poison-1' });
    expect(dead.headers['nudge-error']).toMatch(/^event: /);
    expect(dead.headers['ce_source']).toBe('/crm-sync');
    expect(dead.headers['nudge-source-topic']).toBe(TOPIC);
    expect(dead.headers['nudge-source-offset']).toMatch(/^\d+$/);
  }, 150_000);
});

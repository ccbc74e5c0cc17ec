import { Kafka, logLevel } from 'kafkajs';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaIngestLog } from '../../infra/kafka/index.ts';
import type { StartedKafka } from '../support/containers.ts';
import { CONTAINER_STARTUP_MS, containerRuntime, images, startKafka } from '../support/containers.ts';
import type { KafkaMock } from '../support/kafka/index.ts';
import { kafkaMockAvailable, mockGroupAssigners, startKafkaMock } from '../support/kafka/index.ts';
import type { DeliveredRecord, IngestRecord, RecordVerdict } from '../../services/ports/index.ts';
import type { IngestLogFixture } from './ingestLog.contract.ts';
import { ingestLogContract } from './ingestLog.contract.ts';

/**
 * The Kafka ingest log's contract, on a real Kafka protocol peer: librdkafka's mock cluster here
 * (a fresh cluster per test), or the broker in KAFKA_TEST_BROKERS (a real Kafka, e.g. from
 * docker compose; fresh topics per test). Skips, saying why, when neither can run.
 *
 * Without KAFKA_TEST_BROKERS and with a container runtime, the contract also runs against a real
 * Kafka (apache/kafka, KRaft) that testcontainers starts for this file (fresh topics per test);
 * without a runtime that second suite skips and says why.
 */
const realBrokers = process.env.KAFKA_TEST_BROKERS?.split(',').map((broker) => broker.trim()).filter((broker) => broker !== '');
const mock = realBrokers === undefined || realBrokers.length === 0 ? kafkaMockAvailable() : ({ ok: true } as const);
let n = 0;

if (!mock.ok) {
  describe('IngestLog contract: Kafka', () => {
    it.skip(`needs librdkafka's mock cluster (${mock.reason}) or KAFKA_TEST_BROKERS`, () => undefined);
  });
  console.warn(`skipping the Kafka ingest log contract: ${mock.reason}`);
} else {
  ingestLogContract(
    realBrokers?.length ? `Kafka at ${realBrokers.join(',')}` : "Kafka (librdkafka's mock cluster)",
    {
      open: () =>
        openFixture(async (topic, deadLetterTopic) => {
          if (realBrokers?.length) return { brokers: realBrokers, cluster: null };
          const cluster = await startKafkaMock({ topics: [{ name: topic, partitions: 6 }, { name: deadLetterTopic, partitions: 1 }] });
          return { brokers: cluster.brokers, cluster };
        }),
    },
    { timeoutMs: 90_000 },
  );

  describe('Kafka ingest log: a partition\'s next batch is handed over before the one ahead is answered', () => {
    let fixture: IngestLogFixture | undefined;
    afterEach(async () => {
      await fixture?.destroy();
      fixture = undefined;
    });
    const open = () =>
      openFixture(async (topic, deadLetterTopic) => {
        if (realBrokers?.length) return { brokers: realBrokers, cluster: null };
        const cluster = await startKafkaMock({ topics: [{ name: topic, partitions: 6 }, { name: deadLetterTopic, partitions: 1 }] });
        return { brokers: cluster.brokers, cluster };
      });
    const record = (n: number): IngestRecord => ({
      id: `o-${n}`,
      type: 'segment.track',
      source: '/nudge/http',
      time: new Date(Date.UTC(2026, 10, 1, 0, 0, n)).toISOString(),
      key: 'userId:same-person',
      data: { type: 'track', event: 'Page Viewed', userId: 'same-person', messageId: `o-${n}` },
    });
    type Handler = (records: readonly DeliveredRecord[]) => Promise<readonly RecordVerdict[]>;
    const ok = (records: readonly DeliveredRecord[]) => records.map(() => ({ ok: true }) as const);
    async function consume(handler: Handler, until: () => boolean): Promise<void> {
      const stop = new AbortController();
      const consuming = fixture!.log.consume(handler, stop.signal);
      const deadline = Date.now() + 60_000;
      while (!until() && Date.now() < deadline) await delay(50);
      stop.abort();
      await consuming;
      expect(until()).toBe(true);
    }

    it(
      'the second batch arrives while the first is still being stored; both are committed, in order, once',
      async () => {
        fixture = await open();
        await fixture.log.publish([record(1)]);
        const calls: string[][] = [];
        let secondCame: () => void = () => undefined;
        const second = new Promise<void>((resolve) => (secondCame = resolve));
        let overlapped = false;
        await consume(
          async (records) => {
            calls.push(records.map((r) => r.id));
            if (calls.length === 1) {
              // Published only now, so it is a batch of its own; the first is answered only once it came.
              await fixture!.log.publish([record(2)]);
              overlapped = await Promise.race([second.then(() => true), delay(20_000, false)]);
            } else secondCame();
            return ok(records);
          },
          () => calls.flat().includes('o-2'),
        );
        expect(overlapped).toBe(true);
        expect(calls).toEqual([['o-1'], ['o-2']]);
        expect(await fixture.log.backlog()).toBe(0);
      },
      90_000,
    );

    it(
      'when a batch fails with later ones of its partition handed over, the partition is read again from it: each record is handled once, in order',
      async () => {
        fixture = await open();
        await fixture.log.publish([record(1)]);
        const succeeded: string[] = [];
        let calls = 0;
        const errors: string[] = [];
        let failNow: (error: Error) => void = () => undefined;
        const failure = new Promise<never>((_, reject) => (failNow = reject));
        failure.catch(() => undefined);
        const handle = async (records: readonly DeliveredRecord[]): Promise<readonly RecordVerdict[]> => {
          if (calls === 1) {
            // The store fails this batch only once the next one has been handed over ...
            await fixture!.log.publish([record(2)]);
            await Promise.race([failure, delay(20_000)]);
            throw new Error('the next batch never came while this one was pending');
          }
          if (calls === 2) {
            // ... and a handler fails what it took after a failed batch (as the ingest pipeline does).
            failNow(new Error('disk full'));
            await failure;
          }
          succeeded.push(...records.map((r) => r.id));
          return ok(records);
        };
        await consume(
          async (records) => {
            calls++;
            try {
              return await handle(records);
            } catch (error) {
              errors.push((error as Error).message);
              throw error;
            }
          },
          () => succeeded.includes('o-2'),
        );
        expect(succeeded).toEqual(['o-1', 'o-2']);
        expect(errors[0]).toBe('disk full');
        expect(calls).toBeGreaterThanOrEqual(3);
        expect(await fixture.log.backlog()).toBe(0);
      },
      90_000,
    );
  });
}

if (!realBrokers?.length) {
  const runtime = await containerRuntime();
  if (!runtime.ok) {
    describe(`IngestLog contract: Kafka (testcontainers, ${images.kafka})`, () => {
      it.skip(`needs a container runtime for ${images.kafka} (${runtime.reason})`, () => undefined);
    });
    console.warn(`skipping the Kafka ingest log contract on a Kafka container: testcontainers has no runtime (${runtime.reason})`);
  } else {
    let server: StartedKafka | undefined;
    beforeAll(async () => {
      server = await startKafka(runtime.host);
    }, CONTAINER_STARTUP_MS);
    afterAll(async () => {
      await server?.stop();
    });
    ingestLogContract(
      `Kafka (testcontainers, ${images.kafka})`,
      {
        open: () =>
          openFixture(() => {
            if (server === undefined) throw new Error('the Kafka container did not start');
            return Promise.resolve({ brokers: server.brokers, cluster: null });
          }),
      },
      { timeoutMs: 90_000 },
    );
  }
}

/** A fixture on fresh topics; `peer` gives the brokers (and the mock cluster to stop, if it started one). */
async function openFixture(peer: (topic: string, deadLetterTopic: string) => Promise<{ brokers: string[]; cluster: KafkaMock | null }>): Promise<IngestLogFixture> {
  const suffix = `${process.pid}-${Date.now().toString(36)}-${n++}`;
  const topic = `contract.ingest.${suffix}`;
  const deadLetterTopic = `contract.ingest.dlq.${suffix}`;
  const { brokers, cluster } = await peer(topic, deadLetterTopic);
  const settings = { brokers, topic, deadLetterTopic, groupId: `contract-${suffix}`, partitions: 6, replicationFactor: 1, sessionTimeoutMs: 6_000, ...(cluster ? { partitionAssigners: mockGroupAssigners } : {}) };
  const log = createKafkaIngestLog(settings);
  const workers = [log];
  const kafka = new Kafka({ clientId: 'contract-test', brokers, logLevel: logLevel.NOTHING });
  return {
    log,
    openWorker() {
      const worker = createKafkaIngestLog(settings);
      workers.push(worker);
      return worker;
    },
    async publishRaw(message) {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [message] });
      await producer.disconnect();
    },
    async deadLetters() {
      const admin = kafka.admin();
      await admin.connect();
      const [end] = await admin.fetchTopicOffsets(deadLetterTopic);
      await admin.disconnect();
      const want = Number(end?.high ?? 0) - Number(end?.low ?? 0);
      if (want === 0) return [];
      const consumer = kafka.consumer({ groupId: `contract-dlq-reader-${suffix}-${n++}`, sessionTimeout: 6_000 });
      await consumer.connect();
      await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
      const seen: { value: string; error: string; sourceOffset: string; headers: Record<string, string> }[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${want} dead letters read`)), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(Array.isArray(value) ? value[0] : value)]));
            seen.push({ value: message.value?.toString('utf8') ?? '', error: headers['nudge-error'] ?? '', sourceOffset: headers['nudge-source-offset'] ?? '', headers });
            if (seen.length >= want) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();
      return seen;
    },
    async destroy() {
      for (const worker of workers) await worker.close();
      await cluster?.stop();
    },
  };
}

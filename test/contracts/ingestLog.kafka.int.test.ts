import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createKafkaIngestLog } from '../../infra/kafka/index.ts';
import type { StartedKafka } from '../support/containers.ts';
import { CONTAINER_STARTUP_MS, containerRuntime, images, startKafka } from '../support/containers.ts';
import type { KafkaMock } from '../support/kafka/index.ts';
import { kafkaMockAvailable, mockGroupAssigners, startKafkaMock } from '../support/kafka/index.ts';
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

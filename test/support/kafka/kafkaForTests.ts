import { Kafka, PartitionAssigners, logLevel } from 'kafkajs';
import type { PartitionAssigner } from 'kafkajs';
import { kafkaMockAvailable, startKafkaMock } from './mockCluster.ts';
import { mockGroupAssigners } from './mockGroupAssigners.ts';
import type { KafkaMockAvailability, KafkaTopicSpec } from './mockCluster.ts';

/**
 * The Kafka a test talks to: the brokers in KAFKA_TEST_BROKERS (a real Kafka, e.g. one started by
 * testcontainers elsewhere, comma-separated host:port) when set, otherwise librdkafka's mock
 * cluster started for the test. Either way the topics exist when this resolves.
 *
 *   const kafka = await kafkaForTests({ topics: [{ name: `nudge.ingest.${runId}`, partitions: 6 }] });
 *   const client = new Kafka({ brokers: kafka.brokers });
 *   client.consumer({ groupId, partitionAssigners: kafka.partitionAssigners });
 *   await kafka.stop();
 *
 * A real broker outlives the test, so give topics a per-run name: a re-run would otherwise read
 * the previous run's messages.
 */

export interface KafkaForTests {
  readonly brokers: string[];
  /** Where the brokers came from, for messages and skip reasons. */
  readonly source: 'KAFKA_TEST_BROKERS' | 'librdkafka mock';
  /** For kafkajs consumers: groups of several members need `mockGroupAssigners` on the mock. */
  readonly partitionAssigners: PartitionAssigner[];
  /** Stops the mock; leaves a real broker (and its topics) alone. */
  stop(): Promise<void>;
}

export interface KafkaForTestsOptions {
  readonly topics: readonly KafkaTopicSpec[];
  /** Mock brokers to start (default 1); ignored with KAFKA_TEST_BROKERS. */
  readonly brokers?: number;
}

/** Whether `kafkaForTests` can give a Kafka here, with the reason when it cannot. */
export function kafkaForTestsAvailable(): KafkaMockAvailability {
  return configuredBrokers() === undefined ? kafkaMockAvailable() : { ok: true };
}

export async function kafkaForTests(options: KafkaForTestsOptions): Promise<KafkaForTests> {
  const brokers = configuredBrokers();
  if (brokers === undefined) {
    const mock = await startKafkaMock({ topics: options.topics, brokers: options.brokers });
    return { brokers: mock.brokers, source: 'librdkafka mock', partitionAssigners: mockGroupAssigners, stop: () => mock.stop() };
  }
  await createTopics(brokers, options.topics);
  return { brokers, source: 'KAFKA_TEST_BROKERS', partitionAssigners: [PartitionAssigners.roundRobin], stop: async () => undefined };
}

function configuredBrokers(): string[] | undefined {
  const list = (process.env.KAFKA_TEST_BROKERS ?? '').split(',').map((b) => b.trim()).filter((b) => b !== '');
  return list.length === 0 ? undefined : list;
}

/** Creates the topics on a real broker; an existing topic must already have the asked-for partition count. */
async function createTopics(brokers: string[], topics: readonly KafkaTopicSpec[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = new Kafka({ clientId: 'nudge-tests', brokers, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((t) => ({ topic: t.name, numPartitions: t.partitions })),
      waitForLeaders: true,
    });
    const { topics: found } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
    for (const topic of topics) {
      const partitions = found.find((f) => f.name === topic.name)?.partitions.length;
      if (partitions !== topic.partitions) {
        throw new Error(`kafkaForTests: topic ${topic.name} on ${brokers.join(',')} has ${partitions ?? 'no'} partitions, the test needs ${topic.partitions}`);
      }
    }
  } finally {
    await admin.disconnect();
  }
}

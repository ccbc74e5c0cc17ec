import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Consumer, EachMessagePayload } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kafkaForTests, kafkaForTestsAvailable } from './kafkaForTests.ts';
import type { KafkaForTests } from './kafkaForTests.ts';

/**
 * kafkajs, the client the product uses, against the test Kafka peer: librdkafka's mock cluster, or
 * the real broker in KAFKA_TEST_BROKERS. Proves what the ingest pipeline leans on: acks=all
 * produce, one consumer group sharing a topic's partitions, per-key order, committed offsets.
 */
const available = kafkaForTestsAvailable();
if (!available.ok) console.warn(`mockCluster.int.test.ts: skipping the Kafka peer tests: ${available.reason}`);

const run = randomUUID().slice(0, 8);
const ingest = { name: `nudge.ingest.${run}`, partitions: 6 };
const restart = { name: `nudge.restart.${run}`, partitions: 3 };

// 6 s is the shortest session a real broker accepts (group.min.session.timeout.ms). The mock holds
// a new group open 3 s for members to join, and after the last member leaves it waits the session
// timeout less 1 s before the next generation: a longer session only makes the restart test slower.
const groupTimings = { sessionTimeout: 6_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 200 };

type Received = { member: string; partition: number; key: string; value: string };

describe.skipIf(!available.ok)('kafkajs against the test Kafka peer', () => {
  let kafka: KafkaForTests;
  let client: Kafka;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    kafka = await kafkaForTests({ topics: [ingest, restart] });
    client = new Kafka({ clientId: 'nudge-kafka-peer-test', brokers: kafka.brokers, logLevel: logLevel.ERROR });
  }, 30_000);

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    await kafka?.stop();
  });

  async function produce(topic: string, messages: { key: string; value: string }[]): Promise<void> {
    const producer = client.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
  }

  /** A started group member that records what it receives and the partitions it was assigned. */
  async function member(name: string, groupId: string, topic: string, received: Received[]) {
    const consumer = client.consumer({ groupId, partitionAssigners: kafka.partitionAssigners, ...groupTimings });
    consumers.push(consumer);
    const assigned: { partitions: number[] } = { partitions: [] };
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      assigned.partitions = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }: EachMessagePayload) => {
        received.push({ member: name, partition, key: message.key!.toString(), value: message.value!.toString() });
      },
    });
    return { consumer, assigned };
  }

  it('splits a topic between two group members and delivers each keyed message once, in order per key', async () => {
    const groupId = `nudge-ingest-${run}`;
    const received: Received[] = [];
    // Given two members of one group, both joined before anything is produced (so no message is
    // read by a member that then loses its partition)
    const [a, b] = await Promise.all([member('a', groupId, ingest.name, received), member('b', groupId, ingest.name, received)]);
    await vi.waitFor(
      () => {
        expect(a.assigned.partitions.length).toBeGreaterThan(0);
        expect(b.assigned.partitions.length).toBeGreaterThan(0);
        expect([...a.assigned.partitions, ...b.assigned.partitions].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5]);
      },
      { timeout: 15_000, interval: 100 },
    );

    // When 10 messages for each of 24 keys are produced with acks=all
    const keys = Array.from({ length: 24 }, (_, k) => `lead-${k}`);
    const perKey = 10;
    const messages = Array.from({ length: perKey }, (_, seq) => keys.map((key) => ({ key, value: `${key}#${seq}` }))).flat();
    await produce(ingest.name, messages);

    await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(messages.length), { timeout: 10_000, interval: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // room for a duplicate to show up

    // Then each message is read once, each key's messages in order, each member from its own partitions
    expect(received).toHaveLength(messages.length);
    expect(new Set(received.map((r) => r.value)).size).toBe(messages.length);
    for (const key of keys) {
      expect(received.filter((r) => r.key === key).map((r) => r.value)).toEqual(Array.from({ length: perKey }, (_, seq) => `${key}#${seq}`));
    }
    for (const { member: name, assigned } of [{ member: 'a', ...a }, { member: 'b', ...b }]) {
      const read = new Set(received.filter((r) => r.member === name).map((r) => r.partition));
      expect(read.size).toBeGreaterThan(0);
      expect([...read].every((p) => assigned.partitions.includes(p))).toBe(true);
    }
  });

  it('resumes a restarted group after its last committed offset', async () => {
    const groupId = `nudge-restart-${run}`;
    const batch = (label: string) => Array.from({ length: 15 }, (_, i) => ({ key: `lead-${i % 5}`, value: `${label}-${i}` }));

    // Given a member that read 15 messages and left the group
    await produce(restart.name, batch('before'));
    const first: Received[] = [];
    const before = await member('first', groupId, restart.name, first);
    await vi.waitFor(() => expect(first).toHaveLength(15), { timeout: 15_000, interval: 50 });
    await before.consumer.disconnect(); // commits what it processed and leaves the group

    const admin = client.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [restart.name] });
    await admin.disconnect();
    expect(committed!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0)).toBe(15);

    // When 15 more are produced and a new member joins the same group
    await produce(restart.name, batch('after'));
    const second: Received[] = [];
    await member('second', groupId, restart.name, second); // fromBeginning only applies without a committed offset
    await vi.waitFor(() => expect(second).toHaveLength(15), { timeout: 15_000, interval: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Then it reads only the 15 new ones
    expect(second.map((r) => r.value).sort()).toEqual(batch('after').map((m) => m.value).sort());
  });
});

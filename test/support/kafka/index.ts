// Kafka peers for integration tests: librdkafka's mock cluster, or a real broker from KAFKA_TEST_BROKERS.
export { kafkaMockAvailable, startKafkaMock } from './mockCluster.ts';
export type { KafkaMock, KafkaMockAvailability, KafkaMockOptions, KafkaTopicSpec } from './mockCluster.ts';
export { kafkaForTests, kafkaForTestsAvailable } from './kafkaForTests.ts';
export type { KafkaForTests, KafkaForTestsOptions } from './kafkaForTests.ts';
export { leaderSyncDelayMs, mockGroupAssigners } from './mockGroupAssigners.ts';

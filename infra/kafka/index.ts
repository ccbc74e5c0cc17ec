export type { KafkaIngestLogOptions } from './kafkaIngestLog.ts';
export { createKafkaIngestLog } from './kafkaIngestLog.ts';

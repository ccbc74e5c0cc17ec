export * from './ingestPipeline.ts';
export * from './ingestService.ts';
export * from './planMessage.ts';
export { correctedTimestamp, receiveMessage, withBatchDefaults } from './segment/receivedMessage.ts';
export type { ReceivedMessage } from './segment/receivedMessage.ts';
export { callTypes, parseSegmentMessage, segmentMessageSchema } from './segment/segmentMessage.ts';
export type { CallType, SegmentMessage } from './segment/segmentMessage.ts';
export * from './channels/index.ts';
export * from './costs/adCostService.ts';

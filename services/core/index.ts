export type { Clock, ManualClock } from './clock.ts';
export { manualClock, systemClock } from './clock.ts';
export type { DecisionContext, Decider } from './decider.ts';
export { assertNever, fold } from './decider.ts';
export type { FieldIssue } from './errors.ts';
export {
  AnalyticsError,
  ConcurrencyError,
  ConfigError,
  ConflictError,
  ForbiddenError,
  MailDeliveryError,
  NotFoundError,
  NudgeError,
  PayloadTooLargeError,
  PreconditionFailedError,
  RateLimitedError,
  UnauthorizedError,
  OverloadedError,
  UnavailableError,
  ValidationError,
} from './errors.ts';
export type { IdGenerator } from './ids.ts';
export { deriveId, isUuid, newId, sequencedId, sequentialIds } from './ids.ts';
export type { Shard } from './leadShard.ts';
export { isShard, leadShard } from './leadShard.ts';
export type { Command, CommandMetadata, Event, EventMetadata, NewEvent, RecordedEvent } from './message.ts';
export { newEvent } from './newEvent.ts';
export type { NewEventOptions } from './newEvent.ts';
export { fieldIssues, fieldPath } from './fieldPath.ts';
export { MinHeap } from './minHeap.ts';
export { parsePropertyPath, type ParsedPropertyPath, type PropertyPathKey } from './propertyPath.ts';

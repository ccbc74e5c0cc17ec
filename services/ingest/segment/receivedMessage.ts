import type { SegmentMessage } from './segmentMessage.ts';

/** A valid message with the server's view of time. */
export interface ReceivedMessage {
  readonly message: SegmentMessage & { readonly messageId: string };
  readonly receivedAt: string;
  /** When it happened, corrected for the client's clock (see `correctedTimestamp`). */
  readonly occurredAt: string;
}

/**
 * Segment's clock-skew correction: a device whose clock is off by an hour sends
 * originalTimestamp and sentAt both an hour off, so their difference is the real delay and
 * timestamp = receivedAt − (sentAt − originalTimestamp). Browser libraries send their client
 * time as `timestamp`, which is used the same way when originalTimestamp is absent. Without
 * sentAt (server libraries, historical imports) the given timestamp is trusted as is.
 * A corrected time later than receipt is clamped to receipt: an event cannot come from the future.
 */
export function correctedTimestamp(message: Pick<SegmentMessage, 'timestamp' | 'originalTimestamp' | 'sentAt'>, receivedAt: Date): Date {
  const clientTime = message.originalTimestamp ?? message.timestamp;
  if (message.sentAt !== undefined && clientTime !== undefined) {
    const delay = Date.parse(message.sentAt) - Date.parse(clientTime);
    const corrected = receivedAt.getTime() - Math.max(0, delay);
    return new Date(Math.min(corrected, receivedAt.getTime()));
  }
  const given = message.timestamp ?? message.originalTimestamp;
  return given === undefined ? receivedAt : new Date(Date.parse(given));
}

export function receiveMessage(message: SegmentMessage & { messageId: string }, receivedAt: Date): ReceivedMessage {
  return { message, receivedAt: receivedAt.toISOString(), occurredAt: correctedTimestamp(message, receivedAt).toISOString() };
}

/**
 * A batch's top-level `context`, `integrations` and `sentAt` apply to each message that does
 * not set its own (analytics-node and the HTTP API put them there).
 */
export function withBatchDefaults(item: unknown, batch: { context?: unknown; integrations?: unknown; sentAt?: unknown }): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
  const message = item as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...message };
  if (isObject(batch.context)) merged.context = isObject(message.context) ? { ...batch.context, ...message.context } : (message.context ?? batch.context);
  if (isObject(batch.integrations) && message.integrations === undefined) merged.integrations = batch.integrations;
  if (typeof batch.sentAt === 'string' && message.sentAt === undefined) merged.sentAt = batch.sentAt;
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

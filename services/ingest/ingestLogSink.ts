import type { IngestLog, IngestRecord } from '../ports/index.ts';
import type { MessageOutcome, MessageSink } from './ingestPipeline.ts';
import type { ReceivedMessage } from './segment/receivedMessage.ts';

/** CloudEvents `source` of what the HTTP API accepted. */
export const HTTP_SOURCE = '/nudge/http';

/**
 * The HTTP tier's side of `INGEST_LOG=kafka`: valid messages go to the ingest log instead of the
 * store, and the client is answered once the log holds them (`accepted`). An ingest worker
 * (IngestWorker) stores them. Each record is keyed by the person, so one person's messages stay
 * in order on one partition.
 *
 *   const service = new IngestService({ pipeline: new IngestLogSink(log), quarantine });
 */
export class IngestLogSink implements MessageSink {
  readonly #log: IngestLog;
  readonly #source: string;

  constructor(log: IngestLog, options: { source?: string } = {}) {
    this.#log = log;
    this.#source = options.source ?? HTTP_SOURCE;
  }

  async submit(messages: readonly ReceivedMessage[]): Promise<MessageOutcome[]> {
    if (messages.length === 0) return [];
    try {
      await this.#log.publish(messages.map((received) => recordOf(received, this.#source)));
      return messages.map((received) => ({ status: 'accepted', messageId: received.message.messageId }));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      return messages.map((received) => ({ status: 'failed', messageId: received.message.messageId, error: failure }));
    }
  }
}

/**
 * A received message as an ingest-log record: the message as validated (with its messageId, so a
 * redelivery is recognised), the time it was received (the worker corrects the client's clock from
 * it, exactly as the API would have), keyed by the person.
 */
export function recordOf(received: ReceivedMessage, source: string): IngestRecord {
  const { message } = received;
  return { id: message.messageId, type: `segment.${message.type}`, source, time: received.receivedAt, key: partitionKey(message), data: message };
}

/**
 * The person a message is about, as the log's key: the userId when there is one (server-side
 * libraries send only that), else the anonymousId. A visitor's anonymous messages and their
 * identified ones may so land on two partitions; the lead index orders the two (its transaction is
 * the lock between writers), so a late anonymous touch is still linked to the lead.
 */
export function partitionKey(message: { readonly userId?: string | null | undefined; readonly anonymousId?: string | null | undefined; readonly messageId: string }): string {
  if (typeof message.userId === 'string' && message.userId !== '') return `userId:${message.userId}`;
  if (typeof message.anonymousId === 'string' && message.anonymousId !== '') return `anonymousId:${message.anonymousId}`;
  return `messageId:${message.messageId}`;
}

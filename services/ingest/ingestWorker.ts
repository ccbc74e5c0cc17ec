import type { FieldIssue } from '../core/index.ts';
import type { DeliveredRecord, IngestLog, RecordVerdict } from '../ports/index.ts';
import type { MessageSink } from './ingestPipeline.ts';
import { MAX_MESSAGE_BYTES } from './ingestService.ts';
import { jsonBytesOver } from './messageSize.ts';
import type { ReceivedMessage } from './segment/receivedMessage.ts';
import { receiveMessage } from './segment/receivedMessage.ts';
import type { CallType } from './segment/segmentMessage.ts';
import { callTypes, parseSegmentMessage } from './segment/segmentMessage.ts';

export interface IngestWorkerTally {
  readonly records: number;
  readonly stored: number;
  readonly duplicate: number;
  readonly unchanged: number;
  readonly deadLettered: number;
}

/**
 * An ingest worker (`INGEST_LOG=kafka`): takes records from the ingest log, validates each as the
 * API would (a producer other than Nudge's API may publish to the log), and hands the valid ones
 * to the pipeline, which resolves identity and appends to the store. The log commits a batch only
 * after this resolves, so a crash redelivers it, and the store recognises what it already has (by
 * messageId): each message is stored once. A record that is not a valid message goes to the
 * dead-letter log with the reason; one the store cannot take now fails the batch, to be delivered
 * again. Batches go to the pipeline as they come, before the ones ahead are stored: the pipeline
 * keeps their order and fails the later ones with an earlier one, as the log requires.
 *
 *   await new IngestWorker({ log, pipeline }).run(signal);
 */
export class IngestWorker {
  readonly #log: IngestLog;
  readonly #pipeline: MessageSink;
  readonly #onBatch: ((tally: IngestWorkerTally) => void) | undefined;
  #tally: IngestWorkerTally = { records: 0, stored: 0, duplicate: 0, unchanged: 0, deadLettered: 0 };

  constructor(options: { log: IngestLog; pipeline: MessageSink; onBatch?: (tally: IngestWorkerTally) => void }) {
    this.#log = options.log;
    this.#pipeline = options.pipeline;
    this.#onBatch = options.onBatch;
  }

  /** What this worker has handled since it started. */
  get tally(): IngestWorkerTally {
    return this.#tally;
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#log.consume((records) => this.handle(records), signal);
  }

  /** One batch of records: one verdict each; rejects (nothing committed) when the store fails. */
  async handle(records: readonly DeliveredRecord[]): Promise<RecordVerdict[]> {
    const verdicts: RecordVerdict[] = [];
    const valid: { slot: number; received: ReceivedMessage }[] = [];
    for (const [slot, record] of records.entries()) {
      const read = readRecord(record);
      if ('error' in read) verdicts.push({ ok: false, error: read.error });
      else {
        verdicts.push({ ok: true });
        valid.push({ slot, received: read.received });
      }
    }
    const outcomes = await this.#pipeline.submit(valid.map((entry) => entry.received));
    let { stored, duplicate, unchanged } = this.#tally;
    for (const [i, outcome] of outcomes.entries()) {
      const { slot } = valid[i]!;
      switch (outcome.status) {
        case 'failed':
          // Not committed: the log delivers the batch again, and what was stored is then a duplicate.
          throw outcome.error;
        case 'rejected':
          verdicts[slot] = { ok: false, error: describe(outcome.issues) };
          break;
        case 'stored':
        case 'accepted':
          stored++;
          break;
        case 'duplicate':
          duplicate++;
          break;
        case 'unchanged':
          unchanged++;
          break;
      }
    }
    const deadLettered = this.#tally.deadLettered + verdicts.filter((verdict) => !verdict.ok).length;
    this.#tally = { records: this.#tally.records + records.length, stored, duplicate, unchanged, deadLettered };
    this.#onBatch?.(this.#tally);
    return verdicts;
  }
}

/** A record as a received Segment message, or why it is not one. */
function readRecord(record: DeliveredRecord): { received: ReceivedMessage } | { error: string } {
  const type = /^segment\.([a-z]+)$/.exec(record.type)?.[1];
  if (type === undefined || !(callTypes as readonly string[]).includes(type)) {
    return { error: `type: ${JSON.stringify(record.type)} is not one of ${callTypes.map((call) => `segment.${call}`).join(', ')}` };
  }
  const receivedAt = new Date(record.time);
  if (Number.isNaN(receivedAt.getTime())) return { error: `time: ${JSON.stringify(record.time)} is not an ISO 8601 time` };
  if (typeof record.data !== 'object' || record.data === null || Array.isArray(record.data)) return { error: 'data: must be a JSON object (a Segment message)' };
  const size = jsonBytesOver(record.data, MAX_MESSAGE_BYTES);
  if (size !== null) return { error: `data: is ${size} bytes; a message may be at most ${MAX_MESSAGE_BYTES} bytes (32 KiB)` };
  const data = record.data as Record<string, unknown>;
  if (data.type !== undefined && data.type !== type) return { error: `data.type: is ${JSON.stringify(data.type)} but the record's type says ${type}` };
  // The record's id is the message's: a message without its own messageId keeps the one it was published with.
  const parsed = parseSegmentMessage({ ...data, type: type as CallType, messageId: data.messageId ?? record.id });
  if (!parsed.ok) return { error: describe(parsed.issues) };
  return { received: receiveMessage(parsed.message, receivedAt) };
}

function describe(issues: readonly FieldIssue[]): string {
  return issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`)).join('; ');
}

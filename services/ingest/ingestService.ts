import type { Clock, FieldIssue } from '../core/index.ts';
import { fieldPath, systemClock } from '../core/index.ts';
import type { Quarantine, QuarantineEntry } from '../ports/index.ts';
import type { MessageSink } from './ingestPipeline.ts';
import { jsonBytesOver } from './messageSize.ts';
import { receiveMessage, withBatchDefaults } from './segment/receivedMessage.ts';
import type { CallType } from './segment/segmentMessage.ts';
import { parseSegmentMessage } from './segment/segmentMessage.ts';

/** Segment's limits: 32 KB per message, 500 KB per batch request. */
export const MAX_MESSAGE_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
export const MAX_BATCH_MESSAGES = 2_500;

export interface IngestMeta {
  /** `http`, `file:<name>`, … recorded with quarantined input. */
  readonly source: string;
  readonly writeKeyHint: string | null;
}

export interface QuarantinedItem {
  /** Position in the batch, or 0 for a single call. */
  readonly index: number;
  readonly messageId: string | null;
  readonly quarantineId: string;
  readonly errors: readonly FieldIssue[];
}

export interface IngestReport {
  readonly stored: number;
  /** Held by the ingest log, to be stored by an ingest worker (INGEST_LOG=kafka). */
  readonly accepted: number;
  readonly duplicate: number;
  readonly unchanged: number;
  readonly quarantined: readonly QuarantinedItem[];
  /** Messages the store could not take now: the client should send them again. */
  readonly failed: readonly { readonly index: number; readonly messageId: string; readonly error: Error }[];
  /** Lead per message stored (null for an anonymous visitor's touch), by index. */
  readonly leads: readonly (string | null | undefined)[];
}

/**
 * Takes Segment calls and batches as clients send them: validates each message, hands the valid
 * ones to the pipeline (or the ingest log), and keeps every invalid one in the quarantine with its error, so that
 * nothing a client sent is silently dropped.
 *
 *   const report = await ingest.batch(body, { source: 'http', writeKeyHint });
 */
export class IngestService {
  readonly #pipeline: MessageSink;
  readonly #quarantine: Quarantine;
  readonly #clock: Clock;

  constructor(options: { pipeline: MessageSink; quarantine: Quarantine; clock?: Clock }) {
    this.#pipeline = options.pipeline;
    this.#quarantine = options.quarantine;
    this.#clock = options.clock ?? systemClock;
  }

  /** One call of a single-call endpoint (`/v1/track`): the body is the message. */
  async call(type: CallType, body: unknown, meta: IngestMeta): Promise<IngestReport> {
    const typed = isObject(body) ? { ...body, type } : body;
    return this.#ingest([typed], meta, []);
  }

  /** A batch body `{ batch: [...], context?, integrations?, sentAt? }` (`/v1/batch`, `/v1/import`). */
  async batch(body: unknown, meta: IngestMeta): Promise<IngestReport> {
    if (!isObject(body) || !Array.isArray(body.batch)) {
      const issues = [{ path: 'batch', message: 'must be an array of messages: {"batch": [...]}' }];
      return this.#quarantineOnly(JSON.stringify(body) ?? String(body), issues, meta);
    }
    if (body.batch.length > MAX_BATCH_MESSAGES) {
      const issues = [{ path: 'batch', message: `must hold at most ${MAX_BATCH_MESSAGES} messages` }];
      return this.#quarantineOnly(JSON.stringify(body), issues, meta);
    }
    const items = body.batch.map((item) => withBatchDefaults(item, body));
    return this.#ingest(items, meta, ['batch']);
  }

  /** A body that could not be read as JSON at all: kept whole, so it can be looked at. */
  async unreadable(text: string, detail: string, meta: IngestMeta): Promise<IngestReport> {
    return this.#quarantineOnly(text, [{ path: '', message: `is not valid JSON (${detail})` }], meta);
  }

  /** Sends a quarantined payload through validation again; it leaves the quarantine once stored. */
  async retry(entry: QuarantineEntry): Promise<{ entry: QuarantineEntry; report: IngestReport | null }> {
    const at = this.#clock.now().toISOString();
    let payload: unknown;
    try {
      payload = JSON.parse(entry.payload);
    } catch (error) {
      const issues = [{ path: '', message: `is not valid JSON (${error instanceof Error ? error.message : String(error)})` }];
      return { entry: await this.#quarantine.recordAttempt(entry.id, issues, at), report: null };
    }
    const report = isObject(payload) && Array.isArray(payload.batch)
      ? await this.#ingest(payload.batch.map((item) => withBatchDefaults(item, payload)), { source: entry.source, writeKeyHint: entry.writeKeyHint }, ['batch'], false)
      : await this.#ingest([payload], { source: entry.source, writeKeyHint: entry.writeKeyHint }, [], false);
    if (report.failed.length > 0) throw report.failed[0]!.error;
    if (report.quarantined.length > 0) {
      return { entry: await this.#quarantine.recordAttempt(entry.id, report.quarantined.flatMap((item) => item.errors), at), report };
    }
    return { entry: await this.#quarantine.resolve(entry.id, 'retried', at), report };
  }

  async #ingest(items: readonly unknown[], meta: IngestMeta, prefix: readonly PropertyKey[], quarantineRejects = true): Promise<IngestReport> {
    const receivedAt = this.#clock.now();
    const quarantined: QuarantinedItem[] = [];
    const valid: { index: number; received: ReturnType<typeof receiveMessage> }[] = [];
    for (const [index, item] of items.entries()) {
      const path = prefix.length === 0 ? [] : [...prefix, index];
      const size = jsonBytesOver(item, MAX_MESSAGE_BYTES);
      if (size !== null) {
        const issues = [{ path: fieldPath(path), message: `is ${size} bytes; a message may be at most ${MAX_MESSAGE_BYTES} bytes (32 KiB)` }];
        quarantined.push(await this.#keep(item, index, issues, meta, quarantineRejects));
        continue;
      }
      const parsed = parseSegmentMessage(item, { path });
      if (!parsed.ok) {
        quarantined.push(await this.#keep(item, index, parsed.issues, meta, quarantineRejects));
        continue;
      }
      valid.push({ index, received: receiveMessage(parsed.message, receivedAt) });
    }
    const outcomes = await this.#pipeline.submit(valid.map((entry) => entry.received));
    let stored = 0;
    let accepted = 0;
    let duplicate = 0;
    let unchanged = 0;
    const failed: { index: number; messageId: string; error: Error }[] = [];
    const leads: (string | null | undefined)[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      const { index } = valid[i]!;
      switch (outcome.status) {
        case 'stored':
          stored += 1;
          leads[index] = outcome.leadId;
          break;
        case 'duplicate':
          duplicate += 1;
          break;
        case 'accepted':
          accepted += 1;
          break;
        case 'unchanged':
          unchanged += 1;
          leads[index] = outcome.leadId;
          break;
        case 'rejected': {
          const path = prefix.length === 0 ? [] : [...prefix, index];
          const issues = outcome.issues.map((issue) => ({ path: joinPath(fieldPath(path), issue.path), message: issue.message }));
          quarantined.push(await this.#keep(items[index], index, issues, meta, quarantineRejects, outcome.messageId));
          break;
        }
        case 'failed':
          failed.push({ index, messageId: outcome.messageId, error: outcome.error });
          break;
        default:
          assertOutcome(outcome);
      }
    }
    quarantined.sort((a, b) => a.index - b.index);
    return { stored, accepted, duplicate, unchanged, quarantined, failed, leads };
  }

  async #keep(item: unknown, index: number, issues: readonly FieldIssue[], meta: IngestMeta, store: boolean, messageId?: string): Promise<QuarantinedItem> {
    const id = messageId ?? (isObject(item) && typeof item.messageId === 'string' ? item.messageId : null);
    if (!store) return { index, messageId: id, quarantineId: '', errors: issues };
    const entry = await this.#quarantine.put({
      payload: JSON.stringify(item) ?? String(item),
      issues,
      source: meta.source,
      writeKeyHint: meta.writeKeyHint,
      receivedAt: this.#clock.now().toISOString(),
    });
    return { index, messageId: id, quarantineId: entry.id, errors: issues };
  }

  async #quarantineOnly(payload: string, issues: readonly FieldIssue[], meta: IngestMeta): Promise<IngestReport> {
    const entry = await this.#quarantine.put({ payload, issues, source: meta.source, writeKeyHint: meta.writeKeyHint, receivedAt: this.#clock.now().toISOString() });
    return { stored: 0, accepted: 0, duplicate: 0, unchanged: 0, quarantined: [{ index: 0, messageId: null, quarantineId: entry.id, errors: issues }], failed: [], leads: [] };
  }
}

function joinPath(prefix: string, path: string): string {
  if (prefix === '') return path;
  if (path === '') return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

function assertOutcome(outcome: never): never {
  throw new Error(`unknown outcome ${JSON.stringify(outcome)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

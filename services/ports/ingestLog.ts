/**
 * The ingest log: a durable, partitioned log between the HTTP ingest tier and the ingest workers
 * that append to the event store (`INGEST_LOG=kafka`). The API answers a client once the log holds
 * its messages; workers take them in order per key, and a record's position is committed only
 * after the worker has handled it, so a crash redelivers (at least once) and the store's
 * idempotent appends make that exactly-once storage.
 *
 *   await log.publish([{ id, type: 'segment.track', source: '/http', time, key: 'userId:ann', data }]);
 *   await log.consume(async (records) => records.map(() => ({ ok: true })), signal);
 */
export interface IngestRecord {
  /** Unique per message (the Segment messageId): a redelivered record has the same id. */
  readonly id: string;
  /** What the data is: `segment.track`, `segment.identify`, … */
  readonly type: string;
  /** Where it came from: `/nudge/http`, or a producer's own URI. */
  readonly source: string;
  /** When the producer received it (ISO 8601): the clock-skew correction works from it. */
  readonly time: string;
  /** Records with the same key are delivered in the order they were published. */
  readonly key: string;
  /** The message as JSON. */
  readonly data: unknown;
}

export interface DeliveredRecord extends IngestRecord {
  /** Where the record sits in the log, for errors and dead letters: `topic/partition@offset`. */
  readonly position: string;
}

/** What became of one delivered record: handled, or refused with the reason (it goes to the dead-letter log). */
export type RecordVerdict = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface IngestLog {
  /** Resolves once the log holds every record durably (Kafka: acknowledged by all in-sync replicas). */
  publish(records: readonly IngestRecord[]): Promise<void>;
  /**
   * Delivers records in batches, in order per key, until the signal aborts (then resolves). The
   * handler answers one verdict per record; a refused record, and one the log cannot even read as
   * a record, goes to the dead-letter log with its original bytes and the error. Positions are
   * committed only after the handler's promise resolves: when it rejects, the batch is delivered
   * again (here or, after a rebalance, to another worker). Rejects when consuming cannot go on.
   * A log may hand over a key's next batch before the handler's promise for the one ahead has
   * resolved (so fetching and storing overlap); the handler must then take batches in the order
   * given, and reject the later ones when an earlier one fails, which the log then delivers again
   * from the first that failed.
   */
  consume(handler: (records: readonly DeliveredRecord[]) => Promise<readonly RecordVerdict[]>, signal: AbortSignal): Promise<void>;
  /** Records published and not yet handled by the consumers (Kafka: the group's lag over all partitions). */
  backlog(): Promise<number>;
  /** Where the log is, for logs and status: `kafka nudge.ingest at broker:9092`. */
  readonly description: string;
  close(): Promise<void>;
}

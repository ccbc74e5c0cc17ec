import type { Admin, Consumer, IHeaders, KafkaMessage, Message, PartitionAssigner, Producer } from 'kafkajs';
import { Kafka, logLevel as KafkaLogLevel, Partitioners } from 'kafkajs';
import { UnavailableError } from '../../services/core/index.ts';
import type { DeliveredRecord, IngestLog, IngestRecord, RecordVerdict } from '../../services/ports/index.ts';
import { OffsetCommits, PartitionFlows } from './partitionFlows.ts';

export interface KafkaIngestLogOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** Where accepted messages go. Default `nudge.ingest`. */
  readonly topic?: string;
  /** Where records that cannot be stored go, with the reason. Default `nudge.ingest.dead-letter`. */
  readonly deadLetterTopic?: string;
  /** The ingest workers' consumer group. Default `nudge-ingest`. */
  readonly groupId?: string;
  /** Partitions of the topic when Nudge creates it (it never changes an existing one). Default 12. */
  readonly partitions?: number;
  /** Replication factor when Nudge creates the topics; -1: the broker's default. */
  readonly replicationFactor?: number;
  /** A worker that sends no heartbeat for this long leaves the group. Default 30 s (at least 6 s). */
  readonly sessionTimeoutMs?: number;
  /**
   * Most records a worker holds handed to the store and not yet stored (default 4,000): the next
   * batches are fetched and queued while the ones before them are stored, up to this many.
   */
  readonly maxInFlightRecords?: number;
  /** Longest a fetch waits on the broker for records when there are none (default 500 ms). */
  readonly fetchMaxWaitMs?: number;
  /** How the group divides partitions among workers (kafkajs; default round robin). */
  readonly partitionAssigners?: readonly PartitionAssigner[];
  /** Where kafkajs's own warnings and errors go. */
  readonly log?: (level: 'error' | 'warn' | 'info', message: string, extra: Record<string, unknown>) => void;
}

const SPEC_VERSION = '1.0';
const CONTENT_TYPE = 'application/json';

/**
 * The ingest log on Kafka (kafkajs). Records are CloudEvents 1.0 in Kafka's binary content mode:
 * the attributes are `ce_*` headers (`ce_specversion`, `ce_id`, `ce_source`, `ce_type`,
 * `ce_time`), `content-type` says the value is JSON, and the value is the data itself; the record
 * key is the message key, so Kafka's default partitioner keeps a person's records in order on one
 * partition. Publishing waits for all in-sync replicas (acks = -1). Consuming is one consumer
 * group: a batch's offsets are committed after the handler resolved and its refused records are
 * on the dead-letter topic, never before, so a crash or a rebalance redelivers (at least once).
 * The next batches of a partition are fetched and handed to the handler while the ones before
 * them are still being stored (up to `maxInFlightRecords`), so the fetch, the store's commit and
 * the offset commit overlap; commits still follow the partition's order, and a batch that fails
 * sends the partition back to its first batch not stored. The handler must therefore take a
 * partition's batches in the order it is given them, and fail the later ones when an earlier
 * one fails (the ingest pipeline does both).
 *
 *   const log = createKafkaIngestLog({ brokers: ['kafka:9092'] });
 */
export function createKafkaIngestLog(options: KafkaIngestLogOptions): IngestLog {
  return new KafkaIngestLog(options);
}

class KafkaIngestLog implements IngestLog {
  readonly #kafka: Kafka;
  readonly #options: Required<Omit<KafkaIngestLogOptions, 'log' | 'partitionAssigners'>> & Pick<KafkaIngestLogOptions, 'log' | 'partitionAssigners'>;
  readonly description: string;
  #producer: Promise<Producer> | null = null;
  readonly #consumers = new Set<Consumer>();
  #topicsReady: Promise<void> | null = null;
  #closed = false;

  constructor(options: KafkaIngestLogOptions) {
    if (options.brokers.length === 0) throw new UnavailableError('Kafka: no brokers given (KAFKA_BROKERS)');
    this.#options = {
      brokers: options.brokers,
      clientId: options.clientId ?? 'nudge',
      topic: options.topic ?? 'nudge.ingest',
      deadLetterTopic: options.deadLetterTopic ?? 'nudge.ingest.dead-letter',
      groupId: options.groupId ?? 'nudge-ingest',
      partitions: options.partitions ?? 12,
      replicationFactor: options.replicationFactor ?? -1,
      sessionTimeoutMs: Math.max(6_000, options.sessionTimeoutMs ?? 30_000),
      maxInFlightRecords: Math.max(1, options.maxInFlightRecords ?? 4_000),
      fetchMaxWaitMs: Math.max(1, options.fetchMaxWaitMs ?? 500),
      log: options.log,
      partitionAssigners: options.partitionAssigners,
    };
    const log = options.log;
    this.#kafka = new Kafka({
      clientId: this.#options.clientId,
      brokers: [...options.brokers],
      logLevel: KafkaLogLevel.WARN,
      logCreator: () => (entry) => {
        const level = entry.level === KafkaLogLevel.ERROR ? 'error' : entry.level === KafkaLogLevel.WARN ? 'warn' : 'info';
        const { message, ...extra } = entry.log;
        log?.(level, `kafka: ${message}`, { namespace: entry.namespace, ...extra });
      },
    });
    this.description = `Kafka topic ${this.#options.topic} at ${options.brokers.join(',')} (group ${this.#options.groupId})`;
  }

  async publish(records: readonly IngestRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.#assertOpen();
    const producer = await this.#producerReady();
    try {
      await producer.send({
        topic: this.#options.topic,
        acks: -1,
        messages: records.map((record) => ({ key: record.key, value: JSON.stringify(record.data), headers: cloudEventHeaders(record) })),
      });
    } catch (error) {
      throw new UnavailableError(`Kafka did not take ${records.length} message(s) on ${this.#options.topic}: ${messageOf(error)}`, { cause: error });
    }
  }

  async consume(handler: (records: readonly DeliveredRecord[]) => Promise<readonly RecordVerdict[]>, signal: AbortSignal): Promise<void> {
    this.#assertOpen();
    if (signal.aborted) return;
    await this.#ensureTopics();
    const producer = await this.#producerReady();
    const { topic, groupId, sessionTimeoutMs, deadLetterTopic, maxInFlightRecords, fetchMaxWaitMs } = this.#options;
    const log = this.#options.log;
    const consumer = this.#kafka.consumer({
      groupId,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.floor(sessionTimeoutMs / 6),
      maxWaitTimeInMs: fetchMaxWaitMs,
      retry: { retries: 5 },
      ...(this.#options.partitionAssigners ? { partitionAssigners: [...this.#options.partitionAssigners] } : {}),
    });
    this.#consumers.add(consumer);
    const crashed = new Promise<never>((_, reject) => {
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) reject(new UnavailableError(`the ingest consumer stopped: ${messageOf(event.payload.error)}`, { cause: event.payload.error }));
      });
    });
    crashed.catch(() => undefined);
    // A partition's next batches are fetched and handed over while the ones before them are still
    // being stored; offsets are committed once everything before them is stored, in order.
    const flows = new PartitionFlows();
    const commits = new OffsetCommits(
      (offsets) => consumer.commitOffsets(offsets.map(({ partition, offset }) => ({ topic, partition, offset }))),
      (error, offsets) => {
        // The group is rebalancing: these stay uncommitted, and whoever gets the partitions next
        // (maybe this worker) reads them again from the last commit; the store knows it has them.
        if (isGroupChange(error)) {
          log?.('info', `kafka: rebalance during the commit of ${topic} partitions ${offsets.map((o) => o.partition).join(', ')}; their batches will be delivered again`, {});
          return 'drop';
        }
        log?.('warn', `kafka: could not commit ${topic} offsets: ${messageOf(error)}`, { offsets });
        return 'retry';
      },
    );
    // After a rebalance the group starts from what was committed: nothing pending commits any more.
    const regroup = (): void => {
      flows.abandonAll();
      commits.clear();
    };
    consumer.on(consumer.events.REBALANCING, regroup);
    consumer.on(consumer.events.GROUP_JOIN, regroup);
    let stopping = false;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: 4,
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          if (batch.messages.length === 0 || stopping || !payload.isRunning() || payload.isStale()) return;
          // Bounded: a worker holds at most maxInFlightRecords records handed over and not stored.
          await flows.below(maxInFlightRecords);
          if (stopping || !payload.isRunning() || payload.isStale()) return;
          const at = (message: KafkaMessage): string => `${batch.topic}/${batch.partition}@${message.offset}`;
          const delivered: DeliveredRecord[] = [];
          const unreadable: { message: KafkaMessage; error: string }[] = [];
          for (const message of batch.messages) {
            const read = readCloudEvent(message, at(message));
            if ('error' in read) unreadable.push({ message, error: read.error });
            else delivered.push(read.record);
          }
          const last = batch.messages[batch.messages.length - 1]!;
          const pending = flows.start(batch.partition, batch.messages[0]!.offset, (BigInt(last.offset) + 1n).toString(), batch.messages.length);
          // Handed over now, in this turn: the handler queues the records behind the partition's earlier ones.
          const handled = delivered.length === 0 ? Promise.resolve([]) : handOver(handler, delivered);
          const work = (async () => {
            const verdicts = await handled;
            const byPosition = new Map(batch.messages.map((message) => [at(message), message]));
            const refused = delivered.flatMap((record, i) => {
              const verdict = verdicts[i];
              return verdict === undefined || verdict.ok ? [] : [{ message: byPosition.get(record.position)!, error: verdict.error }];
            });
            const dead = [...unreadable, ...refused];
            if (dead.length > 0) await producer.send({ topic: deadLetterTopic, acks: -1, messages: dead.map(({ message, error }) => deadLetter(message, error, batch.topic, batch.partition)) });
          })();
          // The consumer's own position moves on now; the group's only with the commit, once stored.
          payload.resolveOffset(last.offset);
          work.then(
            () => {
              const committable = flows.done(pending);
              if (committable !== null) commits.add(batch.partition, committable);
            },
            (error: unknown) => {
              const from = flows.failed(pending);
              if (from === null) return;
              // Read again from the first batch not stored; what was stored of the later ones is a duplicate then.
              log?.('warn', `kafka: a batch of ${batch.topic}/${batch.partition} was not stored (${messageOf(error)}); reading again from offset ${from}`, {});
              try {
                consumer.seek({ topic: batch.topic, partition: batch.partition, offset: from });
              } catch {
                // Not running any more: nothing was committed past the batch, the next run reads it again.
              }
            },
          );
        },
      });
      await Promise.race([crashed, new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]);
    } finally {
      // Take nothing new; let what was handed over finish and commit it, then leave the group.
      stopping = true;
      await flows.idle();
      await commits.flush();
      this.#consumers.delete(consumer);
      await consumer.disconnect().catch(() => undefined);
    }
  }

  async backlog(): Promise<number> {
    this.#assertOpen();
    const admin = this.#kafka.admin();
    try {
      await admin.connect();
      const { topic, groupId } = this.#options;
      const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
      const done = new Map((committed[0]?.partitions ?? []).map((partition) => [partition.partition, BigInt(partition.offset)]));
      let behind = 0n;
      for (const end of ends) {
        const start = BigInt(end.low);
        const at = done.get(end.partition) ?? -1n;
        // -1: the group never committed on this partition; it starts from the earliest record.
        behind += BigInt(end.high) - (at < 0n ? start : at);
      }
      return Number(behind);
    } catch (error) {
      throw new UnavailableError(`cannot read the ingest backlog from Kafka: ${messageOf(error)}`, { cause: error });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#consumers].map((consumer) => consumer.disconnect().catch(() => undefined)));
    const producer = this.#producer;
    this.#producer = null;
    if (producer) await (await producer.catch(() => null))?.disconnect().catch(() => undefined);
  }

  #producerReady(): Promise<Producer> {
    this.#producer ??= (async () => {
      // No idempotent producer: acks = all and the store's idempotent appends give exactly-once storage.
      const producer = this.#kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      try {
        await producer.connect();
      } catch (error) {
        this.#producer = null;
        throw new UnavailableError(`cannot reach Kafka at ${this.#options.brokers.join(',')}: ${messageOf(error)}`, { cause: error });
      }
      return producer;
    })();
    return this.#producer;
  }

  /**
   * Creates the topic and the dead-letter topic when they are missing (with the configured
   * partitions); never changes existing ones. A cluster that refuses (no rights, or a test
   * broker without CreateTopics) is fine as long as the topics exist.
   */
  #ensureTopics(): Promise<void> {
    this.#topicsReady ??= (async () => {
      const admin: Admin = this.#kafka.admin();
      try {
        await admin.connect();
        const existing = new Set(await admin.listTopics());
        const missing = [this.#options.topic, this.#options.deadLetterTopic].filter((name) => !existing.has(name));
        if (missing.length === 0) return;
        try {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((name) => ({ topic: name, numPartitions: name === this.#options.topic ? this.#options.partitions : 1, replicationFactor: this.#options.replicationFactor })),
          });
        } catch (error) {
          const after = new Set(await admin.listTopics());
          const still = missing.filter((name) => !after.has(name));
          if (still.length > 0) throw new UnavailableError(`Kafka topics ${still.join(', ')} do not exist and could not be created: ${messageOf(error)}`, { cause: error });
        }
      } catch (error) {
        this.#topicsReady = null;
        throw error instanceof UnavailableError ? error : new UnavailableError(`cannot reach Kafka at ${this.#options.brokers.join(',')}: ${messageOf(error)}`, { cause: error });
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    })();
    return this.#topicsReady;
  }

  #assertOpen(): void {
    if (this.#closed) throw new UnavailableError('the Kafka ingest log is closed');
  }
}

/** Calls the handler in this turn (so batches queue in the order they came); a throw becomes a rejection. */
function handOver(handler: (records: readonly DeliveredRecord[]) => Promise<readonly RecordVerdict[]>, records: readonly DeliveredRecord[]): Promise<readonly RecordVerdict[]> {
  try {
    return handler(records);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** A record as the dead-letter topic keeps it: its own key, bytes and headers, with why and where from. */
function deadLetter(message: KafkaMessage, error: string, topic: string, partition: number): Message {
  return {
    key: message.key,
    value: message.value,
    headers: { ...message.headers, 'nudge-error': error, 'nudge-source-topic': topic, 'nudge-source-partition': String(partition), 'nudge-source-offset': message.offset },
  };
}

function cloudEventHeaders(record: IngestRecord): IHeaders {
  return {
    ce_specversion: SPEC_VERSION,
    ce_id: record.id,
    ce_source: record.source,
    ce_type: record.type,
    ce_time: record.time,
    'content-type': CONTENT_TYPE,
  };
}

/** A Kafka message as a CloudEvent in binary mode, or why it is not one. */
function readCloudEvent(message: KafkaMessage, position: string): { record: DeliveredRecord } | { error: string } {
  const header = (name: string): string | undefined => {
    const value = message.headers?.[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  };
  const specVersion = header('ce_specversion');
  if (specVersion !== SPEC_VERSION) return { error: `header ce_specversion: is ${specVersion === undefined ? 'missing' : JSON.stringify(specVersion)}; a CloudEvents ${SPEC_VERSION} record (binary mode) is expected` };
  const missing = ['ce_id', 'ce_source', 'ce_type'].filter((name) => (header(name) ?? '') === '');
  if (missing.length > 0) return { error: `header ${missing.join(', ')}: required CloudEvents attribute missing` };
  const contentType = header('content-type');
  if (contentType !== undefined && !/^application\/(.+\+)?json\b/.test(contentType)) return { error: `header content-type: is ${JSON.stringify(contentType)}; the data must be JSON` };
  if (message.value === null) return { error: 'value: empty (a tombstone); the data must be a JSON object' };
  let data: unknown;
  try {
    data = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    return { error: `value: is not JSON (${messageOf(error)})` };
  }
  // ce_time is optional in CloudEvents: without it, the time Kafka recorded the message is the time it was received.
  const time = header('ce_time') ?? new Date(Number(message.timestamp)).toISOString();
  return {
    record: { id: header('ce_id')!, source: header('ce_source')!, type: header('ce_type')!, time, key: message.key?.toString('utf8') ?? '', data, position },
  };
}

/** The group moved on (a rebalance, a new generation): not a failure, the uncommitted batch comes again. */
function isGroupChange(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = (cause as { cause?: unknown }).cause) {
    const type = (cause as { type?: unknown }).type;
    if (type === 'REBALANCE_IN_PROGRESS' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID') return true;
  }
  return false;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The bookkeeping that lets an ingest worker fetch the next batches of a partition while the
 * batches before them are still being stored, and still commit only what is stored, in order.
 *
 * Each partition's batches are tracked in the order they were handed to the handler. A batch that
 * is done (stored, its refused records on the dead-letter topic) makes the partition's committable
 * offset move only once every batch before it is done too. A batch that fails abandons every
 * batch of its partition still pending (they were handed over in the same run of offsets, so they
 * are delivered again from the first of them); the caller seeks the partition back there. A
 * rebalance abandons every pending batch of every partition: the group starts again from what was
 * committed, and the store recognises what it already holds.
 *
 *   const flows = new PartitionFlows();
 *   const batch = flows.start(partition, firstOffset, nextOffset, records);
 *   work.then(() => flows.done(batch), () => flows.failed(batch));
 */
export class PartitionFlows {
  readonly #pending = new Map<number, PendingBatch[]>();
  #records = 0;
  readonly #waiters: (() => void)[] = [];

  /** Records handed over and not yet done or failed, over all partitions (abandoned ones included until they settle). */
  get inFlight(): number {
    return this.#records;
  }

  /** Tracks a batch just handed to the handler: offsets `first` to `next - 1` of `partition`. */
  start(partition: number, first: string, next: string, records: number): PendingBatch {
    const batch: PendingBatch = { partition, first, next, records, done: false, settled: false };
    let queue = this.#pending.get(partition);
    if (queue === undefined) this.#pending.set(partition, (queue = []));
    queue.push(batch);
    this.#records += records;
    return batch;
  }

  /**
   * The batch is stored. Returns the offset the partition may now commit (the `next` of the last
   * batch of an unbroken run of done batches at its head), or null when nothing new can be
   * committed: an earlier batch is still pending, or the batch was abandoned.
   */
  done(batch: PendingBatch): string | null {
    this.#settle(batch);
    const queue = this.#pending.get(batch.partition);
    if (queue === undefined || !queue.includes(batch)) return null;
    batch.done = true;
    let committable: string | null = null;
    while (queue.length > 0 && queue[0]!.done) committable = queue.shift()!.next;
    return committable;
  }

  /**
   * The batch failed. Returns the offset to read the partition again from (the first offset of
   * its earliest pending batch), with every pending batch of the partition abandoned; or null when
   * the batch had been abandoned already (a seek or a rebalance came first).
   */
  failed(batch: PendingBatch): string | null {
    this.#settle(batch);
    const queue = this.#pending.get(batch.partition);
    if (queue === undefined || !queue.includes(batch)) return null;
    const from = queue[0]!.first;
    this.#pending.delete(batch.partition);
    return from;
  }

  /** A rebalance: no pending batch of any partition will be committed. */
  abandonAll(): void {
    this.#pending.clear();
  }

  /** Resolves once fewer than `limit` records are in flight. */
  async below(limit: number): Promise<void> {
    while (this.#records >= limit) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves once no record is in flight. */
  async idle(): Promise<void> {
    await this.below(1);
  }

  #settle(batch: PendingBatch): void {
    if (batch.settled) return;
    batch.settled = true;
    this.#records -= batch.records;
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

export interface PendingBatch {
  readonly partition: number;
  readonly first: string;
  readonly next: string;
  readonly records: number;
  done: boolean;
  settled: boolean;
}

const MAX_COMMIT_RETRIES = 3;

/**
 * Offsets to commit, coalesced: one commit in flight at a time, carrying the latest committable
 * offset of every partition that moved meanwhile. `onError` says what a failed commit means: a
 * rebalance drops it (the batches come again to whoever has the partition now); anything else is
 * tried again a few times with its offsets (unless a later one for the same partition came
 * meanwhile), then dropped. A dropped commit loses nothing: its records are delivered again and
 * the store recognises them.
 *
 *   const commits = new OffsetCommits((offsets) => consumer.commitOffsets(...), onError);
 *   commits.add(partition, offset);
 *   await commits.flush();
 */
export class OffsetCommits {
  readonly #commit: (offsets: readonly { partition: number; offset: string }[]) => Promise<void>;
  readonly #onError: (error: unknown, offsets: readonly { partition: number; offset: string }[]) => 'retry' | 'drop';
  readonly #ready = new Map<number, string>();
  #running: Promise<void> | null = null;

  constructor(
    commit: (offsets: readonly { partition: number; offset: string }[]) => Promise<void>,
    onError: (error: unknown, offsets: readonly { partition: number; offset: string }[]) => 'retry' | 'drop',
  ) {
    this.#commit = commit;
    this.#onError = onError;
  }

  /** `offset` is the next record to read on `partition`: everything before it is stored. */
  add(partition: number, offset: string): void {
    this.#ready.set(partition, offset);
    this.#running ??= this.#run();
  }

  /** Forgets offsets not yet committed (a rebalance: the new assignment starts from what was committed). */
  clear(): void {
    this.#ready.clear();
  }

  /** Resolves once every offset added so far has been committed (or its failure handled). */
  async flush(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  async #run(): Promise<void> {
    // Let the batches settling in this turn add their offsets to the same commit.
    await new Promise<void>((resolve) => setImmediate(resolve));
    let failures = 0;
    while (this.#ready.size > 0) {
      const offsets = [...this.#ready].map(([partition, offset]) => ({ partition, offset }));
      this.#ready.clear();
      try {
        await this.#commit(offsets);
        failures = 0;
      } catch (error) {
        if (this.#onError(error, offsets) === 'drop' || failures >= MAX_COMMIT_RETRIES) {
          failures = 0;
          continue;
        }
        for (const { partition, offset } of offsets) if (!this.#ready.has(partition)) this.#ready.set(partition, offset);
        // Back off a little before trying again (the client already retried inside the commit).
        await new Promise<void>((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** failures++)));
      }
    }
    this.#running = null;
  }
}

import { setTimeout as delay } from 'node:timers/promises';
import type { FieldIssue, NewEvent, RecordedEvent } from '../core/index.ts';
import { OverloadedError } from '../core/index.ts';
import type { LeadSettings } from '../leads/index.ts';
import { projectLeadEvent } from '../leads/index.ts';
import type { AppendResult, EventStore, LeadIndex, LeadIndexTransaction } from '../ports/index.ts';
import type { ChannelRules } from './channels/index.ts';
import { messageEventId, planMessage } from './planMessage.ts';
import type { ReceivedMessage } from './segment/receivedMessage.ts';

/** How long a busy pipeline lets go of the lead index's lock between transactions (other writers poll every few ms). */
const LOCK_GAP_MS = 5;

/** Messages planned in one go: between two chunks the event loop runs (requests keep being read and answered). */
const PLAN_CHUNK = 250;

/** What became of one message. */
export type MessageOutcome =
  | { readonly status: 'stored'; readonly messageId: string; readonly leadId: string | null; readonly events: number }
  /** Valid, but it changed nothing (an identify repeating what is known). */
  | { readonly status: 'unchanged'; readonly messageId: string; readonly leadId: string | null }
  | { readonly status: 'duplicate'; readonly messageId: string }
  /** Held durably by the ingest log; an ingest worker stores it (INGEST_LOG=kafka). */
  | { readonly status: 'accepted'; readonly messageId: string }
  | { readonly status: 'rejected'; readonly messageId: string; readonly issues: readonly FieldIssue[] }
  | { readonly status: 'failed'; readonly messageId: string; readonly error: Error };

/** Where IngestService hands valid messages: the pipeline (straight to the store) or the ingest log. */
export interface MessageSink {
  /** Outcomes in the order of the messages. Never rejects: failures are outcomes. */
  submit(messages: readonly ReceivedMessage[]): Promise<MessageOutcome[]>;
}

export interface IngestPipelineOptions {
  readonly store: EventStore;
  readonly index: LeadIndex;
  readonly settings: LeadSettings;
  readonly channelRules: ChannelRules;
  /**
   * Most messages planned and appended together (one store commit). Default 2,000: while a
   * backlog waits, a commit takes up to this many, since a large commit costs less per event (the
   * store's random-key index pages and its fsync, the index's writes, the subscribers' wake-ups are
   * shared by more events); with no backlog a batch is appended as soon as the store is free.
   */
  readonly maxBatch?: number;
  /**
   * While messages keep coming, the lead index commits at most this often (default 500 ms)
   * instead of after every batch: a lead touched by several batches has its profile written once,
   * and the index's random-key pages are written once per interval. A batch is answered as soon as
   * the store holds it; the index follows with the next commit, and at once when the queue empties.
   */
  readonly indexCommitIntervalMs?: number;
  /**
   * Most messages waiting to be stored: a submit that would go beyond is refused at once (its
   * outcomes are `failed` with an OverloadedError) rather than queued. Default 20,000: some
   * seconds of work, so latency stays bounded under overload.
   */
  readonly maxQueued?: number;
}

interface Pending {
  readonly message: ReceivedMessage;
  resolve(outcome: MessageOutcome): void;
}

interface PlannedAppend {
  readonly slot: number;
  readonly messageId: string;
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly leadId: string | null;
}

/** A batch planned and projected into the index: each message's outcome, or null where an append decides it. */
interface PlannedBatch {
  readonly outcomes: (MessageOutcome | null)[];
  readonly appends: PlannedAppend[];
}

/** A planned batch whose appends the store was asked for, with the index's checkpoint at that moment. */
interface Appending {
  readonly planned: PlannedBatch;
  readonly checkpoint: number;
  readonly results: Promise<PromiseSettledResult<AppendResult>[]>;
}

const NOTHING_PLANNED: PlannedBatch = { outcomes: [], appends: [] };

function answer(batch: readonly Pending[], outcomes: readonly MessageOutcome[]): void {
  batch.forEach((pending, i) => pending.resolve(outcomes[i]!));
}

/** One turn of the event loop (I/O and immediates run). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Ingestion's write path: messages from every request queue here and are taken in batches.
 * Batches run inside a lead-index transaction (the lock that orders writers, across processes
 * too): catch the index up with the store, then for each batch plan each message against the
 * index as the earlier messages left it, project the planned events into the index and append
 * them (the store commits a batch's appends together). While the store commits one batch, the
 * messages that arrive are planned as they come, and form the next batch, appended as soon as that
 * commit ends, unless a backlog is waiting: then the batch first takes it in, up to `maxBatch`,
 * because one large commit costs less per event than several small ones. Planning goes a chunk of
 * messages at a time, with the event loop let in between. The index commits when nothing came
 * during the last commit, or every `indexCommitIntervalMs` while messages keep coming. An acknowledged message is in the store; the
 * index can always be rebuilt from the store, and after a failure or a crash it catches up from it.
 * Messages are taken in the order they were submitted; a failure fails every message not yet
 * answered, those still waiting included, so nothing submitted after a failed message is stored
 * ahead of it.
 *
 *   const pipeline = createIngestPipeline({ store, index, settings, channelRules });
 *   const [outcome] = await pipeline.submit([received]);
 */
export function createIngestPipeline(options: IngestPipelineOptions): IngestPipeline {
  return new IngestPipeline(options);
}

export class IngestPipeline implements MessageSink {
  readonly #options: IngestPipelineOptions;
  readonly #queue: Pending[] = [];
  #draining: Promise<void> | null = null;
  /** Wakes a drain waiting for messages (`#arrival`). */
  #wake: (() => void) | null = null;

  constructor(options: IngestPipelineOptions) {
    this.#options = options;
  }

  /** Outcomes in the order of the messages. Never rejects: failures are outcomes. */
  submit(messages: readonly ReceivedMessage[]): Promise<MessageOutcome[]> {
    const maxQueued = this.#options.maxQueued ?? 20_000;
    if (this.#queue.length > 0 && this.#queue.length + messages.length > maxQueued) {
      const error = new OverloadedError(`the server is busy: ${this.#queue.length.toLocaleString('en-US')} messages are waiting to be stored; send these again in a second`, 1);
      return Promise.resolve(messages.map((received) => ({ status: 'failed', messageId: received.message.messageId, error })));
    }
    const outcomes = messages.map(
      (message) => new Promise<MessageOutcome>((resolve) => this.#queue.push({ message, resolve })),
    );
    this.#startDraining();
    const wake = this.#wake;
    if (wake !== null) {
      this.#wake = null;
      // After this turn's I/O, so that the requests arriving together are planned together.
      setImmediate(wake);
    }
    return Promise.all(outcomes);
  }

  /** Resolves once messages are submitted (and the turn of the event loop that brought them is over). */
  #arrival(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /**
   * Drains the queue unless a drain is running. A drain that found the queue empty has returned
   * but not yet let go: messages submitted in that moment (by the code its last answers woke up)
   * are taken by a new drain, never left waiting.
   */
  #startDraining(): void {
    if (this.#draining !== null) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = null;
      if (this.#queue.length > 0) this.#startDraining();
    });
  }

  /** Brings the index up to date with events other writers appended. */
  catchUp(): Promise<void> {
    return this.#options.index.transaction(async (tx) => {
      await this.#catchUp(tx);
    });
  }

  /**
   * Keeps the index up to date with what other writers (other processes, other services) append,
   * until the signal aborts: every `intervalMs` it compares the store's head with the index's
   * checkpoint and catches up when the store is ahead. Ingestion's own batches move the
   * checkpoint themselves, so a busy ingesting server reads nothing back.
   */
  async follow(signal: AbortSignal, options: { intervalMs?: number } = {}): Promise<void> {
    const intervalMs = options.intervalMs ?? 250;
    const { index, store } = this.#options;
    while (!signal.aborted) {
      if ((await store.headPosition()) > (await index.read.checkpoint())) await this.catchUp();
      await delay(intervalMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Resolves when every message submitted so far has its outcome. */
  async drained(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    // Let the requests arriving in this turn of the event loop join the first batch.
    await yieldToEventLoop();
    const maxBatch = this.#options.maxBatch ?? 2_000;
    const intervalMs = this.#options.indexCommitIntervalMs ?? 500;
    while (this.#queue.length > 0) {
      /** Batches taken from the queue and not answered yet: if the transaction fails, their messages fail. */
      const unanswered = new Set<Pending[]>();
      /** The last batch of a transaction is answered after the index commit. */
      let last: { batch: Pending[]; outcomes: MessageOutcome[] } | null = null;
      /** The appends the store was last asked for: after a failure, the catch-up waits for them. */
      let requested: Promise<unknown> = Promise.resolve();
      try {
        await this.#options.index.transaction(async (tx) => {
          await this.#catchUp(tx);
          const deadline = performance.now() + intervalMs;
          // Message ids taken in this transaction: a batch is planned before the one ahead of it is
          // in the store, so the store cannot yet tell that a message of that batch came again.
          const seen = new Set<string>();
          /** The batch whose appends the store is committing; `stored` once the store has answered. */
          let committing: { batch: Pending[]; appending: Appending; stored: boolean } | null = null;
          for (;;) {
            // Take what is queued and plan it (projecting it into the index). While the store commits
            // the batch ahead, keep taking and planning messages as they arrive, so that the next
            // commit starts as soon as that one ends and carries everything that came meanwhile.
            const batch: Pending[] = [];
            unanswered.add(batch);
            const planned: PlannedBatch = { outcomes: [], appends: [] };
            for (;;) {
              const taken = this.#queue.splice(0, Math.min(PLAN_CHUNK, maxBatch - batch.length));
              if (taken.length > 0) {
                batch.push(...taken);
                await this.#plan(tx, taken, seen, planned);
              }
              if (committing === null || batch.length >= maxBatch) break;
              // A backlog joins this batch (up to maxBatch), a chunk at a time with the event loop let in between.
              if (this.#queue.length > 0) {
                await yieldToEventLoop();
                continue;
              }
              if (committing.stored) break;
              await Promise.race([committing.appending.results, this.#arrival()]);
            }
            if (committing !== null) {
              const outcomes = await this.#settle(tx, committing.appending, planned);
              if (batch.length === 0) {
                // Nothing came while it committed: the last batch, answered after the index commits.
                unanswered.delete(batch);
                last = { batch: committing.batch, outcomes };
                return;
              }
              // In the store now: answered at once; the index commits with a later batch.
              answer(committing.batch, outcomes);
              unanswered.delete(committing.batch);
            }
            if (batch.length === 0) return;
            // Appends are asked for in batch order, each batch once the one ahead is stored: a
            // batch planned on top of one that failed is never appended.
            const appending = await this.#request(tx, planned);
            const current = { batch, appending, stored: false };
            void appending.results.then(() => {
              current.stored = true;
            });
            committing = current;
            requested = appending.results;
            // The store's commit starts in this turn of the event loop, before the next batch is planned.
            await yieldToEventLoop();
            // While it commits, the index writes out what the batch changed, instead of all at its own commit.
            await tx.writePending();
            if (performance.now() >= deadline) {
              last = { batch, outcomes: await this.#settle(tx, appending) };
              return;
            }
          }
        });
        const done = last as { batch: Pending[]; outcomes: MessageOutcome[] } | null;
        if (done !== null) answer(done.batch, done.outcomes);
        // Still busy: leave the index's lock free for a moment, so another process writing the
        // same index (a second ingest worker) gets its turn instead of waiting out its timeout.
        if (this.#queue.length > 0) await delay(LOCK_GAP_MS);
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        // Every message waiting now fails too: it was sent before the failure was known, and a
        // sender's later messages must not be stored ahead of its earlier ones that failed (an
        // ingest worker sends a partition's next batches before the ones ahead are stored).
        unanswered.add(this.#queue.splice(0));
        for (const batch of unanswered) {
          for (const pending of batch) pending.resolve({ status: 'failed', messageId: pending.message.message.messageId, error: failure });
        }
        // The index rolled back to its last commit: what reached the store since is taken in from
        // the store, once the appends asked for are settled.
        await requested;
        await this.catchUp().catch(() => undefined);
      }
    }
  }

  /**
   * Plans messages inside the index transaction `tx`, adding them to the batch `into`: each
   * message against the index as the earlier ones left it, its events projected into the index.
   * Nothing is appended yet.
   */
  async #plan(tx: LeadIndexTransaction, taken: readonly Pending[], seen: Set<string>, into: PlannedBatch): Promise<void> {
    const { store, settings, channelRules } = this.#options;
    const { outcomes, appends } = into;
    const messages = taken.map((pending) => pending.message);
    // A message stored before (whenever: its first event is in the store) is a duplicate. Every
    // ingestion writer appends under the index's lock, so none can store one of these meanwhile.
    const firstIds = messages.map((received) => messageEventId(received.message.messageId, 0));
    const stored = await store.storedIds(firstIds);
    for (const [i, received] of messages.entries()) {
      const slot = outcomes.length;
      const messageId = received.message.messageId;
      if (seen.has(messageId) || stored.has(firstIds[i]!)) {
        outcomes.push({ status: 'duplicate', messageId });
        continue;
      }
      seen.add(messageId);
      const plan = await planMessage(received, { index: tx, settings, channelRules });
      if (plan.kind === 'rejected') {
        outcomes.push({ status: 'rejected', messageId, issues: plan.issues });
        continue;
      }
      if (plan.events.length === 0) {
        outcomes.push({ status: 'unchanged', messageId, leadId: plan.leadId });
        continue;
      }
      // Projected now, inside the transaction, so the next message sees this one.
      for (const event of plan.events) {
        await tx.apply(await projectLeadEvent(tx, { ...event, stream: plan.stream }));
      }
      appends.push({ slot, messageId, stream: plan.stream, events: plan.events, leadId: plan.leadId });
      outcomes.push(null);
    }
  }

  /** Asks the store for a planned batch's appends, together (one store commit). */
  async #request(tx: LeadIndexTransaction, planned: PlannedBatch): Promise<Appending> {
    const checkpoint = await tx.checkpoint();
    const { store } = this.#options;
    return { planned, checkpoint, results: Promise.allSettled(planned.appends.map((append) => store.append(append.stream, append.events))) };
  }

  /**
   * Waits for a batch's appends, moves the index's checkpoint past them and says what became of
   * each message. `next` is the batch planned meanwhile (projected into the index, not yet appended).
   */
  async #settle(tx: LeadIndexTransaction, appending: Appending, next: PlannedBatch = NOTHING_PLANNED): Promise<MessageOutcome[]> {
    const { planned, checkpoint } = appending;
    const results = await appending.results;
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    const appended = results.flatMap((result) => (result as PromiseFulfilledResult<AppendResult>).value.appended);
    await this.#advance(tx, checkpoint, appended, next);
    const outcomes = [...planned.outcomes];
    planned.appends.forEach((append, i) => {
      const result = (results[i] as PromiseFulfilledResult<AppendResult>).value;
      outcomes[append.slot] =
        result.appended.length === 0 ? { status: 'duplicate', messageId: append.messageId } : { status: 'stored', messageId: append.messageId, leadId: append.leadId, events: result.appended.length };
    });
    return outcomes as MessageOutcome[];
  }

  /**
   * The checkpoint moves past the batch when its events sit right after it in the store's order;
   * when another writer's events are interleaved, the batch's events are remembered as applied
   * and the next catch-up projects the others.
   */
  async #advance(tx: LeadIndexTransaction, checkpoint: number, appended: readonly RecordedEvent[], next: PlannedBatch): Promise<void> {
    if (appended.length === 0) return;
    const positions = appended.map((event) => event.position).sort((a, b) => a - b);
    const contiguous = positions[0] === checkpoint + 1 && positions.every((position, i) => i === 0 || position === positions[i - 1]! + 1);
    if (contiguous) {
      await tx.setCheckpoint(positions[positions.length - 1]!);
      return;
    }
    await tx.apply(appended.map((event) => ({ kind: 'applied', eventId: event.id, position: event.position }) as const));
    // Another writer (the router, a hand reassignment) appended while this batch was planned, so
    // its events sit before ours in the store but reach the index after them. Take them in now,
    // and where one of them gave a lead an owner that ours overrides in the store's order, put
    // ours back on top: the index's owner is always the store's latest.
    const theirs = await this.#catchUp(tx);
    for (const event of appended) {
      const their = theirs.get(event.stream);
      if (event.type !== 'OwnerAssigned' || their === undefined || their > event.position) continue;
      await tx.apply((await projectLeadEvent(tx, event)).filter((change) => change.kind === 'putLead'));
    }
    // The batch planned meanwhile lands after all of theirs: its owner for such a lead (the last
    // one it assigns) goes back on top too.
    const ours = new Map<string, NewEvent>();
    for (const append of next.appends) {
      if (!theirs.has(append.stream)) continue;
      for (const event of append.events) if (event.type === 'OwnerAssigned') ours.set(append.stream, event);
    }
    for (const [stream, event] of ours) {
      await tx.apply((await projectLeadEvent(tx, { ...event, stream })).filter((change) => change.kind === 'putLead'));
    }
  }

  /** Projects what the index has not seen yet; says where it applied an owner (stream → newest position). */
  async #catchUp(tx: LeadIndexTransaction): Promise<Map<string, number>> {
    const store = this.#options.store;
    const owners = new Map<string, number>();
    let checkpoint = await tx.checkpoint();
    if ((await store.headPosition()) <= checkpoint) return owners;
    for (;;) {
      const page = await store.readAll({ after: checkpoint, limit: 1_000 });
      if (page.length === 0) break;
      for (const event of page) {
        if (await tx.wasApplied(event.id)) continue;
        await tx.apply(await projectLeadEvent(tx, event));
        if (event.type === 'OwnerAssigned') owners.set(event.stream, event.position);
      }
      checkpoint = page[page.length - 1]!.position;
      await tx.setCheckpoint(checkpoint);
      if (page.length < 1_000) break;
    }
    return owners;
  }
}

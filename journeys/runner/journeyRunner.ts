import { setTimeout as delay } from 'node:timers/promises';
import type { Clock, NewEvent } from '../../services/core/index.ts';
import { ConcurrencyError, isShard, leadShard, systemClock } from '../../services/core/index.ts';
import type { Checkpoints, EventStore, RuleEvaluator } from '../../services/ports/index.ts';
import type { LeadOutput } from './journeyEngine.ts';
import { JourneyEngine } from './journeyEngine.ts';

/** Most events the runner handles between two store commits of its decisions. */
const BATCH_EVENTS = 2_000;

export const JOURNEY_RUNNER_CHECKPOINT = 'journey-runner';

export interface JourneyRunnerOptions {
  readonly store: EventStore;
  readonly checkpoints: Checkpoints;
  readonly evaluator: RuleEvaluator;
  readonly clock?: Clock;
  /** How often due waits are looked for while the store is idle. Default 1 s. */
  readonly timerIntervalMs?: number;
  /** Checkpoint name (several runners over different stores in one process). */
  readonly name?: string;
  readonly onError?: (error: unknown, context: string) => void;
  /** Passed to the engine: same action, same lead, two journeys within this window → one suggestion. */
  readonly mergeWindowMs?: number;
  /**
   * This runner's part of the leads when several share the work: shard `index` (0-based) of
   * `count` takes the leads whose id hashes to it (leadShard). Default: all leads.
   */
  readonly shard?: { readonly index: number; readonly count: number };
}

/** The checkpoint a runner of this shard keeps (`journey-runner`, or `journey-runner-2-of-4`). */
export function journeyRunnerCheckpoint(shard?: { readonly index: number; readonly count: number }): string {
  return shard === undefined || shard.count === 1 ? JOURNEY_RUNNER_CHECKPOINT : `${JOURNEY_RUNNER_CHECKPOINT}-${shard.index + 1}-of-${shard.count}`;
}

// The hash lives in core: the projector divides the leads with the same function (NUDGE_PROJECTOR_SHARD).
export { leadShard };

export interface JourneyRunnerStatus {
  readonly checkpoint: number;
  readonly caughtUp: boolean;
  readonly leads: number;
  readonly recorded: number;
}

/**
 * Runs the published journeys for every lead: subscribes to the event store, keeps each lead's
 * facts and journey state in a JourneyEngine, records the interpreter's decisions on the lead's
 * stream with the expected revision, and stores its checkpoint after each batch.
 *
 * Restart: the engine's state is rebuilt by reading the history up to the checkpoint without
 * deciding, then deciding from there on. Decisions are deterministic and their event ids derived
 * from (lead, journey, trigger, step), so events decided again after a crash before the
 * checkpoint are duplicates the store skips: nothing is proposed twice. Waits are durable
 * because they are events: after a restart the rebuilt state holds them, and those that came
 * due during the downtime fire at once (late, never lost).
 *
 *   const runner = createJourneyRunner({ store, checkpoints, evaluator });
 *   const running = runner.run(signal);
 */
export function createJourneyRunner(options: JourneyRunnerOptions): JourneyRunner {
  return new JourneyRunner(options);
}

export class JourneyRunner {
  readonly engine: JourneyEngine;
  readonly #options: JourneyRunnerOptions;
  readonly #clock: Clock;
  readonly #name: string;
  #checkpoint = 0;
  #caughtUp = false;
  #recorded = 0;
  /** The revision of each lead stream as the runner last saw it: the expected revision of its next append. */
  readonly #revisions = new Map<string, number>();
  /** One thing at a time: subscription batches and timer ticks never interleave. */
  #work: Promise<unknown> = Promise.resolve();
  readonly #caughtUpWaiters = new Set<() => void>();
  /** Whether a lead is this runner's (its shard's). */
  readonly #owns: (leadId: string) => boolean;

  constructor(options: JourneyRunnerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    const shard = options.shard;
    if (shard !== undefined && !isShard(shard)) {
      throw new Error(`journey runner: shard ${shard.index} of ${shard.count} is not a shard (0 ≤ index < count)`);
    }
    // Each shard keeps its own checkpoint: changing the count starts the new shards from the beginning (their decisions are idempotent).
    this.#name = options.name ?? journeyRunnerCheckpoint(shard);
    this.#owns = shard === undefined || shard.count === 1 ? () => true : (leadId) => leadShard(leadId, shard.count) === shard.index;
    this.engine = new JourneyEngine({
      evaluator: options.evaluator,
      readsOwnOutput: true,
      ...(options.mergeWindowMs === undefined ? {} : { mergeWindowMs: options.mergeWindowMs }),
      onDecisionError: (error, { leadId, journeyId }) => options.onError?.(error, `deciding ${journeyId} for lead ${leadId}`),
    });
  }

  status(): JourneyRunnerStatus {
    return { checkpoint: this.#checkpoint, caughtUp: this.#caughtUp, leads: this.engine.leadCount, recorded: this.#recorded };
  }

  /** Resolves once the runner has handled everything that was in the store when it caught up. */
  caughtUp(): Promise<void> {
    if (this.#caughtUp) return Promise.resolve();
    return new Promise((resolve) => this.#caughtUpWaiters.add(resolve));
  }

  /** Resolves when the runner has handled every event up to the store's head as of now (for tests and the CLI). */
  async settled(): Promise<void> {
    const head = await this.#options.store.headPosition();
    while (this.#checkpoint < head) await delay(20);
    await this.#serial(() => Promise.resolve());
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { store, checkpoints } = this.#options;
    const decidedUpTo = await checkpoints.get(this.#name);
    this.#checkpoint = decidedUpTo;
    const ticking = this.#tick(signal);
    try {
      // A runner that is behind takes big batches: each batch waits for one store commit (its
      // decisions), so the batch size sets how fast it catches up under sustained ingestion.
      for await (const batch of store.subscribe({ after: 0, signal, maxBatchSize: BATCH_EVENTS })) {
        await this.#serial(async () => {
          // The batch's decisions are recorded together at its end: one commit for all the leads
          // it touched, rather than one per decision (the engine's state does not wait for them).
          const outputs: LeadOutput[] = [];
          for (const event of batch.events) {
            // Another shard's lead: not this runner's to follow (journeys, reps and accounts are everyone's).
            if (event.stream.startsWith('lead-') && !this.#owns(event.stream.slice('lead-'.length))) continue;
            if (event.stream.startsWith('lead-')) this.#seenRevision(event.stream, event.revision);
            const decide = event.position > decidedUpTo;
            // Waits due before this event fire first, also while rebuilding (their events are in
            // the store already: the append is a no-op), so a rebuilt state took the same steps.
            // An event's time is what a client said: never past the wall clock, or one event dated
            // next year would fire every lead's waits at once.
            outputs.push(...(await this.#dueOutputs(Math.min(Date.parse(event.metadata.occurredAt), this.#clock.now().getTime()))));
            outputs.push(...(await this.engine.handle(event, { decide })));
          }
          await this.#append(outputs);
          const last = batch.events.at(-1);
          if (last && last.position > this.#checkpoint) {
            this.#checkpoint = last.position;
            await checkpoints.set(this.#name, last.position);
          }
          if (batch.caughtUp && this.#checkpoint >= decidedUpTo) {
            this.#caughtUp = true;
            await this.#append(await this.#dueOutputs(this.#clock.now().getTime()));
            for (const resolve of this.#caughtUpWaiters) resolve();
            this.#caughtUpWaiters.clear();
          }
        });
      }
    } finally {
      await ticking;
    }
  }

  /** Waits fall due with the wall clock too, when no event comes for the lead. */
  async #tick(signal: AbortSignal): Promise<void> {
    const interval = this.#options.timerIntervalMs ?? 1_000;
    while (!signal.aborted) {
      await delay(interval, undefined, { signal }).catch(() => undefined);
      if (signal.aborted || !this.#caughtUp) continue;
      await this.#serial(async () => this.#append(await this.#dueOutputs(this.#clock.now().getTime()))).catch((error: unknown) => this.#options.onError?.(error, 'firing due waits'));
    }
  }

  /** What the waits due by `until` decide (nothing when none is due). */
  async #dueOutputs(until: number): Promise<readonly LeadOutput[]> {
    const next = this.engine.nextDueAt();
    if (next === null || next > until) return [];
    return this.engine.fireTimers(until);
  }

  /**
   * Records decisions: each stream's events in the order decided, as one append; the streams'
   * appends are asked for together, so the store commits them in one transaction.
   */
  async #append(outputs: readonly LeadOutput[]): Promise<void> {
    const byStream = new Map<string, NewEvent[]>();
    for (const output of outputs) {
      if (output.events.length === 0) continue;
      const events = byStream.get(output.stream);
      if (events) events.push(...output.events);
      else byStream.set(output.stream, [...output.events]);
    }
    await Promise.all([...byStream].map(([stream, events]) => this.#appendToStream(stream, events)));
  }

  async #appendToStream(stream: string, events: readonly NewEvent[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const expected = this.#revisions.get(stream) ?? 'any';
      try {
        const result = await this.#options.store.append(stream, events, { expectedRevision: expected });
        if (result.streamRevision !== null) this.#seenRevision(stream, result.streamRevision);
        this.#recorded += result.appended.length;
        return;
      } catch (error) {
        // Ingestion appended to the lead meanwhile: those events come after this decision in
        // the subscription and will be handled next; the decision stands on the newer revision.
        if (!(error instanceof ConcurrencyError) || attempt >= 5) throw error;
        const revision = await this.#options.store.streamRevision(stream);
        if (revision !== null) this.#revisions.set(stream, revision);
      }
    }
  }

  #seenRevision(stream: string, revision: number): void {
    const known = this.#revisions.get(stream);
    if (known === undefined || revision > known) this.#revisions.set(stream, revision);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#work.then(work, work);
    this.#work = next.catch(() => undefined);
    return next;
  }
}

import type { EventStore, GlobalPosition } from '../../services/ports/index.ts';
import { START } from '../../services/ports/index.ts';
import type { JourneyStatsReport } from './journeyStats.ts';
import { JourneyStats, STATS_EVENT_TYPES } from './journeyStats.ts';

export interface JourneyStatsProjectionOptions {
  readonly store: EventStore;
  /** Most events in one subscription batch. Default 500. */
  readonly maxBatchSize?: number;
}

export interface JourneyStatsStatus {
  /** The position of the last event folded (START before the first). */
  readonly position: GlobalPosition;
  /** True once everything that was in the store at start-up has been folded. */
  readonly caughtUp: boolean;
}

/**
 * Keeps JourneyStats up to date with the event store. It lives in memory and is rebuilt from the
 * beginning of the store at every start (like the journey runner's state): statistics are cheap
 * to recompute and never diverge from the events, so there is no checkpoint to keep.
 *
 *   const stats = createJourneyStatsProjection({ store });
 *   const running = stats.run(signal);
 *   await stats.caughtUp();
 *   stats.report('webinar-follow-up');
 */
export function createJourneyStatsProjection(options: JourneyStatsProjectionOptions): JourneyStatsProjection {
  return new JourneyStatsProjection(options);
}

export class JourneyStatsProjection {
  readonly #options: JourneyStatsProjectionOptions;
  readonly #stats = new JourneyStats();
  #position: GlobalPosition = START;
  #caughtUp = false;
  /** Set when run() ended: waiters would wait for ever, so they are told why instead. */
  #stopped: Error | null = null;
  readonly #waiters = new Set<{ until: GlobalPosition | 'caughtUp'; resolve: () => void; reject: (error: Error) => void }>();

  constructor(options: JourneyStatsProjectionOptions) {
    this.#options = options;
  }

  report(journeyId: string, options: { version?: number } = {}): JourneyStatsReport {
    return this.#stats.report(journeyId, options);
  }

  status(): JourneyStatsStatus {
    return { position: this.#position, caughtUp: this.#caughtUp };
  }

  /** Resolves once everything that was in the store when the subscription started is folded. */
  caughtUp(): Promise<void> {
    return this.#wait('caughtUp');
  }

  /** Resolves once every event up to the store's head as of this call is folded (tests, the CLI). */
  async settled(): Promise<void> {
    const head = await this.#options.store.headPosition();
    return this.#wait(head);
  }

  /** Folds the store from its first event, then live, until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#position !== START || this.#stopped !== null) throw new Error('a journey stats projection runs once');
    try {
      // Only the events the statistics fold: the store passes over the rest (touches above all) unread.
      for await (const batch of this.#options.store.subscribe({ after: START, signal, maxBatchSize: this.#options.maxBatchSize ?? 500, types: STATS_EVENT_TYPES })) {
        for (const event of batch.events) this.#stats.apply(event);
        this.#position = batch.position;
        if (batch.caughtUp) this.#caughtUp = true;
        this.#wake();
      }
      this.#stop(new Error('the journey stats projection stopped'));
    } catch (error) {
      this.#stop(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  #wait(until: GlobalPosition | 'caughtUp'): Promise<void> {
    if (this.#reached(until)) return Promise.resolve();
    if (this.#stopped) return Promise.reject(this.#stopped);
    return new Promise((resolve, reject) => this.#waiters.add({ until, resolve, reject }));
  }

  #reached(until: GlobalPosition | 'caughtUp'): boolean {
    return until === 'caughtUp' ? this.#caughtUp : this.#position >= until;
  }

  #wake(): void {
    for (const waiter of this.#waiters) {
      if (!this.#reached(waiter.until)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve();
    }
  }

  #stop(reason: Error): void {
    this.#stopped = reason;
    for (const waiter of this.#waiters) waiter.reject(reason);
    this.#waiters.clear();
  }
}

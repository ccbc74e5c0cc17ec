import { setTimeout as delay } from 'node:timers/promises';
import type { EventStore } from '../ports/index.ts';
import { QUEUE_EVENT_TYPES, SuggestionQueue } from './suggestionQueue.ts';

/**
 * Keeps a SuggestionQueue up to date with the store: in memory, rebuilt from the start of the
 * store when the process starts (the queue of a few thousand reps fits in memory many times
 * over; a persisted read model would make restarts of very large stores faster).
 *
 *   const projection = createSuggestionQueueProjection({ store });
 *   void projection.run(signal);
 *   projection.queue.queue('rep-ana', { now: new Date() });
 */
export function createSuggestionQueueProjection(options: { store: EventStore }): SuggestionQueueProjection {
  return new SuggestionQueueProjection(options.store);
}

export class SuggestionQueueProjection {
  readonly queue = new SuggestionQueue();
  readonly #store: EventStore;
  #position = 0;
  #failed: unknown = null;

  constructor(store: EventStore) {
    this.#store = store;
  }

  get position(): number {
    return this.#position;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#failed = null;
    try {
      // Only the events the queue folds: the store passes over the rest (touches above all) unread.
      for await (const batch of this.#store.subscribe({ after: this.#position, signal, maxBatchSize: 1_000, types: QUEUE_EVENT_TYPES })) {
        for (const event of batch.events) {
          this.queue.apply(event);
          this.#position = event.position;
        }
        this.#position = batch.position;
      }
    } catch (error) {
      if (!signal.aborted) this.#failed = error;
      throw error;
    }
  }

  /** Resolves once everything in the store as of now is in the queue (read-your-writes for the API). */
  async settled(timeoutMs = 5_000): Promise<void> {
    const head = await this.#store.headPosition();
    const until = Date.now() + timeoutMs;
    while (this.#position < head) {
      if (this.#failed !== null) throw this.#failed instanceof Error ? this.#failed : new Error("the queue stopped following the store");
      if (Date.now() > until) return;
      await delay(10);
    }
  }
}

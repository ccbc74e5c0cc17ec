import type { Clock } from '../core/index.ts';
import { NotFoundError, systemClock } from '../core/index.ts';
import type { SuggestionEvent } from '../events/index.ts';
import { streams } from '../events/index.ts';
import type { EventStore } from '../ports/index.ts';
import { handleCommand } from '../ports/index.ts';
import type { DismissReason, SuggestionCommand, SuggestionOutcome, SuggestionStatus } from './suggestionLifecycle.ts';
import { suggestionLifecycle } from './suggestionLifecycle.ts';
import type { SuggestionQueueProjection } from './suggestionQueueProjection.ts';

export interface TransitionResult {
  readonly suggestionId: string;
  readonly leadId: string;
  readonly status: SuggestionStatus;
  /** Types of the events recorded (empty: it was already so, e.g. accepting twice). */
  readonly recorded: readonly string[];
}

/**
 * What a rep does with a suggestion: accept, complete with an outcome, dismiss with a reason,
 * snooze. Each is decided on the lead's stream against the suggestion's current state, with the
 * expected revision (a concurrent change makes it decide again), and refused with 409 when the
 * state does not allow it.
 *
 *   await suggestions.complete(id, { outcome: 'meeting_booked', note: null, by: 'rep-ana' });
 */
export class SuggestionService {
  readonly #store: EventStore;
  readonly #projection: SuggestionQueueProjection;
  readonly #clock: Clock;

  constructor(options: { store: EventStore; projection: SuggestionQueueProjection; clock?: Clock }) {
    this.#store = options.store;
    this.#projection = options.projection;
    this.#clock = options.clock ?? systemClock;
  }

  accept(suggestionId: string, by: string | null): Promise<TransitionResult> {
    return this.#run({ type: 'AcceptSuggestion', data: { suggestionId, by } });
  }

  complete(suggestionId: string, input: { outcome: SuggestionOutcome; note: string | null; by: string | null }): Promise<TransitionResult> {
    return this.#run({ type: 'CompleteSuggestion', data: { suggestionId, ...input } });
  }

  dismiss(suggestionId: string, input: { reason: DismissReason; note: string | null; by: string | null }): Promise<TransitionResult> {
    return this.#run({ type: 'DismissSuggestion', data: { suggestionId, ...input } });
  }

  snooze(suggestionId: string, input: { until: string; by: string | null }): Promise<TransitionResult> {
    return this.#run({ type: 'SnoozeSuggestion', data: { suggestionId, ...input } });
  }

  /** Expires every open suggestion past its expiry; returns how many. Safe to run concurrently (a lost race is a no-op). */
  async expireDue(): Promise<number> {
    await this.#projection.settled();
    let expired = 0;
    for (const item of this.#projection.queue.expiredBy(this.#clock.now())) {
      try {
        const result = await this.#run({ type: 'ExpireSuggestion', data: { suggestionId: item.suggestionId } });
        if (result.recorded.length > 0) expired++;
      } catch {
        // Completed or dismissed meanwhile: nothing to expire.
      }
    }
    return expired;
  }

  async #run(command: SuggestionCommand): Promise<TransitionResult> {
    await this.#projection.settled();
    const item = this.#projection.queue.get(command.data.suggestionId);
    if (!item) throw new NotFoundError(`no suggestion ${command.data.suggestionId}`);
    const result = await handleCommand(this.#store, streams.lead(item.leadId), suggestionLifecycle, command, { clock: this.#clock });
    const state = result.state.get(command.data.suggestionId)!;
    return {
      suggestionId: command.data.suggestionId,
      leadId: item.leadId,
      status: state.status,
      recorded: result.appended.map((event) => event.type as SuggestionEvent['type'] | 'TouchRecorded'),
    };
  }
}

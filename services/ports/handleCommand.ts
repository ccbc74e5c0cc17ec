import type { Clock, Command, Decider, Event, IdGenerator, RecordedEvent } from '../core/index.ts';
import { ConcurrencyError, fold, newEvent, systemClock } from '../core/index.ts';
import type { EventStore } from './eventStore.ts';

export interface HandleCommandOptions {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** How many times to re-read and re-decide when another writer got there first. Default 3. */
  readonly retries?: number;
}

export interface HandleCommandResult<S> {
  readonly state: S;
  readonly appended: readonly RecordedEvent[];
  readonly streamRevision: number | null;
}

/**
 * Read the stream, fold it, decide, append with the revision that was read: the one way every
 * area turns a command into events. It lives beside the port because it needs nothing but the
 * port; a conflicting concurrent writer makes it re-read and decide again.
 *
 *   await handleCommand(store, `lead-${id}`, leadDecider, { type: 'AssignOwner', data }, { clock });
 */
export async function handleCommand<C extends Command, S, E extends Event>(
  store: EventStore,
  stream: string,
  decider: Decider<C, S, E>,
  command: C,
  options: HandleCommandOptions = {},
): Promise<HandleCommandResult<S>> {
  const clock = options.clock ?? systemClock;
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const history = await store.readStream(stream);
    const revision = history.at(-1)?.revision ?? null;
    let state = fold(decider, history as unknown as readonly E[]);
    const now = clock.now();
    const decided = decider.decide(command, state, { now });
    if (decided.length === 0) return { state, appended: [], streamRevision: revision };
    const toAppend = decided.map((event) =>
      newEvent(event, { clock, ...(options.ids ? { ids: options.ids } : {}), ...(command.metadata ? { causedBy: command.metadata } : {}) }),
    );
    try {
      const result = await store.append(stream, toAppend, { expectedRevision: revision ?? 'noStream' });
      for (const event of decided) state = decider.evolve(state, event);
      return { state, appended: result.appended, streamRevision: result.streamRevision };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= retries) throw error;
    }
  }
}

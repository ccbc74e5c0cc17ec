import type { Command, Event } from './message.ts';

/**
 * The whole domain model of one stream type, as pure functions:
 * `decide(command, state, context) → events` and `evolve(state, event) → state`.
 * No I/O, no clock: the time a decision is made at comes in `context.now`.
 *
 *   const state = fold(decider, history);
 *   const events = decider.decide(command, state, { now });
 */
export interface Decider<C extends Command, S, E extends Event> {
  decide(command: C, state: S, context: DecisionContext): readonly E[];
  evolve(state: S, event: E): S;
  initialState(): S;
}

export interface DecisionContext {
  readonly now: Date;
}

/** Rebuilds state from history: `initialState()` evolved through every event in order. */
export function fold<S, E extends Event>(
  decider: Pick<Decider<Command, S, E>, 'evolve' | 'initialState'>,
  events: Iterable<E>,
): S {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/** Exhaustiveness check for `switch` over a union: `default: return assertNever(event)`. */
export function assertNever(value: never, what = 'value'): never {
  throw new TypeError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

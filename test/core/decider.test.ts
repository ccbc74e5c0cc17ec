import { describe, expect, it } from 'vitest';
import type { Command, Decider, Event } from '../../services/core/index.ts';
import { assertNever, ConflictError, fold } from '../../services/core/index.ts';

// A tiny decider in the shape every area uses: a lead's owner.
type AssignOwner = Command<'AssignOwner', { repId: string; reason: string }>;
type OwnerAssigned = Event<'OwnerAssigned', { repId: string; reason: string; at: string }>;
type OwnerState = { owner: string | null; assignments: number };

const ownership: Decider<AssignOwner, OwnerState, OwnerAssigned> = {
  initialState: () => ({ owner: null, assignments: 0 }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'OwnerAssigned':
        return { owner: event.data.repId, assignments: state.assignments + 1 };
      default:
        return assertNever(event.type, 'event');
    }
  },
  decide: (command, state, { now }) => {
    if (state.owner === command.data.repId) throw new ConflictError(`already owned by ${command.data.repId}`);
    return [{ type: 'OwnerAssigned', data: { ...command.data, at: now.toISOString() } }];
  },
};

describe('deciders', () => {
  it('given no history, fold gives the initial state', () => {
    expect(fold(ownership, [])).toEqual({ owner: null, assignments: 0 });
  });

  it('given history, fold replays it in order', () => {
    const history: OwnerAssigned[] = [
      { type: 'OwnerAssigned', data: { repId: 'ana', reason: 'routing', at: '2026-01-01T00:00:00.000Z' } },
      { type: 'OwnerAssigned', data: { repId: 'bo', reason: 'manual', at: '2026-01-02T00:00:00.000Z' } },
    ];

    expect(fold(ownership, history)).toEqual({ owner: 'bo', assignments: 2 });
  });

  it('decide takes time as an argument, so the same input gives the same events', () => {
    const command: AssignOwner = { type: 'AssignOwner', data: { repId: 'ana', reason: 'routing' } };
    const now = new Date('2026-06-01T09:00:00.000Z');

    const first = ownership.decide(command, ownership.initialState(), { now });
    const second = ownership.decide(command, ownership.initialState(), { now });

    expect(first).toEqual(second);
    expect(first[0]!.data.at).toBe('2026-06-01T09:00:00.000Z');
  });

  it('assertNever reports the unexpected value', () => {
    expect(() => assertNever('Surprise' as never, 'event')).toThrow('unexpected event: "Surprise"');
  });
});

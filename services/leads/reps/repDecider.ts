import type { Decider } from '../../core/index.ts';
import { assertNever, ConflictError, NotFoundError } from '../../core/index.ts';
import type { RepEvent, RepProfile } from '../../events/index.ts';
import type { RepChangesInput, RepFieldsInput } from './repFields.ts';
import { parseRepChanges, parseRepFields } from './repFields.ts';

/** A rep as the domain and the API show it. */
export interface Rep extends RepProfile {
  readonly id: string;
  /** Inactive reps get no routed leads and cannot be given one by hand. */
  readonly active: boolean;
  readonly deactivatedReason: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export type RepCommand =
  | { type: 'AddRep'; data: { fields: RepFieldsInput } }
  | { type: 'UpdateRep'; data: { repId: string; changes: RepChangesInput } }
  | { type: 'DeactivateRep'; data: { repId: string; reason: string | null } }
  | { type: 'ReactivateRep'; data: { repId: string } };

/** One rep's stream folded: null until the rep is added. */
export interface RepState {
  readonly rep: Rep | null;
}

const profileKeys = ['name', 'email', 'team', 'territory', 'languages', 'dailyCapacity', 'timeZone'] as const satisfies readonly (keyof RepProfile)[];

/**
 * A rep as an event-sourced aggregate (`rep-<id>`): added once, updated field by field (an update
 * that changes nothing records nothing), deactivated and reactivated. Invalid input is refused
 * with ValidationError naming the fields; adding an existing rep, deactivating an inactive one or
 * reactivating an active one with ConflictError; anything on an unknown rep with NotFoundError.
 *
 *   const events = repDecider.decide({ type: 'DeactivateRep', data: { repId: 'ana', reason: 'on leave' } }, state, { now });
 */
export const repDecider: Decider<RepCommand, RepState, RepEvent> = {
  initialState: () => ({ rep: null }),
  decide(command, state) {
    switch (command.type) {
      case 'AddRep': {
        const { id, ...profile } = parseRepFields(command.data.fields);
        if (state.rep !== null) throw new ConflictError(`rep ${id} already exists: update it instead`);
        return [{ type: 'RepAdded', data: { repId: id, ...profile } }];
      }
      case 'UpdateRep': {
        const rep = existing(state, command.data.repId);
        const changes = parseRepChanges(command.data.changes);
        const changed: Partial<Record<keyof RepProfile, unknown>> = {};
        for (const key of profileKeys) {
          const value = changes[key];
          if (value !== undefined && JSON.stringify(value) !== JSON.stringify(rep[key])) changed[key] = value;
        }
        if (Object.keys(changed).length === 0) return [];
        return [{ type: 'RepUpdated', data: { repId: rep.id, changes: changed as Partial<RepProfile> } }];
      }
      case 'DeactivateRep': {
        const rep = existing(state, command.data.repId);
        if (!rep.active) throw new ConflictError(`rep ${rep.id} is already inactive`);
        const reason = command.data.reason?.trim() || null;
        return [{ type: 'RepDeactivated', data: { repId: rep.id, reason } }];
      }
      case 'ReactivateRep': {
        const rep = existing(state, command.data.repId);
        if (rep.active) throw new ConflictError(`rep ${rep.id} is already active`);
        return [{ type: 'RepReactivated', data: { repId: rep.id } }];
      }
      default:
        return assertNever(command, 'rep command');
    }
  },
  evolve(state, event) {
    return { rep: evolveRep(state.rep, event) };
  },
};

/** The rep after one more event of its stream; used by the decider and by readers that fold every rep (the lead router). */
export function evolveRep(rep: Rep | null, event: RepEvent): Rep | null {
  const at = 'metadata' in event ? (event as { metadata: { occurredAt: string } }).metadata.occurredAt : null;
  switch (event.type) {
    case 'RepAdded': {
      const { repId, ...profile } = event.data;
      return { id: repId, ...profile, active: true, deactivatedReason: null, createdAt: at, updatedAt: at };
    }
    case 'RepUpdated':
      if (rep === null) return rep;
      return { ...rep, ...definedOnly(event.data.changes), updatedAt: at ?? rep.updatedAt };
    case 'RepDeactivated':
      return rep === null ? rep : { ...rep, active: false, deactivatedReason: event.data.reason, updatedAt: at ?? rep.updatedAt };
    case 'RepReactivated':
      return rep === null ? rep : { ...rep, active: true, deactivatedReason: null, updatedAt: at ?? rep.updatedAt };
    default:
      return assertNever(event, 'rep event');
  }
}

function existing(state: RepState, repId: string): Rep {
  if (state.rep === null) throw new NotFoundError(`no rep ${repId}`);
  return state.rep;
}

function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}

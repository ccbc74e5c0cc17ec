import type { Clock, Decider, Event } from '../../core/index.ts';
import { assertNever, ConflictError, NotFoundError, systemClock, ValidationError } from '../../core/index.ts';
import type { OwnerAssigned } from '../../events/index.ts';
import { streams } from '../../events/index.ts';
import type { EventStore } from '../../ports/index.ts';
import { handleCommand } from '../../ports/index.ts';
import type { RepService } from './repService.ts';

/** What `assign` did: `changed` is false when the rep already owned the lead (nothing recorded). */
export interface OwnerAssignment {
  readonly leadId: string;
  readonly ownerId: string;
  readonly previousOwnerId: string | null;
  readonly reason: string;
  readonly changed: boolean;
}

type AssignOwner = { type: 'AssignOwner'; data: { leadId: string; ownerId: string; reason: string } };

/** Of a lead's stream, only whether it exists and who owns the lead matter here. */
interface Ownership {
  readonly exists: boolean;
  readonly ownerId: string | null;
}

/** Reads a lead's stream (every kind of event on it); decides one OwnerAssigned. */
export const leadOwnershipDecider: Decider<AssignOwner, Ownership, OwnerAssigned | Event> = {
  initialState: () => ({ exists: false, ownerId: null }),
  decide(command, state) {
    switch (command.type) {
      case 'AssignOwner': {
        const { leadId, ownerId, reason } = command.data;
        if (!state.exists) throw new NotFoundError(`no lead ${leadId}`);
        if (state.ownerId === ownerId) return [];
        return [{ type: 'OwnerAssigned', data: { ownerId, previousOwnerId: state.ownerId, reason: `manual: ${reason}` } }];
      }
      default:
        return assertNever(command.type, 'ownership command');
    }
  },
  evolve(state, event) {
    // The stream holds touches, journey walks, suggestions…: all say the lead exists; only OwnerAssigned changes the owner.
    if (event.type === 'OwnerAssigned') return { exists: true, ownerId: (event as OwnerAssigned).data.ownerId };
    return state.exists ? state : { ...state, exists: true };
  },
};

/**
 * Reassignment by a person: the lead gets the rep as its owner, with the person's reason
 * (`OwnerAssigned { reason: 'manual: <reason>' }`). The lead must exist (its stream has events),
 * the rep must exist and be active; capacity does not apply (a person decided).
 *
 *   await ownership.assign({ leadId, ownerId: 'ana', reason: 'speaks Portuguese' });
 */
export class LeadOwnership {
  readonly #store: EventStore;
  readonly #reps: RepService;
  readonly #clock: Clock;

  constructor(options: { store: EventStore; reps: RepService; clock?: Clock }) {
    this.#store = options.store;
    this.#reps = options.reps;
    this.#clock = options.clock ?? systemClock;
  }

  async assign(request: { leadId: string; ownerId: string; reason: string }): Promise<OwnerAssignment> {
    const reason = request.reason.trim();
    const ownerId = request.ownerId.trim();
    const issues = [
      ...(ownerId === '' ? [{ path: 'ownerId', message: 'must name a rep' }] : []),
      ...(reason === '' ? [{ path: 'reason', message: 'must say why the lead changes hands' }] : []),
      ...(reason.length > 500 ? [{ path: 'reason', message: 'must be at most 500 characters' }] : []),
    ];
    if (issues.length > 0) throw new ValidationError('the assignment is not valid', issues);
    const rep = await this.#reps.find(ownerId);
    if (rep === null) throw new NotFoundError(`no rep ${ownerId}`);
    if (!rep.active) throw new ConflictError(`rep ${ownerId} is inactive: reactivate them or choose another rep`);
    const result = await handleCommand(
      this.#store,
      streams.lead(request.leadId),
      leadOwnershipDecider,
      { type: 'AssignOwner', data: { leadId: request.leadId, ownerId, reason } },
      { clock: this.#clock },
    );
    const recorded = result.appended.find((event) => event.type === 'OwnerAssigned')?.data as OwnerAssigned['data'] | undefined;
    return recorded === undefined
      ? { leadId: request.leadId, ownerId, previousOwnerId: ownerId, reason: `manual: ${reason}`, changed: false }
      : { leadId: request.leadId, ownerId, previousOwnerId: recorded.previousOwnerId, reason: recorded.reason, changed: true };
  }
}

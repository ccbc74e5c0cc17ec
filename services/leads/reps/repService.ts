import type { Clock } from '../../core/index.ts';
import { deriveId, fold, newEvent, NotFoundError, systemClock } from '../../core/index.ts';
import type { RepEvent } from '../../events/index.ts';
import { streams } from '../../events/index.ts';
import type { EventStore } from '../../ports/index.ts';
import { handleCommand } from '../../ports/index.ts';
import type { Rep, RepCommand } from './repDecider.ts';
import { repDecider } from './repDecider.ts';
import type { RepChangesInput, RepFieldsInput } from './repFields.ts';

/** The stream that lists every rep ever added (the store has no "list streams"). */
export const REP_REGISTRY_STREAM = 'reps';

/**
 * Reps, event-sourced in `rep-<id>` streams and listed in the `reps` registry stream.
 *
 *   const reps = new RepService({ store });
 *   await reps.add({ id: 'ana', name: 'Ana Lima', email: 'ana@orbitly.example', team: 'americas', territory: ['US', 'BR'] });
 *   await reps.deactivate('ana', 'parental leave');
 */
export class RepService {
  readonly #store: EventStore;
  readonly #clock: Clock;

  constructor(options: { store: EventStore; clock?: Clock }) {
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
  }

  async add(fields: RepFieldsInput): Promise<Rep> {
    const repId = String(fields.id).trim();
    try {
      await this.#handle(repId, { type: 'AddRep', data: { fields } });
    } finally {
      // Registered once the rep's stream exists; a crash in between is healed by the next add (a conflict, then this).
      if ((await this.#store.streamRevision(streams.rep(repId))) !== null) await this.#register(repId);
    }
    return this.get(repId);
  }

  async update(repId: string, changes: RepChangesInput): Promise<Rep> {
    await this.#handle(repId, { type: 'UpdateRep', data: { repId, changes } });
    return this.get(repId);
  }

  async deactivate(repId: string, reason: string | null = null): Promise<Rep> {
    await this.#handle(repId, { type: 'DeactivateRep', data: { repId, reason } });
    return this.get(repId);
  }

  async reactivate(repId: string): Promise<Rep> {
    await this.#handle(repId, { type: 'ReactivateRep', data: { repId } });
    return this.get(repId);
  }

  /** The rep, or NotFoundError. */
  async get(repId: string): Promise<Rep> {
    const rep = await this.find(repId);
    if (rep === null) throw new NotFoundError(`no rep ${repId}`);
    return rep;
  }

  async find(repId: string): Promise<Rep | null> {
    const history = await this.#store.readStream(streams.rep(repId));
    return fold(repDecider, history as unknown as RepEvent[]).rep;
  }

  /** Every rep, by id; filtered by team and by whether they are active when asked. */
  async list(filter: { team?: string | undefined; active?: boolean | undefined } = {}): Promise<Rep[]> {
    const registered = await this.#store.readStream(REP_REGISTRY_STREAM);
    const ids = [...new Set(registered.map((event) => String((event.data as { repId: string }).repId)))].sort();
    const reps: Rep[] = [];
    for (const id of ids) {
      const rep = await this.find(id);
      if (rep === null) continue;
      if (filter.team !== undefined && rep.team !== filter.team) continue;
      if (filter.active !== undefined && rep.active !== filter.active) continue;
      reps.push(rep);
    }
    return reps;
  }

  #handle(repId: string, command: RepCommand) {
    return handleCommand(this.#store, streams.rep(repId), repDecider, command, { clock: this.#clock });
  }

  async #register(repId: string): Promise<void> {
    await this.#store.append(REP_REGISTRY_STREAM, [
      newEvent({ type: 'RepRegistered', data: { repId } }, { id: deriveId('rep-registered', repId), clock: this.#clock }),
    ]);
  }
}

import type { GlobalPosition } from './eventStore.ts';

/**
 * Where subscribers (the journey runner, projectors) keep their place in the event store's
 * global order, by name. A subscriber stores its checkpoint after it has durably handled
 * everything up to it, and resumes strictly after it, in this process or the next.
 *
 *   const after = await checkpoints.get('journey-runner');
 *   for await (const { events } of store.subscribe({ after })) { ...; await checkpoints.set('journey-runner', events.at(-1).position) }
 *
 * Guarantees (test/contracts/checkpoints.contract.ts): `get` of an unknown name is START; a
 * resolved `set` survives the process; checkpoints never move backwards (a stale `set` is
 * ignored). A power cut may lose the newest sets (the SQLite adapter does not fsync them): a
 * subscriber handles that as it handles a crash between handling events and setting its
 * checkpoint, by handling those events again idempotently (ids derived from the cause).
 */
export interface Checkpoints {
  get(name: string): Promise<GlobalPosition>;
  set(name: string, position: GlobalPosition): Promise<void>;
  /** Forgets a checkpoint: the subscriber starts again from the beginning (a rebuild). */
  reset(name: string): Promise<void>;
  close(): Promise<void>;
}

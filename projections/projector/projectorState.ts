import type { Analytics } from '../../services/ports/index.ts';
import { clickhouseTime } from '../migrate.ts';
import { projectedTables } from './analyticsRows.ts';
import { layoutStateNames, shardOfStateName } from './projectorShards.ts';

export interface ProjectorState {
  readonly generation: number;
  /** Every event (of this projector's shard) up to here is in the tables. */
  readonly committed: number;
  /** A batch begun but not known to be finished: (pendingFrom, pendingTo], or null. */
  readonly pending: { readonly from: number; readonly to: number } | null;
  readonly updatedAt: string | null;
}

/**
 * How far a reset's state rows jump ahead in `version`. A projector of another process that was
 * writing when the reset came writes its state with versions counted from its own start: far
 * below the reset's, so the reset's rows stay the current ones (ReplacingMergeTree keeps the
 * highest version) until that projector sees the new generation and starts over.
 */
const RESET_VERSION_STEP = 1_000_000_000;

/** The current state of every projector of the analytics projection, by name (`analytics`, `analytics-2-of-3`, …). */
export async function readProjectorStates(analytics: Analytics): Promise<Map<string, ProjectorState>> {
  const rows = await analytics.query<{ name: string; g: number; c: number; pf: number; pt: number; u: string }>(
    `SELECT name, argMax(generation, version) AS g, argMax(committed, version) AS c,
            argMax(pending_from, version) AS pf, argMax(pending_to, version) AS pt,
            argMax(updated_at, version) AS u
     FROM projector_state GROUP BY name`,
  );
  const states = new Map<string, ProjectorState>();
  for (const row of rows) {
    if (shardOfStateName(row.name) === null) continue;
    const pendingTo = Number(row.pt);
    states.set(row.name, {
      generation: Number(row.g),
      committed: Number(row.c),
      pending: pendingTo > 0 ? { from: Number(row.pf), to: pendingTo } : null,
      updatedAt: `${row.u.replace(' ', 'T')}Z`,
    });
  }
  return states;
}

/** The newest generation of any of the projection's projectors (0: none has written yet). */
export function newestGeneration(states: ReadonlyMap<string, ProjectorState>): number {
  return Math.max(0, ...[...states.values()].map((state) => state.generation));
}

/** Where a projector that has not written yet starts: the beginning, in the newest generation. */
export function freshState(states: ReadonlyMap<string, ProjectorState>): ProjectorState {
  return { generation: Math.max(1, newestGeneration(states)), committed: 0, pending: null, updatedAt: null };
}

/** Whether a projector has put rows into the tables in its generation (a finished or a begun batch). */
export function hasWritten(state: ProjectorState): boolean {
  return state.committed > 0 || state.pending !== null;
}

/**
 * How many projectors divide the projection now, as the state says: the layout of the newest
 * generation (the one whose projectors have got furthest, should two layouts share it); 1 when
 * nothing was projected yet. What status shows and a rebuild resets, unless the process is
 * configured with a shard (NUDGE_PROJECTOR_SHARD), which names the layout itself.
 */
export function layoutInForce(states: ReadonlyMap<string, ProjectorState>): number {
  const newest = newestGeneration(states);
  let best: { count: number; committed: number } | null = null;
  for (const [name, state] of states) {
    if (state.generation !== newest) continue;
    const count = shardOfStateName(name)!.count;
    if (best === null || state.committed > best.committed || (state.committed === best.committed && count > best.count)) best = { count, committed: state.committed };
  }
  return best?.count ?? 1;
}

/** The newest generation as it is in ClickHouse now: one small query, asked before every batch. */
export async function currentGeneration(analytics: Analytics): Promise<number> {
  const [row] = await analytics.query<{ g: number }>("SELECT max(generation) AS g FROM projector_state WHERE name = 'analytics' OR startsWith(name, 'analytics-')");
  return Number(row?.g ?? 0);
}

export async function nextVersion(analytics: Analytics): Promise<number> {
  const [row] = await analytics.query<{ v: number }>('SELECT max(version) AS v FROM projector_state');
  return Number(row?.v ?? 0) + 1;
}

export function writeState(analytics: Analytics, name: string, state: ProjectorState, version: number): Promise<void> {
  return analytics.insert('projector_state', [
    {
      name,
      generation: state.generation,
      committed: state.committed,
      pending_from: state.pending?.from ?? 0,
      pending_to: state.pending?.to ?? 0,
      updated_at: clickhouseTime(new Date()),
      version,
    },
  ]);
}

/**
 * Empties the projection's tables and starts a new generation, from the first event, for every
 * projector of a layout of `count` (1: the one unsharded projector). Projectors of another
 * layout keep their older generation: they are retired, and refuse to run until the projection is
 * rebuilt for their layout again.
 */
export async function resetProjection(analytics: Analytics, count: number): Promise<void> {
  const states = await readProjectorStates(analytics);
  const generation = Math.max(1, newestGeneration(states)) + 1;
  for (const table of projectedTables) await analytics.command(`TRUNCATE TABLE IF EXISTS ${table}`);
  const version = (await nextVersion(analytics)) + RESET_VERSION_STEP;
  for (const name of layoutStateNames(count)) await writeState(analytics, name, { generation, committed: 0, pending: null, updatedAt: null }, version);
}

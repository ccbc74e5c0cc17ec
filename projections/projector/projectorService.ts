import type { Shard } from '../../services/core/index.ts';
import type { Analytics, EventStore } from '../../services/ports/index.ts';
import { AnalyticsProjector, type ProjectorOptions } from './analyticsProjector.ts';
import { projectedTables } from './analyticsRows.ts';
import { ANALYTICS_PROJECTION, layoutStateNames, projectorStateName } from './projectorShards.ts';
import type { ProjectorState } from './projectorState.ts';
import { freshState, layoutInForce, readProjectorStates, resetProjection } from './projectorState.ts';

/** Where one projector of the projection stands (one per shard; one in all when unsharded). */
export interface ProjectorShardStatus {
  /** Its state's name: `analytics`, or `analytics-2-of-3`. */
  readonly name: string;
  /** Whether this process runs this projector now. */
  readonly running: boolean;
  readonly generation: number;
  /** Every event of this shard up to this global position is in the tables. */
  readonly position: number;
  readonly lagEvents: number;
  readonly pending: { readonly from: number; readonly to: number } | null;
  readonly updatedAt: string | null;
}

export interface ProjectionStatus {
  readonly name: string;
  /** Where the tables live: `embedded chDB in …` or `ClickHouse server at …`. */
  readonly engine: string;
  /** Whether this process is projecting now (false: another process does, or nobody). */
  readonly running: boolean;
  readonly generation: number;
  /** Every event up to this global position is in the tables (with shards: the shard furthest behind). */
  readonly position: number;
  /** The event store's newest position. */
  readonly head: number;
  /** Events appended and not yet in the tables (with shards: the largest lag of a shard). */
  readonly lagEvents: number;
  /** A batch begun and not known to be finished (it is written again on the next start); with shards, the first shard's that has one. */
  readonly pending: { readonly from: number; readonly to: number } | null;
  /** The last write (with shards: of the shard that wrote least recently; null while one never did). */
  readonly updatedAt: string | null;
  /** Rows per projection table. */
  readonly rows: Readonly<Record<string, number>>;
  /** Each projector of the layout in force (one entry when unsharded). */
  readonly shards: readonly ProjectorShardStatus[];
}

type BatchListener = NonNullable<ProjectorOptions['onBatch']>;

/** This process's projector when it runs on a thread of its own, as the process's service sees it. */
export interface ProjectorOnThread {
  /** Whether the thread is up and projecting. */
  readonly running: boolean;
  /** The thread's projector pauses, resets the projection and starts over; resolves once the rebuild has begun. */
  rebuild(): Promise<void>;
}

/**
 * The analytics projection as a service: runs this process's projector until stopped, answers the
 * status of every projector of the projection, and rebuilds it (empty the tables, start a new
 * generation, project the store again) whether or not it is running — a running projector is
 * paused for the reset and goes on from the start.
 *
 * Shards: `shard` is this process's projector (NUDGE_PROJECTOR_SHARD) and names the layout status
 * shows and a rebuild resets; without it, that layout is read from `projector_state` (the one in
 * force), which is how an API process with no projector of its own reports and rebuilds shards run
 * elsewhere. Projectors of other processes see a rebuild's new generation and start over.
 *
 *   const projections = new ProjectorService({ store, analytics, shard: { index: 0, count: 3 } });
 *   void projections.run(signal);
 *   await projections.status();  // { position, head, lagEvents, rows, shards: [...], … }
 */
export class ProjectorService {
  readonly #store: EventStore;
  readonly #analytics: Analytics;
  readonly #shard: Shard | undefined;
  readonly #options: Omit<ProjectorOptions, 'store' | 'analytics' | 'onBatch' | 'shard'>;
  readonly #listeners = new Set<BatchListener>();
  #running = false;
  #current: AbortController | null = null;
  #rebuildRequested: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  #thread: ProjectorOnThread | null = null;

  constructor(options: { store: EventStore; analytics: Analytics } & Omit<ProjectorOptions, 'store' | 'analytics'>) {
    const { store, analytics, onBatch, shard, ...rest } = options;
    this.#store = store;
    this.#analytics = analytics;
    this.#shard = shard;
    this.#options = rest;
    if (onBatch) this.#listeners.add(onBatch);
  }

  /** Be told of every batch written (progress bars, metrics); returns the way to stop listening. */
  onBatch(listener: BatchListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * This process's projector runs on a thread of its own (services/projectorThread.ts) rather than
   * through `run`: status reports it as this process's, and a rebuild goes to it.
   */
  projectsOnThread(thread: ProjectorOnThread | null): void {
    this.#thread = thread;
  }

  async status(): Promise<ProjectionStatus> {
    const [states, head, counts] = await Promise.all([
      readProjectorStates(this.#analytics),
      this.#store.headPosition(),
      this.#analytics.query<{ name: string; rows: number }>(
        'SELECT name, total_rows AS rows FROM system.tables WHERE database = currentDatabase() AND has({tables:Array(String)}, name)',
        { tables: [...projectedTables] },
      ),
    ]);
    const rows = Object.fromEntries(projectedTables.map((table) => [table, Number(counts.find((row) => row.name === table)?.rows ?? 0)]));
    const own = projectorStateName(this.#shard);
    const running = this.#running || (this.#thread?.running ?? false);
    const shards = layoutStateNames(this.#layout(states)).map((name): ProjectorShardStatus => {
      const state: ProjectorState = states.get(name) ?? freshState(states);
      return {
        name,
        running: running && name === own,
        generation: state.generation,
        position: state.committed,
        lagEvents: Math.max(0, head - state.committed),
        pending: state.pending,
        updatedAt: state.updatedAt,
      };
    });
    const position = Math.min(...shards.map((shard) => shard.position));
    const updated = shards.map((shard) => shard.updatedAt);
    return {
      name: ANALYTICS_PROJECTION,
      engine: this.#analytics.description,
      running,
      generation: Math.max(...shards.map((shard) => shard.generation)),
      position,
      head,
      lagEvents: Math.max(0, head - position),
      pending: shards.find((shard) => shard.pending !== null)?.pending ?? null,
      updatedAt: updated.includes(null) ? null : (updated as string[]).sort()[0]!,
      rows,
      shards,
    };
  }

  /** Projects until `signal` aborts; a failure rejects (the caller restarts it with a fresh start). */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error('the projector is already running in this process');
    this.#running = true;
    try {
      while (!signal.aborted) {
        const request = this.#rebuildRequested;
        if (request) {
          this.#rebuildRequested = null;
          try {
            await this.#reset();
            request.resolve();
          } catch (error) {
            request.reject(error);
            throw error;
          }
        }
        this.#current = new AbortController();
        await this.#projector(this.#shard).run(AbortSignal.any([signal, this.#current.signal]));
      }
    } finally {
      this.#current = null;
      this.#running = false;
    }
  }

  /**
   * Projects up to the store's head now, then resolves with the position reached: every projector
   * of the layout, side by side in this process (`nudge projections rebuild` with no server
   * projecting). Not while projectors of the same layout run elsewhere: two writers of one state.
   */
  async catchUp(): Promise<number> {
    const count = this.#layout(await readProjectorStates(this.#analytics));
    const shards: (Shard | undefined)[] = count === 1 ? [this.#shard] : Array.from({ length: count }, (_, index) => ({ index, count }));
    // Settled, not raced: a shard that fails leaves none of the others still writing when this returns.
    const outcomes = await Promise.allSettled(shards.map((shard) => this.#projector(shard).catchUp()));
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return Math.min(...outcomes.map((outcome) => (outcome as PromiseFulfilledResult<number>).value));
  }

  /**
   * Empties the tables and projects the whole store again, for every projector of the layout.
   * Running: this process's projector pauses for the reset and resolves once the rebuild has begun
   * (follow it with `status()`); not running: the reset happens here and the caller runs `catchUp()`
   * (or the projectors of other processes start over by themselves).
   */
  rebuild(): Promise<void> {
    if (this.#thread?.running) return this.#thread.rebuild();
    if (!this.#running) return this.#reset();
    return new Promise<void>((resolve, reject) => {
      this.#rebuildRequested = { resolve, reject };
      this.#current?.abort();
    });
  }

  async #reset(): Promise<void> {
    await resetProjection(this.#analytics, this.#layout(await readProjectorStates(this.#analytics)));
  }

  /** How many projectors divide the projection: this process's shard count when it has one, else the layout in force. */
  #layout(states: ReadonlyMap<string, ProjectorState>): number {
    return this.#shard?.count ?? layoutInForce(states);
  }

  #projector(shard: Shard | undefined): AnalyticsProjector {
    return new AnalyticsProjector({
      ...this.#options,
      ...(shard === undefined ? {} : { shard }),
      store: this.#store,
      analytics: this.#analytics,
      onBatch: (batch) => {
        for (const listener of this.#listeners) listener(batch);
      },
    });
  }
}

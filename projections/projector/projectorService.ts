import type { Analytics, EventStore } from '../../services/ports/index.ts';
import { AnalyticsProjector, ANALYTICS_PROJECTION, type ProjectorOptions } from './analyticsProjector.ts';
import { projectedTables } from './analyticsRows.ts';

export interface ProjectionStatus {
  readonly name: string;
  /** Where the tables live: `embedded chDB in …` or `ClickHouse server at …`. */
  readonly engine: string;
  /** Whether this process is projecting now (false: another process does, or nobody). */
  readonly running: boolean;
  readonly generation: number;
  /** Every event up to this global position is in the tables. */
  readonly position: number;
  /** The event store's newest position. */
  readonly head: number;
  /** Events appended and not yet in the tables. */
  readonly lagEvents: number;
  /** A batch begun and not known to be finished (it is written again on the next start). */
  readonly pending: { readonly from: number; readonly to: number } | null;
  readonly updatedAt: string | null;
  /** Rows per projection table. */
  readonly rows: Readonly<Record<string, number>>;
}

type BatchListener = NonNullable<ProjectorOptions['onBatch']>;

/**
 * The analytics projection as a service: runs the projector until stopped, answers its status,
 * and rebuilds it (empty the tables, start a new generation, project the store again) whether or
 * not it is running — a running projector is paused for the reset and goes on from the start.
 *
 *   const projections = new ProjectorService({ store, analytics });
 *   void projections.run(signal);
 *   await projections.status();  // { position, head, lagEvents, rows, … }
 */
export class ProjectorService {
  readonly #store: EventStore;
  readonly #analytics: Analytics;
  readonly #options: Omit<ProjectorOptions, 'store' | 'analytics' | 'onBatch'>;
  readonly #listeners = new Set<BatchListener>();
  #running = false;
  #current: AbortController | null = null;
  #rebuildRequested: { resolve: () => void; reject: (error: unknown) => void } | null = null;

  constructor(options: { store: EventStore; analytics: Analytics } & Omit<ProjectorOptions, 'store' | 'analytics'>) {
    const { store, analytics, onBatch, ...rest } = options;
    this.#store = store;
    this.#analytics = analytics;
    this.#options = rest;
    if (onBatch) this.#listeners.add(onBatch);
  }

  /** Be told of every batch written (progress bars, metrics); returns the way to stop listening. */
  onBatch(listener: BatchListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async status(): Promise<ProjectionStatus> {
    const [state, head, counts] = await Promise.all([
      AnalyticsProjector.state(this.#analytics),
      this.#store.headPosition(),
      this.#analytics.query<{ name: string; rows: number }>(
        'SELECT name, total_rows AS rows FROM system.tables WHERE database = currentDatabase() AND has({tables:Array(String)}, name)',
        { tables: [...projectedTables] },
      ),
    ]);
    const rows = Object.fromEntries(projectedTables.map((table) => [table, Number(counts.find((row) => row.name === table)?.rows ?? 0)]));
    return {
      name: ANALYTICS_PROJECTION,
      engine: this.#analytics.description,
      running: this.#running,
      generation: state.generation,
      position: state.committed,
      head,
      lagEvents: Math.max(0, head - state.committed),
      pending: state.pending,
      updatedAt: state.updatedAt,
      rows,
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
            await AnalyticsProjector.reset(this.#analytics);
            request.resolve();
          } catch (error) {
            request.reject(error);
            throw error;
          }
        }
        this.#current = new AbortController();
        await this.#projector().run(AbortSignal.any([signal, this.#current.signal]));
      }
    } finally {
      this.#current = null;
      this.#running = false;
    }
  }

  /** Projects up to the store's head now (no server running), then resolves with the position reached. */
  catchUp(): Promise<number> {
    return this.#projector().catchUp();
  }

  /**
   * Empties the tables and projects the whole store again. Running: the projector pauses for the
   * reset and resolves once the rebuild has begun (follow it with `status()`); not running: the
   * reset happens here and the caller runs `catchUp()`.
   */
  rebuild(): Promise<void> {
    if (!this.#running) return AnalyticsProjector.reset(this.#analytics);
    return new Promise<void>((resolve, reject) => {
      this.#rebuildRequested = { resolve, reject };
      this.#current?.abort();
    });
  }

  #projector(): AnalyticsProjector {
    return new AnalyticsProjector({
      ...this.#options,
      store: this.#store,
      analytics: this.#analytics,
      onBatch: (batch) => {
        for (const listener of this.#listeners) listener(batch);
      },
    });
  }
}

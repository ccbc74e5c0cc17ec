import { setTimeout as delay } from 'node:timers/promises';
import type { RecordedEvent } from '../../services/core/index.ts';
import type { Analytics, EventStore } from '../../services/ports/index.ts';
import { clickhouseTime } from '../migrate.ts';
import { AliasMap, emptyRows, projectedTables, rowsOfEvents, type TableRows } from './analyticsRows.ts';

/** The projection's name in `projector_state` and in status output. */
export const ANALYTICS_PROJECTION = 'analytics';

export interface ProjectorState {
  readonly generation: number;
  /** Every event up to here is in the tables. */
  readonly committed: number;
  /** A batch begun but not known to be finished: (pendingFrom, pendingTo], or null. */
  readonly pending: { readonly from: number; readonly to: number } | null;
  readonly updatedAt: string | null;
}

export interface ProjectorOptions {
  readonly store: EventStore;
  readonly analytics: Analytics;
  /** Longest a batch collects events before it is written. Default 1,000 ms. */
  readonly flushIntervalMs?: number;
  /** Most events in one batch. Default 50,000. */
  readonly maxBatchEvents?: number;
  /** Told after every written batch (for progress bars and metrics). */
  readonly onBatch?: (batch: { from: number; to: number; events: number; rows: number; ms: number }) => void;
  /** Test hook: runs between the table inserts of a batch, to simulate a crash mid-batch. */
  readonly betweenInserts?: (table: string) => void | Promise<void>;
}

/**
 * Projects the event store into the ClickHouse tables analysts and the scorer query: a checkpointed
 * subscription in the store's global order, writing batches of thousands of rows (at most about
 * one insert per table per `flushIntervalMs` under load).
 *
 * Exactly once, across crashes: before writing a batch the projector records it as pending
 * (positions from..to); each table's rows go in with the deduplication token
 * `<generation>:<from>:<to>:<table>`; then the checkpoint moves to `to`. A projector that starts
 * and finds a pending batch reads exactly those events again and writes them under the same
 * tokens, so inserts that landed before the crash are dropped by ClickHouse and the rest land
 * once; the tables end up as a clean rebuild would leave them (test/projections/projector.int.test.ts).
 *
 *   const projector = new AnalyticsProjector({ store, analytics });
 *   await projector.run(signal);            // until aborted
 *   await projector.catchUp();              // or: up to the store's head, then return
 */
export class AnalyticsProjector {
  readonly #store: EventStore;
  readonly #analytics: Analytics;
  readonly #flushIntervalMs: number;
  readonly #maxBatchEvents: number;
  readonly #options: ProjectorOptions;
  #aliases: AliasMap | null = null;
  #state: ProjectorState | null = null;
  #version = 0;

  constructor(options: ProjectorOptions) {
    this.#store = options.store;
    this.#analytics = options.analytics;
    this.#flushIntervalMs = options.flushIntervalMs ?? 1_000;
    this.#maxBatchEvents = options.maxBatchEvents ?? 50_000;
    this.#options = options;
  }

  /** Where the projection stands (read from ClickHouse). */
  static async state(analytics: Analytics): Promise<ProjectorState> {
    const [row] = await analytics.query<{ g: number; c: number; pf: number; pt: number; u: string; v: number }>(
      `SELECT argMax(generation, version) AS g, argMax(committed, version) AS c,
              argMax(pending_from, version) AS pf, argMax(pending_to, version) AS pt,
              argMax(updated_at, version) AS u, max(version) AS v
       FROM projector_state WHERE name = {name:String}`,
      { name: ANALYTICS_PROJECTION },
    );
    if (!row || Number(row.v) === 0) return { generation: 1, committed: 0, pending: null, updatedAt: null };
    const pendingTo = Number(row.pt);
    return {
      generation: Number(row.g),
      committed: Number(row.c),
      pending: pendingTo > 0 ? { from: Number(row.pf), to: pendingTo } : null,
      updatedAt: `${row.u.replace(' ', 'T')}Z`,
    };
  }

  /**
   * Empties the projection's tables and starts a new generation from the beginning of the store.
   * Stop the projector first (nudge serve's projector, when running, is asked through the API).
   */
  static async reset(analytics: Analytics): Promise<void> {
    const state = await AnalyticsProjector.state(analytics);
    for (const table of projectedTables) await analytics.command(`TRUNCATE TABLE IF EXISTS ${table}`);
    await writeState(analytics, { generation: state.generation + 1, committed: 0, pending: null, updatedAt: null }, await nextVersion(analytics));
  }

  /** Projects everything up to the store's head as it is now (or up to `until`), then resolves with the position reached. */
  async catchUp(until?: number): Promise<number> {
    await this.#start();
    const head = Math.min(until ?? Number.MAX_SAFE_INTEGER, await this.#store.headPosition());
    const read = (after: number) => (after < head ? this.#store.readAll({ after, limit: this.#maxBatchEvents }) : Promise.resolve([]));
    // The next page is read while the engine takes the current one (it inserts on a thread of its own).
    let next = read(this.#state!.committed);
    for (;;) {
      const upTo = (await next).filter((event) => event.position <= head);
      if (upTo.length === 0) break;
      const writing = this.#write(upTo);
      next = read(upTo[upTo.length - 1]!.position);
      await writing;
    }
    return this.#state!.committed;
  }

  /** Follows the store until `signal` aborts, writing a batch at least every `flushIntervalMs` while events arrive. */
  async run(signal: AbortSignal): Promise<void> {
    await this.#start();
    let buffer: RecordedEvent[] = [];
    let oldest = 0;
    const flush = async (): Promise<void> => {
      const batch = buffer;
      buffer = [];
      if (batch.length > 0) await this.#write(batch);
    };
    for await (const { events, caughtUp } of this.#store.subscribe({ after: this.#state!.committed, signal, maxBatchSize: 5_000 })) {
      if (events.length > 0 && buffer.length === 0) oldest = performance.now();
      buffer.push(...events);
      const age = performance.now() - oldest;
      if (buffer.length >= this.#maxBatchEvents || (buffer.length > 0 && age >= this.#flushIntervalMs)) {
        await flush();
      } else if (caughtUp && buffer.length > 0) {
        // A quiet store: wait out the rest of the interval (at most one write per interval), then
        // write the batch; what arrives meanwhile is read next and goes in the next batch.
        await delay(this.#flushIntervalMs - age, undefined, { signal }).catch(() => undefined);
        await flush();
        if (signal.aborted) break;
      }
    }
    // Stopping: what was read is written, so the next start does not read it again.
    await flush();
  }

  get committed(): number {
    return this.#state?.committed ?? 0;
  }

  async #start(): Promise<void> {
    if (this.#state !== null) return;
    const analytics = this.#analytics;
    const state = await AnalyticsProjector.state(analytics);
    this.#version = await nextVersion(analytics);
    const rows = await analytics.query<{ key: string; lead_id: string }>('SELECT key, lead_id FROM lead_alias_current');
    this.#aliases = AliasMap.of(rows);
    this.#state = state;
    if (state.pending) {
      // A batch was begun and maybe half-written: write exactly it again, under the same tokens.
      const events = await this.#readRange(state.pending.from, state.pending.to);
      await this.#write(events, state.pending);
    }
  }

  async #readRange(from: number, to: number): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    let after = from;
    while (after < to) {
      const page = await this.#store.readAll({ after, limit: 10_000 });
      if (page.length === 0) break;
      for (const event of page) if (event.position <= to) events.push(event);
      after = page[page.length - 1]!.position;
    }
    return events;
  }

  async #write(events: readonly RecordedEvent[], range?: { from: number; to: number }): Promise<void> {
    if (events.length === 0 && range === undefined) return;
    const started = performance.now();
    const state = this.#state!;
    const from = range?.from ?? state.committed;
    const to = range?.to ?? events[events.length - 1]!.position;
    const analytics = this.#analytics;
    if (range === undefined) await writeState(analytics, { ...state, pending: { from, to } }, this.#version++);
    const rows: TableRows = rowsOfEvents(events, this.#aliases!, emptyRows());
    let count = 0;
    for (const table of projectedTables) {
      const tableRows = rows[table];
      if (tableRows.length === 0) continue;
      await analytics.insert(table, tableRows, { deduplicationToken: `${ANALYTICS_PROJECTION}:${state.generation}:${from}:${to}:${table}` });
      count += tableRows.length;
      await this.#options.betweenInserts?.(table);
    }
    this.#state = { generation: state.generation, committed: to, pending: null, updatedAt: new Date().toISOString() };
    await writeState(analytics, this.#state, this.#version++);
    this.#options.onBatch?.({ from, to, events: events.length, rows: count, ms: performance.now() - started });
  }
}

async function nextVersion(analytics: Analytics): Promise<number> {
  const [row] = await analytics.query<{ v: number }>('SELECT max(version) AS v FROM projector_state');
  return Number(row?.v ?? 0) + 1;
}

function writeState(analytics: Analytics, state: ProjectorState, version: number): Promise<void> {
  return analytics.insert('projector_state', [
    {
      name: ANALYTICS_PROJECTION,
      generation: state.generation,
      committed: state.committed,
      pending_from: state.pending?.from ?? 0,
      pending_to: state.pending?.to ?? 0,
      updated_at: clickhouseTime(new Date()),
      version,
    },
  ]);
}

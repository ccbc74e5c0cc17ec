import { setTimeout as delay } from 'node:timers/promises';
import type { RecordedEvent, Shard } from '../../services/core/index.ts';
import { ConflictError, isShard } from '../../services/core/index.ts';
import type { Analytics, EncodedRows, EventStore } from '../../services/ports/index.ts';
import { concatEncodedRows } from '../../services/ports/index.ts';
import { AliasMap, emptyRows, type ProjectedTable, projectedTables, rowsOfEvents, type TableRows } from './analyticsRows.ts';
import { ALIAS_SHARD_INDEX, describeLayout, projectorShardOf, projectorStateName, shardOfStateName } from './projectorShards.ts';
import type { ProjectorState } from './projectorState.ts';
import {
  currentGeneration,
  freshState,
  hasWritten,
  layoutInForce,
  newestGeneration,
  nextVersion,
  readProjectorStates,
  resetProjection,
  writeState,
} from './projectorState.ts';

export { ANALYTICS_PROJECTION } from './projectorShards.ts';
export type { ProjectorState } from './projectorState.ts';

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
  /**
   * This projector's part of the events when several divide them (NUDGE_PROJECTOR_SHARD): shard
   * `index` (0-based) of `count` projects the events projectorShardOf gives it, and keeps its own
   * state (`analytics-<index+1>-of-<count>`). Default: every event, as `analytics`.
   */
  readonly shard?: Shard;
  /** How often a following projector (run) looks whether the projection was rebuilt by another process. Default 5,000 ms. */
  readonly rebuildCheckMs?: number;
}

/** The projection was rebuilt (by another process) since this projector started: it starts over in the new generation. */
class ProjectionRebuilt extends Error {}

/**
 * Projects the event store into the ClickHouse tables analysts and the scorer query: a checkpointed
 * subscription in the store's global order, writing batches of thousands of rows (at most about
 * one insert per table per `flushIntervalMs` under load).
 *
 * Exactly once, across crashes: before writing a batch the projector records it as pending
 * (positions from..to); each table's rows go in with the deduplication token
 * `<name>:<generation>:<from>:<to>:<table>`; then the checkpoint moves to `to`. A projector that
 * starts and finds a pending batch reads exactly those events again and writes them under the
 * same tokens, so inserts that landed before the crash are dropped by ClickHouse and the rest land
 * once; the tables end up as a clean rebuild would leave them (test/projections/projector.int.test.ts).
 *
 * Shards (`shard`): every shard reads the whole store and projects its own events
 * (projectorShardOf), with its own state row and its own tokens; N shards leave the tables row for
 * row as one projector does (test/projections/projectorShards.int.test.ts). A rebuild by another
 * process (a new generation) is noticed before the next batch, and within `rebuildCheckMs` while
 * idle: the projector starts over from the new generation's state.
 *
 *   const projector = new AnalyticsProjector({ store, analytics });
 *   await projector.run(signal);            // until aborted
 *   await projector.catchUp();              // or: up to the store's head, then return
 */
/** How long a projector that saw a rebuild elsewhere waits for the rebuild to have written its new state. */
const REBUILD_SETTLE_MS = 30_000;

export class AnalyticsProjector {
  readonly #store: EventStore;
  readonly #analytics: Analytics;
  readonly #flushIntervalMs: number;
  readonly #maxBatchEvents: number;
  readonly #rebuildCheckMs: number;
  readonly #options: ProjectorOptions;
  /** The name of this projector's state and the prefix of its deduplication tokens. */
  readonly #name: string;
  readonly #count: number;
  readonly #index: number;
  readonly #owns: (event: RecordedEvent) => boolean;
  #aliases: AliasMap | null = null;
  #state: ProjectorState | null = null;
  #version = 0;

  constructor(options: ProjectorOptions) {
    const shard = options.shard;
    if (shard !== undefined && !isShard(shard)) throw new Error(`analytics projector: shard ${shard.index} of ${shard.count} is not a shard (0 ≤ index < count)`);
    this.#store = options.store;
    this.#analytics = options.analytics;
    this.#flushIntervalMs = options.flushIntervalMs ?? 1_000;
    this.#maxBatchEvents = options.maxBatchEvents ?? 50_000;
    this.#rebuildCheckMs = options.rebuildCheckMs ?? 5_000;
    this.#options = options;
    this.#name = projectorStateName(shard);
    this.#count = shard === undefined || shard.count <= 1 ? 1 : shard.count;
    this.#index = this.#count === 1 ? 0 : shard!.index;
    this.#owns = (event) => projectorShardOf(event, this.#count) === this.#index;
  }

  /** Where a projector stands (read from ClickHouse): the unsharded one, or the given shard. */
  static async state(analytics: Analytics, shard?: Shard): Promise<ProjectorState> {
    const states = await readProjectorStates(analytics);
    return states.get(projectorStateName(shard)) ?? freshState(states);
  }

  /**
   * Empties the projection's tables and starts a new generation from the beginning of the store,
   * for every projector of a layout of `count` (default: the layout in force). Stop this process's
   * projector first (ProjectorService does); projectors of other processes notice the new
   * generation and start over.
   */
  static async reset(analytics: Analytics, count?: number): Promise<void> {
    await resetProjection(analytics, count ?? layoutInForce(await readProjectorStates(analytics)));
  }

  /** Projects everything up to the store's head as it is now (or up to `until`), then resolves with the position reached. */
  async catchUp(until?: number): Promise<number> {
    for (;;) {
      try {
        return await this.#catchUpOnce(until);
      } catch (error) {
        if (!(error instanceof ProjectionRebuilt)) throw error;
        this.#state = null;
      }
    }
  }

  /** Follows the store until `signal` aborts, writing a batch at least every `flushIntervalMs` while events arrive. */
  async run(signal: AbortSignal): Promise<void> {
    let rebuiltAt: number | null = null;
    while (!signal.aborted) {
      try {
        if (rebuiltAt !== null && !(await this.#startAfterRebuild(signal, rebuiltAt))) return;
        await this.#follow(signal);
        return;
      } catch (error) {
        if (!(error instanceof ProjectionRebuilt)) throw error;
        this.#state = null;
        rebuiltAt = Date.now();
      }
    }
  }

  /**
   * Starts again after another process rebuilt the projection. That process writes the new
   * generation's states one projector at a time, so for a moment this one's may still be of the
   * old generation while another's is new, which #checkLayout refuses: then wait and look again,
   * for up to REBUILD_SETTLE_MS, before taking the refusal as final. False: stopped meanwhile.
   */
  async #startAfterRebuild(signal: AbortSignal, rebuiltAt: number): Promise<boolean> {
    for (;;) {
      try {
        await this.#start();
        return true;
      } catch (error) {
        if (!(error instanceof ConflictError) || Date.now() - rebuiltAt > REBUILD_SETTLE_MS) throw error;
        this.#state = null;
        await delay(this.#rebuildCheckMs, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return false;
      }
    }
  }

  get committed(): number {
    return this.#state?.committed ?? 0;
  }

  async #catchUpOnce(until?: number): Promise<number> {
    await this.#start();
    const head = Math.min(until ?? Number.MAX_SAFE_INTEGER, await this.#store.headPosition());
    /** Up to maxBatchEvents after `after`, read and turned into rows a page at a time (see BatchBuilder). */
    const prepared = async (after: number): Promise<PreparedBatch> => {
      const batch = this.#builder();
      while (after < head && batch.events < this.#maxBatchEvents) {
        const page = await this.#store.readAll({ after, limit: Math.min(READ_PAGE_EVENTS, this.#maxBatchEvents - batch.events) });
        if (page.length === 0) break;
        batch.add(page.filter((event) => event.position <= head));
        after = page[page.length - 1]!.position;
      }
      return batch.finish();
    };
    let next = prepared(this.#state!.committed);
    for (;;) {
      const batch = await next;
      if (batch.last === null) break;
      // The next page is read and prepared (on this thread: the store's reads are synchronous)
      // while the engine takes the current page's first insert on a thread of its own.
      let preparing: Promise<PreparedBatch> | null = null;
      const prepareNext = (): void => {
        // In the next turn of the event loop: by then the insert's request has reached the engine.
        const after = batch.last;
        preparing ??= new Promise((resolve) => setImmediate(resolve)).then(() => prepared(after!));
      };
      try {
        await this.#write(batch, undefined, prepareNext);
      } catch (error) {
        await (preparing as Promise<PreparedBatch> | null)?.catch(() => undefined);
        throw error;
      }
      prepareNext();
      next = preparing!;
    }
    return this.#state!.committed;
  }

  async #follow(signal: AbortSignal): Promise<void> {
    await this.#start();
    // Aborted when another process rebuilt the projection while this one had nothing to write.
    const rebuilt = new AbortController();
    const stopWatching = new AbortController();
    const watching = this.#watchGeneration(AbortSignal.any([signal, stopWatching.signal]), () => rebuilt.abort());
    const following = AbortSignal.any([signal, rebuilt.signal]);
    try {
      // Events become rows as they are read; the rows wait, encoded, for the batch's write.
      let buffer = this.#builder();
      let oldest = 0;
      const flush = async (): Promise<void> => {
        const batch = buffer;
        buffer = this.#builder();
        if (batch.events > 0) await this.#write(batch.finish());
      };
      for await (const { events, caughtUp } of this.#store.subscribe({ after: this.#state!.committed, signal: following, maxBatchSize: 5_000 })) {
        if (events.length > 0 && buffer.events === 0) oldest = performance.now();
        buffer.add(events);
        const age = performance.now() - oldest;
        if (buffer.events >= this.#maxBatchEvents || (buffer.events > 0 && age >= this.#flushIntervalMs)) {
          await flush();
        } else if (caughtUp && buffer.events > 0) {
          // A quiet store: wait out the rest of the interval (at most one write per interval), then
          // write the batch; what arrives meanwhile is read next and goes in the next batch.
          await delay(this.#flushIntervalMs - age, undefined, { signal: following }).catch(() => undefined);
          if (rebuilt.signal.aborted) break;
          await flush();
          if (signal.aborted) break;
        }
      }
      if (rebuilt.signal.aborted) throw new ProjectionRebuilt();
      // Stopping: what was read is written, so the next start does not read it again.
      await flush();
    } finally {
      stopWatching.abort();
      await watching;
    }
  }

  /** While following: every `rebuildCheckMs`, whether the projection was rebuilt elsewhere (an idle projector writes no batch that would tell it). */
  async #watchGeneration(signal: AbortSignal, onRebuilt: () => void): Promise<void> {
    while (!signal.aborted) {
      await delay(this.#rebuildCheckMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      const generation = await currentGeneration(this.#analytics).catch(() => 0);
      if (generation > this.#state!.generation) {
        onRebuilt();
        return;
      }
    }
  }

  async #start(): Promise<void> {
    if (this.#state !== null) return;
    const analytics = this.#analytics;
    const states = await readProjectorStates(analytics);
    this.#checkLayout(states);
    const state = states.get(this.#name) ?? freshState(states);
    this.#version = await nextVersion(analytics);
    // Only the projector of links and merges (shard 1, or the only one) needs the alias map.
    this.#aliases = this.#index === ALIAS_SHARD_INDEX ? AliasMap.of(await analytics.query<{ key: string; lead_id: string }>('SELECT key, lead_id FROM lead_alias_current')) : AliasMap.of([]);
    this.#state = state;
    if (state.pending) {
      // A batch was begun and maybe half-written: write exactly it again, under the same tokens.
      await this.#write(await this.#readRange(state.pending.from, state.pending.to), state.pending);
    }
  }

  /**
   * Refuses to project into tables another layout of projectors has filled (the events would be
   * counted twice), and to go on in a layout a rebuild has retired.
   */
  #checkLayout(states: ReadonlyMap<string, ProjectorState>): void {
    const newest = newestGeneration(states);
    const own = states.get(this.#name);
    if (own !== undefined && own.generation < newest) {
      throw new ConflictError(
        `the analytics projection was rebuilt for ${describeLayout(layoutInForce(states))} (generation ${newest}); this projector (${this.#name}) is of generation ${own.generation}: ` +
          `run the projectors of that layout, or rebuild the projection for this one (nudge projections rebuild with this NUDGE_PROJECTOR_SHARD)`,
      );
    }
    for (const [name, state] of states) {
      if (state.generation !== newest || !hasWritten(state) || shardOfStateName(name)!.count === this.#count) continue;
      throw new ConflictError(
        `the analytics tables hold what ${name} projected (up to position ${state.committed}, generation ${newest}); projecting them as ${this.#name} would count those events twice: ` +
          `rebuild the projection for ${describeLayout(this.#count)} first (nudge projections rebuild with NUDGE_PROJECTOR_SHARD=1/${this.#count}), then start its projectors`,
      );
    }
  }

  /** The events after `from` up to `to`, as a batch to write. */
  async #readRange(from: number, to: number): Promise<PreparedBatch> {
    const batch = this.#builder();
    let after = from;
    while (after < to) {
      const page = await this.#store.readAll({ after, limit: READ_PAGE_EVENTS });
      if (page.length === 0) break;
      batch.add(page.filter((event) => event.position <= to));
      after = page[page.length - 1]!.position;
    }
    return batch.finish();
  }

  /** A new batch of this shard's events, made ready (rows, encoded) as its events are added. */
  #builder(): BatchBuilder {
    return new BatchBuilder(this.#analytics, this.#aliases!, this.#count === 1 ? null : this.#owns);
  }

  /** Writes a batch; `whileInserting` runs once the engine has the batch's first insert (work to do meanwhile). */
  async #write(batch: PreparedBatch, range?: { from: number; to: number }, whileInserting?: () => void): Promise<void> {
    if (batch.last === null && range === undefined) return;
    const started = performance.now();
    const state = this.#state!;
    const from = range?.from ?? state.committed;
    const to = range?.to ?? batch.last!;
    const analytics = this.#analytics;
    if (range === undefined) {
      // Rebuilt by another process since this projector started: its rows would land in the new tables under the old generation.
      if ((await currentGeneration(analytics)) > state.generation) throw new ProjectionRebuilt();
      // A batch with none of this shard's events only moves the checkpoint: nothing to write twice.
      if (batch.mine > 0) await writeState(analytics, this.#name, { ...state, pending: { from, to } }, this.#version++);
    }
    let count = 0;
    for (const { table, encoded } of batch.tables) {
      const inserting = analytics.insert(table, encoded, { deduplicationToken: `${this.#name}:${state.generation}:${from}:${to}:${table}` });
      if (whileInserting !== undefined) {
        // The insert's request reaches the engine before the next turn of the event loop; the engine works meanwhile.
        whileInserting();
        whileInserting = undefined;
      }
      await inserting;
      count += encoded.count;
      await this.#options.betweenInserts?.(table);
    }
    this.#state = { generation: state.generation, committed: to, pending: null, updatedAt: new Date().toISOString() };
    await writeState(analytics, this.#name, this.#state, this.#version++);
    this.#options.onBatch?.({ from, to, events: batch.mine, rows: count, ms: performance.now() - started });
  }
}

/** Events read from the store per page while a batch is gathered. */
const READ_PAGE_EVENTS = 1_000;

/**
 * A batch ready to write, gathered page by page: each page's events (this shard's) become rows in
 * the store's order (the alias map follows the links as it goes), and the rows are encoded for
 * the engine at once, so only their text waits for the write. Decoded events are most of a
 * batch's memory: let go page by page they die young, where a whole batch of them (50,000) lived
 * on into the old generation while the insert ahead ran, and garbage collection took a third of
 * the projector's thread and kept the collector's helper threads busy.
 */
class BatchBuilder {
  readonly #analytics: Analytics;
  readonly #aliases: AliasMap;
  readonly #owns: ((event: RecordedEvent) => boolean) | null;
  readonly #tables = new Map<ProjectedTable, EncodedRows>();
  #events = 0;
  #mine = 0;
  #last: number | null = null;

  constructor(analytics: Analytics, aliases: AliasMap, owns: ((event: RecordedEvent) => boolean) | null) {
    this.#analytics = analytics;
    this.#aliases = aliases;
    this.#owns = owns;
  }

  /** How many events were added (this shard's or not). */
  get events(): number {
    return this.#events;
  }

  add(events: readonly RecordedEvent[]): void {
    if (events.length === 0) return;
    const mine = this.#owns === null ? events : events.filter(this.#owns);
    const rows: TableRows = rowsOfEvents(mine, this.#aliases, emptyRows());
    for (const table of projectedTables) {
      if (rows[table].length === 0) continue;
      const gathered = this.#tables.get(table);
      // Every page under the first page's columns, so the pages join into one insert.
      const encoded = this.#analytics.encodeRows(rows[table], gathered === undefined ? {} : { columns: gathered.columns });
      this.#tables.set(table, gathered === undefined ? encoded : concatEncodedRows(gathered, encoded));
    }
    this.#events += events.length;
    this.#mine += mine.length;
    this.#last = events[events.length - 1]!.position;
  }

  finish(): PreparedBatch {
    const tables = projectedTables.flatMap((table) => {
      const encoded = this.#tables.get(table);
      return encoded === undefined ? [] : [{ table, encoded }];
    });
    return { last: this.#last, mine: this.#mine, tables };
  }
}

/** A batch of the store's events as the engine will take it. */
interface PreparedBatch {
  /** The position of the batch's last event (null: the batch is empty). */
  readonly last: number | null;
  /** How many of them are this shard's. */
  readonly mine: number;
  readonly tables: readonly { readonly table: ProjectedTable; readonly encoded: EncodedRows }[];
}

import type { NewEvent } from '../../services/core/index.ts';
import type { JourneyWalkEvent, SuggestionProposed } from '../../services/events/index.ts';
import { suggestionActions } from '../../services/events/index.ts';
import type { JourneyDocument, JourneyNode } from '../document/index.ts';

/**
 * What a back-test found: how a journey version would have treated the recorded history between
 * `from` and `to`. A plain JSON value (the API returns it as is); the same store, document and
 * window always give the same report, `timings` aside.
 */
export interface SimulationReport {
  readonly journeyId: string;
  /** The stored version simulated; null for an unsaved draft. */
  readonly version: number | null;
  /** The window, ISO-8601: events that occurred in [from, to) were decided. */
  readonly from: string;
  readonly to: string;
  /** Events read from the store (up to its head when the simulation started). */
  readonly eventsRead: number;
  /** Events taken through the journey engine: those before `to`, without journey decisions already recorded. */
  readonly eventsReplayed: number;
  /** Leads with at least one event in the window. */
  readonly leadsConsidered: number;
  /** Distinct leads that entered at least once. */
  readonly leadsEntered: number;
  /** Entries (a lead may enter again, by the journey's `reentry`). */
  readonly entries: number;
  /** Entries refused, by reason (`already_active`, `reentry_window`, …). */
  readonly entryRefusals: Readonly<Record<string, number>>;
  /** Every node of the document, in document order, with how often a lead arrived there. */
  readonly nodes: Readonly<Record<string, NodeVisits>>;
  readonly suggestions: SuggestionLoad;
  /** Instances that ended in the window, by reason (`completed`, `converted`, …). */
  readonly exits: Readonly<Record<string, number>>;
  /** Instances still in the journey (waiting) at `to`. */
  readonly stillActive: number;
  /**
   * Of the leads that entered: how many reached each lifecycle stage after their first entry,
   * anywhere in the recorded history (after `to` too). A lead counts for the stages actually
   * recorded: one that jumps from lead to customer counts for customer only.
   */
  readonly laterStages: Readonly<Record<string, number>>;
  readonly timings: { readonly elapsedMs: number; readonly eventsPerSecond: number };
}

export interface NodeVisits {
  readonly type: JourneyNode['type'];
  /**
   * Arrivals: a branch or suggest step taken, a wait started, an instance ending at an exit node.
   * A suggest node's visits include the suggestions skipped (do-not-contact).
   */
  readonly visits: number;
}

/** The load on the team: suggestions by action, and by rep and UTC day (the day proposed). */
export interface SuggestionLoad {
  readonly total: number;
  /** Email suggestions not made because the lead must not be contacted. */
  readonly skipped: number;
  /** Every action the journey can suggest, in the catalogue's order (call, email, …). */
  readonly byAction: Readonly<Record<string, number>>;
  /** Sorted by day, then owner; `unassigned` is the team queue (a lead without owner). */
  readonly byRepPerDay: readonly RepDay[];
  /** The day with the most suggestions (the earliest of equals); null when there were none. */
  readonly perDayPeak: { readonly day: string; readonly count: number } | null;
}

export interface RepDay {
  /** YYYY-MM-DD, UTC. */
  readonly day: string;
  readonly ownerId: string;
  readonly count: number;
  readonly byAction: Readonly<Record<string, number>>;
}

/**
 * The lifecycle stages in funnel order: services/leads' defaults, repeated here because journeys
 * import only core, ports and events. Stages a team added are listed after these, by name.
 */
export const DEFAULT_STAGE_ORDER: readonly string[] = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'];

export const UNASSIGNED = 'unassigned';

type Decided = NewEvent<JourneyWalkEvent | SuggestionProposed>;

/**
 * Counts what the engine decided during a simulation and turns it into the report. Fed the
 * decided events in the order they were decided; keeps no per-event data, only counters.
 */
export class SimulationTally {
  readonly #document: JourneyDocument;
  /** Lead id → epoch ms of its first entry. */
  readonly firstEntries = new Map<string, number>();
  #entries = 0;
  readonly #refusals = new Map<string, number>();
  readonly #visits = new Map<string, number>();
  readonly #exits = new Map<string, number>();
  #suggested = 0;
  #skipped = 0;
  readonly #byAction = new Map<string, number>();
  /** `YYYY-MM-DD` + owner → action → count. */
  readonly #repDays = new Map<string, Map<string, number>>();

  constructor(document: JourneyDocument) {
    this.#document = document;
  }

  add(leadId: string, events: readonly Decided[]): void {
    for (const event of events) this.#count(leadId, event);
  }

  #count(leadId: string, decided: Decided): void {
    // NewEvent types `type` and `data` apart; as a union they narrow together.
    const event = { type: decided.type, data: decided.data } as JourneyWalkEvent | SuggestionProposed;
    const occurredAt = decided.metadata.occurredAt;
    switch (event.type) {
      case 'JourneyEntered':
        this.#entries++;
        if (!this.firstEntries.has(leadId)) this.firstEntries.set(leadId, Date.parse(occurredAt));
        return;
      case 'JourneyEntryRefused':
        increment(this.#refusals, event.data.reason);
        return;
      case 'JourneyStepTaken':
        // A wait's step is its end (the awaited event came): the arrival was its JourneyWaitStarted.
        if (event.data.nodeType !== 'wait') increment(this.#visits, event.data.node);
        if (event.data.skipped !== null) this.#skipped++;
        return;
      case 'JourneyWaitStarted':
        increment(this.#visits, event.data.node);
        return;
      case 'JourneyTimerElapsed':
        return;
      // Joined another journey's open suggestion: no extra work for the team.
      case 'SuggestionMerged':
        return;
      case 'JourneyExited':
        increment(this.#exits, event.data.reason);
        if (event.data.via === 'exit_node' && event.data.node !== null) increment(this.#visits, event.data.node);
        return;
      case 'SuggestionProposed': {
        this.#suggested++;
        const action = event.data.action;
        increment(this.#byAction, action);
        // The day (YYYY-MM-DD, fixed width) then the owner: no separator an owner id could contain.
        const key = `${occurredAt.slice(0, 10)}${event.data.ownerId ?? UNASSIGNED}`;
        let actions = this.#repDays.get(key);
        if (!actions) {
          actions = new Map();
          this.#repDays.set(key, actions);
        }
        increment(actions, action);
        return;
      }
      default: {
        const unknown: never = event;
        throw new TypeError(`unexpected decided event ${JSON.stringify(unknown)}`);
      }
    }
  }

  report(run: {
    journeyId: string;
    version: number | null;
    from: Date;
    to: Date;
    eventsRead: number;
    eventsReplayed: number;
    leadsConsidered: number;
    stillActive: number;
    laterStages: Readonly<Record<string, number>>;
    elapsedMs: number;
  }): SimulationReport {
    const nodes: Record<string, NodeVisits> = {};
    for (const [id, node] of Object.entries(this.#document.nodes)) nodes[id] = { type: node.type, visits: this.#visits.get(id) ?? 0 };
    const used = new Set<string>(Object.values(this.#document.nodes).flatMap((node) => (node.type === 'suggest' ? [node.action] : [])));
    const byAction: Record<string, number> = {};
    for (const action of suggestionActions) if (used.has(action) || this.#byAction.has(action)) byAction[action] = this.#byAction.get(action) ?? 0;

    const byRepPerDay: RepDay[] = [...this.#repDays.entries()]
      .map(([key, actions]) => {
        const [day, ownerId] = [key.slice(0, 10), key.slice(10)];
        return { day, ownerId, count: sum(actions.values()), byAction: inActionOrder(actions) };
      })
      .sort((a, b) => compare(a.day, b.day) || compare(a.ownerId, b.ownerId));
    const perDay = new Map<string, number>();
    for (const row of byRepPerDay) perDay.set(row.day, (perDay.get(row.day) ?? 0) + row.count);
    let perDayPeak: SuggestionLoad['perDayPeak'] = null;
    for (const [day, count] of perDay) if (perDayPeak === null || count > perDayPeak.count) perDayPeak = { day, count };

    const seconds = run.elapsedMs / 1_000;
    return {
      journeyId: run.journeyId,
      version: run.version,
      from: run.from.toISOString(),
      to: run.to.toISOString(),
      eventsRead: run.eventsRead,
      eventsReplayed: run.eventsReplayed,
      leadsConsidered: run.leadsConsidered,
      leadsEntered: this.firstEntries.size,
      entries: this.#entries,
      entryRefusals: sortedRecord(this.#refusals),
      nodes,
      suggestions: { total: this.#suggested, skipped: this.#skipped, byAction, byRepPerDay, perDayPeak },
      exits: sortedRecord(this.#exits),
      stillActive: run.stillActive,
      laterStages: run.laterStages,
      timings: { elapsedMs: Math.round(run.elapsedMs), eventsPerSecond: seconds > 0 ? Math.round(run.eventsRead / seconds) : 0 },
    };
  }
}

/**
 * For each entered lead, the stages it reached after its first entry; counted per stage in
 * funnel order (`stageOrder`, then other stages by name), every stage of the order listed.
 */
export function countLaterStages(
  firstEntries: ReadonlyMap<string, number>,
  stageChanges: ReadonlyMap<string, readonly { at: number; stage: string }[]>,
  stageOrder: readonly string[] = DEFAULT_STAGE_ORDER,
): Record<string, number> {
  const counts = new Map<string, number>(stageOrder.map((stage) => [stage, 0]));
  for (const [leadId, enteredAt] of firstEntries) {
    const reached = new Set<string>();
    for (const change of stageChanges.get(leadId) ?? []) if (change.at > enteredAt) reached.add(change.stage);
    for (const stage of reached) counts.set(stage, (counts.get(stage) ?? 0) + 1);
  }
  const known = new Set(stageOrder);
  const extra = [...counts.keys()].filter((stage) => !known.has(stage)).sort(compare);
  return Object.fromEntries([...stageOrder, ...extra].map((stage) => [stage, counts.get(stage) ?? 0]));
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function inActionOrder(counts: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries(suggestionActions.filter((action) => counts.has(action)).map((action) => [action, counts.get(action)!]));
}

function sortedRecord(counts: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => compare(a, b)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import type { RecordedEvent } from '../../services/core/index.ts';
import { assertNever } from '../../services/core/index.ts';
import type { JourneyDraftSaved, JourneyPublished, JourneyWalkEvent, LifecycleStageChanged, SuggestionEvent } from '../../services/events/index.ts';
import { leadIdOfStream } from '../../services/events/index.ts';

/** A count split by reason (or outcome): `total` is the sum of the parts. */
export interface ReasonCounts {
  readonly total: number;
  readonly byReason: Readonly<Record<string, number>>;
}

export interface SuggestionStats {
  readonly proposed: number;
  /** Suggestions a rep accepted (each counted once, whatever happened next). */
  readonly accepted: number;
  readonly completed: { readonly total: number; readonly byOutcome: Readonly<Record<string, number>> };
  readonly dismissed: ReasonCounts;
  readonly expired: number;
  /** Suggestions snoozed at least once. */
  readonly snoozed: number;
  /** Proposed and not yet completed, dismissed or expired (accepted and snoozed ones included). */
  readonly open: number;
}

export interface NodeStats {
  /** From the newest version that has the node; null when no document was seen for it. */
  readonly type: string | null;
  readonly label: string | null;
  /** Arrivals: a branch or suggest step, the start of a wait, an exit at an exit node. */
  readonly visits: number;
  /** Distinct leads that arrived at least once. */
  readonly leads: number;
  /** Instances that ended here: at an exit node, or while waiting here (exitWhen, archive). */
  readonly exits: ReasonCounts;
  /** The suggestions this node proposed and what reps did with them. */
  readonly suggestions: SuggestionStats;
  /** Stage → distinct leads that reached it after their first visit here. */
  readonly laterStages: Readonly<Record<string, number>>;
}

export interface JourneyStatsReport {
  readonly journeyId: string;
  /** The version asked for; null: every version merged. */
  readonly version: number | null;
  /** Every version leads were walked on (entered, refused, stepped), ascending. */
  readonly versions: readonly number[];
  readonly publishedVersion: number | null;
  readonly entries: number;
  /** Distinct leads that entered. */
  readonly leads: number;
  readonly refusals: ReasonCounts;
  /** Instances entered and not exited. */
  readonly active: number;
  readonly exits: ReasonCounts;
  /** Stage → distinct leads that reached it after their first entry. */
  readonly laterStages: Readonly<Record<string, number>>;
  /** Every version seen, whatever the filter. */
  readonly byVersion: Readonly<Record<string, { readonly entries: number; readonly active: number; readonly exits: number }>>;
  /** Node id → its statistics: the nodes of the versions reported, reached or not. */
  readonly nodes: Readonly<Record<string, NodeStats>>;
}

/** Stage name → the leads that reached it; kept as sets so that a lead counts once. */
type StageReach = Map<string, Set<string>>;

interface SuggestionTally {
  proposed: number;
  accepted: number;
  completed: Map<string, number>;
  dismissed: Map<string, number>;
  expired: number;
  snoozed: number;
}

interface NodeTally {
  visits: number;
  readonly leads: Set<string>;
  readonly exits: Map<string, number>;
  readonly suggestions: SuggestionTally;
  readonly laterStages: StageReach;
}

interface VersionTally {
  entries: number;
  readonly enteredLeads: Set<string>;
  readonly refusals: Map<string, number>;
  readonly exits: Map<string, number>;
  readonly activeInstances: Set<string>;
  readonly laterStages: StageReach;
  readonly nodes: Map<string, NodeTally>;
}

interface NodeInfo {
  readonly type: string | null;
  readonly label: string | null;
}

interface JourneyTally {
  readonly versions: Map<number, VersionTally>;
  /** Node ids in document order, with type and label, per saved version. */
  readonly documents: Map<number, Map<string, NodeInfo>>;
  publishedVersion: number | null;
}

/** A suggestion not yet completed, dismissed or expired: where its later events are counted. */
interface OpenSuggestion {
  readonly tally: SuggestionTally;
  accepted: boolean;
  snoozed: boolean;
}

type StatsEvent = JourneyWalkEvent | SuggestionEvent | LifecycleStageChanged | JourneyDraftSaved | JourneyPublished;

const folded: Record<StatsEvent['type'], true> = {
  JourneyEntered: true,
  JourneyEntryRefused: true,
  JourneyStepTaken: true,
  JourneyWaitStarted: true,
  JourneyTimerElapsed: true,
  JourneyExited: true,
  SuggestionProposed: true,
  SuggestionMerged: true,
  SuggestionAccepted: true,
  SuggestionCompleted: true,
  SuggestionDismissed: true,
  SuggestionSnoozed: true,
  SuggestionExpired: true,
  LifecycleStageChanged: true,
  JourneyDraftSaved: true,
  JourneyPublished: true,
};

/** The event types journey statistics fold: what their projection subscribes to. */
export const STATS_EVENT_TYPES: readonly string[] = Object.keys(folded);

/**
 * Per-node performance of journeys, folded from the store in global order: visits, the
 * suggestions each node proposed and what reps did with them, and how many of the leads that
 * passed through a node reached a later lifecycle stage (after their first visit there, in the
 * store's order).
 *
 * Tallies are kept per (journey, version, node), because instances are pinned to the version they
 * entered and node ids can differ between versions; a report merges the versions it is asked for.
 *
 * Memory: sets of lead ids per (journey, version, node) and per reached stage, and per lead the
 * nodes it visited, plus one entry per open suggestion and per active instance. That is fine at
 * embedded scale (hundreds of thousands of leads); a much larger installation would keep these
 * counts in the analytics store (ClickHouse) instead, with approximate distinct counts.
 *
 *   const stats = new JourneyStats();
 *   for (const event of await store.readAll()) stats.apply(event);
 *   stats.report('webinar-follow-up', { version: 2 });
 */
export class JourneyStats {
  readonly #journeys = new Map<string, JourneyTally>();
  readonly #suggestions = new Map<string, OpenSuggestion>();
  /** Lead id → the stage tallies (of journeys entered and nodes visited) its later stages count in. */
  readonly #passedThrough = new Map<string, Set<StageReach>>();

  /** Folds one event; events of other types pass by. Call in global order. */
  apply(recorded: RecordedEvent): void {
    if (!Object.hasOwn(folded, recorded.type)) return;
    const event = { type: recorded.type, data: recorded.data } as StatsEvent;
    const leadId = leadIdOfStream(recorded.stream);
    switch (event.type) {
      case 'JourneyDraftSaved':
        this.#journey(event.data.journeyId).documents.set(event.data.version, nodesOf(event.data.document));
        return;
      case 'JourneyPublished':
        this.#journey(event.data.journeyId).publishedVersion = event.data.version;
        return;
      case 'JourneyEntered': {
        if (leadId === null) return;
        const version = this.#version(event.data.journeyId, event.data.version);
        version.entries++;
        version.enteredLeads.add(leadId);
        version.activeInstances.add(event.data.instanceId);
        this.#passed(leadId, version.laterStages);
        return;
      }
      case 'JourneyEntryRefused':
        increment(this.#version(event.data.journeyId, event.data.version).refusals, event.data.reason);
        return;
      case 'JourneyStepTaken':
        // A wait's step is its end (the awaited event came): its visit was counted when it started.
        if (leadId !== null && event.data.nodeType !== 'wait') this.#visit(event.data.journeyId, event.data.version, event.data.node, leadId);
        return;
      case 'JourneyWaitStarted':
        if (leadId !== null) this.#visit(event.data.journeyId, event.data.version, event.data.node, leadId);
        return;
      case 'JourneyTimerElapsed':
        // The end of a wait counted when it started; the walk it continues is counted node by node.
        return;
      case 'JourneyExited': {
        const { journeyId, node, reason, via } = event.data;
        const version = this.#version(journeyId, event.data.version);
        increment(version.exits, reason);
        version.activeInstances.delete(event.data.instanceId);
        if (node === null) return;
        if (via === 'exit_node' && leadId !== null) this.#visit(journeyId, event.data.version, node, leadId);
        increment(this.#node(version, node).exits, reason);
        return;
      }
      case 'SuggestionProposed': {
        const { suggestionId, journeyId, node } = event.data;
        if (this.#suggestions.has(suggestionId)) return;
        const tally = this.#node(this.#version(journeyId, event.data.version), node).suggestions;
        tally.proposed++;
        this.#suggestions.set(suggestionId, { tally, accepted: false, snoozed: false });
        return;
      }
      // Joined another journey's suggestion: its outcome is counted where that one was proposed.
      case 'SuggestionMerged':
        return;
      case 'SuggestionAccepted': {
        const open = this.#suggestions.get(event.data.suggestionId);
        if (!open || open.accepted) return;
        open.accepted = true;
        open.tally.accepted++;
        return;
      }
      case 'SuggestionSnoozed': {
        const open = this.#suggestions.get(event.data.suggestionId);
        if (!open || open.snoozed) return;
        open.snoozed = true;
        open.tally.snoozed++;
        return;
      }
      // The first of completed, dismissed or expired ends the suggestion; later ones are ignored.
      case 'SuggestionCompleted': {
        const open = this.#close(event.data.suggestionId);
        if (open) increment(open.tally.completed, event.data.outcome);
        return;
      }
      case 'SuggestionDismissed': {
        const open = this.#close(event.data.suggestionId);
        if (open) increment(open.tally.dismissed, event.data.reason);
        return;
      }
      case 'SuggestionExpired': {
        const open = this.#close(event.data.suggestionId);
        if (open) open.tally.expired++;
        return;
      }
      case 'LifecycleStageChanged': {
        if (leadId === null) return;
        for (const reach of this.#passedThrough.get(leadId) ?? []) addTo(reach, event.data.to, leadId);
        return;
      }
      default:
        return assertNever(event, 'event');
    }
  }

  /** The journey's statistics, every version merged or one version; zeros for a journey never seen. */
  report(journeyId: string, options: { version?: number } = {}): JourneyStatsReport {
    const journey = this.#journeys.get(journeyId);
    const seen = journey ? [...journey.versions.keys()].sort((a, b) => a - b) : [];
    const picked = (options.version === undefined ? seen : seen.filter((version) => version === options.version)).map((version) => journey!.versions.get(version)!);
    const published = journey?.publishedVersion ?? null;
    // Newest first, so that a node's type and label come from the newest version that has it.
    const described = (options.version === undefined ? [...new Set([...seen, ...(published === null ? [] : [published])])] : [options.version]).sort((a, b) => b - a);

    const nodeIds = new Set<string>();
    for (const version of described) for (const id of journey?.documents.get(version)?.keys() ?? []) nodeIds.add(id);
    for (const version of picked) for (const id of version.nodes.keys()) nodeIds.add(id);

    const nodes: Record<string, NodeStats> = {};
    for (const id of nodeIds) {
      const info = described.map((version) => journey?.documents.get(version)?.get(id)).find((found) => found !== undefined);
      nodes[id] = nodeStats(
        info ?? { type: null, label: null },
        picked.flatMap((version) => version.nodes.get(id) ?? []),
      );
    }

    const byVersion: Record<string, { entries: number; active: number; exits: number }> = {};
    for (const version of seen) {
      const tally = journey!.versions.get(version)!;
      byVersion[String(version)] = { entries: tally.entries, active: tally.activeInstances.size, exits: sum(tally.exits) };
    }

    return {
      journeyId,
      version: options.version ?? null,
      versions: seen,
      publishedVersion: published,
      entries: picked.reduce((total, version) => total + version.entries, 0),
      leads: unionSize(picked.map((version) => version.enteredLeads)),
      refusals: reasonCounts(picked.map((version) => version.refusals)),
      active: picked.reduce((total, version) => total + version.activeInstances.size, 0),
      exits: reasonCounts(picked.map((version) => version.exits)),
      laterStages: stageCounts(picked.map((version) => version.laterStages)),
      byVersion,
      nodes,
    };
  }

  #journey(journeyId: string): JourneyTally {
    let journey = this.#journeys.get(journeyId);
    if (!journey) {
      journey = { versions: new Map(), documents: new Map(), publishedVersion: null };
      this.#journeys.set(journeyId, journey);
    }
    return journey;
  }

  #version(journeyId: string, version: number): VersionTally {
    const journey = this.#journey(journeyId);
    let tally = journey.versions.get(version);
    if (!tally) {
      tally = { entries: 0, enteredLeads: new Set(), refusals: new Map(), exits: new Map(), activeInstances: new Set(), laterStages: new Map(), nodes: new Map() };
      journey.versions.set(version, tally);
    }
    return tally;
  }

  #node(version: VersionTally, node: string): NodeTally {
    let tally = version.nodes.get(node);
    if (!tally) {
      tally = {
        visits: 0,
        leads: new Set(),
        exits: new Map(),
        suggestions: { proposed: 0, accepted: 0, completed: new Map(), dismissed: new Map(), expired: 0, snoozed: 0 },
        laterStages: new Map(),
      };
      version.nodes.set(node, tally);
    }
    return tally;
  }

  #visit(journeyId: string, version: number, node: string, leadId: string): void {
    const tally = this.#node(this.#version(journeyId, version), node);
    tally.visits++;
    tally.leads.add(leadId);
    this.#passed(leadId, tally.laterStages);
  }

  /** From now on, the lead's stage changes count in `reach` (a set: only the first visit starts it). */
  #passed(leadId: string, reach: StageReach): void {
    let reaches = this.#passedThrough.get(leadId);
    if (!reaches) {
      reaches = new Set();
      this.#passedThrough.set(leadId, reaches);
    }
    reaches.add(reach);
  }

  #close(suggestionId: string): OpenSuggestion | undefined {
    const open = this.#suggestions.get(suggestionId);
    this.#suggestions.delete(suggestionId);
    return open;
  }
}

function nodesOf(document: Record<string, unknown>): Map<string, NodeInfo> {
  const nodes = new Map<string, NodeInfo>();
  const given = document.nodes;
  if (given === null || typeof given !== 'object') return nodes;
  for (const [id, node] of Object.entries(given as Record<string, unknown>)) {
    const fields = node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : {};
    nodes.set(id, { type: typeof fields.type === 'string' ? fields.type : null, label: typeof fields.label === 'string' ? fields.label : null });
  }
  return nodes;
}

function nodeStats(info: NodeInfo, tallies: readonly NodeTally[]): NodeStats {
  const suggestions = tallies.map((tally) => tally.suggestions);
  const proposed = suggestions.reduce((total, tally) => total + tally.proposed, 0);
  const completed = reasonCounts(suggestions.map((tally) => tally.completed));
  const dismissed = reasonCounts(suggestions.map((tally) => tally.dismissed));
  const expired = suggestions.reduce((total, tally) => total + tally.expired, 0);
  return {
    type: info.type,
    label: info.label,
    visits: tallies.reduce((total, tally) => total + tally.visits, 0),
    leads: unionSize(tallies.map((tally) => tally.leads)),
    exits: reasonCounts(tallies.map((tally) => tally.exits)),
    suggestions: {
      proposed,
      accepted: suggestions.reduce((total, tally) => total + tally.accepted, 0),
      completed: { total: completed.total, byOutcome: completed.byReason },
      dismissed,
      expired,
      snoozed: suggestions.reduce((total, tally) => total + tally.snoozed, 0),
      open: proposed - completed.total - dismissed.total - expired,
    },
    laterStages: stageCounts(tallies.map((tally) => tally.laterStages)),
  };
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function addTo(reach: StageReach, stage: string, leadId: string): void {
  let leads = reach.get(stage);
  if (!leads) {
    leads = new Set();
    reach.set(stage, leads);
  }
  leads.add(leadId);
}

function sum(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}

/** Merged counts, keys sorted so that a report reads the same every time. */
function reasonCounts(parts: readonly ReadonlyMap<string, number>[]): ReasonCounts {
  const merged = new Map<string, number>();
  for (const part of parts) for (const [key, count] of part) merged.set(key, (merged.get(key) ?? 0) + count);
  const byReason: Record<string, number> = {};
  for (const key of [...merged.keys()].sort()) byReason[key] = merged.get(key)!;
  return { total: sum(merged), byReason };
}

/** Distinct leads per stage across versions: a lead that reached a stage in two versions counts once. */
function stageCounts(parts: readonly StageReach[]): Record<string, number> {
  const stages = [...new Set(parts.flatMap((part) => [...part.keys()]))].sort();
  const counts: Record<string, number> = {};
  for (const stage of stages) counts[stage] = unionSize(parts.map((part) => part.get(stage) ?? new Set<string>()));
  return counts;
}

function unionSize(sets: readonly ReadonlySet<string>[]): number {
  if (sets.length === 1) return sets[0]!.size;
  const union = new Set<string>();
  for (const set of sets) for (const value of set) union.add(value);
  return union.size;
}

import type { BranchDecision, JourneyWalkEvent, SuggestionProposed } from '../../services/events/index.ts';
import type { EventFacts } from '../facts/eventFacts.ts';

/**
 * Where one lead stands in one journey, folded from the walk events on its stream. The
 * interpreter decides from it; the runner keeps one per (lead, journey).
 */
export interface JourneyLeadState {
  readonly journeyId: string;
  /** How many times the lead entered (for `reentry: never`). */
  readonly entries: number;
  readonly lastEnteredAt: number | null;
  readonly active: InstanceState | null;
}

export interface InstanceState {
  readonly instanceId: string;
  /** The version the instance entered on and stays pinned to. */
  readonly version: number;
  readonly enteredAt: number;
  readonly trigger: EventFacts;
  /** The wait the instance is in; null only inside a walk. */
  readonly wait: WaitState | null;
  /** Walk events this instance recorded so far: the sequence number of the next one's id. */
  readonly seq: number;
  /** Times each node was visited (a suggestion's id includes the visit). */
  readonly visits: Readonly<Record<string, number>>;
  /** Node ids walked since entry (capped at the last `MAX_PATH` entries). */
  readonly path: readonly string[];
  readonly decisions: readonly BranchDecision[];
  /** Suggestions this instance proposed: a wait for a suggestion event matches only these. */
  readonly suggestionIds: readonly string[];
}

export interface WaitState {
  readonly node: string;
  readonly kind: 'for' | 'until';
  /** Epoch ms: when a `for` wait ends or an `until` wait times out. */
  readonly dueAt: number;
}

const MAX_PATH = 200;
const MAX_DECISIONS = 50;

export function initialJourneyLeadState(journeyId: string): JourneyLeadState {
  return { journeyId, entries: 0, lastEnteredAt: null, active: null };
}

/** The state after one walk event (or a SuggestionProposed) of this journey. Pure. */
export function evolveJourneyLead(state: JourneyLeadState, event: JourneyWalkEvent | SuggestionProposed, at: number): JourneyLeadState {
  switch (event.type) {
    case 'JourneyEntered': {
      const trigger = event.data.trigger as unknown as EventFacts;
      return {
        ...state,
        entries: state.entries + 1,
        lastEnteredAt: at,
        active: {
          instanceId: event.data.instanceId,
          version: event.data.version,
          enteredAt: at,
          trigger,
          wait: null,
          seq: 1,
          visits: {},
          path: [],
          decisions: [],
          suggestionIds: [],
        },
      };
    }
    case 'JourneyEntryRefused':
      return state;
    case 'JourneyStepTaken':
      return withInstance(state, event.data.instanceId, (instance) => ({
        ...instance,
        seq: instance.seq + 1,
        wait: null,
        visits: event.data.nodeType === 'wait' ? instance.visits : visit(instance.visits, event.data.node),
        path: event.data.nodeType === 'wait' ? instance.path : capped([...instance.path, event.data.node], MAX_PATH),
        decisions: event.data.decision ? capped([...instance.decisions, event.data.decision], MAX_DECISIONS) : instance.decisions,
      }));
    case 'JourneyWaitStarted':
      return withInstance(state, event.data.instanceId, (instance) => ({
        ...instance,
        seq: instance.seq + 1,
        visits: visit(instance.visits, event.data.node),
        path: capped([...instance.path, event.data.node], MAX_PATH),
        wait: { node: event.data.node, kind: event.data.kind, dueAt: Date.parse(event.data.dueAt) },
      }));
    case 'JourneyTimerElapsed':
      return withInstance(state, event.data.instanceId, (instance) => ({ ...instance, seq: instance.seq + 1, wait: null }));
    case 'JourneyExited':
      return state.active?.instanceId === event.data.instanceId ? { ...state, active: null } : state;
    case 'SuggestionMerged':
      return withInstance(state, event.data.instanceId, (instance) => ({
        ...instance,
        seq: instance.seq + 1,
        suggestionIds: [...instance.suggestionIds, event.data.suggestionId],
      }));
    case 'SuggestionProposed':
      return withInstance(state, event.data.instanceId, (instance) => ({
        ...instance,
        seq: instance.seq + 1,
        suggestionIds: [...instance.suggestionIds, event.data.suggestionId],
      }));
    default: {
      const unknown: never = event;
      throw new TypeError(`unexpected journey event ${JSON.stringify(unknown)}`);
    }
  }
}

function withInstance(state: JourneyLeadState, instanceId: string, change: (instance: InstanceState) => InstanceState): JourneyLeadState {
  if (state.active?.instanceId !== instanceId) return state;
  return { ...state, active: change(state.active) };
}

function visit(visits: Readonly<Record<string, number>>, node: string): Record<string, number> {
  return { ...visits, [node]: (visits[node] ?? 0) + 1 };
}

function capped<T>(items: T[], max: number): T[] {
  return items.length > max ? items.slice(items.length - max) : items;
}

import type { NewEvent, RecordedEvent } from '../../services/core/index.ts';
import { MinHeap } from '../../services/core/index.ts';
import type { JourneyWalkEvent, LeadsMerged, SuggestionEvent, SuggestionProposed, VisitorLinked } from '../../services/events/index.ts';
import {
  isJourneyDefinitionEvent,
  isJourneyWalkEvent,
  isSuggestionEvent,
  journeyIdOfStream,
  leadIdOfStream,
  visitorOfStream,
} from '../../services/events/index.ts';
import type { RuleEvaluator } from '../../services/ports/index.ts';
import type { EventFacts } from '../facts/eventFacts.ts';
import { eventFactsOf } from '../facts/eventFacts.ts';
import type { TouchFact } from '../facts/leadFacts.ts';
import { AccountFacts, LeadFacts } from '../facts/leadFacts.ts';
import type { Decision, LeadContext } from '../interpreter/interpreter.ts';
import { archiveInstance, failInstance, handleEvent, handleTimer } from '../interpreter/interpreter.ts';
import type { CatalogEntry } from '../interpreter/journeyCatalog.ts';
import { JourneyCatalog } from '../interpreter/journeyCatalog.ts';
import type { JourneyLeadState } from '../interpreter/journeyState.ts';
import { evolveJourneyLead, initialJourneyLeadState } from '../interpreter/journeyState.ts';

/** What one lead's decision wants recorded on its stream. */
export interface LeadOutput {
  readonly leadId: string;
  readonly stream: string;
  readonly events: readonly NewEvent<JourneyWalkEvent | SuggestionProposed>[];
}

interface LeadRun {
  readonly facts: LeadFacts;
  readonly journeys: Map<string, JourneyLeadState>;
}

interface Timer {
  readonly dueAt: number;
  readonly leadId: string;
  readonly journeyId: string;
}

export interface JourneyEngineOptions {
  readonly evaluator: RuleEvaluator;
  /**
   * Remember the ids of the events the engine decided, so that when they come back through the
   * store's subscription they are not applied twice (the runner). A simulation never reads its
   * own output back and leaves this off.
   */
  readonly readsOwnOutput?: boolean;
  /**
   * A condition failed to evaluate for one lead (json-rules-engine semantics: `in` against a
   * fact-referenced value that is not a list, say). The lead's instance exits with reason
   * `evaluation_failed`; the other leads and journeys go on. Default: ignore.
   */
  readonly onDecisionError?: (error: unknown, where: { leadId: string; journeyId: string }) => void;
  /** Same action for the same lead from two journeys within this window (ms) → one suggestion. Default one day. */
  readonly mergeWindowMs?: number;
}

/**
 * Everything the journeys know, kept incrementally from the store's events in global order: the
 * journey definitions, each lead's facts and where it stands in each journey, the accounts, the
 * touches of visitors not yet linked, and the due times of every wait. `handle` takes the next
 * event and, when asked to decide, runs the interpreter for the journeys concerned; the decided
 * events are applied to the state at once (so the lead's next event sees them) and returned for
 * the caller to record. The runner records them; the simulator only counts them.
 *
 *   const outputs = await engine.handle(event, { decide: event.position > checkpoint });
 */
export class JourneyEngine {
  readonly catalog: JourneyCatalog;
  readonly #leads = new Map<string, LeadRun>();
  readonly #visitors = new Map<string, TouchFact[]>();
  readonly #accounts = new AccountFacts();
  readonly #timers = new MinHeap<Timer>((a, b) => a.dueAt < b.dueAt);
  readonly #decided = new Set<string>();
  readonly #readsOwnOutput: boolean;
  readonly #onDecisionError: NonNullable<JourneyEngineOptions['onDecisionError']>;
  readonly #mergeWindowMs: number | undefined;

  constructor(options: JourneyEngineOptions) {
    this.catalog = new JourneyCatalog(options.evaluator);
    this.#readsOwnOutput = options.readsOwnOutput ?? false;
    this.#onDecisionError = options.onDecisionError ?? (() => undefined);
    this.#mergeWindowMs = options.mergeWindowMs;
  }

  /** Leads the engine has seen. */
  get leadCount(): number {
    return this.#leads.size;
  }

  /** Where the lead stands in the journey (for tests, stats and the API). */
  journeyState(leadId: string, journeyId: string): JourneyLeadState | undefined {
    return this.#leads.get(leadId)?.journeys.get(journeyId);
  }

  leadFacts(leadId: string): LeadFacts | undefined {
    return this.#leads.get(leadId)?.facts;
  }

  /** The earliest due time of any wait, or null: when `fireTimers` next has work. */
  nextDueAt(): number | null {
    return this.#timers.peek()?.dueAt ?? null;
  }

  /**
   * The next event of the store, in global order. With `decide: false` it only updates the
   * state (catching up on history that was already decided); with `decide: true` it also
   * decides and returns what to record.
   */
  async handle(event: RecordedEvent, options: { decide: boolean }): Promise<LeadOutput[]> {
    if (this.#decided.delete(event.id)) return [];
    const journeyId = journeyIdOfStream(event.stream);
    if (journeyId !== null) return this.#definition(event, options.decide);
    const anonymousId = visitorOfStream(event.stream);
    if (anonymousId !== null) {
      if (event.type === 'TouchRecorded') this.#visitorTouch(anonymousId, event);
      return [];
    }
    const leadId = leadIdOfStream(event.stream);
    if (leadId === null) return [];
    const lead = this.#lead(leadId);
    if (isJourneyWalkEvent(event) || event.type === 'SuggestionProposed') {
      this.#observeWalk(lead, event as RecordedEvent<JourneyWalkEvent | SuggestionProposed>);
      return [];
    }
    const suggestion = isSuggestionEvent(event) ? this.#suggestionFacts(lead, event) : null;
    this.#applyFacts(leadId, lead, event);
    const facts = eventFactsOf(event, suggestion);
    if (!options.decide || facts === null) return [];
    return this.#decideEvent(leadId, lead, facts);
  }

  /** Fires every wait due at or before `until` (epoch ms), in due order. */
  async fireTimers(until: number): Promise<LeadOutput[]> {
    const outputs: LeadOutput[] = [];
    for (let timer = this.#timers.peek(); timer !== undefined && timer.dueAt <= until; timer = this.#timers.peek()) {
      this.#timers.pop();
      const lead = this.#leads.get(timer.leadId);
      const state = lead?.journeys.get(timer.journeyId);
      const entry = this.catalog.get(timer.journeyId);
      // Stale timers (the wait ended another way) are dropped here rather than searched for.
      if (!lead || !state || !entry || state.active?.wait?.dueAt !== timer.dueAt) continue;
      if (entry.status === 'paused') continue;
      const now = Math.max(timer.dueAt, lead.facts.now);
      const decision = await this.#safely(timer.leadId, lead, entry, state, now, () => handleTimer(entry, state, this.#context(timer.leadId, lead, now)));
      const output = this.#record(timer.leadId, lead, timer.journeyId, decision, now);
      if (output) outputs.push(output);
    }
    return outputs;
  }

  async #decideEvent(leadId: string, lead: LeadRun, event: EventFacts): Promise<LeadOutput[]> {
    const now = Math.max(event.at, lead.facts.now);
    const events: NewEvent<JourneyWalkEvent | SuggestionProposed>[] = [];
    // Waits of any journey due by the event's time fire first, at their due times.
    let due: JourneyLeadState[] | null = null;
    for (const state of lead.journeys.values()) {
      const wait = state.active?.wait;
      if (wait && wait.dueAt <= now) (due ??= []).push(state);
    }
    for (const state of due?.sort((a, b) => a.active!.wait!.dueAt - b.active!.wait!.dueAt) ?? []) {
      const entry = this.catalog.get(state.journeyId);
      if (!entry || entry.status === 'paused') continue;
      const at = Math.max(state.active!.wait!.dueAt, lead.facts.now);
      const decision = await this.#safely(leadId, lead, entry, state, at, () => handleTimer(entry, state, this.#context(leadId, lead, at)));
      events.push(...(this.#record(leadId, lead, state.journeyId, decision, at)?.events ?? []));
    }
    for (const entry of this.#concerned(lead, event.name)) {
      const state = lead.journeys.get(entry.id) ?? initialJourneyLeadState(entry.id);
      const decision = await this.#safely(leadId, lead, entry, state, now, () => handleEvent(entry, state, event, this.#context(leadId, lead, now)));
      events.push(...(this.#record(leadId, lead, entry.id, decision, now)?.events ?? []));
    }
    lead.facts.now = now;
    return events.length === 0 ? [] : [{ leadId, stream: `lead-${leadId}`, events }];
  }

  /** A decision that throws ends the lead's instance (or leaves it out) instead of stopping every lead. */
  async #safely(leadId: string, lead: LeadRun, entry: CatalogEntry, state: JourneyLeadState, now: number, decide: () => Promise<Decision>): Promise<Decision> {
    try {
      return await decide();
    } catch (error) {
      this.#onDecisionError(error, { leadId, journeyId: entry.id });
      return failInstance(entry, state, this.#context(leadId, lead, now), error);
    }
  }

  /** Journeys the event may concern: those the lead is active in, and those it triggers; by id. */
  #concerned(lead: LeadRun, eventName: string): CatalogEntry[] {
    const triggered = this.catalog.triggeredBy(eventName);
    let anyActive = false;
    for (const state of lead.journeys.values()) anyActive ||= state.active !== null;
    if (!anyActive) return triggered as CatalogEntry[];
    const concerned = new Map<string, CatalogEntry>(triggered.map((entry) => [entry.id, entry]));
    for (const state of lead.journeys.values()) {
      if (state.active && !concerned.has(state.journeyId)) {
        const entry = this.catalog.get(state.journeyId);
        if (entry) concerned.set(entry.id, entry);
      }
    }
    if (concerned.size === triggered.length) return triggered as CatalogEntry[];
    return [...concerned.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  #record(leadId: string, lead: LeadRun, journeyId: string, decision: Decision, now: number): LeadOutput | null {
    const before = lead.journeys.get(journeyId)?.active?.wait;
    lead.journeys.set(journeyId, decision.state);
    const wait = decision.state.active?.wait;
    // Only a new wait needs a timer: the heap grows with waits, not with events.
    if (wait && wait !== before) this.#timers.push({ dueAt: wait.dueAt, leadId, journeyId });
    if (decision.events.length === 0) return null;
    for (const event of decision.events) {
      if (event.type === 'SuggestionProposed') {
        lead.facts.apply({ type: event.type, data: event.data, metadata: { ...event.metadata, recordedAt: event.metadata.occurredAt } });
      }
      if (this.#readsOwnOutput) this.#decided.add(event.id);
    }
    lead.facts.now = Math.max(lead.facts.now, now);
    return { leadId, stream: `lead-${leadId}`, events: decision.events };
  }

  #context(leadId: string, lead: LeadRun, now: number): LeadContext {
    return {
      leadId,
      facts: lead.facts,
      account: this.#accounts.get(lead.facts.lead.accountId),
      now,
      ...(this.#mergeWindowMs === undefined ? {} : { mergeWindowMs: this.#mergeWindowMs }),
    };
  }

  async #definition(event: RecordedEvent, decide: boolean): Promise<LeadOutput[]> {
    if (!isJourneyDefinitionEvent(event)) return [];
    this.catalog.apply(event);
    if (event.type === 'JourneyPublished') this.#rearm(event.data.journeyId);
    if (event.type !== 'JourneyArchived' || !decide) return [];
    const entry = this.catalog.get(event.data.journeyId);
    if (!entry) return [];
    const outputs: LeadOutput[] = [];
    for (const [leadId, lead] of this.#leads) {
      const state = lead.journeys.get(entry.id);
      if (!state?.active) continue;
      const now = Math.max(Date.parse(event.metadata.occurredAt), lead.facts.now);
      const output = this.#record(leadId, lead, entry.id, archiveInstance(entry, state, this.#context(leadId, lead, now)), now);
      if (output) outputs.push(output);
    }
    return outputs;
  }

  /** A journey published again (resumed): the waits it held while paused get their timers back. */
  #rearm(journeyId: string): void {
    for (const [leadId, lead] of this.#leads) {
      const wait = lead.journeys.get(journeyId)?.active?.wait;
      if (wait) this.#timers.push({ dueAt: wait.dueAt, leadId, journeyId });
    }
  }

  #observeWalk(lead: LeadRun, event: RecordedEvent<JourneyWalkEvent | SuggestionProposed>): void {
    const at = Date.parse(event.metadata.occurredAt);
    const journeyId = event.data.journeyId;
    const state = lead.journeys.get(journeyId) ?? initialJourneyLeadState(journeyId);
    const next = evolveJourneyLead(state, { type: event.type, data: event.data } as JourneyWalkEvent | SuggestionProposed, at);
    lead.journeys.set(journeyId, next);
    if (event.type === 'SuggestionProposed') lead.facts.apply(event);
    const wait = next.active?.wait;
    if (wait && wait !== state.active?.wait) this.#timers.push({ dueAt: wait.dueAt, leadId: lead.facts.lead.id, journeyId });
    lead.facts.now = Math.max(lead.facts.now, at);
  }

  #applyFacts(leadId: string, lead: LeadRun, event: RecordedEvent): void {
    lead.facts.apply(event);
    switch (event.type) {
      case 'VisitorLinked': {
        const anonymousId = (event.data as VisitorLinked['data']).anonymousId;
        lead.facts.absorb(this.#visitors.get(anonymousId) ?? []);
        this.#visitors.delete(anonymousId);
        return;
      }
      case 'LeadsMerged': {
        const mergedId = (event.data as LeadsMerged['data']).mergedLeadId;
        const merged = this.#leads.get(mergedId);
        if (merged) {
          lead.facts.absorbLead(merged.facts);
          // Its walks end with it: later events come to this lead, which walks on its own.
          this.#leads.delete(mergedId);
        }
        return;
      }
      case 'AccountAssociated':
        this.#accounts.apply(leadId, event.data as Parameters<AccountFacts['apply']>[1]);
        return;
      default:
        return;
    }
  }

  #visitorTouch(anonymousId: string, event: RecordedEvent): void {
    const data = event.data as { name: string; channel: string };
    const touches = this.#visitors.get(anonymousId) ?? [];
    touches.push({ name: data.name, channel: data.channel, at: Date.parse(event.metadata.occurredAt) });
    this.#visitors.set(anonymousId, touches);
  }

  /** The suggestion a suggestion event is about, as the `event.suggestion` fact shows it. */
  #suggestionFacts(lead: LeadRun, event: RecordedEvent<SuggestionEvent>): Record<string, unknown> | null {
    const suggestion = lead.facts.suggestions.get(event.data.suggestionId);
    if (!suggestion) return null;
    return { id: suggestion.suggestionId, action: suggestion.action, journeyId: suggestion.journeyId, instanceId: suggestion.instanceId, node: suggestion.node };
  }

  #lead(leadId: string): LeadRun {
    let lead = this.#leads.get(leadId);
    if (!lead) {
      lead = { facts: new LeadFacts(leadId), journeys: new Map() };
      this.#leads.set(leadId, lead);
    }
    return lead;
  }
}

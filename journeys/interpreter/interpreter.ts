import type { NewEvent } from '../../services/core/index.ts';
import { deriveId, sequencedId } from '../../services/core/index.ts';
import type { BranchDecision, JourneyWalkEvent, SuggestionProposed, SuggestionReason } from '../../services/events/index.ts';
import type { CompiledCondition, ConditionCheck, ConditionResult, FactSource } from '../../services/ports/index.ts';
import { MAX_WALK_NODES } from '../document/journeyGraph.ts';
import { renderTemplate } from '../document/template.ts';
import type { EventFacts } from '../facts/eventFacts.ts';
import type { FactScope } from '../facts/factSource.ts';
import { createFactSource, templateScope } from '../facts/factSource.ts';
import type { AccountFactValue, LeadFacts } from '../facts/leadFacts.ts';
import type { CompiledJourney } from './compiledJourney.ts';
import type { InstanceState, JourneyLeadState } from './journeyState.ts';
import { evolveJourneyLead } from './journeyState.ts';

/**
 * The journey interpreter: pure. Given a journey, where the lead stands in it, the lead's facts
 * and what is being handled (an event, or the passing of time), it returns the events to record
 * and the state after them. No I/O and no wall clock: time is `lead.now` (the event's time) or a
 * timer's due time, so the same history always yields the same events with the same ids.
 *
 *   const { events, state } = await handleEvent(journey, state, eventFacts, { leadId, facts, account, now });
 */
export interface JourneyRuntime {
  /** The published version new entries use; null when none is. */
  readonly live: CompiledJourney | null;
  readonly status: 'draft' | 'active' | 'paused' | 'archived';
  /** Any version, for instances pinned to it. */
  version(version: number): CompiledJourney | undefined;
}

export interface LeadContext {
  readonly leadId: string;
  readonly facts: LeadFacts;
  readonly account: AccountFactValue | undefined;
  /** The decision's logical time, epoch ms. */
  readonly now: number;
  /**
   * An open suggestion of the same action from another journey, proposed this recently (ms),
   * absorbs a new one instead of nagging the rep twice. Default one day; 0 turns merging off.
   */
  readonly mergeWindowMs?: number;
}

export const DEFAULT_MERGE_WINDOW_MS = 86_400_000;

export interface Decision {
  readonly events: readonly NewEvent<JourneyWalkEvent | SuggestionProposed>[];
  readonly state: JourneyLeadState;
}

/** Most nodes one walk may pass without reaching a wait: the validator's bound, so the two agree. */
export const MAX_WALK = MAX_WALK_NODES;

/**
 * An event for the lead. In order: due timers of the active instance fire first (a timeout due at
 * the event's time wins over the event), then `exitWhen`, then a matching wait `until`; then the
 * trigger, for a lead not active in the journey.
 */
export async function handleEvent(journey: JourneyRuntime, state: JourneyLeadState, event: EventFacts, lead: LeadContext): Promise<Decision> {
  const walk = new Walk(journey, state, lead, event);
  if (journey.status === 'archived') {
    if (walk.state.active) walk.exit(walk.state.active, null, 'journey_archived', 'archived', null);
    return walk.result();
  }
  const wasActive = walk.state.active !== null;
  if (journey.status !== 'paused') {
    await walk.fireDueTimers();
    const instance = walk.state.active;
    if (instance && instance.trigger.eventId !== event.eventId) {
      const exited = await walk.checkExitWhen(instance);
      if (!exited) await walk.matchWait(instance);
    }
  }
  await walk.tryEntry(wasActive);
  return walk.result();
}

/**
 * Time passed: fires the active instance's wait if it is due at `lead.now`. Each timer decides
 * as of its due time (or the lead's clock, `facts.now`, when that is later).
 */
export async function handleTimer(journey: JourneyRuntime, state: JourneyLeadState, lead: LeadContext): Promise<Decision> {
  const walk = new Walk(journey, state, lead, null);
  if (journey.status === 'archived') {
    if (walk.state.active) walk.exit(walk.state.active, null, 'journey_archived', 'archived', null);
  } else if (journey.status !== 'paused') {
    await walk.fireDueTimers();
  }
  return walk.result();
}

/** The journey was archived: the lead's instance ends. */
export function archiveInstance(journey: JourneyRuntime, state: JourneyLeadState, lead: LeadContext): Decision {
  const walk = new Walk(journey, state, lead, null);
  if (walk.state.active) walk.exit(walk.state.active, null, 'journey_archived', 'archived', null);
  return walk.result();
}

/**
 * A condition could not be evaluated for this lead (an error, not a false): its instance ends
 * with reason `evaluation_failed` and the error's message, so the lead does not stay stuck.
 */
export function failInstance(journey: JourneyRuntime, state: JourneyLeadState, lead: LeadContext, error: unknown): Decision {
  const walk = new Walk(journey, state, lead, null);
  if (walk.state.active) {
    const message = error instanceof Error ? error.message : String(error);
    walk.exit(walk.state.active, walk.state.active.wait?.node ?? null, 'evaluation_failed', 'error', [{ error: message }]);
  }
  return walk.result();
}

/** The due time of the lead's wait in this journey, if it is waiting. */
export function dueAt(state: JourneyLeadState): number | null {
  return state.active?.wait?.dueAt ?? null;
}

/** Without a promise when the adapter can: most decisions then finish in one synchronous run. */
function evaluate(condition: CompiledCondition, facts: FactSource): ConditionResult | Promise<ConditionResult> {
  return condition.evaluateSync ? condition.evaluateSync(facts) : condition.evaluate(facts);
}

class Walk {
  state: JourneyLeadState;
  readonly #events: NewEvent<JourneyWalkEvent | SuggestionProposed>[] = [];
  readonly #journey: JourneyRuntime;
  readonly #lead: LeadContext;
  readonly #event: EventFacts | null;
  /** The logical time of what is being decided: the event's, or a timer's due time. */
  #now: number;
  /** #now as ISO text, for the events' occurredAt; computed once per time. */
  #nowText: { at: number; text: string } = { at: Number.NaN, text: '' };

  constructor(journey: JourneyRuntime, state: JourneyLeadState, lead: LeadContext, event: EventFacts | null) {
    this.#journey = journey;
    this.state = state;
    this.#lead = lead;
    this.#event = event;
    this.#now = lead.now;
  }

  result(): Decision {
    return { events: this.#events, state: this.state };
  }

  async fireDueTimers(): Promise<void> {
    for (;;) {
      const instance = this.state.active;
      const wait = instance?.wait;
      if (!instance || !wait || wait.dueAt > this.#lead.now) return;
      const version = this.#version(instance);
      const node = version.document.nodes[wait.node];
      if (node?.type !== 'wait') throw new TypeError(`instance ${instance.instanceId} waits at ${wait.node}, which is not a wait`);
      const next = wait.kind === 'for' ? node.next : node.onTimeout!;
      // A timer decides as of its due time (never before the lead's clock), whenever it is
      // handled: late after downtime, but the same decision a replay makes.
      this.#now = Math.max(wait.dueAt, this.#lead.facts.now);
      this.#emitWalk(instance, {
        type: 'JourneyTimerElapsed',
        data: { ...this.#ids(instance), node: wait.node, kind: wait.kind === 'for' ? 'wait' : 'timeout', dueAt: new Date(wait.dueAt).toISOString(), next },
      });
      await this.#walkFrom(next, null);
      this.#now = this.#lead.now;
    }
  }

  async checkExitWhen(instance: InstanceState): Promise<boolean> {
    const version = this.#version(instance);
    for (const rule of version.exitWhen) {
      const pending = evaluate(rule.when, createFactSource(this.#scope(version, instance.trigger, this.#event)));
      const result = pending instanceof Promise ? await pending : pending;
      if (result.holds) {
        this.exit(instance, instance.wait?.node ?? null, rule.reason, 'exit_when', result.checks);
        return true;
      }
    }
    return false;
  }

  async matchWait(instance: InstanceState): Promise<void> {
    const event = this.#event;
    const wait = instance.wait;
    if (!event || !wait || wait.kind !== 'until') return;
    const version = this.#version(instance);
    const node = version.document.nodes[wait.node];
    if (node?.type !== 'wait' || !node.until || node.until.event !== event.name) return;
    const suggestionId = event.properties.suggestionId;
    if (typeof suggestionId === 'string' && !node.until.anySuggestion && !instance.suggestionIds.includes(suggestionId)) return;
    const when = version.untilWhen.get(wait.node);
    if (when && !(await evaluate(when, createFactSource(this.#scope(version, instance.trigger, event)))).holds) return;
    this.#emitWalk(instance, {
      type: 'JourneyStepTaken',
      data: {
        ...this.#ids(instance),
        node: wait.node,
        nodeType: 'wait',
        next: node.next,
        decision: null,
        matched: { eventId: event.eventId, name: event.name, occurredAt: event.occurredAt },
        suggestionId: null,
        skipped: null,
      },
    });
    await this.#walkFrom(node.next, event);
  }

  async tryEntry(wasActive: boolean): Promise<void> {
    const event = this.#event;
    const live = this.#journey.live;
    if (!event || !live || live.trigger.event !== event.name) return;
    if (this.#journey.status !== 'active' && this.#journey.status !== 'paused') return;
    if (live.trigger.when && !(await evaluate(live.trigger.when, createFactSource(this.#scope(live, event, event)))).holds) return;
    const refusal = this.#refusal(wasActive);
    if (refusal) {
      this.#push({
        id: deriveId('journey-entry-refused', this.#lead.leadId, live.id, event.eventId),
        event: {
          type: 'JourneyEntryRefused',
          data: {
            journeyId: live.id,
            version: live.version,
            reason: refusal.reason,
            trigger: { eventId: event.eventId, name: event.name, occurredAt: event.occurredAt },
            activeInstanceId: this.state.active?.instanceId ?? null,
            reentryAllowedAt: refusal.allowedAt === null ? null : new Date(refusal.allowedAt).toISOString(),
          },
        },
      });
      return;
    }
    const instanceId = deriveId('journey-instance', this.#lead.leadId, live.id, event.eventId);
    const start = live.document.start;
    this.#push({
      id: sequencedId(instanceId, 0),
      event: {
        type: 'JourneyEntered',
        data: { journeyId: live.id, version: live.version, instanceId, start, trigger: event as unknown as Record<string, unknown> },
      },
    });
    await this.#walkFrom(start, event);
  }

  exit(instance: InstanceState, node: string | null, reason: string, via: 'exit_node' | 'exit_when' | 'archived' | 'error', checks: readonly (ConditionCheck | { error: string })[] | null): void {
    this.#emitWalk(instance, {
      type: 'JourneyExited',
      data: { ...this.#ids(instance), node, reason, via, checks: checks === null ? null : [...checks] },
    });
  }

  #refusal(wasActive: boolean): { reason: 'already_active' | 'reentry_never' | 'reentry_window' | 'journey_paused'; allowedAt: number | null } | null {
    const live = this.#journey.live!;
    if (this.#journey.status === 'paused') return { reason: 'journey_paused', allowedAt: null };
    // An event that ended an instance (exitWhen) does not start the next one: no exit/enter loops.
    if (wasActive || this.state.active) return { reason: 'already_active', allowedAt: null };
    if (this.state.entries === 0 || this.state.lastEnteredAt === null) return null;
    if (live.reentryMs === null) return { reason: 'reentry_never', allowedAt: null };
    const allowedAt = this.state.lastEnteredAt + live.reentryMs;
    if (this.#now < allowedAt) return { reason: 'reentry_window', allowedAt };
    return null;
  }

  /** Runs branch and suggest nodes until a wait or an exit. */
  async #walkFrom(start: string, event: EventFacts | null): Promise<void> {
    let nodeId = start;
    for (let steps = 0; ; steps++) {
      const instance = this.state.active;
      if (!instance) return;
      const version = this.#version(instance);
      if (steps >= MAX_WALK) {
        this.exit(instance, nodeId, 'walk_limit', 'error', null);
        return;
      }
      const node = version.document.nodes[nodeId];
      if (!node) throw new TypeError(`journey ${version.id}@${version.version} has no node ${nodeId}`);
      switch (node.type) {
        case 'branch': {
          const decision = await this.#decide(version, instance, nodeId, event);
          this.#emitWalk(instance, {
            type: 'JourneyStepTaken',
            data: { ...this.#ids(instance), node: nodeId, nodeType: 'branch', next: decision.next, decision, matched: null, suggestionId: null, skipped: null },
          });
          nodeId = decision.next;
          break;
        }
        case 'suggest': {
          // The proposal event's own id: unique (instance, step) and derived without another hash.
          const suggestionId = sequencedId(instance.instanceId, instance.seq);
          const skipped = node.action === 'email' && this.#lead.facts.lead.doNotContact ? 'do_not_contact' : null;
          let recordedId: string | null = null;
          if (skipped === null) {
            const joined = this.#mergeTarget(node.action, version.id);
            if (joined) {
              this.#emitWalk(instance, {
                type: 'SuggestionMerged',
                data: { ...this.#ids(instance), node: nodeId, suggestionId: joined, mergedSuggestionId: suggestionId, reason: this.#reason(version, instance, nodeId, event) },
              });
              recordedId = joined;
            } else {
              this.#propose(version, instance, nodeId, suggestionId, event);
              recordedId = suggestionId;
            }
          }
          const after = this.state.active!;
          this.#emitWalk(after, {
            type: 'JourneyStepTaken',
            data: {
              ...this.#ids(after),
              node: nodeId,
              nodeType: 'suggest',
              next: node.next,
              decision: null,
              matched: null,
              suggestionId: recordedId,
              skipped,
            },
          });
          nodeId = node.next;
          break;
        }
        case 'wait': {
          const durations = version.durations.get(nodeId)!;
          const kind = node.for === undefined ? 'until' : 'for';
          const dueAt = this.#now + (kind === 'for' ? durations.wait! : durations.timeout!);
          this.#emitWalk(instance, {
            type: 'JourneyWaitStarted',
            data: { ...this.#ids(instance), node: nodeId, kind, until: node.until?.event ?? null, dueAt: new Date(dueAt).toISOString() },
          });
          return;
        }
        case 'exit':
          this.exit(instance, nodeId, node.reason ?? 'completed', 'exit_node', null);
          return;
        default: {
          const unknown: never = node;
          throw new TypeError(`unknown node ${JSON.stringify(unknown)}`);
        }
      }
    }
  }

  async #decide(version: CompiledJourney, instance: InstanceState, nodeId: string, event: EventFacts | null): Promise<BranchDecision> {
    const node = version.document.nodes[nodeId];
    if (node?.type !== 'branch') throw new TypeError(`${nodeId} is not a branch`);
    const conditions = version.branches.get(nodeId)!;
    const facts = createFactSource(this.#scope(version, instance.trigger, event));
    const tried: BranchDecision['branches'] = [];
    for (const [index, condition] of conditions.entries()) {
      const pending = evaluate(condition, facts);
      const result = pending instanceof Promise ? await pending : pending;
      tried.push({ index, label: node.branches[index]!.label ?? null, holds: result.holds, checks: [...result.checks] });
      if (result.holds) return { node: nodeId, label: node.label ?? null, chosen: index, next: node.branches[index]!.next, branches: tried };
    }
    return { node: nodeId, label: node.label ?? null, chosen: null, next: node.otherwise, branches: tried };
  }

  #propose(version: CompiledJourney, instance: InstanceState, nodeId: string, suggestionId: string, event: EventFacts | null): void {
    const node = version.document.nodes[nodeId];
    if (node?.type !== 'suggest') throw new TypeError(`${nodeId} is not a suggest node`);
    const templates = version.templates.get(nodeId)!;
    const durations = version.durations.get(nodeId)!;
    const scope = templateScope(this.#scope(version, instance.trigger, event));
    const now = this.#now;
    this.#emitWalk(instance, {
      type: 'SuggestionProposed',
      data: {
        suggestionId,
        leadId: this.#lead.leadId,
        journeyId: version.id,
        version: version.version,
        instanceId: instance.instanceId,
        node: nodeId,
        action: node.action,
        priority: node.priority,
        title: renderTemplate(templates.title, scope),
        body: templates.body === null ? null : renderTemplate(templates.body, scope),
        subject: templates.subject === null ? null : renderTemplate(templates.subject, scope),
        dueAt: new Date(now + durations.dueIn).toISOString(),
        expiresAt: new Date(now + durations.expiresIn).toISOString(),
        ownerId: this.#lead.facts.lead.ownerId,
        reason: this.#reason(version, instance, nodeId, event),
      },
    });
  }

  #reason(version: CompiledJourney, instance: InstanceState, nodeId: string, event: EventFacts | null): SuggestionReason {
    return {
      journeyId: version.id,
      journeyName: version.document.name,
      version: version.version,
      path: [...instance.path, nodeId],
      decisions: [...instance.decisions],
      trigger: { eventId: instance.trigger.eventId, name: instance.trigger.name, occurredAt: instance.trigger.occurredAt },
      event: event === null ? null : { eventId: event.eventId, name: event.name, occurredAt: event.occurredAt },
    };
  }

  /** The open suggestion of the same action another journey proposed within the merge window, if any. */
  #mergeTarget(action: string, journeyId: string): string | null {
    const window = this.#lead.mergeWindowMs ?? DEFAULT_MERGE_WINDOW_MS;
    if (window <= 0) return null;
    let newest: { id: string; at: number } | null = null;
    for (const suggestion of this.#lead.facts.suggestions.values()) {
      if (suggestion.action !== action || suggestion.journeyId === journeyId) continue;
      if (suggestion.status !== 'proposed' && suggestion.status !== 'accepted' && suggestion.status !== 'snoozed') continue;
      if (suggestion.proposedAt > this.#now || suggestion.proposedAt < this.#now - window) continue;
      if (newest === null || suggestion.proposedAt > newest.at) newest = { id: suggestion.suggestionId, at: suggestion.proposedAt };
    }
    return newest?.id ?? null;
  }

  #scope(version: CompiledJourney, trigger: EventFacts | undefined, event: EventFacts | null): FactScope {
    return {
      facts: this.#lead.facts,
      account: this.#lead.account,
      now: this.#now,
      journeyId: version.id,
      trigger,
      event: event ?? undefined,
    };
  }

  #version(instance: InstanceState): CompiledJourney {
    const version = this.#journey.version(instance.version);
    if (!version) throw new TypeError(`journey version ${instance.version} is unknown`);
    return version;
  }

  #ids(instance: InstanceState): { journeyId: string; version: number; instanceId: string } {
    return { journeyId: this.state.journeyId, version: instance.version, instanceId: instance.instanceId };
  }

  #emitWalk(instance: InstanceState, event: JourneyWalkEvent | SuggestionProposed): void {
    this.#push({ id: sequencedId(instance.instanceId, instance.seq), event });
  }

  #push({ id, event }: { id: string; event: JourneyWalkEvent | SuggestionProposed }): void {
    if (this.#nowText.at !== this.#now) this.#nowText = { at: this.#now, text: new Date(this.#now).toISOString() };
    this.#events.push({ id, type: event.type, data: event.data, metadata: { occurredAt: this.#nowText.text, causationId: null, correlationId: null, schemaVersion: 1 } });
    this.state = evolveJourneyLead(this.state, event, this.#now);
  }
}

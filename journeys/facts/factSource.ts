import type { FactSource } from '../../services/ports/index.ts';
import type { EventFacts } from './eventFacts.ts';
import type { AccountFactValue, LeadFacts, SuggestionFact } from './leadFacts.ts';

const DAY_MS = 86_400_000;

export interface FactScope {
  readonly facts: LeadFacts;
  readonly account: AccountFactValue | undefined;
  /** The decision's logical time (epoch ms): facts are "as of" it. */
  readonly now: number;
  readonly journeyId: string;
  readonly trigger: EventFacts | undefined;
  readonly event: EventFacts | undefined;
}

/**
 * The facts of JOURNEYS.md for one decision, as a FactSource for the RuleEvaluator. Counting
 * facts look only at history up to `now`, so a replay of the same history decides the same.
 */
export function createFactSource(scope: FactScope): FactSource {
  return {
    value(fact, params) {
      switch (fact) {
        case 'lead':
          return scope.facts.lead;
        case 'account':
          return scope.account;
        case 'score':
          return scope.facts.score;
        case 'trigger':
          return scope.trigger;
        case 'event':
          return scope.event;
        case 'touches':
          return countTouches(scope, params ?? {});
        case 'daysSince':
          return daysSince(scope, params ?? {});
        case 'suggestions':
          return suggestionSummary(scope, params ?? {});
        default:
          return undefined;
      }
    },
  };
}

/** What `{{lead.traits.firstName}}` and friends render from. */
export function templateScope(scope: FactScope): Record<string, unknown> {
  return { lead: scope.facts.lead, account: scope.account, score: scope.facts.score, trigger: scope.trigger, event: scope.event };
}

function matches(value: string, filter: unknown): boolean {
  if (filter === undefined) return true;
  return Array.isArray(filter) ? filter.includes(value) : value === filter;
}

function countTouches(scope: FactScope, params: Readonly<Record<string, unknown>>): number {
  const since = typeof params.withinDays === 'number' ? scope.now - params.withinDays * DAY_MS : Number.NEGATIVE_INFINITY;
  let count = 0;
  for (const touch of scope.facts.touches) {
    if (touch.at > scope.now || touch.at < since) continue;
    if (matches(touch.name, params.name) && matches(touch.channel, params.channel)) count++;
  }
  return count;
}

function daysSince(scope: FactScope, params: Readonly<Record<string, unknown>>): number | undefined {
  if (typeof params.event !== 'string') return undefined;
  const at = scope.facts.lastAt.get(params.event);
  if (at === undefined) return undefined;
  return Math.max(0, scope.now - at) / DAY_MS;
}

function suggestionSummary(scope: FactScope, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const anyJourney = params.journey === 'any';
  let last: SuggestionFact | null = null;
  const counts = { count: 0, open: 0, completed: 0, dismissed: 0, expired: 0 };
  for (const suggestion of scope.facts.suggestions.values()) {
    if (!anyJourney && suggestion.journeyId !== scope.journeyId) continue;
    if (!matches(suggestion.action, params.action) || !matches(suggestion.node, params.node)) continue;
    if (suggestion.proposedAt > scope.now) continue;
    counts.count++;
    if (suggestion.status === 'proposed' || suggestion.status === 'accepted' || suggestion.status === 'snoozed') counts.open++;
    else if (suggestion.status === 'completed') counts.completed++;
    else if (suggestion.status === 'dismissed') counts.dismissed++;
    else counts.expired++;
    if (last === null || suggestion.proposedAt >= last.proposedAt) last = suggestion;
  }
  return {
    ...counts,
    lastAction: last?.action ?? null,
    lastStatus: last?.status ?? null,
    lastOutcome: last?.outcome ?? null,
    lastDismissReason: last?.dismissReason ?? null,
  };
}

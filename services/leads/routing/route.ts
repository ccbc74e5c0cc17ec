import type { Rep } from '../reps/repDecider.ts';
import type { AssignmentCounts } from './repCapacity.ts';
import { atCapacity } from './repCapacity.ts';
import type { RoutingAccount, RoutingFacts, RoutingLead } from './routingFacts.ts';
import { routingFacts } from './routingFacts.ts';
import type { RoutingRule, RoutingRules, RoutingStrategy } from './routingRules.ts';
import { ACCOUNT_OWNER_RULE } from './routingRules.ts';

/** What routing needs to know of past assignments; RoutingLedger folds it from the event store. */
export interface RoutingState extends AssignmentCounts {
  /** Leads the rep owns now. */
  ownedLeads(repId: string): number;
  /** The rep round-robin chose last in the team (null: nobody yet). */
  lastInRotation(team: string): string | null;
  /** The reps who own leads of the account, most leads first, then by id. */
  accountOwners(accountId: string): readonly { readonly repId: string; readonly leads: number }[];
}

export type SkipReason = 'inactive' | 'at_capacity' | 'outside_territory';

/** A rep passed over, and why: the explanation of a decision. */
export interface RepSkipped {
  readonly repId: string;
  readonly why: SkipReason;
}

export type RoutingDecision =
  | {
      readonly kind: 'assign';
      readonly ownerId: string;
      /** The rule that chose: a rule id, `fallback`, or `account-owner`. */
      readonly ruleId: string;
      readonly team: string;
      readonly strategy: RoutingStrategy | 'account_owner';
      /** OwnerAssigned's reason: `routing:<ruleId>`. */
      readonly reason: string;
      readonly facts: RoutingFacts;
      readonly skipped: readonly RepSkipped[];
    }
  | {
      /** Nobody can take the lead: it stays unassigned, in the team's queue. */
      readonly kind: 'queue';
      readonly ruleId: string;
      readonly team: string;
      readonly why: 'no_reps_in_team' | 'no_rep_available';
      readonly facts: RoutingFacts;
      readonly skipped: readonly RepSkipped[];
    };

/**
 * Chooses the owner of a lead that has none. Pure: the same lead, account, reps, state and rules
 * at the same time give the same owner.
 *
 * 1. The account owner wins: a rep who owns another lead of the same account takes this one,
 *    if active and not at capacity (the one with most of the account's leads first, ties by id).
 *    An inactive or full account owner is passed over and the lead is routed by the rules.
 * 2. The first rule whose `when` holds chooses a team (else the fallback team).
 * 3. Within the team: active reps, not at capacity, whose territory names the lead's country
 *    (or who have no territory); then round-robin (reps in id order, the one after the team's
 *    last pick, wrapping) or least-loaded (fewest owned leads, ties by id).
 * 4. Nobody left: the lead stays unassigned (the team's queue), with the reason.
 *
 *   const decision = route(lead, account, reps, ledger, rules, new Date(event.metadata.occurredAt));
 */
export function route(
  lead: RoutingLead,
  account: RoutingAccount | null,
  reps: readonly Rep[],
  state: RoutingState,
  rules: RoutingRules,
  at: Date,
): RoutingDecision {
  const facts = routingFacts(lead, account, rules.regions);
  const skipped: RepSkipped[] = [];
  const byId = new Map(reps.map((rep) => [rep.id, rep]));

  if (account !== null) {
    for (const { repId } of state.accountOwners(account.id)) {
      const owner = byId.get(repId);
      if (owner === undefined) continue;
      if (!owner.active) skipped.push({ repId, why: 'inactive' });
      else if (atCapacity(owner, state, at)) skipped.push({ repId, why: 'at_capacity' });
      else return { kind: 'assign', ownerId: repId, ruleId: ACCOUNT_OWNER_RULE, team: owner.team, strategy: 'account_owner', reason: `routing:${ACCOUNT_OWNER_RULE}`, facts, skipped };
    }
  }

  const rule = rules.rules.find((candidate) => holds(candidate, facts)) ?? rules.fallback;
  const team = reps.filter((rep) => rep.team === rule.team).sort((a, b) => compare(a.id, b.id));
  if (team.length === 0) return { kind: 'queue', ruleId: rule.id, team: rule.team, why: 'no_reps_in_team', facts, skipped };
  const available = team.filter((rep) => {
    const why: SkipReason | null = !rep.active
      ? 'inactive'
      : rep.territory.length > 0 && (facts.country === null || !rep.territory.includes(facts.country))
        ? 'outside_territory'
        : atCapacity(rep, state, at)
          ? 'at_capacity'
          : null;
    if (why !== null) skipped.push({ repId: rep.id, why });
    return why === null;
  });
  if (available.length === 0) return { kind: 'queue', ruleId: rule.id, team: rule.team, why: 'no_rep_available', facts, skipped };
  const owner = rule.strategy === 'round_robin' ? nextInRotation(available, state.lastInRotation(rule.team)) : leastLoaded(available, state);
  return { kind: 'assign', ownerId: owner.id, ruleId: rule.id, team: rule.team, strategy: rule.strategy, reason: `routing:${rule.id}`, facts, skipped };
}

/** Whether every condition of the rule's `when` holds; a missing fact fails the condition that needs it. */
export function holds(rule: RoutingRule, facts: RoutingFacts): boolean {
  const { when } = rule;
  const inSet = (set: ReadonlySet<string> | undefined, value: string | null): boolean => set === undefined || (value !== null && set.has(value));
  if (!inSet(when.country, facts.country)) return false;
  if (!inSet(when.region, facts.region)) return false;
  if (!inSet(when.industry, facts.industry)) return false;
  if (!inSet(when.source, facts.source)) return false;
  if (!inSet(when.channel, facts.channel)) return false;
  if (when.employees !== undefined && (facts.employees === null || facts.employees < when.employees.min || facts.employees > when.employees.max)) return false;
  return true;
}

/** The first rep (in id order) after the last one chosen, wrapping: each rep in turn, whoever joins or leaves. */
function nextInRotation(available: readonly Rep[], last: string | null): Rep {
  if (last === null) return available[0]!;
  return available.find((rep) => compare(rep.id, last) > 0) ?? available[0]!;
}

function leastLoaded(available: readonly Rep[], state: RoutingState): Rep {
  let best = available[0]!;
  for (const rep of available.slice(1)) if (state.ownedLeads(rep.id) < state.ownedLeads(best.id)) best = rep;
  return best;
}

/** Code-unit order, the same in every locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { fileURLToPath } from 'node:url';

export type { LeadRouterOptions, LeadRouterStatus } from './leadRouter.ts';
export { createLeadRouter, LEAD_ROUTER_CHECKPOINT, LeadRouter } from './leadRouter.ts';
export type { AssignmentCounts } from './repCapacity.ts';
export { atCapacity, localDay } from './repCapacity.ts';
export type { RepSkipped, RoutingDecision, RoutingState, SkipReason } from './route.ts';
export { holds, route } from './route.ts';
export type { RoutingAccount, RoutingFacts, RoutingLead } from './routingFacts.ts';
export { routingFacts } from './routingFacts.ts';
export type { LedgerEvent, RoutableLead } from './routingLedger.ts';
export { RoutingLedger } from './routingLedger.ts';
export type { RoutingRule, RoutingRules, RoutingRulesIssue, RoutingStrategy, RuleConditions } from './routingRules.ts';
export { ACCOUNT_OWNER_RULE, FALLBACK_RULE, parseRoutingRules, RoutingRulesInvalidError } from './routingRules.ts';

/** The shipped routing rules (regional teams and an inbound fallback); main.ts reads it unless NUDGE_ROUTING_RULES names another. */
export const defaultRoutingFile: string = fileURLToPath(new URL('./defaultRouting.yaml', import.meta.url));

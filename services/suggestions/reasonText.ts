import type { BranchDecision, SuggestionReason } from '../events/index.ts';

/**
 * The reason of a suggestion in words a rep reads at a glance, built from what was recorded when
 * it was proposed (never evaluated again):
 *   "Webinar Attended on 2 Mar 2026 · Worth a call?: fit score 78 ≥ 60"
 */
export function reasonText(reason: SuggestionReason): string {
  const parts = [`${reason.trigger.name} on ${shortDate(reason.trigger.occurredAt)}`];
  if (reason.event && reason.event.eventId !== reason.trigger.eventId) parts.push(`then ${reason.event.name} on ${shortDate(reason.event.occurredAt)}`);
  for (const decision of reason.decisions) parts.push(decisionText(decision));
  return parts.join(' · ');
}

function decisionText(decision: BranchDecision): string {
  const heading = decision.label ?? decision.node;
  if (decision.chosen === null) {
    // None held: say what was checked and missed.
    const missed = decision.branches.flatMap((branch) => branch.checks.filter((check) => !check.holds).map((check) => checkText(check, false)));
    return `${heading}: ${missed.length > 0 ? missed.join('; ') : 'no branch held'}`;
  }
  const chosen = decision.branches.find((branch) => branch.index === decision.chosen);
  const held = (chosen?.checks ?? []).filter((check) => check.holds).map((check) => checkText(check, true));
  const label = chosen?.label ? `${chosen.label}` : null;
  return `${heading}: ${[label, ...held].filter((part) => part !== null).join('; ')}`;
}

type Check = BranchDecision['branches'][number]['checks'][number];

const operators: Readonly<Record<string, [string, string]>> = {
  equal: ['=', '≠'],
  notEqual: ['≠', '='],
  lessThan: ['<', '≥'],
  lessThanInclusive: ['≤', '>'],
  greaterThan: ['>', '≤'],
  greaterThanInclusive: ['≥', '<'],
  in: ['is one of', 'is not one of'],
  notIn: ['is not one of', 'is one of'],
  contains: ['includes', 'does not include'],
  doesNotContain: ['does not include', 'includes'],
};

function checkText(check: Check, held: boolean): string {
  const [yes, no] = operators[check.operator] ?? [check.operator, `not ${check.operator}`];
  const seen = check.factValue === undefined ? 'unknown' : value(check.factValue);
  return `${subject(check)} ${seen} ${held ? yes : no} ${value(check.value)}`;
}

/** "fit score", "country", "Content Viewed touches in 30 days", "days since Email Clicked". */
function subject(check: Check): string {
  const path = (check.path ?? '$').replace(/^\$\.?/, '');
  const params = check.params ?? {};
  switch (check.fact) {
    case 'score':
      return `${path || 'score'} score`.replace('total score', 'score');
    case 'touches': {
      const names = params.name === undefined ? 'touches' : `${list(params.name)} touches`;
      return typeof params.withinDays === 'number' ? `${names} in ${params.withinDays} days` : names;
    }
    case 'daysSince':
      return `days since ${String(params.event)}`;
    case 'suggestions':
      return `${path || 'suggestions'} of earlier suggestions`;
    default: {
      const field = path.replace(/^traits\./, '').replace(/^properties\./, '');
      return field === '' ? check.fact : `${check.fact === 'lead' ? '' : `${check.fact} `}${field}`;
    }
  }
}

function value(raw: unknown): string {
  if (typeof raw === 'number') return Number.isInteger(raw) ? String(raw) : raw.toFixed(1);
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return `[${raw.map(value).join(', ')}]`;
  return JSON.stringify(raw) ?? 'unknown';
}

function list(raw: unknown): string {
  return Array.isArray(raw) ? raw.map(String).join(' or ') : String(raw);
}

function shortDate(iso: string): string {
  return new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

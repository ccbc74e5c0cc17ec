import type { Channel, ChannelRules } from './channelRules.ts';
import { unmatchedRuleId } from './channelRules.ts';
import type { TouchSignals } from './touchFacts.ts';
import { touchFacts } from './touchFacts.ts';

/** The channel of a touch and the id of the rule that chose it: the reason, kept on the touch. */
export interface ChannelClassification {
  readonly channel: Channel;
  readonly rule: string;
}

/**
 * The channel a touch is credited to: the first rule of `rules`, in order, whose condition holds;
 * `other` (rule `unmatched`) when none does. Pure: the same signals and rules give the same answer.
 *
 *   const { channel, rule } = classifyChannel({ eventName: 'Page Viewed', utm: { source: 'google', medium: 'cpc' }, clickIds: {} }, defaultChannelRules);
 *   // → { channel: 'paid_search', rule: 'paid-search' }
 */
export function classifyChannel(signals: TouchSignals, rules: ChannelRules): ChannelClassification {
  const facts = touchFacts(signals);
  const rule = rules.rules.find((candidate) => candidate.test(facts));
  return rule === undefined ? { channel: 'other', rule: unmatchedRuleId } : { channel: rule.channel, rule: rule.id };
}

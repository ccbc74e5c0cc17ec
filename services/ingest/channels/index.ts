export type { Channel, ChannelRule, ChannelRules, ChannelRulesFile, RuleCondition, StringTest } from './channelRules.ts';
export { channelRulesFileSchema, channels, compileChannelRules, defaultChannelRules, loadChannelRules, unmatchedRuleId } from './channelRules.ts';
export type { ChannelClassification } from './classifyChannel.ts';
export { classifyChannel } from './classifyChannel.ts';
export type { EventNameEntry, EventOrigin, EventProperty } from './eventNames.ts';
export { canonicalEventName, eventCatalogue, eventNameEntry, eventNameKey, isSystemEvent, systemEventNames, touchEventNames } from './eventNames.ts';
export type { TouchFacts, TouchSignals } from './touchFacts.ts';
export { touchFacts } from './touchFacts.ts';

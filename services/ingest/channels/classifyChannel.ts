import type { Channel, ChannelRules, RuleCondition } from './channelRules.ts';
import { unmatchedRuleId } from './channelRules.ts';
import type { TouchFacts, TouchSignals } from './touchFacts.ts';
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
  const memo = memoOf(rules);
  const key = memo.keyOf(facts);
  const known = key === null ? undefined : memo.answers.get(key);
  if (known !== undefined) return known;
  const rule = rules.rules.find((candidate) => candidate.test(facts));
  const answer: ChannelClassification = rule === undefined ? { channel: 'other', rule: unmatchedRuleId } : { channel: rule.channel, rule: rule.id };
  if (key === null) return answer;
  if (memo.answers.size >= MEMO_ENTRIES) memo.answers.clear();
  memo.answers.set(key, answer);
  return answer;
}

/**
 * Touches repeat the same few campaigns, sources and referrers, so the answer for each distinct
 * combination of the facts the rules read is kept (up to MEMO_ENTRIES, then started afresh). A
 * fact the rules only test for presence (the shipped rules ask whether there is a page URL, never
 * which) goes into the key as present / absent, so one page per visit does not defeat the memo.
 */
const MEMO_ENTRIES = 20_000;

interface Memo {
  readonly keyOf: (facts: TouchFacts) => string | null;
  readonly answers: Map<string, ChannelClassification>;
}

const memos = new WeakMap<ChannelRules, Memo>();

function memoOf(rules: ChannelRules): Memo {
  let memo = memos.get(rules);
  if (memo === undefined) {
    memo = { keyOf: keyFunction(valueFieldsOf(rules)), answers: new Map() };
    memos.set(rules, memo);
  }
  return memo;
}

type FactField = 'eventName' | 'source' | 'medium' | 'campaign' | 'term' | 'content' | 'referrerHost' | 'pageUrl' | 'clickIds';

/** The facts some rule compares by value (the others are only tested for presence). */
function valueFieldsOf(rules: ChannelRules): ReadonlySet<FactField> {
  const fields = new Set<FactField>();
  const visit = (condition: RuleCondition): void => {
    if ('all' in condition) condition.all.forEach(visit);
    else if ('any' in condition) condition.any.forEach(visit);
    else if ('not' in condition) visit(condition.not);
    else if ('noReferrer' in condition || 'noCampaign' in condition) return;
    else {
      const [field, test] = Object.entries(condition)[0] as [string, { exists?: boolean }];
      if (test.exists !== undefined) return;
      fields.add(FACT_OF_FIELD[field] ?? 'eventName');
    }
  };
  for (const rule of rules.rules) visit(rule.when);
  return fields;
}

/** The facts each of the rules' fields reads (a regex reads the event name as sent, so the key holds that, not its normalised key). */
const FACT_OF_FIELD: Readonly<Record<string, FactField>> = {
  eventName: 'eventName',
  source: 'source',
  medium: 'medium',
  campaign: 'campaign',
  term: 'term',
  content: 'content',
  referrerDomain: 'referrerHost',
  pageUrl: 'pageUrl',
  clickId: 'clickIds',
};

const ALL_FIELDS: readonly FactField[] = ['eventName', 'source', 'medium', 'campaign', 'term', 'content', 'referrerHost', 'pageUrl', 'clickIds'];

/**
 * Facts → memo key: a value field by its value, a presence field by 1 / 0, the fields apart by
 * U+0000; null (no memo) for the odd touch whose values hold that character themselves.
 */
function keyFunction(valueFields: ReadonlySet<FactField>): (facts: TouchFacts) => string | null {
  const parts = ALL_FIELDS.map((field): ((facts: TouchFacts) => string) => {
    if (field === 'clickIds') return valueFields.has(field) ? (facts) => facts.clickIds.join(',') : (facts) => (facts.clickIds.length > 0 ? '1' : '0');
    if (field === 'eventName') return valueFields.has(field) ? (facts) => facts.eventName : () => '';
    return valueFields.has(field) ? (facts) => `=${facts[field] ?? ''}${facts[field] === undefined ? '\u0001' : ''}` : (facts) => (facts[field] === undefined ? '0' : '1');
  });
  return (facts) => {
    let key = '';
    for (const part of parts) {
      const text = part(facts);
      if (text.includes('\u0000')) return null;
      key += `${text}\u0000`;
    }
    return key;
  };
}

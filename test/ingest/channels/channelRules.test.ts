/**
 * The channel rules file: given a rules file's text, when it is loaded, then rules that classify
 * as written — or a ValidationError that names every bad field by its path.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../services/core/index.ts';
import type { FieldIssue } from '../../../services/core/index.ts';
import type { TouchSignals } from '../../../services/ingest/channels/index.ts';
import { classifyChannel, defaultChannelRules, loadChannelRules } from '../../../services/ingest/channels/index.ts';

const shippedText = readFileSync(new URL('../../../services/ingest/channels/channelRules.json', import.meta.url), 'utf8');
const docs = readFileSync(new URL('../../../docs/channels.md', import.meta.url), 'utf8');

function touch(overrides: Partial<TouchSignals> = {}): TouchSignals {
  return { eventName: 'Page Viewed', utm: {}, clickIds: {}, pageUrl: 'https://www.acme.io/', ...overrides };
}

/** The issues of the ValidationError the text fails with. */
function issuesOf(text: string): readonly FieldIssue[] {
  try {
    loadChannelRules(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected the rules to be rejected');
}

/** A one-rule file around `rule`, with a `partners` list. */
function fileWith(...rules: unknown[]): string {
  return JSON.stringify({ version: 1, lists: { partners: ['g2', 'capterra.com'] }, rules });
}

describe('the shipped rules file', () => {
  it('loads from its text to the same rules as defaultChannelRules', () => {
    const loaded = loadChannelRules(shippedText);

    expect(loaded.rules.map((rule) => [rule.id, rule.channel])).toEqual(defaultChannelRules.rules.map((rule) => [rule.id, rule.channel]));
    expect(loaded.lists).toEqual(defaultChannelRules.lists);
  });

  it('describes every rule', () => {
    expect(defaultChannelRules.rules.filter((rule) => rule.description === null).map((rule) => rule.id)).toEqual([]);
  });
});

describe('a user override file', () => {
  const override = JSON.stringify({
    version: 1,
    lists: { reviewSites: ['g2', 'capterra', 'trustradius.com'] },
    rules: [
      { id: 'partner-portal', channel: 'referral', when: { campaign: { matches: '^partner-' } } },
      { id: 'review-sites', channel: 'referral', when: { any: [{ source: { inList: 'reviewSites' } }, { referrerDomain: { inList: 'reviewSites' } }] } },
      { id: 'paid', channel: 'paid_search', when: { medium: { in: ['cpc', 'ppc'] } } },
      { id: 'not-tagged', channel: 'direct', when: { not: { noCampaign: true } } },
    ],
  });
  const rules = loadChannelRules(override);

  it.each([
    ['a campaign named partner-*', touch({ utm: { campaign: 'Partner-Q3' } }), 'referral', 'partner-portal'],
    ['a review site as source, cpc', touch({ utm: { source: 'G2', medium: 'cpc' } }), 'referral', 'review-sites'],
    ['a review site as referrer', touch({ referrer: 'https://www.trustradius.com/products/acme' }), 'referral', 'review-sites'],
    ['google / cpc', touch({ utm: { source: 'google', medium: 'cpc' } }), 'paid_search', 'paid'],
    ['a utm no rule names', touch({ utm: { source: 'x', medium: 'y' } }), 'direct', 'not-tagged'],
    ['nothing the override knows', touch({ referrer: 'https://www.google.com/' }), 'other', 'unmatched'],
  ] as const)('given %s, then the override decides: %s by %s', (_given, signals, channel, rule) => {
    expect(classifyChannel(signals, rules)).toEqual({ channel, rule });
  });

  it('replaces the shipped rules as a whole (no shipped rule applies)', () => {
    expect(rules.rules.map((rule) => rule.id)).toEqual(['partner-portal', 'review-sites', 'paid', 'not-tagged']);
  });

  it('may leave out lists and descriptions', () => {
    const minimal = loadChannelRules('{"version":1,"rules":[{"id":"all-email","channel":"email","when":{"medium":{"exists":true}}}]}');

    expect(classifyChannel(touch({ utm: { medium: 'anything' } }), minimal)).toEqual({ channel: 'email', rule: 'all-email' });
    expect(classifyChannel(touch(), minimal)).toEqual({ channel: 'other', rule: 'unmatched' });
  });
});

describe('conditions', () => {
  const classify = (when: unknown, signals: TouchSignals): boolean =>
    classifyChannel(signals, loadChannelRules(fileWith({ id: 'r', channel: 'email', when }))).rule === 'r';

  it.each([
    ['equals is case-insensitive', { medium: { equals: 'Email' } }, touch({ utm: { medium: 'EMAIL' } }), true],
    ['in lists values', { campaign: { in: ['a', 'b'] } }, touch({ utm: { campaign: 'B' } }), true],
    ['matches is a case-insensitive regex', { term: { matches: '^acme ' } }, touch({ utm: { term: 'ACME pricing' } }), true],
    ['exists: false holds for a missing value', { content: { exists: false } }, touch(), true],
    ['exists: true fails for a missing value', { content: { exists: true } }, touch(), false],
    ['a source token matches a domain source', { source: { inList: 'partners' } }, touch({ utm: { source: 'www.g2.com' } }), true],
    ['a domain entry matches its subdomains', { referrerDomain: { inList: 'partners' } }, touch({ referrer: 'https://www.capterra.com/p/1' }), true],
    ['a domain entry does not match a look-alike', { referrerDomain: { in: ['t.co'] } }, touch({ referrer: 'https://reddit.co/' }), false],
    ['clickId in names click id parameters', { clickId: { in: ['gclid'] } }, touch({ clickIds: { gclid: 'x' } }), true],
    ['clickId exists: false holds with no click id', { clickId: { exists: false } }, touch({ clickIds: { gclid: '' } }), true],
    ['noReferrer ignores a referrer from the same site', { noReferrer: true }, touch({ referrer: 'https://app.acme.io/' }), true],
    ['noCampaign fails with a click id', { noCampaign: true }, touch({ clickIds: { msclkid: 'x' } }), false],
    ['pageUrl matches', { pageUrl: { matches: '/pricing' } }, touch({ pageUrl: 'https://acme.io/pricing' }), true],
    ['eventName forgives case and separators', { eventName: { equals: 'Demo Requested' } }, touch({ eventName: 'demo-requested' }), true],
    ['all needs every part', { all: [{ source: { equals: 'a' } }, { medium: { equals: 'b' } }] }, touch({ utm: { source: 'a' } }), false],
    ['any needs one part', { any: [{ source: { equals: 'a' } }, { medium: { equals: 'b' } }] }, touch({ utm: { source: 'a' } }), true],
    ['not negates', { not: { source: { exists: true } } }, touch(), true],
  ] as const)('%s', (_what, when, signals, matches) => {
    expect(classify(when, signals)).toBe(matches);
  });
});

describe('a bad rules file', () => {
  it.each([
    ['not JSON', '{"version": 1,', [['', /JSON/]]],
    ['no version', JSON.stringify({ rules: [] }), [['version', ''], ['rules', '']]],
    [
      'an invalid regex',
      fileWith({ id: 'a', channel: 'email', when: { source: { equals: 'x' } } }, { id: 'b', channel: 'email', when: { all: [{ medium: { matches: '^(cpc' } }] } }),
      [['rules[1].when.all[0].medium.matches', /^not a valid regular expression/]],
    ],
    [
      'an unknown channel',
      fileWith({ id: 'a', channel: 'newsletter', when: { source: { equals: 'x' } } }),
      [['rules[0].channel', 'must be one of organic_search']],
    ],
    [
      'an unknown list',
      fileWith({ id: 'a', channel: 'email', when: { any: [{ source: { inList: 'partners' } }, { referrerDomain: { inList: 'partner' } }] } }),
      [['rules[0].when.any[1].referrerDomain.inList', 'no list named "partner" in lists (known: partners)']],
    ],
    [
      'two tests in one condition',
      fileWith({ id: 'a', channel: 'email', when: { source: { equals: 'x' }, medium: { equals: 'y' } } }),
      [['rules[0].when', '(found source, medium; combine tests with all / any)']],
    ],
    [
      'a misspelt condition',
      fileWith({ id: 'a', channel: 'email', when: { mediun: { equals: 'y' } } }),
      [['rules[0].when.mediun', /^unknown condition "mediun"/]],
    ],
    [
      'two operators in one test',
      fileWith({ id: 'a', channel: 'email', when: { medium: { equals: 'y', in: ['z'] } } }),
      [['rules[0].when.medium', 'must name exactly one of equals, in, inList, matches, exists']],
    ],
    [
      'a duplicate rule id',
      fileWith({ id: 'a', channel: 'email', when: { medium: { equals: 'y' } } }, { id: 'a', channel: 'sales', when: { medium: { equals: 'z' } } }),
      [['rules[1].id', 'duplicate rule id "a" (also rules[0])']],
    ],
    ['the reserved id', fileWith({ id: 'unmatched', channel: 'other', when: { noCampaign: true } }), [['rules[0].id', 'reserved']]],
    ['noReferrer: false', fileWith({ id: 'a', channel: 'direct', when: { noReferrer: false } }), [['rules[0].when.noReferrer', '']]],
    ['an empty all', fileWith({ id: 'a', channel: 'direct', when: { all: [] } }), [['rules[0].when.all', '']]],
  ] as const)('given %s, then a ValidationError names the path', (_given, text, expected) => {
    const issues = issuesOf(text);

    expect(issues.map((issue) => issue.path)).toEqual(expected.map(([path]) => path));
    expected.forEach(([, message], index) => expect(issues[index]!.message).toMatch(message));
  });

  it('names every bad rule at once, and says so in its message', () => {
    const text = fileWith({ id: 'a', channel: 'nope', when: { medium: { equals: 'y' } } }, { id: 'b', channel: 'email', when: { medium: { matches: '[' } } });

    expect(() => loadChannelRules(text)).toThrow(/rules\[0\]\.channel: .*; rules\[1\]\.when\.medium\.matches: not a valid regular expression/);
  });
});

describe('docs/channels.md', () => {
  it('lists every shipped rule with its channel, in the order of the file', () => {
    const rows = defaultChannelRules.rules.map((rule, index) => `| ${index + 1} | \`${rule.id}\` | \`${rule.channel}\` |`);

    expect(rows.filter((row) => !docs.includes(row))).toEqual([]);
  });

  it('lists no rule the file does not have', () => {
    const documented = docs.match(/^\| \d+ \| `[a-z0-9-]+` \|/gm) ?? [];

    expect(documented).toHaveLength(defaultChannelRules.rules.length);
  });
});

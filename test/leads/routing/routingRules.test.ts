/** The routing rules document: given a YAML text, then these rules, or every problem by path and line. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RoutingRulesInvalidError } from '../../../services/leads/index.ts';
import { defaultRoutingFile, parseRoutingRules } from '../../../services/leads/index.ts';

function problemsOf(text: string): RoutingRulesInvalidError['problems'] {
  try {
    parseRoutingRules(text);
  } catch (error) {
    return (error as RoutingRulesInvalidError).problems;
  }
  throw new Error('expected the document to be refused');
}

const header = 'apiVersion: nudge/v1\nkind: Routing\n';

describe('reading routing rules', () => {
  it('compiles regions, rules in order with their defaults, and the fallback', () => {
    const rules = parseRoutingRules(`${header}
regions:
  dach: [de, AT, CH]
rules:
  - id: dach
    when: { region: dach, industry: Software, employees: { min: 50 } }
    team: dach
  - id: partners
    when: { channel: [Referral, partner], source: portal }
    team: partners
    strategy: least_loaded
fallback:
  team: inbound
`);

    expect(rules.regions).toEqual(new Map([['DE', 'dach'], ['AT', 'dach'], ['CH', 'dach']]));
    expect(rules.rules).toEqual([
      { id: 'dach', description: null, team: 'dach', strategy: 'round_robin', when: { region: new Set(['dach']), industry: new Set(['software']), employees: { min: 50, max: Number.POSITIVE_INFINITY } } },
      { id: 'partners', description: null, team: 'partners', strategy: 'least_loaded', when: { channel: new Set(['referral', 'partner']), source: new Set(['portal']) } },
    ]);
    expect(rules.fallback).toMatchObject({ id: 'fallback', team: 'inbound', strategy: 'round_robin', when: {} });
  });

  it('reads the shipped rules: three regional teams, then the inbound team', () => {
    const rules = parseRoutingRules(readFileSync(defaultRoutingFile, 'utf8'));

    expect(rules.rules.map((rule) => [rule.id, rule.team, rule.strategy])).toEqual([
      ['americas', 'americas', 'round_robin'],
      ['emea', 'emea', 'round_robin'],
      ['apac', 'apac', 'round_robin'],
    ]);
    expect(rules.fallback).toMatchObject({ team: 'inbound', strategy: 'least_loaded' });
    expect(['US', 'BR', 'GB', 'DE', 'FR', 'NL', 'CN', 'JP', 'AU', 'IN'].map((country) => rules.regions.get(country))).toEqual([
      'americas',
      'americas',
      'emea',
      'emea',
      'emea',
      'emea',
      'apac',
      'apac',
      'apac',
      'apac',
    ]);
  });
});

describe('refusing a bad document', () => {
  it('names every field that is wrong, with its line', () => {
    const problems = problemsOf(`${header}rules:
  - id: us
    when: { country: USA, employees: { min: 500, max: 100 }, size: big }
    team: US Team
    strategy: random
fallback: {}
`);

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'rules[0].when.country', line: 5, message: expect.stringContaining('ISO 3166-1 alpha-2') as unknown }),
        expect.objectContaining({ path: 'rules[0].when.employees', line: 5, message: 'min must not be more than max' }),
        expect.objectContaining({ path: 'rules[0].when', line: 5, message: expect.stringContaining('size') as unknown }),
        expect.objectContaining({ path: 'rules[0].team', line: 6 }),
        expect.objectContaining({ path: 'rules[0].strategy', line: 7, message: 'must be round_robin or least_loaded' }),
        expect.objectContaining({ path: 'fallback.team', line: 8 }),
      ]),
    );
  });

  it('refuses duplicate and reserved rule ids, unknown regions, and a country in two regions', () => {
    const problems = problemsOf(`${header}regions:
  emea: [GB, DE]
  europe: [DE, FR]
rules:
  - id: uk
    when: { region: emea }
    team: uk
  - id: uk
    when: { region: [europe, mars] }
    team: europe
  - id: account-owner
    team: whoever
fallback: { team: inbound }
`);

    expect(problems.map(({ path, line, message }) => ({ path, line, message }))).toEqual([
      { path: 'regions.europe[0]', line: 5, message: 'DE is already in region emea: a country belongs to one region' },
      { path: 'rules[1].id', line: 10, message: 'uk is already the id of rules[0]: rule ids are unique (OwnerAssigned names them)' },
      { path: 'rules[1].when.region[1]', line: 11, message: 'no region mars in regions: defined are emea, europe' },
      { path: 'rules[2].id', line: 13, message: 'account-owner is reserved: choose another id' },
    ]);
  });

  it('refuses YAML that does not parse, an empty file and a document of another kind', () => {
    expect(problemsOf('rules: [\n')[0]).toMatchObject({ path: '', message: expect.stringContaining('is not valid YAML') as unknown });
    expect(problemsOf('')[0]).toMatchObject({ message: expect.stringContaining('is empty') as unknown });
    expect(problemsOf('apiVersion: nudge/v1\nkind: Journey\nfallback: { team: x }\n')).toEqual([{ path: 'kind', message: 'must be Routing', line: 2, column: 7 }]);
  });

  it('says which file in the error message', () => {
    expect(() => parseRoutingRules('kind: Routing', { fileName: 'routing.yaml' })).toThrow(/the routing rules in routing\.yaml are not valid: apiVersion: line 1: must be nudge\/v1/);
  });
});

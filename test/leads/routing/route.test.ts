/**
 * Routing decisions: given reps, past assignments (folded by the RoutingLedger) and rules, when a
 * lead is routed, then this owner and the rule that chose it (or the team's queue, and why).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Rep, RoutingAccount, RoutingDecision, RoutingLead, RoutingRules } from '../../../services/leads/index.ts';
import { defaultRoutingFile, parseRoutingRules, route, RoutingLedger } from '../../../services/leads/index.ts';

const rules = parseRoutingRules(`
apiVersion: nudge/v1
kind: Routing
regions:
  americas: [US, CA, BR]
  emea: [GB, DE, FR]
rules:
  - id: enterprise-finance
    when: { industry: [Financial Services, Insurance], employees: { min: 1000 } }
    team: enterprise
    strategy: least_loaded
  - id: partner-referrals
    when: { source: partner-portal }
    team: partners
  - id: germany
    when: { country: DE }
    team: dach
  - id: americas
    when: { region: americas }
    team: americas
  - id: emea
    when: { region: emea }
    team: emea
fallback:
  team: inbound
  strategy: least_loaded
`);

const at = new Date('2026-03-02T15:00:00Z');

function rep(id: string, team: string, overrides: Partial<Rep> = {}): Rep {
  return { id, name: id, email: `${id}@orbitly.example`, team, territory: [], languages: [], dailyCapacity: 1_000, timeZone: 'UTC', active: true, deactivatedReason: null, createdAt: null, updatedAt: null, ...overrides };
}

function lead(id: string, traits: Record<string, unknown> = {}, options: { accountId?: string; firstTouch?: RoutingLead['firstTouch'] } = {}): RoutingLead {
  return { id, traits, accountId: options.accountId ?? null, firstTouch: options.firstTouch ?? null };
}

function account(id: string, traits: Record<string, unknown>): RoutingAccount {
  return { id, traits };
}

/** Adds the rep to the ledger as its RepAdded (and RepDeactivated) events would. */
function addRep(ledger: RoutingLedger, { id, name, email, team, territory, languages, dailyCapacity, timeZone, active }: Rep): void {
  const metadata = { occurredAt: '2026-01-01T00:00:00Z' };
  ledger.apply({ id: `${id}-added`, stream: `rep-${id}`, type: 'RepAdded', data: { repId: id, name, email, team, territory, languages, dailyCapacity, timeZone }, metadata });
  if (!active) ledger.apply({ id: `${id}-deactivated`, stream: `rep-${id}`, type: 'RepDeactivated', data: { repId: id, reason: null }, metadata });
}

/** A ledger that knows these reps and nothing else yet. */
function ledgerOf(reps: readonly Rep[]): RoutingLedger {
  const ledger = new RoutingLedger();
  for (const one of reps) addRep(ledger, one);
  return ledger;
}

/** Routes `count` leads of one country in turn, recording each assignment as the store would. */
function routeMany(ledger: RoutingLedger, count: number, country: string, routing: RoutingRules = rules): RoutingDecision[] {
  const decisions: RoutingDecision[] = [];
  for (let i = 0; i < count; i++) {
    const leadId = `L${ledger.leadCount}-${i}`;
    const decision = route(lead(leadId, { country }), null, ledger.reps(), ledger, routing, at);
    if (decision.kind === 'assign') ledger.assign(leadId, decision.ownerId, decision.reason, at.toISOString());
    decisions.push(decision);
  }
  return decisions;
}

function owners(decisions: readonly RoutingDecision[]): string[] {
  return decisions.map((decision) => (decision.kind === 'assign' ? decision.ownerId : `queue:${decision.team}`));
}

function tally(decisions: readonly RoutingDecision[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const owner of owners(decisions)) counts[owner] = (counts[owner] ?? 0) + 1;
  return counts;
}

describe('rules choose a team from the lead and account facts', () => {
  const reps = ['americas', 'emea', 'dach', 'enterprise', 'partners', 'inbound'].map((team) => rep(`${team}-1`, team));

  it.each([
    ['a US account', lead('L1'), account('A1', { country: 'US' }), 'americas', 'routing:americas'],
    ['a French account (region emea)', lead('L1'), account('A1', { country: 'fr' }), 'emea', 'routing:emea'],
    ['a German account (the country rule comes before the region rule)', lead('L1'), account('A1', { country: 'DE' }), 'dach', 'routing:germany'],
    ['a lead with its own country and no account', lead('L1', { country: 'BR' }), null, 'americas', 'routing:americas'],
    ['a lead with address.country', lead('L1', { address: { country: 'GB' } }), null, 'emea', 'routing:emea'],
    ['the account country over the lead’s', lead('L1', { country: 'US' }), account('A1', { country: 'GB' }), 'emea', 'routing:emea'],
    ['a region trait', lead('L1', { region: 'EMEA' }), null, 'emea', 'routing:emea'],
    ['a large bank, before any territory', lead('L1'), account('A1', { country: 'US', industry: 'financial services', employees: 4_500 }), 'enterprise', 'routing:enterprise-finance'],
    ['a small bank goes by territory', lead('L1'), account('A1', { country: 'US', industry: 'Financial Services', employees: 120 }), 'americas', 'routing:americas'],
    ['employees from company.employee_count', lead('L1', { company: { industry: 'Insurance', employee_count: '2000' } }), null, 'enterprise', 'routing:enterprise-finance'],
    ['the first touch’s source', lead('L1', {}, { firstTouch: { channel: 'referral', source: 'Partner-Portal' } }), account('A1', { country: 'US' }), 'partners', 'routing:partner-referrals'],
    ['no country: the fallback team', lead('L1'), account('A1', { name: 'Acme' }), 'inbound', 'routing:fallback'],
    ['a country in no region: the fallback team', lead('L1', { country: 'JP' }), null, 'inbound', 'routing:fallback'],
  ])('%s', (_case, theLead, theAccount, team, reason) => {
    const decision = route(theLead, theAccount, reps, new RoutingLedger(), rules, at);

    expect(decision).toMatchObject({ kind: 'assign', team, ownerId: `${team}-1`, reason });
  });

  it('explains the decision with the facts it saw', () => {
    const decision = route(lead('L1', {}, { firstTouch: { channel: 'paid_search', source: 'google' } }), account('A1', { country: 'de', industry: 'Software', employees: 300 }), reps, new RoutingLedger(), rules, at);

    expect(decision.facts).toEqual({ country: 'DE', region: 'emea', industry: 'software', employees: 300, source: 'google', channel: 'paid_search' });
  });
});

describe('round-robin within a team', () => {
  it('is fair over 1,000 leads: every rep gets 142 or 143 of them, in id order', () => {
    const team = ['rep-g', 'rep-a', 'rep-e', 'rep-c', 'rep-b', 'rep-f', 'rep-d'].map((id) => rep(id, 'americas'));
    const decisions = routeMany(ledgerOf(team), 1_000, 'US');

    expect(owners(decisions).slice(0, 8)).toEqual(['rep-a', 'rep-b', 'rep-c', 'rep-d', 'rep-e', 'rep-f', 'rep-g', 'rep-a']);
    const counts = Object.values(tally(decisions));
    expect(counts).toHaveLength(7);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1_000);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('stays fair when a rep joins half-way: the newcomer takes turns from then on', () => {
    const ledger = ledgerOf(['rep-a', 'rep-b', 'rep-c'].map((id) => rep(id, 'americas')));
    routeMany(ledger, 500, 'US');
    addRep(ledger, rep('rep-d', 'americas'));
    const later = routeMany(ledger, 400, 'US');

    expect(tally(later)).toEqual({ 'rep-a': 100, 'rep-b': 100, 'rep-c': 100, 'rep-d': 100 });
  });

  it('skips inactive reps, and leads of other teams do not move the team’s turn', () => {
    const ledger = ledgerOf([rep('rep-a', 'americas'), rep('rep-b', 'americas', { active: false }), rep('rep-c', 'americas'), rep('rep-x', 'emea')]);
    const first = routeMany(ledger, 2, 'US');
    routeMany(ledger, 3, 'GB');
    const next = routeMany(ledger, 2, 'US');

    expect(owners([...first, ...next])).toEqual(['rep-a', 'rep-c', 'rep-a', 'rep-c']);
    expect(first[1]).toMatchObject({ skipped: [{ repId: 'rep-b', why: 'inactive' }] });
  });

  it('decides the same from the same history: two ledgers fed alike choose alike', () => {
    const team = ['rep-a', 'rep-b', 'rep-c'].map((id) => rep(id, 'emea', { dailyCapacity: 40 }));

    expect(owners(routeMany(ledgerOf(team), 150, 'FR'))).toEqual(owners(routeMany(ledgerOf(team), 150, 'FR')));
  });
});

describe('capacity', () => {
  it('passes over a rep who got dailyCapacity leads on their local day, and takes them again the next day', () => {
    const ledger = ledgerOf([rep('rep-a', 'americas', { dailyCapacity: 2, timeZone: 'America/New_York' }), rep('rep-b', 'americas', { dailyCapacity: 10 })]);
    // 03:00 UTC on March 2nd is still March 1st in New York.
    ledger.assign('old-1', 'rep-a', 'routing:americas', '2026-03-02T03:00:00Z');
    ledger.assign('old-2', 'rep-a', 'routing:americas', '2026-03-02T03:30:00Z');
    ledger.assign('old-3', 'rep-b', 'routing:americas', '2026-03-02T04:00:00Z');

    const sameNight = route(lead('L1', { country: 'US' }), null, ledger.reps(), ledger, rules, new Date('2026-03-02T04:30:00Z'));
    expect(sameNight).toMatchObject({ ownerId: 'rep-b', skipped: [{ repId: 'rep-a', why: 'at_capacity' }] });

    const nextMorning = route(lead('L2', { country: 'US' }), null, ledger.reps(), ledger, rules, new Date('2026-03-02T14:00:00Z'));
    expect(nextMorning).toMatchObject({ ownerId: 'rep-a', skipped: [] });
  });

  it('a rep with capacity 0 gets no routed leads', () => {
    const team = [rep('rep-a', 'americas', { dailyCapacity: 0 }), rep('rep-b', 'americas')];

    expect(tally(routeMany(ledgerOf(team), 5, 'US'))).toEqual({ 'rep-b': 5 });
  });

  it('leaves the lead in the team’s queue when every rep is full or inactive, saying who and why', () => {
    const team = [rep('rep-a', 'americas', { dailyCapacity: 1 }), rep('rep-b', 'americas', { active: false })];
    const decisions = routeMany(ledgerOf(team), 2, 'US');

    expect(decisions[1]).toMatchObject({
      kind: 'queue',
      team: 'americas',
      ruleId: 'americas',
      why: 'no_rep_available',
      skipped: [
        { repId: 'rep-a', why: 'at_capacity' },
        { repId: 'rep-b', why: 'inactive' },
      ],
    });
  });
});

describe('territories of reps', () => {
  it('a rep with a territory takes only leads from its countries; reps without one take the rest', () => {
    const ledger = ledgerOf([rep('rep-a', 'americas', { territory: ['BR'] }), rep('rep-b', 'americas'), rep('rep-c', 'americas')]);

    expect(owners(routeMany(ledger, 4, 'US'))).toEqual(['rep-b', 'rep-c', 'rep-b', 'rep-c']);
    expect(route(lead('LB', { country: 'BR' }), null, ledger.reps(), ledger, rules, at)).toMatchObject({ ownerId: 'rep-a' });
    expect(route(lead('LX', { region: 'americas' }), null, ledger.reps(), ledger, rules, at)).toMatchObject({ skipped: [{ repId: 'rep-a', why: 'outside_territory' }] });
  });
});

describe('least-loaded within a team', () => {
  it('chooses the rep who owns the fewest leads, ties by id', () => {
    const ledger = ledgerOf([rep('inbound-c', 'inbound'), rep('inbound-a', 'inbound'), rep('inbound-b', 'inbound')]);
    ledger.assign('x1', 'inbound-a', 'manual: took it', at.toISOString());
    ledger.assign('x2', 'inbound-a', 'manual: took it', at.toISOString());
    ledger.assign('x3', 'inbound-c', 'manual: took it', at.toISOString());

    expect(owners(routeMany(ledger, 4, 'JP'))).toEqual(['inbound-b', 'inbound-b', 'inbound-c', 'inbound-a']);
  });

  it('counts leads owned now: a lead moved away no longer weighs on its former owner', () => {
    const ledger = ledgerOf([rep('inbound-a', 'inbound'), rep('inbound-b', 'inbound')]);
    ledger.assign('x1', 'inbound-a', 'manual: first', at.toISOString());
    ledger.assign('x1', 'inbound-b', 'manual: moved', at.toISOString());
    ledger.assign('x2', 'inbound-b', 'manual: second', at.toISOString());

    expect(route(lead('L1'), null, ledger.reps(), ledger, rules, at)).toMatchObject({ ownerId: 'inbound-a' });
    expect([ledger.ownedLeads('inbound-a'), ledger.ownedLeads('inbound-b')]).toEqual([0, 2]);
  });
});

describe('the account owner wins', () => {
  /** Reps, and leads of account A1 already owned (by hand, so that no team's turn moves). */
  function ledgerWithAccount(reps: readonly Rep[], ownerships: readonly (readonly [string, string])[]): RoutingLedger {
    const ledger = ledgerOf(reps);
    for (const [leadId, ownerId] of ownerships) {
      ledger.apply({ id: `${leadId}-account`, stream: `lead-${leadId}`, type: 'AccountAssociated', data: { accountId: 'A1', traits: { country: 'US' } }, metadata: { occurredAt: at.toISOString() } });
      ledger.assign(leadId, ownerId, 'manual: account plan', at.toISOString());
    }
    return ledger;
  }
  const team = [rep('rep-a', 'americas'), rep('rep-b', 'americas'), rep('rep-z', 'enterprise')];
  const contact = (id: string, traits: Record<string, unknown> = {}) => lead(id, traits, { accountId: 'A1' });
  const acme = account('A1', { country: 'US' });

  it('a new contact of an account goes to the rep who owns its other leads, whatever the rules say', () => {
    const ledger = ledgerWithAccount(team, [['L1', 'rep-z']]);

    expect(route(contact('L9', { country: 'DE' }), acme, ledger.reps(), ledger, rules, at)).toMatchObject({
      kind: 'assign',
      ownerId: 'rep-z',
      ruleId: 'account-owner',
      reason: 'routing:account-owner',
      strategy: 'account_owner',
      team: 'enterprise',
    });
  });

  it('with several owners, the one with most of the account’s leads (ties by id)', () => {
    const ledger = ledgerWithAccount(team, [['L1', 'rep-b'], ['L2', 'rep-a'], ['L3', 'rep-b']]);

    expect(route(contact('L9'), acme, ledger.reps(), ledger, rules, at)).toMatchObject({ ownerId: 'rep-b' });
    expect(ledger.accountOwners('A1')).toEqual([{ repId: 'rep-b', leads: 2 }, { repId: 'rep-a', leads: 1 }]);
  });

  it('an inactive account owner is passed over: the lead is routed by the rules', () => {
    const ledger = ledgerWithAccount([rep('rep-a', 'americas'), rep('rep-z', 'enterprise', { active: false })], [['L1', 'rep-z']]);

    expect(route(contact('L9'), acme, ledger.reps(), ledger, rules, at)).toMatchObject({ ownerId: 'rep-a', ruleId: 'americas', skipped: [{ repId: 'rep-z', why: 'inactive' }] });
  });

  it('an account owner at capacity is passed over too', () => {
    const ledger = ledgerWithAccount([rep('rep-a', 'americas'), rep('rep-z', 'enterprise', { dailyCapacity: 1 })], [['L1', 'rep-z']]);

    expect(route(contact('L9'), acme, ledger.reps(), ledger, rules, at)).toMatchObject({ ownerId: 'rep-a', ruleId: 'americas', skipped: [{ repId: 'rep-z', why: 'at_capacity' }] });
  });

  it('does not move the team’s round-robin turn', () => {
    const ledger = ledgerWithAccount(team, [['L1', 'rep-b']]);
    const [first] = routeMany(ledger, 1, 'US');
    const viaAccount = route(contact('L2'), acme, ledger.reps(), ledger, rules, at);
    if (viaAccount.kind === 'assign') ledger.assign('L2', viaAccount.ownerId, viaAccount.reason, at.toISOString());

    expect([first, viaAccount, ...routeMany(ledger, 1, 'US')].map((decision) => decision && owners([decision])[0])).toEqual(['rep-a', 'rep-b', 'rep-b']);
  });
});

describe('a team without reps', () => {
  it('leaves the lead unassigned in the team’s queue', () => {
    const decision = route(lead('L1', { country: 'GB' }), null, [rep('rep-a', 'americas')], new RoutingLedger(), rules, at);

    expect(decision).toMatchObject({ kind: 'queue', team: 'emea', ruleId: 'emea', why: 'no_reps_in_team' });
  });
});

describe('the shipped rules', () => {
  const shipped = parseRoutingRules(readFileSync(defaultRoutingFile, 'utf8'));
  const demoTeam = [
    ...['rep-ana', 'rep-ben', 'rep-carla'].map((id) => rep(id, 'americas')),
    ...['rep-dieter', 'rep-emma'].map((id) => rep(id, 'emea')),
    ...['rep-hiro', 'rep-mei'].map((id) => rep(id, 'apac')),
  ];

  it.each([
    ['US', 'americas'],
    ['BR', 'americas'],
    ['GB', 'emea'],
    ['DE', 'emea'],
    ['FR', 'emea'],
    ['NL', 'emea'],
    ['CN', 'apac'],
    ['JP', 'apac'],
    ['AU', 'apac'],
    ['IN', 'apac'],
  ])('send the demo data’s %s accounts to team %s', (country, team) => {
    expect(route(lead('L1'), account('A1', { country }), demoTeam, new RoutingLedger(), shipped, at)).toMatchObject({ kind: 'assign', team, reason: `routing:${team}` });
  });

  it('queue leads of unknown countries for the inbound team', () => {
    expect(route(lead('L1'), null, demoTeam, new RoutingLedger(), shipped, at)).toMatchObject({ kind: 'queue', team: 'inbound', ruleId: 'fallback' });
  });
});

/**
 * The SQL generated from a scoring model against the plain TypeScript evaluation of the same model
 * (evaluateScore), on generated leads written through the event store and the projector: every
 * rule's points, the sums, the total and the band agree, for each lead at its own moment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import { AnalyticsProjector, migrateAnalytics } from '../../../projections/index.ts';
import { evaluateScore, type LeadSnapshot } from '../../../projections/scoring/evaluateScore.ts';
import { loadScoringModel, parseScoringModel } from '../../../projections/scoring/scoringModel.ts';
import { scoringSql } from '../../../projections/scoring/scoringSql.ts';
import { createRandom } from '../../../services/demo/random.ts';
import type { EventStore } from '../../../services/ports/index.ts';
import { openTestAnalytics } from '../../support/analytics.ts';
import { analyticsHistory } from '../analyticsHistory.ts';

const FREE_MAIL = new Set(['gmail.com', 'yahoo.com']);
const TITLES = ['VP of Sales', 'Co-Founder & CEO', 'Marketing Manager', 'Student', 'Software Engineer', 'Head of Growth', 'Intern', 'Director, IT', 'senior analyst', 'Chief Revenue Officer'];
const INDUSTRIES = ['Software', 'Financial Services', 'Education', 'Energy', 'Healthcare'];
const DOMAINS = ['acme.com', 'gmail.com', 'yahoo.com', 'hubspot.com', 'cs.stanford.edu', 'globex.io', 'ox.ac.uk'];
const EVENTS = ['Demo Requested', 'Pricing Viewed', 'Webinar Attended', 'Webinar Registered', 'Content Viewed', 'Page Viewed', 'Email Link Clicked', 'Trial Started'];
const CHANNELS = ['chat', 'email', 'paid_search', 'direct'];
const START = Date.parse('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

interface Fact {
  readonly at: number;
  readonly apply: (snapshot: Mutable) => void;
}
type Mutable = { traits: Record<string, unknown>; accountTraits: Record<string, unknown>; email: string | null; status: string | null };

describe('scoring SQL = scoring in TypeScript', () => {
  let analytics: Awaited<ReturnType<typeof openTestAnalytics>>;
  let store: EventStore;
  const facts = new Map<string, Fact[]>();
  const touches = new Map<string, { name: string; channel: string; occurredAt: string }[]>();
  const iso = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    analytics = await openTestAnalytics('scoring');
    await migrateAnalytics(analytics);
    store = createSqliteEventStore({ path: ':memory:' });
    const h = analyticsHistory(store);
    const random = createRandom('scoring-sql', 11);
    for (let i = 0; i < 120; i++) {
      const lead = `L${i}`;
      const list: Fact[] = [];
      const touchList: { name: string; channel: string; occurredAt: string }[] = [];
      // Facts at increasing times, so that "the newest at or before as_of" is well defined.
      let at = START + Math.floor(random.next() * 10) * DAY;
      const next = () => (at += Math.floor(1 + random.next() * 8) * DAY + Math.floor(random.next() * 3_600_000));
      const email = `p${i}@${random.pick(DOMAINS)}`;
      const t1 = next();
      await h.identify(lead, iso(t1), [{ kind: 'email', value: email }]);
      list.push({ at: t1, apply: (s) => (s.email = email) });
      const title = random.pick(TITLES);
      const t2 = next();
      // A null country is recorded as cleared: the account's country counts then.
      const traitCountry = random.next() < 0.5 ? random.pick(['US', 'DE', 'BR']) : null;
      await h.traits(lead, iso(t2), { title, country: traitCountry });
      list.push({ at: t2, apply: (s) => Object.assign(s.traits, { title, country: traitCountry }) });
      const employees = random.next() < 0.8 ? Math.floor(random.next() * 8_000) : 'unknown';
      const industry = random.pick(INDUSTRIES);
      const accountCountry = random.pick(['US', 'GB', 'IN']);
      const t3 = next();
      await h.account(lead, iso(t3), `acct-${i % 17}`, { employees, industry, country: accountCountry });
      list.push({ at: t3, apply: (s) => Object.assign(s.accountTraits, { employees, industry, country: accountCountry }) });
      if (random.next() < 0.3) {
        const t4 = next();
        const unsubscribed = random.next() < 0.5;
        await h.traits(lead, iso(t4), unsubscribed ? { unsubscribed: true } : { unsubscribed_at: iso(t4) });
        list.push({ at: t4, apply: (s) => Object.assign(s.traits, unsubscribed ? { unsubscribed: true } : { unsubscribed_at: iso(t4) }) });
      }
      if (random.next() < 0.3) {
        const t5 = next();
        const newTitle = random.pick(TITLES);
        await h.traits(lead, iso(t5), { title: newTitle });
        list.push({ at: t5, apply: (s) => (s.traits.title = newTitle) });
      }
      if (random.next() < 0.4) {
        const t6 = next();
        const status = random.pick(['connected', 'unqualified']);
        await h.status(lead, status, iso(t6));
        list.push({ at: t6, apply: (s) => (s.status = status) });
      }
      const count = Math.floor(random.next() * 12);
      for (let k = 0; k < count; k++) {
        const occurredAt = iso(START + Math.floor(random.next() * 120 * DAY));
        const name = random.pick(EVENTS);
        const channel = random.pick(CHANNELS);
        await h.touch(`lead:${lead}`, occurredAt, { name, channel });
        touchList.push({ name, channel, occurredAt });
      }
      facts.set(lead, list);
      touches.set(lead, touchList);
    }
    await new AnalyticsProjector({ store, analytics }).catchUp();
  });

  afterAll(async () => {
    await analytics.drop();
    await store.close();
  });

  function snapshot(lead: string, asOf: number): LeadSnapshot {
    const state: Mutable = { traits: {}, accountTraits: {}, email: null, status: null };
    for (const fact of facts.get(lead)!) if (fact.at <= asOf) fact.apply(state);
    for (const [key, value] of Object.entries(state.traits)) if (value === undefined) delete state.traits[key];
    return { ...state, touches: touches.get(lead)!.filter((touch) => Date.parse(touch.occurredAt) <= asOf), asOf: iso(asOf) };
  }

  async function compare(modelSource: string | null, asOfOf: (lead: string, index: number) => number): Promise<number> {
    const model = modelSource === null ? loadScoringModel() : parseScoringModel(modelSource);
    const points = [...facts.keys()].map((lead, index) => [lead, new Date(asOfOf(lead, index)).toISOString().replace('T', ' ').replace('Z', '')] as [string, string]);
    const sql = scoringSql(model, "SELECT x.1 AS lead_id, toDateTime64(x.2, 3, 'UTC') AS as_of FROM (SELECT arrayJoin(arrayZip({leads:Array(String)}, {times:Array(String)})) AS x)");
    const rows = await analytics.query<Record<string, number | string>>(sql, { leads: points.map((p) => p[0]), times: points.map((p) => p[1]), freeMail: [...FREE_MAIL] });
    expect(rows).toHaveLength(points.length);
    let nonZero = 0;
    for (const row of rows) {
      const lead = String(row.lead_id);
      const index = points.findIndex(([id]) => id === lead);
      const expected = evaluateScore(model, snapshot(lead, asOfOf(lead, index)), FREE_MAIL);
      for (const [column, value] of Object.entries(expected.rules)) {
        expect.soft(Number(row[column]), `${lead} ${column}`).toBeCloseTo(value, 6);
        if (value !== 0) nonZero++;
      }
      expect.soft(Number(row.total), `${lead} total`).toBeCloseTo(expected.total, 6);
      expect.soft(row.band, `${lead} band`).toBe(expected.band);
    }
    return nonZero;
  }

  it('agrees rule by rule with the shipped model, every lead scored now', async () => {
    const nonZero = await compare(null, () => START + 200 * DAY);
    // The data exercise the rules: many of them give points.
    expect(nonZero).toBeGreaterThan(300);
  });

  it('agrees for each lead at its own moment (facts and touches after it do not count)', async () => {
    const nonZero = await compare(null, (_lead, index) => START + (20 + (index * 7) % 90) * DAY + 3_600_000);
    expect(nonZero).toBeGreaterThan(100);
  });

  it('agrees on every operator, all/any, and a rule without decay or cap', async () => {
    const model = `
name: operators
mqlThreshold: 10
bands: [{ name: hot, min: 50 }, { name: warm, min: 10 }, { name: cold }]
fit:
  - { id: eq-string, when: { field: account.industry, equals: software }, points: 1 }
  - { id: eq-number, when: { field: account.employees, equals: 250 }, points: 2 }
  - { id: gte, when: { field: account.employees, gte: 1000 }, points: 3 }
  - { id: lt, when: { field: account.employees, lt: 50 }, points: 4 }
  - { id: missing-country, when: { field: trait.country, exists: false }, points: 5 }
  - { id: both, when: { all: [{ field: free_mail, equals: true }, { field: status, in: [Unqualified] }] }, points: 6 }
  - { id: business, when: { field: free_mail, equals: false }, points: 7 }
engagement:
  - { id: any-chat, channels: [chat], points: 2 }
  - { id: demo-chat, events: [Demo Requested], channels: [chat, email], points: 9, halfLifeDays: 3 }
negative:
  - { id: edu, when: { field: email_domain, endsWith: [.edu, .ac.uk] }, points: -8 }
`;
    const nonZero = await compare(model, () => START + 150 * DAY);
    expect(nonZero).toBeGreaterThan(100);
  });
});

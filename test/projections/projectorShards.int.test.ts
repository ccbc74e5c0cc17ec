/**
 * Projector shards (NUDGE_PROJECTOR_SHARD): given one generated history with visitors linked to
 * leads of other shards, merges across shards, journeys, suggestions and ad costs, when 3 shard
 * projectors project it (one after another, side by side, or following the store live), then every
 * table and view analysts read, and the attribution, funnel and scoring reports over them, are
 * those one projector gives. Real chDB, as the other projector tests.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { compareModels, attributionModels } from '../../projections/attribution/index.ts';
import { funnel } from '../../projections/funnel/index.ts';
import { migrateAnalytics } from '../../projections/migrate.ts';
import { AnalyticsProjector } from '../../projections/projector/analyticsProjector.ts';
import { projectedTables } from '../../projections/projector/analyticsRows.ts';
import { projectorShardOf } from '../../projections/projector/projectorShards.ts';
import { ProjectorService } from '../../projections/projector/projectorService.ts';
import { LeadScoring, loadScoringModel } from '../../projections/scoring/index.ts';
import { ConflictError, deriveId, leadShard, manualClock, newEvent } from '../../services/core/index.ts';
import { AD_COSTS_STREAM, streams } from '../../services/events/index.ts';
import type { Analytics, EventStore } from '../../services/ports/index.ts';
import { openTestAnalytics } from '../support/analytics.ts';
import { query, stages } from './attribution/attributionFixture.ts';
import { analyticsHistory } from './analyticsHistory.ts';

type TestAnalytics = Analytics & { drop(): Promise<void> };

const SHARDS = 3;

/** A small deterministic random source (mulberry32), so the history is the same on every run. */
function random(seed: number): { next(): number; pick<T>(items: readonly T[]): T; int(below: number): number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (below) => Math.floor(next() * below), pick: (items) => items[Math.floor(next() * items.length)]! };
}

const channels = [
  { channel: 'paid_search', source: 'Google', medium: 'cpc', campaign: 'Brand' },
  { channel: 'paid_social', source: 'linkedin', medium: 'paid-social', campaign: 'ABM' },
  { channel: 'organic_search', source: 'bing', medium: 'organic', campaign: null },
  { channel: 'email', source: 'newsletter', medium: 'email', campaign: 'March' },
  { channel: 'webinar', source: null, medium: null, campaign: null },
  { channel: 'direct', source: null, medium: null, campaign: null },
] as const;

/** What the generated history holds that makes shards interesting, for the test to check it is there. */
interface HistoryFacts {
  /** A visitor's touches projected by one shard, its link by shard 1, and its lead on a third. */
  readonly visitorsAcrossShards: number;
  /** Merges whose merged lead had linked visitors and lives on another shard than the survivor. */
  readonly mergesAcrossShards: number;
}

/**
 * About 1,500 events over 40 leads and 60 visitors from January to April 2026: anonymous touches,
 * identification, links (some after more anonymous touches), touches on lead streams, traits,
 * accounts, owners, statuses, stages with deal amounts, merges (chains too), journey walks,
 * suggestions with outcomes, journey and rep streams (no rows), and ad costs.
 */
async function writeGeneratedHistory(store: EventStore): Promise<HistoryFacts> {
  const rng = random(7);
  const h = analyticsHistory(store);
  let clock = Date.parse('2026-01-01T08:00:00.000Z');
  const at = (): string => new Date((clock += (1 + rng.int(240)) * 60_000)).toISOString();
  const leads = Array.from({ length: 40 }, (_, i) => `L${i}`);
  const visitors = Array.from({ length: 60 }, (_, i) => `anon-${i}`);
  const identified = new Set<string>();
  const mergedAway = new Set<string>();
  const linkedTo = new Map<string, string>();
  const visitorsOf = new Map<string, string[]>();
  const stageOf = new Map<string, number>();
  const pipeline = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'];
  let visitorsAcrossShards = 0;
  let mergesAcrossShards = 0;
  let step = 0;
  const live = (lead: string) => !mergedAway.has(lead);

  const append = async (stream: string, type: string, data: Record<string, unknown>) => {
    await store.append(stream, [newEvent({ type, data }, { id: deriveId('sharded-history', String(step), stream, type), occurredAt: at() })]);
  };

  for (; step < 1_200; step++) {
    const roll = rng.next();
    if (roll < 0.3) {
      // An anonymous visitor's touch, before or after its link.
      const visitor = rng.pick(visitors);
      const touch = rng.pick(channels);
      await h.touch(`visitor:${visitor}`, at(), { channel: touch.channel, source: touch.source, medium: touch.medium, campaign: touch.campaign });
    } else if (roll < 0.4) {
      const visitor = rng.pick(visitors);
      const lead = rng.pick(leads.filter(live));
      if (linkedTo.has(visitor)) continue;
      if (!identified.has(lead)) {
        await h.identify(lead, at());
        identified.add(lead);
      }
      await h.link(lead, visitor, at());
      linkedTo.set(visitor, lead);
      visitorsOf.set(lead, [...(visitorsOf.get(lead) ?? []), visitor]);
      const touchShard = projectorShardOf({ stream: streams.visitor(visitor), type: 'TouchRecorded' }, SHARDS);
      if (touchShard !== 0 && leadShard(lead, SHARDS) !== 0 && touchShard !== leadShard(lead, SHARDS)) visitorsAcrossShards++;
    } else if (roll < 0.55) {
      const lead = rng.pick(leads.filter(live));
      const touch = rng.pick(channels);
      await h.touch(`lead:${lead}`, at(), { channel: touch.channel, source: touch.source, medium: touch.medium, campaign: touch.campaign });
    } else if (roll < 0.63) {
      const lead = rng.pick(leads.filter(live));
      const from = stageOf.get(lead) ?? -1;
      if (from >= pipeline.length - 1) continue;
      const to = Math.min(pipeline.length - 1, from + 1 + rng.int(2));
      const amount = pipeline[to] === 'opportunity' || pipeline[to] === 'customer' ? 1_000 * (1 + rng.int(20)) : null;
      await h.stage(lead, pipeline[to]!, at(), amount, from < 0 ? null : pipeline[from]!);
      stageOf.set(lead, to);
    } else if (roll < 0.68) {
      const lead = rng.pick(leads.filter(live));
      await h.traits(lead, at(), { name: `Person ${lead}`, title: rng.pick(['VP Engineering', 'CTO', 'Student']), country: rng.pick(['GB', 'US', 'DE']) });
    } else if (roll < 0.71) {
      const lead = rng.pick(leads.filter(live));
      await h.account(lead, at(), `acct-${rng.int(8)}`, { name: `Account ${rng.int(8)}`, industry: rng.pick(['Software', 'Retail']), employees: 10 + rng.int(2_000) });
    } else if (roll < 0.74) {
      await h.owner(rng.pick(leads.filter(live)), `rep-${rng.int(4)}`, at());
    } else if (roll < 0.76) {
      await h.status(rng.pick(leads.filter(live)), rng.pick(['attempting', 'connected', 'qualified']), at());
    } else if (roll < 0.79) {
      // A merge, sometimes of a lead that has visitors (its links must follow it to the survivor).
      const candidates = leads.filter(live);
      const survivor = rng.pick(candidates);
      const merged = rng.pick(candidates);
      if (survivor === merged || candidates.length < 10) continue;
      await h.merge(survivor, merged, at());
      mergedAway.add(merged);
      if ((visitorsOf.get(merged)?.length ?? 0) > 0 && leadShard(merged, SHARDS) !== leadShard(survivor, SHARDS)) mergesAcrossShards++;
      visitorsOf.set(survivor, [...(visitorsOf.get(survivor) ?? []), ...(visitorsOf.get(merged) ?? [])]);
    } else if (roll < 0.87) {
      // A journey walk and the suggestion it makes, with an outcome.
      const lead = rng.pick(leads.filter(live));
      const journeyId = rng.pick(['welcome', 'demo-follow-up']);
      const instanceId = deriveId('instance', lead, String(step));
      const suggestionId = deriveId('suggestion', lead, String(step));
      const stream = streams.lead(lead);
      await append(stream, 'JourneyEntered', { journeyId, version: 1, instanceId, start: 'start', trigger: { eventId: 'e', name: 'Page Viewed', occurredAt: at() } });
      await append(stream, 'JourneyStepTaken', { journeyId, version: 1, instanceId, node: 'check-fit', next: 'suggest-call' });
      await append(stream, 'SuggestionProposed', {
        suggestionId,
        leadId: lead,
        journeyId,
        version: 1,
        instanceId,
        node: 'suggest-call',
        action: 'call',
        priority: rng.pick(['high', 'normal']),
        title: 'Call',
        body: null,
        ownerId: `rep-${rng.int(4)}`,
      });
      if (rng.next() < 0.5) await append(stream, 'SuggestionCompleted', { suggestionId, by: `rep-${rng.int(4)}`, outcome: rng.pick(['connected', 'no_answer']), note: null });
      else await append(stream, 'SuggestionDismissed', { suggestionId, by: `rep-${rng.int(4)}`, reason: 'not_relevant', note: null });
      await append(stream, 'JourneyExited', { journeyId, version: 1, instanceId, node: 'end', reason: 'completed' });
    } else if (roll < 0.9) {
      // Streams of no lead: journey definitions and reps (shard 1's; they make no rows).
      await append(streams.journey(rng.pick(['welcome', 'demo-follow-up'])), 'JourneyPublished', { journeyId: 'welcome', version: 1, by: 'marketer' });
      await append(streams.rep(`rep-${rng.int(4)}`), 'RepUpdated', { repId: 'rep-1', name: 'Rep' });
    } else {
      const day = new Date(clock).toISOString().slice(0, 10);
      const [source, medium, campaign] = rng.pick([['google', 'cpc', 'brand'], ['linkedin', 'paid-social', 'abm'], ['newsletter', 'email', 'march'], ['bing', 'organic', '']] as const);
      await h.cost(day, source, medium, campaign, 10 + rng.int(500));
    }
  }
  return { visitorsAcrossShards, mergesAcrossShards };
}

/** Every table the projector writes and every view analysts and the scorer read, row for row. */
async function dump(analytics: Analytics): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  // ad_costs and lead_aliases keep one row per key, the newest, once ClickHouse has merged their parts (and within one insert at
  // once): which superseded rows are still there depends on batch boundaries and merge timing, in one projector as in shards.
  // Their content is what FINAL reads; the other tables are keyed down to the event, a row per event whatever the batches.
  const replacing = new Set(['ad_costs', 'lead_aliases']);
  for (const table of projectedTables) out[table] = await analytics.query(`SELECT * FROM ${table}${replacing.has(table) ? ' FINAL' : ''} ORDER BY tuple(*)`);
  for (const view of ['lead_alias_current', 'touches_resolved', 'stage_changes_resolved', 'lead_facts_resolved', 'leads_current']) {
    out[view] = await analytics.query(`SELECT * FROM ${view} ORDER BY tuple(*)`);
  }
  return out;
}

/** The analysts' reports over the tables: every attribution model side by side, the funnel by channel, every lead's score. */
async function reports(analytics: Analytics): Promise<Record<string, unknown>> {
  // The scorer's store is where it would record score changes: scoreAll records nothing.
  const scorerStore = createSqliteEventStore({ path: ':memory:' });
  const scoring = new LeadScoring({ analytics, store: scorerStore, model: loadScoringModel(), freeMailDomains: ['gmail.com'], clock: manualClock('2026-05-01T00:00:00.000Z') });
  const scores = await scoring.scoreAll().finally(() => scorerStore.close());
  return {
    attribution: await compareModels(analytics, attributionModels, query({ from: '2026-01-01', to: '2026-06-01', conversion: 'opportunity' }), { stages }),
    attributionBySource: await compareModels(analytics, ['first_touch', 'w_shaped'], query({ from: '2026-01-01', to: '2026-06-01', conversion: 'customer', by: 'source' }), { stages }),
    funnel: await funnel(analytics, { groupBy: 'channel' }),
    funnelByOwner: await funnel(analytics, { groupBy: 'owner' }),
    scores: [...scores].sort((a, b) => a.leadId.localeCompare(b.leadId)),
  };
}

describe('projector shards', () => {
  let store: EventStore;
  let facts: HistoryFacts;
  let single: TestAnalytics;
  let expectedTables: Record<string, unknown[]>;
  let expectedReports: Record<string, unknown>;
  const opened: TestAnalytics[] = [];
  const stores: EventStore[] = [];

  async function database(prefix: string): Promise<TestAnalytics> {
    const analytics = await openTestAnalytics(prefix);
    await migrateAnalytics(analytics);
    opened.push(analytics);
    return analytics;
  }

  beforeAll(async () => {
    store = createSqliteEventStore({ path: ':memory:' });
    facts = await writeGeneratedHistory(store);
    single = await openTestAnalytics('unsharded');
    await migrateAnalytics(single);
    await new AnalyticsProjector({ store, analytics: single }).catchUp();
    expectedTables = await dump(single);
    expectedReports = await reports(single);
  }, 120_000);

  afterEach(async () => {
    for (const analytics of opened.splice(0)) await analytics.drop();
    for (const other of stores.splice(0)) await other.close();
  });

  afterAll(async () => {
    await single.drop();
    await store.close();
  });

  it('is given a history where shards matter: visitors, their links and their leads on different shards, merges across shards', () => {
    expect(facts.visitorsAcrossShards).toBeGreaterThan(0);
    expect(facts.mergesAcrossShards).toBeGreaterThan(0);
    for (const table of projectedTables) expect(expectedTables[table]!.length, table).toBeGreaterThan(0);
    expect((expectedReports.scores as unknown[]).length).toBeGreaterThan(10);
  });

  it('three shards one after another give the tables, views and reports of one projector', async () => {
    const analytics = await database('shards_sequential');
    const reached: number[] = [];
    for (let index = 0; index < SHARDS; index++) reached.push(await new AnalyticsProjector({ store, analytics, shard: { index, count: SHARDS } }).catchUp());
    expect(reached).toEqual([await store.headPosition(), await store.headPosition(), await store.headPosition()]);

    expect(await dump(analytics)).toEqual(expectedTables);
    expect(await reports(analytics)).toEqual(expectedReports);
  });

  it('three shards side by side, in small batches, give the same; each keeps its own state and status shows each one’s lag', async () => {
    const analytics = await database('shards_concurrent');
    const service = new ProjectorService({ store, analytics, shard: { index: 1, count: SHARDS }, maxBatchEvents: 97 });
    const before = await service.status();
    expect(before.shards.map((shard) => [shard.name, shard.lagEvents])).toEqual([
      ['analytics-1-of-3', before.head],
      ['analytics-2-of-3', before.head],
      ['analytics-3-of-3', before.head],
    ]);

    await service.catchUp();

    expect(await dump(analytics)).toEqual(expectedTables);
    expect(await reports(analytics)).toEqual(expectedReports);
    const after = await service.status();
    expect(after).toMatchObject({ name: 'analytics', generation: 1, position: after.head, lagEvents: 0, pending: null });
    expect(after.shards.map((shard) => [shard.name, shard.position, shard.lagEvents])).toEqual([
      ['analytics-1-of-3', after.head, 0],
      ['analytics-2-of-3', after.head, 0],
      ['analytics-3-of-3', after.head, 0],
    ]);
    const states = await analytics.query<{ name: string }>('SELECT DISTINCT name FROM projector_state ORDER BY name');
    expect(states.map((row) => row.name)).toEqual(['analytics-1-of-3', 'analytics-2-of-3', 'analytics-3-of-3']);
  });

  it('three shards following the store while it is written give the same, and an API process with no shard set reports them', async () => {
    const live = createSqliteEventStore({ path: ':memory:' });
    stores.push(live);
    const analytics = await database('shards_live');
    // The same history, copied event by event into a fresh store (so at the same positions): half before the shards start, half while they run.
    const history = await store.readAll({ after: 0, limit: 100_000 });
    const copy = async (events: typeof history) => {
      for (const event of events) await live.append(event.stream, [newEvent({ type: event.type, data: event.data }, { id: event.id, occurredAt: event.metadata.occurredAt })]);
    };
    await copy(history.slice(0, Math.floor(history.length / 2)));
    const stop = new AbortController();
    const projectors = Array.from({ length: SHARDS }, (_, index) => new AnalyticsProjector({ store: live, analytics, shard: { index, count: SHARDS }, flushIntervalMs: 30, maxBatchEvents: 200 }));
    const running = projectors.map((projector) => projector.run(stop.signal));
    await copy(history.slice(Math.floor(history.length / 2)));
    const head = await live.headPosition();
    const deadline = Date.now() + 20_000;
    while (projectors.some((projector) => projector.committed < head) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    stop.abort();
    await Promise.all(running);

    expect(head).toBe(await store.headPosition());
    expect(await dump(analytics)).toEqual(expectedTables);
    expect(await reports(analytics)).toEqual(expectedReports);
    const api = await new ProjectorService({ store: live, analytics }).status();
    expect(api.shards.map((shard) => shard.name)).toEqual(['analytics-1-of-3', 'analytics-2-of-3', 'analytics-3-of-3']);
    expect(api.lagEvents).toBe(0);
  });

  it('a shard that crashes part-way through a batch writes that batch again on restart, its own state untouched by the others', async () => {
    const analytics = await database('shards_crash');
    const shard = { index: 1, count: SHARDS };
    await new AnalyticsProjector({ store, analytics, shard: { index: 0, count: SHARDS } }).catchUp();
    const half = Math.floor((await store.headPosition()) / 2);
    const crashing = new AnalyticsProjector({
      store,
      analytics,
      shard,
      maxBatchEvents: half,
      betweenInserts: (table) => {
        if (crashing.committed >= half && table === 'lead_facts') throw new Error('crash after lead_facts');
      },
    });
    await expect(crashing.catchUp()).rejects.toThrow('crash after lead_facts');
    expect((await AnalyticsProjector.state(analytics, shard)).pending).toEqual({ from: half, to: 2 * half });
    expect((await AnalyticsProjector.state(analytics, { index: 0, count: SHARDS })).pending).toBeNull();

    await new AnalyticsProjector({ store, analytics, shard }).catchUp();
    await new AnalyticsProjector({ store, analytics, shard: { index: 2, count: SHARDS } }).catchUp();
    expect((await AnalyticsProjector.state(analytics, shard)).pending).toBeNull();
    expect(await dump(analytics)).toEqual(expectedTables);
  });

  it('refuses to project as shards over tables one projector filled, until the projection is rebuilt for the shards; the old projector is then retired', async () => {
    const analytics = await database('shards_switch');
    await new AnalyticsProjector({ store, analytics, maxBatchEvents: 500 }).catchUp();

    const shard2 = new AnalyticsProjector({ store, analytics, shard: { index: 1, count: SHARDS } });
    await expect(shard2.catchUp()).rejects.toThrow(ConflictError);
    await expect(shard2.catchUp()).rejects.toThrow(/hold what analytics projected .* would count those events twice: rebuild the projection for 3 shards/);

    await new ProjectorService({ store, analytics, shard: { index: 0, count: SHARDS } }).rebuild();
    expect(await analytics.query('SELECT count() AS c FROM touches')).toEqual([{ c: 0 }]);
    await new ProjectorService({ store, analytics, shard: { index: 2, count: SHARDS } }).catchUp();
    expect(await dump(analytics)).toEqual(expectedTables);
    expect((await AnalyticsProjector.state(analytics, { index: 1, count: SHARDS })).generation).toBe(2);

    await expect(new AnalyticsProjector({ store, analytics }).catchUp()).rejects.toThrow(/rebuilt for 3 shards .*this projector \(analytics\) is of generation 1/);
    // A process with no shard of its own reports the layout in force.
    expect((await new ProjectorService({ store, analytics }).status()).shards.map((shard) => [shard.name, shard.generation])).toEqual([
      ['analytics-1-of-3', 2],
      ['analytics-2-of-3', 2],
      ['analytics-3-of-3', 2],
    ]);
  });

  it('a shard following the store starts over when another process rebuilds the projection', async () => {
    const analytics = await database('shards_rebuilt_elsewhere');
    const stop = new AbortController();
    const projectors = Array.from({ length: SHARDS }, (_, index) => new AnalyticsProjector({ store, analytics, shard: { index, count: SHARDS }, flushIntervalMs: 20, rebuildCheckMs: 50 }));
    const running = projectors.map((projector) => projector.run(stop.signal));
    const head = await store.headPosition();
    const settled = async (generation: number) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const status = await new ProjectorService({ store, analytics }).status();
        if (status.generation === generation && status.lagEvents === 0) return;
        if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(status)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    await settled(1);
    expect(projectors.map((projector) => projector.committed)).toEqual([head, head, head]);

    // Another process (the API, the CLI) rebuilds: the idle shards see the new generation and project everything again.
    await new ProjectorService({ store, analytics }).rebuild();
    await settled(2);
    stop.abort();
    await Promise.all(running);
    expect(await dump(analytics)).toEqual(expectedTables);
  });
});

describe('projectorShardOf', () => {
  it('gives a lead’s events to its lead’s shard, links and merges and streams of no lead to shard 1, a visitor’s touches to its anonymousId’s shard', () => {
    const lead = Array.from({ length: 50 }, (_, i) => `lead-${i}`).find((id) => leadShard(id, 4) === 2)!;
    expect(projectorShardOf({ stream: streams.lead(lead), type: 'TouchRecorded' }, 4)).toBe(2);
    expect(projectorShardOf({ stream: streams.lead(lead), type: 'LifecycleStageChanged' }, 4)).toBe(2);
    expect(projectorShardOf({ stream: streams.lead(lead), type: 'VisitorLinked' }, 4)).toBe(0);
    expect(projectorShardOf({ stream: streams.lead(lead), type: 'LeadsMerged' }, 4)).toBe(0);
    expect(projectorShardOf({ stream: streams.visitor('anon-7'), type: 'TouchRecorded' }, 4)).toBe(leadShard('anon-7', 4));
    for (const stream of [streams.journey('welcome'), streams.rep('rep-1'), streams.account('acct-1'), AD_COSTS_STREAM]) {
      expect(projectorShardOf({ stream, type: 'Anything' }, 4), stream).toBe(0);
    }
    expect(projectorShardOf({ stream: streams.lead(lead), type: 'TouchRecorded' }, 1)).toBe(0);
  });
});

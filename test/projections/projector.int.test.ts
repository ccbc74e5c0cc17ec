import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { analyticsOverPort, serveAnalyticsOnPort } from '../../infra/clickhouse/analyticsOverPort.ts';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import type { Analytics, EventStore } from '../../services/ports/index.ts';
import { migrateAnalytics } from '../../projections/migrate.ts';
import { AnalyticsProjector } from '../../projections/projector/analyticsProjector.ts';
import { projectedTables } from '../../projections/projector/analyticsRows.ts';
import { type ProjectionStatus, ProjectorService } from '../../projections/projector/projectorService.ts';
import { openTestAnalytics } from '../support/analytics.ts';
import { analyticsHistory } from './analyticsHistory.ts';

type TestAnalytics = Analytics & { drop(): Promise<void> };

/** The service's status once the projection is of `generation` and has caught up with the store. */
async function settledStatus(service: ProjectorService, generation: number): Promise<ProjectionStatus> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await service.status();
    if (status.generation === generation && status.lagEvents === 0) return status;
    if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('AnalyticsProjector', () => {
  const opened: TestAnalytics[] = [];
  const stores: EventStore[] = [];
  afterEach(async () => {
    for (const analytics of opened.splice(0)) await analytics.drop();
    for (const store of stores.splice(0)) await store.close();
  });

  async function setUp(): Promise<{ store: EventStore; analytics: TestAnalytics }> {
    const store = createSqliteEventStore({ path: ':memory:' });
    const analytics = await openTestAnalytics('projector');
    await migrateAnalytics(analytics);
    stores.push(store);
    opened.push(analytics);
    return { store, analytics };
  }

  /** A history with a visitor that becomes a lead, a merge, stages, an owner and an ad cost. */
  async function writeHistory(store: EventStore): Promise<void> {
    const h = analyticsHistory(store);
    await h.touch('visitor:v1', '2026-01-01T09:00:00.000Z', { channel: 'paid_search', source: 'Google', medium: 'cpc', campaign: 'Brand' });
    await h.touch('visitor:v1', '2026-01-02T09:00:00.000Z', { channel: 'organic_search', source: 'bing', medium: 'organic' });
    await h.identify('A', '2026-01-03T09:00:00.000Z');
    await h.link('A', 'v1', '2026-01-03T09:00:01.000Z');
    await h.traits('A', '2026-01-03T09:00:02.000Z', { name: 'Ada Lovelace', title: 'VP Engineering' });
    await h.account('A', '2026-01-03T09:00:03.000Z', 'acct-1', { name: 'Analytical Engines', industry: 'Software', employees: 250, country: 'GB' });
    await h.stage('A', 'lead', '2026-01-03T09:00:04.000Z');
    await h.touch('lead:A', '2026-01-04T09:00:00.000Z', { name: 'Webinar Attended', channel: 'webinar' });
    await h.touch('visitor:v2', '2026-01-05T09:00:00.000Z', { channel: 'paid_social', source: 'linkedin', medium: 'paid-social' });
    await h.identify('B', '2026-01-06T09:00:00.000Z');
    await h.link('B', 'v2', '2026-01-06T09:00:01.000Z');
    await h.stage('B', 'mql', '2026-01-06T09:00:02.000Z');
    await h.merge('A', 'B', '2026-01-07T09:00:00.000Z');
    await h.owner('A', 'rep-1', '2026-01-07T10:00:00.000Z');
    await h.stage('A', 'opportunity', '2026-01-08T09:00:00.000Z', 12_000);
    await h.cost('2026-01-01', 'google', 'cpc', 'brand', 120.5);
    await h.cost('2026-01-01', 'google', 'cpc', 'brand', 99.5);
  }

  async function dump(analytics: Analytics): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const table of projectedTables) {
      // Every row of these tables is one event's: a duplicate would show. ad_costs replaces a
      // report by a newer one for the same key, which ClickHouse folds when it merges parts, so
      // its content is what FINAL reads.
      out[table] = await analytics.query(`SELECT * FROM ${table}${table === 'ad_costs' ? ' FINAL' : ''} ORDER BY tuple(*)`);
    }
    return out;
  }

  it('resolves a visitor’s touches to the lead once linked, before and after the link, and a merged lead’s to the survivor', async () => {
    const { store, analytics } = await setUp();
    await writeHistory(store);
    const reached = await new AnalyticsProjector({ store, analytics }).catchUp();
    expect(reached).toBe(await store.headPosition());

    const touches = await analytics.query<{ lead_id: string; channel: string; source: string }>('SELECT lead_id, channel, source FROM touches_resolved ORDER BY occurred_at');
    expect(touches).toEqual([
      { lead_id: 'A', channel: 'paid_search', source: 'google' },
      { lead_id: 'A', channel: 'organic_search', source: 'bing' },
      { lead_id: 'A', channel: 'webinar', source: '' },
      { lead_id: 'A', channel: 'paid_social', source: 'linkedin' },
    ]);
    const stages = await analytics.query('SELECT lead_id, to_stage, amount FROM stage_changes_resolved ORDER BY occurred_at');
    expect(stages).toEqual([
      { lead_id: 'A', to_stage: 'lead', amount: null },
      { lead_id: 'A', to_stage: 'mql', amount: null },
      { lead_id: 'A', to_stage: 'opportunity', amount: 12_000 },
    ]);
    const leads = await analytics.query('SELECT lead_id, email, name, title, industry, employees, country, owner_id, account_id FROM leads_current ORDER BY lead_id');
    expect(leads).toEqual([
      { lead_id: 'A', email: 'B@example.com', name: 'Ada Lovelace', title: 'VP Engineering', industry: 'Software', employees: 250, country: 'GB', owner_id: 'rep-1', account_id: 'acct-1' },
    ]);
    // The newer report for the same day and key replaces the older one.
    expect(await analytics.query('SELECT day, source, cost FROM ad_costs FINAL')).toEqual([{ day: '2026-01-01', source: 'google', cost: 99.5 }]);
  });

  it('re-points a merged lead’s visitors at the survivor when the merge comes after the link', async () => {
    const { store, analytics } = await setUp();
    const h = analyticsHistory(store);
    await h.touch('visitor:v9', '2026-02-01T00:00:00.000Z');
    await h.link('C', 'v9', '2026-02-02T00:00:00.000Z');
    await h.merge('D', 'C', '2026-02-03T00:00:00.000Z');
    await h.merge('E', 'D', '2026-02-04T00:00:00.000Z');
    await new AnalyticsProjector({ store, analytics }).catchUp();
    expect(await analytics.query('SELECT key, lead_id FROM lead_alias_current ORDER BY key')).toEqual([
      { key: 'lead:C', lead_id: 'E' },
      { key: 'lead:D', lead_id: 'E' },
      { key: 'visitor:v9', lead_id: 'E' },
    ]);
  });

  for (const crashAfter of ['pending state', 'touches', 'lead_facts', 'stage_changes', 'ad_costs'] as const) {
    it(`crashing after ${crashAfter} of a batch and resuming gives the same tables as a clean rebuild`, async () => {
      const { store, analytics } = await setUp();
      await writeHistory(store);
      const half = Math.floor((await store.headPosition()) / 2);
      // A first batch lands whole; the second crashes part-way.
      const first = new AnalyticsProjector({ store, analytics, maxBatchEvents: half });
      const crashing = new AnalyticsProjector({
        store,
        analytics,
        maxBatchEvents: half,
        betweenInserts: (table) => {
          if (crashing.committed >= half && table === crashAfter) throw new Error(`crash after ${table}`);
        },
      });
      await first.catchUp(half);
      expect(first.committed).toBe(half);
      if (crashAfter === 'pending state') {
        // The batch is recorded as begun; nothing of it was inserted.
        const events = await store.readAll({ after: half });
        await analytics.insert('projector_state', [
          { name: 'analytics', generation: 1, committed: half, pending_from: half, pending_to: events.at(-1)!.position, updated_at: '2026-01-01 00:00:00.000', version: 1_000 },
        ]);
      } else {
        await expect(crashing.catchUp()).rejects.toThrow(`crash after ${crashAfter}`);
      }
      const stateAfterCrash = await AnalyticsProjector.state(analytics);
      expect(stateAfterCrash.pending).not.toBeNull();

      const resumed = new AnalyticsProjector({ store, analytics });
      await resumed.catchUp();
      expect((await AnalyticsProjector.state(analytics)).pending).toBeNull();

      const clean = await openTestAnalytics('clean');
      opened.push(clean);
      await migrateAnalytics(clean);
      await new AnalyticsProjector({ store, analytics: clean }).catchUp();
      expect(await dump(analytics)).toEqual(await dump(clean));
    });
  }

  it('writes a batch read over several pages as one insert per table, with the rows one-page batches give', async () => {
    const { store, analytics } = await setUp();
    const h = analyticsHistory(store);
    // 2,600 events (the projector reads 1,000 at a time): visitors' touches, then leads that link
    // them and merge, so the alias map must carry from one page to the next.
    for (let i = 0; i < 2_400; i++) {
      const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      await h.touch(`visitor:v${i % 40}`, at, { channel: i % 2 === 0 ? 'paid_search' : 'email', source: 'google', campaign: `c${i % 7}` });
    }
    for (let i = 0; i < 40; i++) {
      const at = new Date(Date.UTC(2026, 1, 1) + i * 60_000).toISOString();
      await h.identify(`L${i}`, at);
      await h.link(`L${i}`, `v${i}`, at);
      await h.traits(`L${i}`, at, { title: `Title ${i}` });
      await h.stage(`L${i}`, 'lead', at);
    }
    for (let i = 1; i < 40; i += 2) await h.merge(`L${i - 1}`, `L${i}`, new Date(Date.UTC(2026, 2, 1) + i * 60_000).toISOString());
    await h.touch('lead:L0', '2026-03-02T00:00:00.000Z');
    expect(await store.headPosition()).toBeGreaterThan(2_500);

    const inserts: string[] = [];
    const counting = new Proxy(analytics, {
      get(target, key) {
        if (key === 'insert') {
          return (table: string, rows: Parameters<Analytics['insert']>[1], options?: Parameters<Analytics['insert']>[2]) => {
            inserts.push(table);
            return target.insert(table, rows, options);
          };
        }
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    await new AnalyticsProjector({ store, analytics: counting }).catchUp();
    // One batch: each table once (projector_state records the batch's start and end).
    const tableInserts = inserts.filter((table) => table !== 'projector_state');
    expect(tableInserts.sort()).toEqual(['lead_aliases', 'lead_facts', 'stage_changes', 'touches']);
    expect(await analytics.query('SELECT count() AS c FROM touches')).toEqual([{ c: 2_401 }]);

    const paged = await openTestAnalytics('paged');
    opened.push(paged);
    await migrateAnalytics(paged);
    await new AnalyticsProjector({ store, analytics: paged, maxBatchEvents: 300 }).catchUp();
    expect(await dump(analytics)).toEqual(await dump(paged));
  });

  it('rebuilds from scratch in a new generation, with the same tables', async () => {
    const { store, analytics } = await setUp();
    await writeHistory(store);
    await new AnalyticsProjector({ store, analytics }).catchUp();
    const before = await dump(analytics);
    await AnalyticsProjector.reset(analytics);
    expect(await analytics.query('SELECT count() AS c FROM touches')).toEqual([{ c: 0 }]);
    const state = await AnalyticsProjector.state(analytics);
    expect(state).toMatchObject({ generation: 2, committed: 0, pending: null });
    await new AnalyticsProjector({ store, analytics }).catchUp();
    expect(await dump(analytics)).toEqual(before);
  });

  it('follows new events while running and writes what it read when stopped', async () => {
    const { store, analytics } = await setUp();
    const h = analyticsHistory(store);
    const stop = new AbortController();
    const batches: number[] = [];
    const projector = new AnalyticsProjector({ store, analytics, flushIntervalMs: 50, onBatch: (batch) => batches.push(batch.events) });
    const running = projector.run(stop.signal);
    await h.touch('lead:Z', '2026-03-01T00:00:00.000Z');
    await h.touch('lead:Z', '2026-03-02T00:00:00.000Z');
    const deadline = Date.now() + 10_000;
    while (projector.committed < (await store.headPosition()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    stop.abort();
    await running;
    expect(await analytics.query('SELECT count() AS c FROM touches_resolved WHERE lead_id = {l:String}', { l: 'Z' })).toEqual([{ c: 2 }]);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('rebuilds while running: the running projector pauses for the reset and projects the store again', async () => {
    const { store, analytics } = await setUp();
    await writeHistory(store);
    const service = new ProjectorService({ store, analytics, flushIntervalMs: 20 });
    const stop = new AbortController();
    const running = service.run(stop.signal);
    const settled = (generation: number) => settledStatus(service, generation);
    const first = await settled(1);
    expect(first.running).toBe(true);
    const rows = first.rows;
    await service.rebuild();
    const second = await settled(2);
    expect(second.rows).toEqual(rows);
    stop.abort();
    await running;
    expect((await service.status()).running).toBe(false);
  });

  it('projects through an engine served by another thread, which reports that projector as its own and sends it rebuilds', async () => {
    const { store, analytics } = await setUp();
    await writeHistory(store);
    await new AnalyticsProjector({ store, analytics }).catchUp();
    const direct = await dump(analytics);
    await AnalyticsProjector.reset(analytics);
    // As in nudge serve: the engine on one end of a channel (the main thread), the projector on the other (its thread).
    const { port1, port2 } = new MessageChannel();
    const serving = serveAnalyticsOnPort(analytics, port1);
    const remote = analyticsOverPort(port2, { database: analytics.database, description: analytics.description });
    const onThread = new ProjectorService({ store, analytics: remote, flushIntervalMs: 20 });
    const service = new ProjectorService({ store, analytics });
    const stop = new AbortController();
    const running = onThread.run(stop.signal);
    service.projectsOnThread({ running: true, rebuild: () => onThread.rebuild() });
    const settled = (generation: number) => settledStatus(service, generation);
    const first = await settled(2);
    expect(first.running).toBe(true);
    expect(first.shards[0]?.running).toBe(true);
    expect(await dump(analytics)).toEqual(direct);
    await service.rebuild();
    await settled(3);
    expect(await dump(analytics)).toEqual(direct);
    stop.abort();
    await running;
    service.projectsOnThread(null);
    expect((await service.status()).running).toBe(false);
    await remote.close();
    serving.close();
  });
});

/**
 * Analytics benchmark (embedded chDB):
 *
 * 1. Projector: events/s from a real SQLite event store into the ClickHouse tables, next to the
 *    rate at which the same events are merely read from the store in the same run (the least the
 *    projector must do). Target (issue #6): ≥ 100,000 events/s.
 * 2. Attribution: each model's query time at 1M and 10M touches, next to a plain
 *    `SELECT channel, count() FROM touches GROUP BY channel` over the same table in the same run.
 *    Target: ≤ 3 s per model at 10M touches. The touches are generated inside ClickHouse
 *    (INSERT … SELECT from numbers()), shaped like the demo's: 20 touches a lead on average, 14
 *    channels, a tenth of the leads converting, stage changes with amounts, a visitor link for
 *    one lead in four.
 *
 *   node bench/analytics.ts            full run: projector on 1M events, attribution at 1M and 10M touches (several minutes)
 *   node bench/analytics.ts --quick    smoke run: 100k events, 1M touches
 *   node bench/analytics.ts --json     also print the results as one JSON object, last line
 *
 * Nothing here asserts a timing: targets print as PASS/MISS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openClickHouseAnalytics } from '../infra/clickhouse/index.ts';
import { createSqliteEventStore } from '../infra/sqlite/index.ts';
import { attributionModels, attribute } from '../projections/attribution/index.ts';
import { AnalyticsProjector, migrateAnalytics } from '../projections/index.ts';
import type { NewEvent } from '../services/core/index.ts';
import { deriveId } from '../services/core/index.ts';
import type { Analytics } from '../services/ports/index.ts';
import { median } from './benchMath.ts';
import { progress, progressDone, table } from './benchOutput.ts';

const TARGETS = { projectorEventsPerSecond: 100_000, attributionSecondsAt10M: 3 } as const;
const STAGES = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'] as const;
const CHANNELS = ['paid_search', 'organic_search', 'paid_social', 'organic_social', 'email', 'referral', 'display', 'direct', 'webinar', 'content', 'chat', 'events', 'sales', 'other'];

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
const projectorEvents = flags.quick ? 100_000 : 1_000_000;
const touchScales = flags.quick ? [1_000_000] : [1_000_000, 10_000_000];
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

// ---------------------------------------------------------------------------------------------
// 1. The projector, on events in a real store

async function benchProjector(dir: string, analytics: Analytics): Promise<{ events: number; readPerSecond: number; projectPerSecond: number; rows: number }> {
  const store = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' });
  const leads = Math.ceil(projectorEvents / 10);
  const start = Date.parse('2026-01-01T00:00:00Z');
  let written = 0;
  for (let first = 0; first < leads; first += 1_000) {
    const appends: Promise<unknown>[] = [];
    for (let lead = first; lead < Math.min(leads, first + 1_000); lead++) {
      const events: NewEvent[] = [];
      for (let touch = 0; touch < 9; touch++) events.push(touchEvent(lead, touch, start + (lead * 37 + touch * 86_400_000) % (180 * 86_400_000)));
      events.push(stageEvent(lead, start + (lead * 37 + 9 * 86_400_000) % (180 * 86_400_000)));
      written += events.length;
      appends.push(store.append(`lead-L${lead}`, events));
    }
    await Promise.all(appends);
    progress(`projector: writing ${fmt(written)} events into the store`);
  }
  progress('projector: reading every event back (baseline)');
  let readStarted = performance.now();
  let read = 0;
  let decoded = 0;
  for (let after = 0; ; ) {
    const page = await store.readAll({ after, limit: 10_000 });
    if (page.length === 0) break;
    // Decoded, as the projector needs them (the store decodes an event's data and metadata on first use).
    for (const event of page) decoded += event.data === undefined || event.metadata === undefined ? 0 : 1;
    read += page.length;
    after = page[page.length - 1]!.position;
  }
  if (decoded !== read) throw new Error(`read ${read} events but decoded ${decoded}`);
  const readSeconds = (performance.now() - readStarted) / 1_000;
  progress('projector: projecting into ClickHouse');
  readStarted = performance.now();
  const projector = new AnalyticsProjector({ store, analytics, onBatch: (batch) => progress(`projector: ${fmt(batch.to)} of ${fmt(written)} events`) });
  await projector.catchUp();
  const projectSeconds = (performance.now() - readStarted) / 1_000;
  const [rows] = await analytics.query<{ n: number }>('SELECT (SELECT count() FROM touches) + (SELECT count() FROM stage_changes) AS n');
  await store.close();
  progressDone();
  return { events: read, readPerSecond: read / readSeconds, projectPerSecond: read / projectSeconds, rows: Number(rows?.n ?? 0) };
}

function touchEvent(lead: number, touch: number, at: number): NewEvent {
  const occurredAt = new Date(at).toISOString();
  return {
    id: deriveId('bench-analytics', 'touch', String(lead), String(touch)),
    type: 'TouchRecorded',
    data: {
      messageId: `m-${lead}-${touch}`,
      call: 'track',
      name: touch % 3 === 0 ? 'Page Viewed' : 'Content Viewed',
      pageName: null,
      channel: CHANNELS[(lead + touch) % CHANNELS.length],
      channelRule: 'bench',
      occurredAt,
      receivedAt: occurredAt,
      utm: { source: `source-${(lead + touch) % 20}`, medium: touch % 2 === 0 ? 'cpc' : 'email', campaign: `campaign-${(lead * 7 + touch) % 50}`, term: null, content: null },
      clickIds: {},
      url: `https://www.example.com/page-${touch}`,
      referrer: null,
      properties: {},
      anonymousId: `anon-${lead}`,
      userId: `user-${lead}`,
      ip: null,
      userAgent: null,
    },
    metadata: { occurredAt, causationId: null, correlationId: null, schemaVersion: 1 },
  };
}

function stageEvent(lead: number, at: number): NewEvent {
  const occurredAt = new Date(at).toISOString();
  const to = STAGES[1 + (lead % 5)]!;
  return {
    id: deriveId('bench-analytics', 'stage', String(lead)),
    type: 'LifecycleStageChanged',
    data: { messageId: `s-${lead}`, from: null, to, amount: to === 'customer' || to === 'opportunity' ? 10_000 + (lead % 50) * 1_000 : null, currency: 'USD' },
    metadata: { occurredAt, causationId: null, correlationId: null, schemaVersion: 1 },
  };
}

// ---------------------------------------------------------------------------------------------
// 2. Attribution queries at scale, on touches generated inside ClickHouse

async function fillTouches(analytics: Analytics, touches: number): Promise<void> {
  const leads = Math.round(touches / 20);
  for (const table of ['touches', 'stage_changes', 'lead_aliases', 'lead_facts', 'ad_costs']) await analytics.command(`TRUNCATE TABLE ${table}`);
  // Touches: 20 a lead on average over 180 days; one lead in four has its first touches as a visitor.
  await analytics.command(`
    INSERT INTO touches
    SELECT toString(generateUUIDv4()) AS event_id, number AS position,
           if(number % 20 < 3 AND intDiv(number, 20) % 4 = 0, concat('visitor:v', toString(intDiv(number, 20))), concat('lead:L', toString(intDiv(number, 20)))) AS owner,
           toDateTime64('2026-01-01 00:00:00', 3, 'UTC') + toIntervalSecond((cityHash64(number) % (180 * 86400))) AS occurred_at,
           'Page Viewed' AS name, 'track' AS call,
           arrayElement(${sqlArray(CHANNELS)}, 1 + cityHash64(number, 1) % ${CHANNELS.length}) AS channel, 'bench' AS channel_rule,
           concat('source-', toString(cityHash64(number, 2) % 20)) AS source, if(number % 2 = 0, 'cpc', 'email') AS medium,
           concat('campaign-', toString(cityHash64(number, 3) % 50)) AS campaign, '' AS content, '' AS term, '' AS url, '' AS referrer, '' AS message_id
    FROM numbers(${touches})`);
  await analytics.command(`
    INSERT INTO lead_aliases
    SELECT concat('visitor:v', toString(number * 4)) AS key, concat('L', toString(number * 4)) AS lead_id, 1 AS version, '' AS event_id
    FROM numbers(${Math.ceil(leads / 4)})`);
  // Stage changes: every lead becomes a lead; later stages for fewer, with amounts from opportunity on.
  await analytics.command(`
    INSERT INTO stage_changes
    SELECT toString(generateUUIDv4()), ${touches} + number * 6 + s.2 AS position, concat('lead:L', toString(number)) AS owner,
           toDateTime64('2026-01-01 00:00:00', 3, 'UTC') + toIntervalSecond((cityHash64(number) % (150 * 86400)) + s.2 * 5 * 86400) AS occurred_at,
           '' AS from_stage, s.1 AS to_stage, if(s.2 >= 4, toNullable(toFloat64(10000 + (number % 50) * 1000)), NULL) AS amount, 'USD' AS currency
    FROM numbers(${leads})
    ARRAY JOIN arrayFilter(x -> x.2 <= 1 + (cityHash64(number, 9) % 10 = 0 ? 4 : cityHash64(number, 8) % 3), [('lead', 1), ('mql', 2), ('sql', 3), ('opportunity', 4), ('customer', 5)]) AS s`);
  await analytics.command(`
    INSERT INTO lead_facts
    SELECT toString(generateUUIDv4()), number, concat('lead:L', toString(number)),
           toDateTime64('2026-01-01 00:00:00', 3, 'UTC') + toIntervalSecond(cityHash64(number) % (150 * 86400)), 'identity', 'email', concat('l', toString(number), '@example.com')
    FROM numbers(${leads})`);
}

function sqlArray(values: readonly string[]): string {
  return `[${values.map((value) => `'${value}'`).join(', ')}]`;
}

async function timed<T>(work: () => Promise<T>, runs: number): Promise<{ seconds: number; result: T }> {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = await work();
    times.push((performance.now() - started) / 1_000);
  }
  return { seconds: median(times), result: result! };
}

async function benchAttribution(analytics: Analytics, touches: number): Promise<{ touches: number; baselineSeconds: number; models: { model: string; seconds: number; conversions: number }[] }> {
  progress(`attribution: generating ${fmt(touches)} touches`);
  await fillTouches(analytics, touches);
  const runs = touches >= 10_000_000 ? 3 : 5;
  progress(`attribution at ${fmt(touches)}: baseline GROUP BY channel`);
  const baseline = await timed(() => analytics.query('SELECT channel, count() AS n FROM touches GROUP BY channel'), runs);
  const query = { conversion: 'opportunity', from: '2026-01-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z', by: 'channel' as const, lookbackDays: 90, halfLifeDays: 7 };
  const models: { model: string; seconds: number; conversions: number }[] = [];
  for (const model of attributionModels) {
    progress(`attribution at ${fmt(touches)}: ${model}`);
    const { seconds, result } = await timed(() => attribute(analytics, { ...query, model }, { stages: STAGES }), runs);
    models.push({ model, seconds, conversions: result.totals.conversions });
  }
  progressDone();
  return { touches, baselineSeconds: baseline.seconds, models };
}

// ---------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'nudge-bench-analytics-'));
const analytics = await openClickHouseAnalytics({ engine: 'embedded', path: join(dir, 'clickhouse'), database: 'bench' });
try {
  await migrateAnalytics(analytics);
  const started = performance.now();
  const projector = await benchProjector(dir, analytics);
  const attribution = [];
  for (const touches of touchScales) attribution.push(await benchAttribution(analytics, touches));

  console.log(`Nudge analytics benchmark${flags.quick ? ' (--quick)' : ''} — ${analytics.description}`);
  console.log('\nProjector (SQLite event store → ClickHouse tables)');
  console.log(
    table(
      ['run', 'events', 'events/s', 'vs read-only'],
      [
        ['read the store only (baseline)', fmt(projector.events), fmt(projector.readPerSecond), '1.00×'],
        ['project into ClickHouse', fmt(projector.events), fmt(projector.projectPerSecond), `${(projector.projectPerSecond / projector.readPerSecond).toFixed(2)}×`],
      ],
    ),
  );
  for (const run of attribution) {
    console.log(`\nAttribution by channel, conversion = opportunity, over ${fmt(run.touches)} touches (median of ${run.touches >= 10_000_000 ? 3 : 5})`);
    console.log(
      table(
        ['query', 'seconds', 'vs GROUP BY', 'conversions'],
        [
          ['SELECT channel, count() GROUP BY channel (baseline)', run.baselineSeconds.toFixed(3), '1.0×', ''],
          ...run.models.map((model) => [model.model, model.seconds.toFixed(3), `${(model.seconds / run.baselineSeconds).toFixed(1)}×`, fmt(model.conversions, 1)]),
        ],
      ),
    );
  }
  const largest = attribution[attribution.length - 1]!;
  const slowest = Math.max(...largest.models.map((model) => model.seconds));
  console.log('\nTargets (issue #6)');
  console.log(
    table(
      ['target', 'wanted', 'measured', 'result'],
      [
        ['projector events/s', `≥ ${fmt(TARGETS.projectorEventsPerSecond)}`, fmt(projector.projectPerSecond), projector.projectPerSecond >= TARGETS.projectorEventsPerSecond ? 'PASS' : 'MISS'],
        [
          `slowest attribution model at ${fmt(largest.touches)} touches`,
          `≤ ${TARGETS.attributionSecondsAt10M} s${largest.touches < 10_000_000 ? ' (at 10M)' : ''}`,
          `${slowest.toFixed(2)} s`,
          largest.touches < 10_000_000 ? 'n/a (--quick)' : slowest <= TARGETS.attributionSecondsAt10M ? 'PASS' : 'MISS',
        ],
      ],
    ),
  );
  console.log(`\n  run took ${((performance.now() - started) / 1_000).toFixed(0)} s`);
  if (flags.json) console.log(JSON.stringify({ quick: flags.quick, projector, attribution }));
} finally {
  await analytics.close();
  rmSync(dir, { recursive: true, force: true });
}

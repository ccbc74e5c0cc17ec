/**
 * The demo load behind `npm start`: given an empty Nudge, when the demo company is loaded (or a
 * load is interrupted and started again), then every rep and every message is in exactly once,
 * in the history's order, with progress reported as it goes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.ts';
import { ConfigError } from '../../services/core/index.ts';
import type { DemoLoadProgress } from '../../services/demo/index.ts';
import { buildDemoWorld, demoMessages, demoTeam, loadDemo } from '../../services/demo/index.ts';
import { demoToLoad } from '../../services/demoStartup.ts';
import { AdCostService } from '../../services/ingest/index.ts';
import { RepService } from '../../services/leads/index.ts';
import type { IngestHarness } from '../ingest/ingestHarness.ts';
import { createIngestHarness } from '../ingest/ingestHarness.ts';

const options = { leads: 40, days: 30, seed: 5, start: new Date('2026-03-01T00:00:00Z') };
const harnesses: IngestHarness[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function nudge(): Promise<{ harness: IngestHarness; parts: Parameters<typeof loadDemo>[1] }> {
  const harness = await createIngestHarness();
  harnesses.push(harness);
  return { harness, parts: { reps: new RepService({ store: harness.store }), ingest: harness.service, costs: new AdCostService({ store: harness.store }) } };
}

async function storedMessageIds(harness: IngestHarness): Promise<string[]> {
  const events = await harness.store.readAll({ limit: 1_000_000 });
  // An ingested event's causation is the Segment message it came from.
  return events.map((event) => String((event.metadata as { causationId?: string | null }).causationId)).filter((id) => id.startsWith('demo-'));
}

describe('loadDemo', () => {
  it('adds the team, then ingests every message of the history in order, then the ad spend; progress climbs to the last day', async () => {
    const { harness, parts } = await nudge();
    const progress: DemoLoadProgress[] = [];

    const report = await loadDemo(options, parts, (p) => progress.push(p));

    const world = buildDemoWorld(options);
    const messages = [...demoMessages(world)];
    expect(report).toMatchObject({ repsAdded: demoTeam.length, leads: 40, messages: messages.length, duplicate: 0, quarantined: 0 });
    expect(report.stored + report.unchanged).toBe(messages.length);
    expect((await parts.reps.find('rep-ana')) !== null).toBe(true);
    // Reps come first, so routing sees them before the first lead.
    const [first] = await harness.store.readAll({ limit: 1 });
    expect(first?.type).toBe('RepAdded');
    expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ fraction: 1, day: 30, days: 30, messages: messages.length });
    expect(report.costRows).toBeGreaterThan(0);
    const costs = await harness.store.readStream('ad-costs');
    expect(costs).toHaveLength(report.costRows);
    expect(report.exampleUserId).toMatch(/^usr_/);
  });

  it('started again after an interruption, stores the rest once: nothing twice, nothing missing', async () => {
    const { harness, parts } = await nudge();
    let chunks = 0;
    await expect(
      loadDemo(options, parts, () => {
        if (++chunks === 2) throw new Error('interrupted');
      }),
    ).rejects.toThrow('interrupted');
    const before = new Set(await storedMessageIds(harness));
    expect(before.size).toBeGreaterThan(0);

    const report = await loadDemo(options, parts);

    expect(report.repsAdded).toBe(0);
    expect(report.duplicate).toBeGreaterThanOrEqual(before.size);
    const ids = await storedMessageIds(harness);
    const unique = new Set(ids);
    const expected = new Set([...demoMessages(buildDemoWorld(options))].map((message) => message.messageId));
    // Every message is stored (a message may make several events, all with its id).
    expect([...expected].filter((id) => !unique.has(id))).toHaveLength(report.unchanged);
    const events = await harness.store.readAll({ limit: 1_000_000 });
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  });
});

describe('demoToLoad (which demo, if any, this start loads)', () => {
  const logger = pino({ level: 'silent' });
  const now = new Date('2026-11-23T15:00:00Z');

  function config(): ReturnType<typeof loadConfig> {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-demo-marker-'));
    dirs.push(dir);
    return loadConfig({ NUDGE_DATA_DIR: dir, NUDGE_DEMO_LEADS: '120' });
  }

  it('not asked for: none', () => {
    expect(demoToLoad(config(), false, true, logger, now)).toBeNull();
  });

  it('asked for on an empty store: the configured company over the 180 days to today, recorded as loading', () => {
    const c = config();
    const demo = demoToLoad(c, true, true, logger, now);
    expect(demo).toEqual({ leads: 120, days: 180, seed: 1, start: new Date('2026-05-27T00:00:00Z') });
    expect(JSON.parse(readFileSync(c.demo.markerPath, 'utf8'))).toMatchObject({ state: 'loading', start: '2026-05-27', leads: 120 });
  });

  it('a load left half way is resumed with its own options, even on a later day and with other settings', () => {
    const c = config();
    demoToLoad(c, true, true, logger, now);
    const later = loadConfig({ NUDGE_DATA_DIR: c.dataDir, NUDGE_DEMO_LEADS: '999' });
    expect(demoToLoad(later, true, false, logger, new Date('2026-12-01T00:00:00Z'))).toEqual({ leads: 120, days: 180, seed: 1, start: new Date('2026-05-27T00:00:00Z') });
  });

  it('a loaded demo is not loaded again', () => {
    const c = config();
    demoToLoad(c, true, true, logger, now);
    const marker = JSON.parse(readFileSync(c.demo.markerPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(c.demo.markerPath, JSON.stringify({ ...marker, state: 'loaded', loadedAt: now.toISOString() }));
    expect(demoToLoad(c, true, false, logger, now)).toBeNull();
  });

  it('a store holding other events never gets the demo mixed in', () => {
    const c = config();
    expect(demoToLoad(c, true, false, logger, now)).toBeNull();
  });

  it('a record it did not write stops the start with the file named', () => {
    const c = config();
    writeFileSync(c.demo.markerPath, '{"state": "whatever"}');
    expect(() => demoToLoad(c, true, false, logger, now)).toThrow(ConfigError);
    expect(() => demoToLoad(c, true, false, logger, now)).toThrow(c.demo.markerPath);
  });
});

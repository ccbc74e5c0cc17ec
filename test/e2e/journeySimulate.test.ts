/**
 * Back-testing as a user runs it: generate demo data, ingest it, then `nudge journeys simulate`
 * the shipped webinar journey file over the generated days. The demo has webinar attendees, so
 * the journey enters leads and suggests; the same command gives the same report; an invalid file
 * is refused with its problems, by line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulationReport } from '../../journeys/simulation/index.ts';
import { repoRoot, runNudge } from './nudgeProcess.ts';

const JOURNEY = 'journeys/library/webinar-follow-up.yaml';
// The demo's days, from --start: 2026-01-05 and 59 days after (--to is not included).
const WINDOW = ['--from', '2026-01-05', '--to', '2026-03-06'];

let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-simulate-e2e-'));
  env = { NUDGE_DATA_DIR: join(dir, 'data') };
  const events = join(dir, 'demo.jsonl');
  const generated = runNudge(['demo', 'generate', '--leads', '300', '--days', '60', '--seed', '7', '--start', '2026-01-05', '--out', events, '--costs-out', join(dir, 'costs.csv')], env);
  expect(generated.status, generated.stderr).toBe(0);
  const ingested = runNudge(['ingest', events, '--quiet'], env);
  expect(ingested.status, ingested.stderr).toBe(0);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const withoutTimings = ({ timings: _timings, ...report }: SimulationReport) => report;

describe('nudge journeys simulate on ingested demo data', () => {
  it('reports entries and suggestions for the webinar journey file, the same on a second run', () => {
    const first = runNudge(['journeys', 'simulate', JOURNEY, ...WINDOW, '--json'], env);
    expect(first.status, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as SimulationReport;
    expect(report).toMatchObject({ journeyId: 'webinar-follow-up', version: null, from: '2026-01-05T00:00:00.000Z', to: '2026-03-06T00:00:00.000Z' });
    expect(report.leadsConsidered).toBe(300);
    expect(report.entries).toBeGreaterThan(0);
    expect(report.suggestions.total).toBeGreaterThan(0);
    expect(report.nodes['check-fit']!.visits).toBe(report.entries);
    expect(report.suggestions.byRepPerDay.reduce((sum, row) => sum + row.count, 0)).toBe(report.suggestions.total);

    const second = runNudge(['journeys', 'simulate', JOURNEY, ...WINDOW, '--json'], env);
    expect(withoutTimings(JSON.parse(second.stdout) as SimulationReport)).toEqual(withoutTimings(report));
  });

  it('simulates a stored journey by id: its published version, deciding as the file did', () => {
    const pushed = runNudge(['journeys', 'push', JOURNEY, '--publish'], env);
    expect(pushed.status, pushed.stderr).toBe(0);
    const fromFile = JSON.parse(runNudge(['journeys', 'simulate', JOURNEY, ...WINDOW, '--json'], env).stdout) as SimulationReport;

    const stored = runNudge(['journeys', 'simulate', 'webinar-follow-up', ...WINDOW, '--json'], env);
    expect(stored.status, stored.stderr).toBe(0);
    const report = JSON.parse(stored.stdout) as SimulationReport;
    expect(report.version).toBe(1);
    // The published definition is not a lead's event: the store grew by it, the decisions did not change.
    expect({ ...withoutTimings(report), version: null, eventsRead: 0 }).toEqual({ ...withoutTimings(fromFile), eventsRead: 0 });
  });

  it('prints a readable report with the tables', () => {
    const printed = runNudge(['journeys', 'simulate', JOURNEY, ...WINDOW], env);
    expect(printed.status, printed.stderr).toBe(0);
    for (const heading of ['Back-test of webinar-follow-up (draft)', 'node', 'Suggestions:', 'Busiest rep-days', 'Exits:', 'Later stages']) {
      expect(printed.stdout).toContain(heading);
    }
  });

  it('refuses an invalid file with its problems by line, and an unknown journey', () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, readFileSync(join(repoRoot, JOURNEY), 'utf8').replace('next: wait-outcome', 'next: wait-outcom'));
    const invalid = runNudge(['journeys', 'simulate', broken, ...WINDOW], env);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toMatch(new RegExp(`${broken}:\\d+:\\d+  nodes\\.call-now\\.next  `));

    const unknown = runNudge(['journeys', 'simulate', 'no-such-journey', ...WINDOW], env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no journey no-such-journey');
  });
});

/**
 * Analytics from the command line, as a user runs it: `nudge costs import`, `nudge sql`,
 * `nudge projections status|rebuild` and `nudge scoring validate`, first with no server (the
 * commands open the embedded engine themselves), then while `nudge serve` holds it (they go
 * through its API).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, runNudge, startNudge } from './nudgeProcess.ts';

let dataDir: string;
let env: Record<string, string>;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nudge-analytics-cli-'));
  env = { NUDGE_DATA_DIR: dataDir, NUDGE_API_TOKENS: 'cli-analytics-token-0123456789', PORT: String(await freePort()), NUDGE_JOURNEY_LIBRARY: 'skip', NUDGE_SCORER: 'off' };
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('analytics commands', () => {
  // The server's projector runs on a thread of its own by default; NUDGE_PROJECTOR_THREAD=off keeps it on the event loop.
  it.each(['on', 'off'])('import costs, project, query and rebuild, with and without a running server (NUDGE_PROJECTOR_THREAD=%s)', async (projectorThread) => {
    const csv = join(dataDir, 'costs.csv');
    writeFileSync(csv, 'date,source,medium,campaign,cost\n2026-03-01,google,cpc,brand,120.50\n2026-03-02,linkedin,paid-social,abm,80\n');
    const imported = runNudge(['costs', 'import', csv], env);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/2 rows stored, 0 already there/);

    // No server: the commands open the engine; nothing is projected until someone projects.
    const before = JSON.parse(runNudge(['projections', 'status', '--json'], env).stdout) as { position: number; head: number; running: boolean };
    expect(before).toMatchObject({ position: 0, running: false });
    expect(before.head).toBeGreaterThan(0);
    const rebuilt = runNudge(['projections', 'rebuild'], env);
    expect(rebuilt.stdout).toMatch(/Rebuilt analytics \(generation 2\) from \d+ events/);
    const spend = runNudge(['sql', 'SELECT source, sum(cost) AS spend FROM ad_costs FINAL GROUP BY source ORDER BY source'], env);
    expect(spend.stdout).toBe('source    spend\n--------  -----\ngoogle    120.5\nlinkedin     80\n(2 rows)\n');
    const csvOut = runNudge(['sql', 'SELECT count() AS n FROM ad_costs', '--format', 'csv'], env);
    expect(csvOut.stdout).toBe('n\r\n2\r\n');

    // With the server holding the engine: the same commands go through its API.
    const nudge = await startNudge({ ...env, PORT: env.PORT!, NUDGE_PROJECTOR_THREAD: projectorThread });
    try {
      const status = runNudge(['projections', 'status'], env);
      expect(status.stdout).toMatch(/asked through the server at http:\/\/127\.0\.0\.1:\d+/);
      // The server's projector is this process's, wherever it runs, and catches up with the store.
      const deadline = Date.now() + 20_000;
      let live = JSON.parse(runNudge(['projections', 'status', '--json'], env).stdout) as { position: number; head: number; running: boolean };
      while (live.position < live.head && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        live = JSON.parse(runNudge(['projections', 'status', '--json'], env).stdout) as typeof live;
      }
      expect(live).toMatchObject({ running: true, position: live.head });
      const viaServer = runNudge(['sql', 'SELECT count() AS n FROM ad_costs FINAL', '--format', 'json'], env);
      expect(JSON.parse(viaServer.stdout)).toMatchObject({ rows: [[2]], truncated: false });
      const refused = runNudge(['sql', 'DROP TABLE touches'], env);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/must be a SELECT query \(this is DROP\)/);
      const again = runNudge(['projections', 'rebuild'], env);
      expect(again.stdout).toMatch(/Rebuilt analytics \(generation 3\) .* through the server/);
    } finally {
      expect(await nudge.stop()).toBe(0);
    }
  });

  it('validates a scoring model file, naming each problem', () => {
    const good = runNudge(['scoring', 'validate', join(repoRoot, 'projections', 'scoring', 'defaultScoringModel.yaml')], env);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/default B2B model: \d+ fit/);
    const file = join(dataDir, 'bad.yaml');
    writeFileSync(file, 'name: x\nmqlThreshold: 5\nbands:\n  - { name: A, min: 3 }\n');
    const bad = runNudge(['scoring', 'validate', file], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/bands\[0\]\.min \(line 4\): the last band takes every total below the others/);
  });
});

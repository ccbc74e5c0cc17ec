import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDemoWorld, demoTeam } from '../../services/demo/index.ts';
import { repoRoot, startNudge, type RunningNudge } from './nudgeProcess.ts';

/**
 * The main job as a newcomer runs it: the README's `npm start` (its exact arguments, read from
 * package.json) on an empty data folder, with a smaller demo company so the test stays quick.
 * Everything is checked through the HTTP API, against figures computed from the demo world itself.
 */
const LEADS = 250;
const running: RunningNudge[] = [];
const root = mkdtempSync(join(tmpdir(), 'nudge-main-job-'));
const dataDir = join(root, 'data');

afterAll(async () => {
  await Promise.all(running.map((nudge) => nudge.stop()));
  rmSync(root, { recursive: true, force: true });
});

/** `npm start`'s arguments after `node bin/nudge.js`. */
function startScriptArgs(): string[] {
  const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const match = /^node bin\/nudge\.js (.+)$/.exec(scripts.start ?? '');
  if (!match) throw new Error(`npm start is not "node bin/nudge.js …": ${scripts.start}`);
  return match[1]!.split(/\s+/);
}

interface Api {
  get<T>(path: string): Promise<T>;
  sql<T extends unknown[]>(sql: string): Promise<T[]>;
}

function api(url: string): Api {
  const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
    const body = (await response.json()) as T;
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
    return body;
  };
  return {
    get: (path) => call(path),
    sql: async <T extends unknown[]>(sql: string) => (await call<{ rows: T[] }>('/v1/analytics/sql', { method: 'POST', body: JSON.stringify({ sql }) })).rows,
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await delay(250);
  }
}

interface Marker {
  readonly state: string;
  readonly start: string;
  readonly leads: number;
  readonly days: number;
  readonly seed: number;
}

describe('the main job (npm start on an empty data folder)', () => {
  let nudge: RunningNudge;
  let client: Api;
  let exampleUserId: string;

  it('loads the demo company after it starts listening, and is ready only once journeys, projections and the scorer have taken it in', async () => {
    expect(startScriptArgs()).toEqual(['serve', '--demo']);
    nudge = await startNudge({ NUDGE_DATA_DIR: dataDir, NUDGE_DEMO_LEADS: String(LEADS) }, 60_000, startScriptArgs());
    running.push(nudge);

    const loading = await fetch(`${nudge.url}/health/ready`);
    const loadingBody = (await loading.json()) as { checks: { startup?: { status: string; detail: string } } };
    expect(loading.status).toBe(503);
    expect(loadingBody.checks.startup?.status).toBe('unavailable');

    await until('readiness', async () => ((await fetch(`${nudge.url}/health/ready`)).status === 200 ? true : undefined), 240_000);

    // The log reaches this process through a pipe, apart from the HTTP answer that said ready.
    await until('the where-to-look message in the log', async () => (nudge.logs.some((line) => String(line.msg).startsWith('The demo company is in')) ? true : undefined), 10_000);
    const messages = nudge.logs.map((line) => String(line.msg));
    // Without a terminal the progress goes to the log, in steps up to 100 %.
    expect(messages.filter((msg) => /^demo: \d+% \(loading the demo company: day \d+ of 180/.test(msg)).length).toBeGreaterThanOrEqual(5);
    expect(messages.some((msg) => msg.startsWith('demo: 100%'))).toBe(true);
    const whereToLook = messages.find((msg) => msg.startsWith('The demo company is in'));
    expect(whereToLook).toContain(`${nudge.url}/docs`);
    expect(whereToLook).toContain('npm run nudge -- demo tour');
    expect(whereToLook).toContain('/v1/analytics/attribution/compare');
    expect(whereToLook).toContain('/v1/reps/rep-ana/queue');
    const report = nudge.logs.find((line) => line.demo !== undefined)?.demo as { exampleUserId: string; quarantined: number; leads: number; stored: number; messages: number };
    expect(report).toMatchObject({ leads: LEADS, quarantined: 0 });
    expect(report.stored).toBe(report.messages - (report as unknown as { unchanged: number }).unchanged);
    exampleUserId = report.exampleUserId;

    const marker = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as Marker;
    expect(marker).toMatchObject({ state: 'loaded', leads: LEADS, days: 180, seed: 1 });
    client = api(nudge.url);
  }, 300_000);

  it('has the demo team, every lead scored, and scores that add up rule by rule', async () => {
    const { reps } = await client.get<{ reps: { id: string; team: string; active: boolean }[] }>('/v1/reps');
    expect(reps.map((rep) => rep.id).sort()).toEqual(demoTeam.map((rep) => rep.id).sort());

    const [[leads, scored, withOwner]] = await client.sql<[string, string, string]>(
      `SELECT (SELECT count() FROM leads_current), (SELECT uniqExact(lead_id) FROM lead_facts_resolved WHERE kind = 'score'), (SELECT countIf(owner_id != '') FROM leads_current)`,
    ) as [[string, string, string]];
    expect(Number(leads)).toBe(LEADS);
    expect(Number(scored)).toBe(LEADS);
    expect(Number(withOwner)).toBeGreaterThan(LEADS / 2);

    const { leads: page } = await client.get<{ leads: { id: string }[] }>('/v1/leads?limit=5');
    for (const { id } of page) {
      const score = await client.get<{ fit: number; engagement: number; negative: number; total: number; rules: { section: string; points: number; applies: boolean }[] }>(`/v1/leads/${id}/score`);
      const fit = score.rules.filter((rule) => rule.section === 'fit' && rule.applies).reduce((sum, rule) => sum + rule.points, 0);
      expect(score.fit).toBeCloseTo(fit, 6);
      expect(score.total).toBeCloseTo(score.fit + score.engagement + score.negative, 1);
    }
  });

  it("puts suggestions in the owners' queues, with reasons", async () => {
    const [[suggestions]] = (await client.sql<[string]>('SELECT count() FROM suggestions')) as [[string]];
    expect(Number(suggestions)).toBeGreaterThan(0);
    const queues = await Promise.all(
      demoTeam.map(async (rep) => ({ rep: rep.id, queue: await client.get<{ counts: { proposed: number; expired: number; open: number }; today: { leadId: string; reason: string }[] }>(`/v1/reps/${rep.id}/queue`) })),
    );
    const busiest = [...queues].sort((a, b) => b.queue.counts.proposed + b.queue.counts.expired - (a.queue.counts.proposed + a.queue.counts.expired))[0]!;
    expect(busiest.queue.counts.proposed + busiest.queue.counts.expired).toBeGreaterThan(0);
    for (const item of busiest.queue.today.slice(0, 5)) {
      expect(item.reason.length).toBeGreaterThan(10);
      const lead = await client.get<{ ownerId: string | null }>(`/v1/leads/${item.leadId}`);
      expect(lead.ownerId).toBe(busiest.rep);
    }
  });

  it('attributes exactly the conversions the demo history holds, under every model', async () => {
    const marker = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as Marker;
    const world = buildDemoWorld({ leads: marker.leads, days: marker.days, seed: marker.seed, start: new Date(`${marker.start}T00:00:00Z`) });
    const from = `${marker.start}T00:00:00.000Z`;
    const to = new Date().toISOString();
    const opportunities = world.contacts.flatMap((contact) => contact.funnel.steps.filter((step) => step.stage === 'opportunity'));
    const revenue = opportunities.reduce((sum, step) => sum + (step.amount ?? 0), 0);
    expect(opportunities.length).toBeGreaterThan(0);

    const compare = await client.get<{ rows: { key: string; models: Record<string, { conversions: number; revenue: number }> }[]; totals: { conversions: number; revenue: number; models: Record<string, { conversions: number; revenue: number }> } }>(
      `/v1/analytics/attribution/compare?conversion=opportunity&by=channel&from=${from}&to=${to}&lookbackDays=180`,
    );
    expect(compare.totals.conversions).toBe(opportunities.length);
    expect(compare.totals.revenue).toBeCloseTo(revenue, 2);
    const models = Object.keys(compare.totals.models);
    expect(models).toHaveLength(10);
    for (const model of models) {
      const credited = compare.rows.reduce((sum, row) => sum + row.models[model]!.conversions, 0);
      const creditedRevenue = compare.rows.reduce((sum, row) => sum + row.models[model]!.revenue, 0);
      expect(credited, model).toBeCloseTo(opportunities.length, 6);
      expect(creditedRevenue, model).toBeCloseTo(revenue, 2);
    }
  });

  it('takes a live event: it shows in the timeline, triggers a journey whose suggestion lands in the queue, and reaches analytics, within seconds', async () => {
    const { id: leadId } = await client.get<{ id: string }>(`/v1/leads/lookup?userId=${exampleUserId}`);
    const [[touchesBefore]] = (await client.sql<[string]>(`SELECT count() FROM touches_resolved WHERE lead_id = '${leadId}'`)) as [[string]];
    const writeKey = readFileSync(join(dataDir, 'write-key'), 'utf8').trim();
    const sent = await fetch(`${nudge.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: exampleUserId, event: 'Demo Requested', messageId: 'main-job-live-1', properties: { form_id: 'demo-request' } }),
    });
    expect(sent.status).toBe(200);

    const timeline = await client.get<{ events: { type: string; data: { event?: string; name?: string } }[] }>(`/v1/leads/${leadId}/timeline?limit=20`);
    expect(timeline.events.some((event) => event.type === 'TouchRecorded')).toBe(true);

    const suggestion = await until(
      'a suggestion for the live demo request',
      async () => {
        const { events } = await client.get<{ events: { type: string; data: Record<string, unknown> }[] }>(`/v1/streams/lead-${leadId}?direction=backwards&limit=20`);
        return events.find((event) => event.type === 'SuggestionProposed' && event.data.journeyId === 'new-inbound-lead');
      },
      10_000,
    );
    const lead = await client.get<{ ownerId: string | null }>(`/v1/leads/${leadId}`);
    const queuePath = lead.ownerId === null ? '/v1/reps/unassigned/queue' : `/v1/reps/${lead.ownerId}/queue`;
    const queue = await until(
      "the suggestion in the owner's queue",
      async () => {
        const view = await client.get<{ today: { suggestionId: string }[]; later: { suggestionId: string }[] }>(queuePath);
        return [...view.today, ...view.later].find((item) => item.suggestionId === suggestion.data.suggestionId) ? view : undefined;
      },
      10_000,
    );
    expect(queue).toBeDefined();

    await until(
      'the touch in ClickHouse',
      async () => {
        const [[after]] = (await client.sql<[string]>(`SELECT count() FROM touches_resolved WHERE lead_id = '${leadId}'`)) as [[string]];
        return Number(after) === Number(touchesBefore) + 1 ? true : undefined;
      },
      15_000,
    );
  }, 60_000);

  it('on the next start serves the loaded demo without loading it again', async () => {
    expect(await nudge.stop()).toBe(0);
    const again = await startNudge({ NUDGE_DATA_DIR: dataDir, NUDGE_DEMO_LEADS: String(LEADS) }, 60_000, startScriptArgs());
    running.push(again);
    const ready = await fetch(`${again.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(again.logs.some((line) => String(line.msg).startsWith('the demo company was loaded on'))).toBe(true);
    expect(again.logs.some((line) => String(line.msg).startsWith('loading the demo company'))).toBe(false);
    const [[leads]] = (await api(again.url).sql<[string]>('SELECT count() FROM leads_current')) as [[string]];
    expect(Number(leads)).toBe(LEADS);
  }, 60_000);
});

/**
 * `nudge demo tour`: given a server's answers (trimmed from a live `nudge serve` loaded with the
 * demo company and seven reps), when the tour runs, then each section's table carries the right
 * figure in the right row and column; and when the server is down or one request fails, then the
 * tour says so, shows what it could, and exits 1.
 */
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerDemoCommand } from '../../services/cli/demoCommand.ts';
import type { DemoTourOptions, DemoTourRuntime } from '../../services/cli/demoTourCommand.ts';
import { registerDemoTourCommand, runDemoTour } from '../../services/cli/demoTourCommand.ts';

const BASE = 'http://127.0.0.1:8392';
const TOKEN = 'ndg_test-token-0123456789';

// ─── Fixtures: real answers of GET /v1/… on the demo data, trimmed ─────────────────────────────

const reps = {
  reps: [
    { id: 'rep-ana', name: 'Ana', email: 'rep-ana@orbitly.example', team: 'americas', dailyCapacity: 40, timeZone: 'America/New_York', active: true },
    { id: 'rep-ben', name: 'Ben', email: 'rep-ben@orbitly.example', team: 'americas', dailyCapacity: 40, timeZone: 'America/Chicago', active: true },
    { id: 'rep-dieter', name: 'Dieter', email: 'rep-dieter@orbitly.example', team: 'emea', dailyCapacity: 40, timeZone: 'Europe/Berlin', active: true },
  ],
};

const realItems = [
  {
    suggestionId: 'f9c16502-6b62-5698-9328-000000000006',
    action: 'email',
    priority: 'high',
    title: 'Email Samuel to book the demo',
    status: 'proposed',
    dueAt: '2026-11-22T18:58:22.593Z',
    reason: 'Demo Requested on 20 Nov 2026 · Does the company fit?: A company of 200 people or more; account employees 711 ≥ 200',
    alsoBecause: [],
    lead: { name: 'Samuel Davis', company: 'Sterlingbay Software', score: 127.9 },
  },
  {
    suggestionId: '39b57f2a-66e7-5c4c-b9f5-000000000006',
    action: 'call',
    priority: 'high',
    title: 'Call Charlotte: still reading after your LinkedIn note',
    status: 'proposed',
    dueAt: '2026-11-22T22:04:30.990Z',
    reason: 'Content Viewed on 18 Nov 2026 · Still engaged?: Another touch since; touches in 3 days 8 ≥ 1',
    alsoBecause: [],
    lead: { name: 'Charlotte Williams', company: 'Deltaforge Components', score: 91.9 },
  },
  {
    suggestionId: '89cc838b-5301-58e4-84ea-000000000004',
    action: 'email',
    priority: 'normal',
    title: "Email Chloe after yesterday's chat",
    status: 'proposed',
    dueAt: '2026-11-22T04:12:48.495Z',
    reason: 'Live Chat Conversation Ended on 21 Nov 2026 · Did they chat again?: days since Live Chat Message Sent 1.0 ≥ 1; phone null = null',
    alsoBecause: [
      { journeyId: 'new-inbound-lead', reason: 'Demo Requested on 20 Nov 2026 · Does the company fit?: A company of 200 people or more; account employees 290 ≥ 200' },
    ],
    lead: { name: 'Chloe Moore', company: 'Summitworks Insurance', score: 127.27 },
  },
];

/** The real items first, then low-priority tasks to fill a queue past what the tour shows. */
function items(n: number) {
  return Array.from({ length: n }, (_, i) =>
    i < realItems.length ? realItems[i]! : { ...realItems[2]!, suggestionId: `filler-${i}`, priority: 'low', action: 'task', title: `Task ${i + 1}`, alsoBecause: [], lead: { ...realItems[2]!.lead, score: null } },
  );
}

function queue(repId: string, options: { today: number; later: number; overdue: number }) {
  const all = items(options.today + options.later);
  const open = options.today + options.later;
  return {
    repId,
    capacity: options.today,
    today: all.slice(0, options.today),
    later: all.slice(options.today),
    counts: { proposed: open, accepted: 0, snoozed: 0, completed: 0, dismissed: 0, expired: 178, open, dueToday: open, overdue: options.overdue },
  };
}

const queues: Record<string, ReturnType<typeof queue>> = {
  'rep-ana': queue('rep-ana', { today: 7, later: 0, overdue: 7 }),
  'rep-ben': queue('rep-ben', { today: 12, later: 7, overdue: 16 }),
  'rep-dieter': queue('rep-dieter', { today: 3, later: 0, overdue: 2 }),
};

const models = ['first_touch', 'last_touch', 'linear', 'time_decay', 'u_shaped', 'j_shaped', 'inverse_j', 'w_shaped', 'full_path', 'markov'];
const credits = (conversions: number[]) => Object.fromEntries(models.map((model, i) => [model, { conversions: conversions[i]!, revenue: conversions[i]! * 28_238, roi: null }]));
const attribution = {
  query: { conversion: 'opportunity', from: '2026-08-25T14:54:54.777Z', to: '2026-11-23T14:54:54.777Z', by: 'channel', lookbackDays: 90, halfLifeDays: 7, models },
  rows: [
    { key: 'paid_search', touches: 48, cost: 14392.3, models: credits([15, 0, 1.3219, 0.7196, 6.1907, 3.1907, 9.1907, 4.5985, 4.4819, 3.481]) },
    { key: 'direct', touches: 582, cost: null, models: credits([3, 0, 15.3939, 12.4642, 4.4529, 3.8529, 5.0529, 13.5588, 13.6242, 6.819]) },
    { key: 'sales', touches: 126, cost: null, models: credits([0, 42, 3.6683, 10.2479, 17.3242, 25.7242, 8.9242, 12.871, 12.5432, 7.015]) },
  ],
  totals: {
    conversions: 42,
    revenue: 1186000,
    touches: 1586,
    cost: 27258.750000000007,
    models: Object.fromEntries(models.map((model, i) => [model, { conversions: [42, 42, 41.99999999999996, 41.999999999999986][i] ?? 42.00000000000002, revenue: 1186000 }])),
  },
};

const stages = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'];
const ownerStages = (rates: [number, number, number, number, boolean][]) =>
  rates.map(([reached, rateToNext, teamRateToNext, difference, furthestBelowTeam], i) => ({ stage: stages[i]!, nextStage: stages[i + 1]!, reached, rateToNext, teamRateToNext, difference, furthestBelowTeam }));
const funnel = {
  stages,
  customerStage: 'customer',
  groupBy: 'owner',
  from: null,
  to: null,
  cohorts: ['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11'].map((cohort) => ({ cohort })),
  allCohorts: {
    cohort: 'all',
    team: {
      group: null,
      leads: 1000,
      stages: [
        ['subscriber', 1000, 0.664],
        ['lead', 664, 0.3253],
        ['mql', 216, 0.463],
        ['sql', 100, 0.67],
        ['opportunity', 67, 0.2687],
        ['customer', 18, null],
      ].map(([stage, reached, rateToNext]) => ({ stage, reached, rateToNext })),
    },
    owners: [
      {
        owner: 'rep-emma',
        leads: 176,
        stages: ownerStages([
          [176, 0.7045, 0.664, 0.0405, false],
          [124, 0.379, 0.3253, 0.0537, false],
          [47, 0.4894, 0.463, 0.0264, false],
          [23, 0.7391, 0.67, 0.0691, false],
          [17, 0.2353, 0.2687, -0.0334, true],
        ]),
        furthestBelowTeam: 'opportunity',
      },
      {
        owner: 'rep-dieter',
        leads: 162,
        stages: ownerStages([
          [162, 0.6914, 0.664, 0.0274, false],
          [112, 0.2679, 0.3253, -0.0574, false],
          [30, 0.5, 0.463, 0.037, false],
          [15, 0.4, 0.67, -0.27, true],
          [6, 0.6667, 0.2687, 0.398, false],
        ]),
        furthestBelowTeam: 'sql',
      },
    ],
  },
};

const forecastStage = (stage: string, openLeads: number, stageToCustomerRate: number, sampleSize: number, expectedCustomers: number, expectedRevenue: number) => ({
  stage,
  openLeads,
  stageToCustomerRate,
  sampleSize,
  sampleReachedCustomer: 18,
  smallSample: sampleSize < 20,
  averageDealAmount: 36113.33,
  expectedCustomers,
  expectedRevenue,
});
const forecast = {
  asOf: '2026-11-23T14:52:44.263Z',
  windowDays: 180,
  windowStart: '2026-05-27T14:52:44.263Z',
  customerStage: 'customer',
  minSampleSize: 20,
  groupBy: 'none',
  averageDealAmount: 36113.33,
  dealSampleSize: 15,
  smallDealSample: true,
  dealCurrencies: ['USD'],
  total: {
    owner: null,
    stages: [
      forecastStage('subscriber', 336, 0.0181, 997, 6.0662, 219070.65),
      forecastStage('lead', 448, 0.0271, 664, 12.1446, 438581.2),
      forecastStage('mql', 51, 0.0833, 216, 4.25, 153481.67),
      forecastStage('sql', 33, 0.18, 100, 5.94, 214513.2),
      // The demo's opportunity sample was 67 leads; cut to 12 here to show the small-sample flag.
      forecastStage('opportunity', 49, 0.2687, 12, 13.1642, 475402.39),
    ],
    totals: { openLeads: 917, expectedCustomers: 41.565, expectedRevenue: 1501049.11, stagesWithoutRate: [] },
  },
  owners: [],
  warnings: ['the average deal is taken over only 15 deals (fewer than 20); treat expected revenue as a rough guide'],
};

const calibration = {
  model: 'default B2B model',
  at: 'mql',
  later: ['sql', 'opportunity', 'customer'],
  from: null,
  to: null,
  leads: 216,
  deciles: [
    { decile: 1, leads: 22, minScore: 37.51, maxScore: 58.51, reached: { sql: 0.3182, opportunity: 0.2273, customer: 0.0909 } },
    { decile: 2, leads: 22, minScore: 58.61, maxScore: 65.85, reached: { sql: 0.4091, opportunity: 0.2727, customer: 0.0455 } },
    { decile: 10, leads: 21, minScore: 121.29, maxScore: 145.83, reached: { sql: 0.3333, opportunity: 0.2381, customer: 0.0476 } },
  ],
  overall: { sql: 0.463, opportunity: 0.3102, customer: 0.0833 },
};

// ─── A fake server and a terminal ───────────────────────────────────────────────────────────────

interface FakeServer {
  /** Paths asked, with their query strings. */
  readonly asked: string[];
  tokenAsked: boolean;
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const problem = (status: number, detail: string) => json({ type: 'urn:nudge:problem:x', title: 'x', status, code: 'x', detail, requestId: 'r-1' }, status);

function fakeServer(options: { down?: boolean; failing?: Record<string, Response> } = {}): { server: FakeServer; fetch: typeof fetch } {
  const server: FakeServer = { asked: [], tokenAsked: false };
  const answers: Record<string, unknown> = {
    '/v1/reps': reps,
    '/v1/analytics/attribution/compare': attribution,
    '/v1/analytics/funnel': funnel,
    '/v1/analytics/forecast': forecast,
    '/v1/analytics/scoring/calibration': calibration,
  };
  const fetchFn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (options.down) return Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:8392') }));
    if (url.pathname === '/health/live') return Promise.resolve(json({ status: 'ok' }));
    server.asked.push(`${url.pathname}${url.search}`);
    if (new Headers(init?.headers).get('authorization') !== `Bearer ${TOKEN}`) return Promise.resolve(problem(401, 'This endpoint needs an API token'));
    const failing = options.failing?.[url.pathname];
    if (failing) return Promise.resolve(failing);
    const rep = /^\/v1\/reps\/([^/]+)\/queue$/.exec(url.pathname)?.[1];
    if (rep !== undefined) return Promise.resolve(json(queues[rep] ?? { repId: rep, capacity: null, today: [], later: [], counts: { open: 0, dueToday: 0, overdue: 0 } }));
    return Promise.resolve(url.pathname in answers ? json(answers[url.pathname]) : problem(404, `no route ${url.pathname}`));
  };
  return { server, fetch: fetchFn };
}

async function tour(options: DemoTourOptions = {}, serverOptions: Parameters<typeof fakeServer>[0] = {}) {
  const { server, fetch } = fakeServer(serverOptions);
  const out = { stdout: '', stderr: '' };
  const runtime: DemoTourRuntime<{ port: number }> = {
    loadConfig: () => ({ port: 8392 }),
    apiBase: (config) => `http://127.0.0.1:${config.port}`,
    apiToken: () => {
      server.tokenAsked = true;
      return TOKEN;
    },
    fetch,
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
  };
  const code = await runDemoTour(runtime, options);
  return { ...out, code, server };
}

/** The text of one numbered section of the tour, heading included. */
function section(output: string, number: number): string {
  const start = output.indexOf(`\n${number}. `);
  const end = output.indexOf(`\n${number + 1}. `);
  expect(start, `section ${number}`).toBeGreaterThan(-1);
  return output.slice(start + 1, end === -1 ? undefined : end);
}

/**
 * One cell of a table, found by the row's first cell and the column's title; the dashes under the
 * titles give each column's span, so right-aligned and empty cells are read where they stand.
 */
function cell(text: string, row: string, column: string): string {
  const lines = text.split('\n');
  const head = lines.findIndex((line, i) => /^[- ]+$/.test(lines[i + 1] ?? '') && lines[i + 1]!.includes('-') && line.includes(column));
  expect(head, `a table with a column ${column}`).toBeGreaterThan(-1);
  const spans = [...lines[head + 1]!.matchAll(/-+/g)].map((match) => [match.index, match.index + match[0].length] as const);
  const read = (line: string, [from, to]: readonly [number, number]) => line.slice(from, to).trim();
  const columnIndex = spans.findIndex((span) => read(lines[head]!, span) === column);
  expect(columnIndex, `column ${column}`).toBeGreaterThan(-1);
  const line = lines.slice(head + 2).find((candidate) => read(candidate, spans[0]!) === row);
  expect(line, `row ${row} under ${column}`).toBeDefined();
  return read(line!, spans[columnIndex]!);
}

afterEach(() => {
  process.exitCode = undefined;
});

// ─── The sections ───────────────────────────────────────────────────────────────────────────────

describe('nudge demo tour: the queue', () => {
  it('shows the queue of the active rep with the most suggestions due today or overdue, ten items, and counts the rest', async () => {
    const { stdout, code, server } = await tour();
    const text = section(stdout, 1);

    expect(code).toBe(0);
    expect(server.asked).toEqual(expect.arrayContaining(['/v1/reps?active=true', '/v1/reps/rep-ana/queue?due=today', '/v1/reps/rep-ben/queue?due=today', '/v1/reps/rep-dieter/queue?due=today']));
    expect(text.split('\n')[0]).toBe('1. Today’s queue — Ben (rep-ben, americas): 19 open suggestions due today or overdue (16 overdue), the busiest of 3 active reps');
    expect(text).toContain('nudge queue --rep rep-ben · GET /v1/reps/rep-ben/queue');
    expect(cell(text, '1', 'priority')).toBe('high');
    expect(cell(text, '1', 'action')).toBe('email');
    expect(cell(text, '1', 'suggestion')).toBe('Email Samuel to book the demo');
    expect(cell(text, '1', 'score')).toBe('128');
    expect(cell(text, '1', 'due (UTC)')).toBe('2026-11-22 18:58');
    expect(cell(text, '4', 'score')).toBe('–');
    expect(cell(text, '10', 'suggestion')).toBe('Task 10');
    expect(text).not.toContain('Task 11');
    expect(text).toContain('… and 2 more for today, 7 more due but over the daily capacity of 12');
  });

  it('puts each reason under its row, and the other journeys’ reasons after it', async () => {
    const lines = section((await tour()).stdout, 1).split('\n');
    const row = lines.findIndex((line) => line.includes("Email Chloe after yesterday's chat"));
    expect(lines[row + 1]!.trim()).toBe(`why: ${realItems[2]!.reason}`);
    expect(lines[row + 2]!.trim()).toBe(`also (new-inbound-lead): ${realItems[2]!.alsoBecause[0]!.reason}`);
    expect(lines[row + 1]!.indexOf('why')).toBe(lines[row]!.indexOf('Email Chloe'));
  });

  it('shows the asked rep with --rep, without reading every queue', async () => {
    const { stdout, code, server } = await tour({ rep: 'rep-dieter' });
    expect(code).toBe(0);
    expect(server.asked.filter((path) => path.includes('/queue'))).toEqual(['/v1/reps/rep-dieter/queue?due=today']);
    expect(section(stdout, 1).split('\n')[0]).toBe('1. Today’s queue — Dieter (rep-dieter, emea): 3 open suggestions due today or overdue (2 overdue), as asked (--rep)');
    expect(stdout).not.toContain('… and');
  });

  it('refuses a --rep that is no rep, naming the reps, and goes on with the other sections', async () => {
    const { stdout, stderr, code } = await tour({ rep: 'rep-nobody' });
    expect(section(stdout, 1)).toContain('no rep rep-nobody: the reps are rep-ana, rep-ben, rep-dieter (or unassigned)');
    expect(section(stdout, 2)).toContain('paid_search');
    expect(code).toBe(1);
    expect(stderr).toContain('1 of 5 sections could not be read (queue)');
  });
});

describe('nudge demo tour: the analytics', () => {
  it('asks for every attribution model on opportunity by channel, and shows credited conversions per channel and model with totals', async () => {
    const { stdout, server } = await tour();
    const text = section(stdout, 2);
    const asked = new URL(server.asked.find((path) => path.startsWith('/v1/analytics/attribution/compare'))!, BASE).searchParams;
    expect(asked.get('models')!.split(',')).toEqual(models);
    expect(asked.get('conversion')).toBe('opportunity');
    expect(asked.get('by')).toBe('channel');

    expect(text.split('\n')[0]).toBe('2. Attribution by model — 42 opportunity conversions from 2026-08-25 to 2026-11-23, credited by channel (lookback 90 days)');
    expect(cell(text, 'paid_search', 'first_touch')).toBe('15.0');
    expect(cell(text, 'paid_search', 'last_touch')).toBe('0.0');
    expect(cell(text, 'direct', 'linear')).toBe('15.4');
    expect(cell(text, 'sales', 'last_touch')).toBe('42.0');
    expect(cell(text, 'sales', 'j_shaped')).toBe('25.7');
    expect(cell(text, 'sales', 'markov')).toBe('7.0');
    for (const model of models) expect(cell(text, 'total', model)).toBe('42.0');
    expect(text).toContain('Revenue with these conversions: 1,186,000; ad spend in the period: 27,259');
  });

  it("puts each rep's stage-to-next rates beside the team's, with the difference in points and the stage where the rep loses most", async () => {
    const text = section((await tour()).stdout, 3);
    expect(text.split('\n')[0]).toContain('cohorts 2026-05 to 2026-11 together');
    expect(cell(text, 'team', 'leads')).toBe('1,000');
    expect(cell(text, 'team', 'subscriber→lead')).toBe('66.4%');
    expect(cell(text, 'team', 'opportunity→customer')).toBe('26.9%');
    expect(cell(text, 'rep-emma', 'lead→mql')).toBe('37.9% (+5.4)');
    expect(cell(text, 'rep-emma', 'opportunity→customer')).toBe('23.5% (−3.3)');
    expect(cell(text, 'rep-emma', 'furthest below team')).toBe('opportunity→customer (17 leads)');
    expect(cell(text, 'rep-dieter', 'sql→opportunity')).toBe('40.0% (−27.0)');
    expect(cell(text, 'rep-dieter', 'furthest below team')).toBe('sql→opportunity (15 leads)');
  });

  it('shows the forecast per stage in money rounded to the currency, its totals, the small samples and the warnings', async () => {
    const text = section((await tour()).stdout, 4);
    expect(text.split('\n')[0]).toBe('4. Forecast — 917 open leads expected to bring 41.6 customers and $1,501,049, as of 2026-11-23');
    expect(cell(text, 'lead', 'open leads')).toBe('448');
    expect(cell(text, 'lead', 'rate to customer')).toBe('2.7%');
    expect(cell(text, 'subscriber', 'measured on')).toBe('997');
    expect(cell(text, 'opportunity', 'measured on')).toBe('12*');
    expect(cell(text, 'opportunity', 'expected customers')).toBe('13.2');
    expect(cell(text, 'opportunity', 'expected revenue')).toBe('$475,402');
    expect(cell(text, 'total', 'open leads')).toBe('917');
    expect(cell(text, 'total', 'rate to customer')).toBe('');
    expect(cell(text, 'total', 'expected revenue')).toBe('$1,501,049');
    expect(text).toContain('Average deal: $36,113 over 15 deals');
    expect(text).toContain('* fewer than 20 leads: a rough guide');
    expect(text).toContain('Note: the average deal is taken over only 15 deals');
  });

  it('shows the calibration decile by decile with the overall shares', async () => {
    const text = section((await tour()).stdout, 5);
    expect(text.split('\n')[0]).toBe('5. Score calibration — 216 leads scored when they reached mql (all time), by score decile, model “default B2B model”');
    expect(cell(text, '1', 'score')).toBe('37.5–58.5');
    expect(cell(text, '1', '→ sql')).toBe('31.8%');
    expect(cell(text, '10', 'leads')).toBe('21');
    expect(cell(text, '10', '→ opportunity')).toBe('23.8%');
    expect(cell(text, 'all', 'leads')).toBe('216');
    expect(cell(text, 'all', '→ customer')).toBe('8.3%');
  });

  it('gives every section a heading and a hint naming where to read more', async () => {
    const { stdout } = await tour();
    const hints = [1, 2, 3, 4, 5].map((number) => section(stdout, number).split('\n')[1]!);
    expect(hints.every((hint) => hint.startsWith('   ') && hint.includes('More: '))).toBe(true);
    expect(hints[2]).toContain('GET /v1/analytics/funnel?groupBy=owner');
    expect(hints[3]).toContain('GET /v1/analytics/forecast');
    expect(hints[4]).toContain('GET /v1/analytics/scoring/calibration');
  });
});

describe('nudge demo tour: --json and failures', () => {
  it('prints the collected answers as one JSON object with --json', async () => {
    const { stdout, code } = await tour({ json: true });
    const printed = JSON.parse(stdout) as Record<string, unknown>;
    expect(code).toBe(0);
    expect(printed).toEqual({
      server: BASE,
      queue: { reps: reps.reps, dueTodayByRep: { 'rep-ana': 7, 'rep-ben': 19, 'rep-dieter': 3 }, queue: queues['rep-ben'] },
      attribution,
      funnel,
      forecast,
      calibration,
    });
  });

  it('says no server answers, asks for no token and exits 1 when nothing listens', async () => {
    const { stdout, stderr, code, server } = await tour({}, { down: true });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`nudge: no Nudge server answers at ${BASE}: start it with npm start\n`);
    expect(server.tokenAsked).toBe(false);
  });

  it('shows the error of a failing section and every other section, then exits 1', async () => {
    const { stdout, stderr, code } = await tour({}, { failing: { '/v1/analytics/forecast': problem(503, 'analytics is rebuilding') } });
    expect(section(stdout, 4)).toBe('4. Forecast: could not be read\n   GET /v1/analytics/forecast answered 503: analytics is rebuilding\n');
    expect(cell(section(stdout, 3), 'team', 'leads')).toBe('1,000');
    expect(cell(section(stdout, 5), 'all', 'leads')).toBe('216');
    expect(code).toBe(1);
    expect(stderr).toBe('nudge: 1 of 5 sections could not be read (forecast)\n');
  });

  it('says so when a section answers in a shape it cannot show, shows the others, and exits 1', async () => {
    const { stdout, stderr, code } = await tour({}, { failing: { '/v1/analytics/funnel': json({ stages: stages }) } });
    expect(section(stdout, 3)).toMatch(/^3\. Funnel by rep: the server's answer could not be shown\n {3}\S/);
    expect(cell(section(stdout, 2), 'total', 'markov')).toBe('42.0');
    expect(code).toBe(1);
    expect(stderr).toBe('nudge: 1 of 5 sections could not be read (funnel)\n');
  });

  it('puts a failing section as its error in --json', async () => {
    const { stdout, code } = await tour({ json: true }, { failing: { '/v1/analytics/scoring/calibration': problem(400, 'at must be one of the lifecycle stages') } });
    const printed = JSON.parse(stdout) as { calibration: unknown; funnel: unknown };
    expect(printed.calibration).toEqual({ error: 'GET /v1/analytics/scoring/calibration answered 400: at must be one of the lifecycle stages' });
    expect(printed.funnel).toEqual(funnel);
    expect(code).toBe(1);
  });

  it('runs as `nudge demo tour` and sets the exit code', async () => {
    const { fetch } = fakeServer({ down: true });
    let stderr = '';
    const program = new Command('nudge').exitOverride();
    const demo = registerDemoCommand(program, { stdout: { write: () => true }, stderr: { write: () => true } });
    registerDemoTourCommand(demo, {
      loadConfig: () => null,
      apiBase: () => BASE,
      apiToken: () => TOKEN,
      fetch,
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
    });
    await program.parseAsync(['demo', 'tour', '--rep', 'rep-ana'], { from: 'user' });
    expect(stderr).toContain('no Nudge server answers');
    expect(process.exitCode).toBe(1);
  });
});

/**
 * Ingestion benchmark: Segment calls over HTTP into the real `nudge serve` (a child process,
 * embedded SQLite, synchronous=FULL: an acknowledged event is fsynced), against the least any
 * HTTP endpoint does on the same machine in the same run: a fastify no-op route, in its own child
 * process, that parses the JSON body and answers {"success": true}.
 *
 *   node bench/ingest.ts                        full run (about a minute on 2 cores)
 *   node bench/ingest.ts --quick                smoke run (about 25 s)
 *   node bench/ingest.ts --json                 also print the results as one JSON object, last line
 *   node bench/ingest.ts --cpu-prof-dir <dir>   also write a V8 CPU profile of the Nudge server there
 *
 * The load comes from this process (autocannon), which shares the machine with the server: the
 * no-op route pays the same, so the ratio is the figure to trust. Each request carries fresh
 * messageIds (nothing is a duplicate). After the runs the server is stopped and the store is read
 * back: every acknowledged message must be in it. Nothing here asserts a timing: the targets are
 * printed as PASS/MISS, exit code 0. Read bench/README.md for how to read the output.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createSqliteEventStore } from '../infra/sqlite/index.ts';
import { progress, progressDone, table } from './benchOutput.ts';
import type { ServerChild } from './nudgeServer.ts';
import { childEnvironment, repoRoot, startNudgeServer, watch } from './nudgeServer.ts';

// ---------------------------------------------------------------------------------------------
// Settings

interface Settings {
  /** Seconds of load per measured run. */
  readonly durationSeconds: number;
  /** Seconds of load per warm-up run (each server, each scenario). */
  readonly warmupSeconds: number;
}

const FULL: Settings = { durationSeconds: 10, warmupSeconds: 2 };
const QUICK: Settings = { durationSeconds: 3, warmupSeconds: 1 };

const CONNECTIONS = 50;
const USERS = 10_000;
const BATCH = 100;

/** What the issue asks of ingestion. */
const TARGETS = {
  singleRatio: 0.5,
  singleP99Ms: 20,
  batchedEventsPerSecond: 20_000,
} as const;

const WRITE_KEY = 'wk_bench_ingest_0123456789';
const API_TOKEN = 'bench-ingest-api-token-0123456789';
const AUTHORIZATION = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;

// ---------------------------------------------------------------------------------------------
// Realistic Segment track calls: what analytics-node or the HTTP API sends for a B2B site.

const EVENTS = ['Pricing Viewed', 'Webinar Registered', 'Whitepaper Downloaded', 'Demo Requested', 'Email Link Clicked', 'Trial Started', 'Case Study Viewed'];
const UTM = [
  { source: 'google', medium: 'cpc', name: 'q3-enterprise-push' },
  { source: 'linkedin', medium: 'paid-social', name: 'abm-fintech-tier1' },
  { source: 'newsletter', medium: 'email', name: 'october-digest' },
  { source: 'g2', medium: 'referral', name: 'reviews' },
  { source: 'bing', medium: 'organic', name: 'seo' },
];
const PATHS = ['/pricing', '/product/journeys', '/resources/lead-scoring-guide', '/demo', '/blog/event-sourcing-for-sales', '/trial'];

/** Message counter for this run: every message gets a fresh id, and the user cycles over USERS. */
let sequence = 0;
const runTag = Date.now().toString(36);

function trackMessage(): Record<string, unknown> {
  const n = sequence++;
  const pick = <T>(list: readonly T[], salt: number): T => list[(n * 7 + salt) % list.length]!;
  const utm = pick(UTM, 1);
  const path = pick(PATHS, 2);
  return {
    type: 'track',
    messageId: `bench-${runTag}-${n}`,
    userId: `user-${(n * 7_919) % USERS}`,
    event: pick(EVENTS, 0),
    properties: { path, title: 'Nudge – the next best action for every lead', plan: n % 3 === 0 ? 'team' : 'business', value: n % 500 },
    context: {
      library: { name: 'analytics-node', version: '3.1.0' },
      page: { url: `https://nudge.example${path}?utm_source=${utm.source}&utm_medium=${utm.medium}&utm_campaign=${utm.name}`, referrer: 'https://www.google.com/' },
      campaign: utm,
      ip: `203.0.113.${n % 250}`,
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
    },
    timestamp: new Date().toISOString(),
  };
}

function identifyMessage(user: number): Record<string, unknown> {
  return {
    type: 'identify',
    messageId: `bench-${runTag}-seed-${user}`,
    userId: `user-${user}`,
    traits: { email: `user-${user}@company-${user % 900}.example`, name: `User ${user}`, title: 'Head of Sales' },
    timestamp: new Date().toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------
// Load, and what the servers answered

type Scenario = 'single' | 'batch';
type Target = 'nudge' | 'noop';

/** Every message an answer acknowledged as stored, and how many requests were answered otherwise. */
interface Ledger {
  readonly acknowledged: Set<string>;
  /** Messages of requests answered with a 2xx that did not store all of them (duplicate, quarantined). */
  notStored: number;
  /** The first unexpected answer, to show. */
  firstProblem: string | null;
}

interface RequestContext {
  messageIds?: string[];
}

interface LoadRun {
  readonly scenario: Scenario;
  readonly target: Target;
  readonly seconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly eventsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

function requestFor(scenario: Scenario, ledger: Ledger | null): autocannon.Request {
  return {
    method: 'POST',
    path: scenario === 'single' ? '/v1/track' : '/v1/batch',
    setupRequest: (request, context) => {
      let body: string;
      let ids: string[];
      if (scenario === 'single') {
        const message = trackMessage();
        ids = [message.messageId as string];
        body = JSON.stringify(message);
      } else {
        const batch = Array.from({ length: BATCH }, trackMessage);
        ids = batch.map((message) => message.messageId as string);
        body = JSON.stringify({ batch, sentAt: new Date().toISOString() });
      }
      (context as RequestContext).messageIds = ids;
      return { ...request, body };
    },
    onResponse: (status, body, context) => {
      if (ledger === null) return;
      const ids = (context as RequestContext).messageIds ?? [];
      if (status < 200 || status >= 300) {
        ledger.firstProblem ??= `${status} ${body.slice(0, 300)}`;
        return;
      }
      const answer = JSON.parse(body) as { stored?: number; duplicate?: number; unchanged?: number; quarantined?: unknown[] };
      if (answer.stored === ids.length) {
        for (const id of ids) ledger.acknowledged.add(id);
      } else {
        ledger.notStored += ids.length;
        ledger.firstProblem ??= `${status} ${body.slice(0, 300)}`;
      }
    },
  };
}

async function load(url: string, scenario: Scenario, target: Target, seconds: number, ledger: Ledger | null): Promise<LoadRun> {
  const acknowledgedBefore = ledger?.acknowledged.size ?? 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
    requests: [requestFor(scenario, ledger)],
    timeout: 30,
  });
  const ok = result['2xx'];
  const events = target === 'nudge' ? (ledger?.acknowledged.size ?? 0) - acknowledgedBefore : ok * (scenario === 'single' ? 1 : BATCH);
  return {
    scenario,
    target,
    seconds: result.duration,
    requests: ok,
    requestsPerSecond: ok / result.duration,
    eventsPerSecond: events / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Makes all USERS leads known (batched identifies), so the measured tracks hit known leads. */
async function seedLeads(url: string, ledger: Ledger): Promise<void> {
  for (let first = 0; first < USERS; first += BATCH * 10) {
    const requests = [];
    for (let start = first; start < Math.min(USERS, first + BATCH * 10); start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, USERS - start) }, (_, i) => identifyMessage(start + i));
      requests.push(
        fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: AUTHORIZATION }, body: JSON.stringify({ batch }) }).then(async (response) => {
          const answer = (await response.json()) as { stored?: number };
          if (response.status !== 200 || answer.stored !== batch.length) throw new Error(`seeding leads: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`);
          for (const message of batch) ledger.acknowledged.add(message.messageId as string);
        }),
      );
    }
    await Promise.all(requests);
    progress(`seeding ${fmt(Math.min(USERS, first + BATCH * 10))} of ${fmt(USERS)} leads`);
  }
}

// ---------------------------------------------------------------------------------------------
// The two servers, each in its own process

type Child = Pick<ServerChild, 'url' | 'process' | 'stop'>;

/** The Nudge server: every message it acknowledges is fsynced (synchronous=FULL, the default). */
function startNudge(dataDir: string, roles: string, cpuProfDir: string | undefined): Promise<Child> {
  return startNudgeServer({ dataDir, cpuProfDir, readyTimeoutMs: 30_000, env: { NUDGE_WRITE_KEYS: WRITE_KEY, NUDGE_API_TOKENS: API_TOKEN, NUDGE_INGEST_RATE_LIMIT: '0', NUDGE_ROLES: roles } });
}

async function startNoop(): Promise<Child> {
  const child = spawn(process.execPath, [import.meta.filename], {
    cwd: repoRoot,
    env: childEnvironment({ NUDGE_BENCH_ROLE: 'noop' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watched = watch(child, 'no-op server');
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the no-op server exited with ${code}: ${watched.stderr()}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return { url, process: child, stop: watched.stop };
}

// ---------------------------------------------------------------------------------------------
// Output (as bench/eventStore.ts)

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmt = (value: number): string => integer.format(value);
const times = (value: number): string => `${value.toFixed(2)}×`;
const ms = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} ms`;


// ---------------------------------------------------------------------------------------------
// Main

const USAGE =
  'usage: node bench/ingest.ts [--quick] [--json] [--roles <roles>] [--cpu-prof-dir <dir>]\n' +
  '  --quick               3 s runs instead of 10 s, a smoke run of about 25 s\n' +
  '  --roles <roles>       what the Nudge server runs (NUDGE_ROLES): api (default: ingestion and the\n' +
  '                        rest of the HTTP API), or e.g. all (runner, projector and scorer too)\n' +
  '  --json                also print the results as one JSON object on the last line\n' +
  '  --cpu-prof-dir <dir>  run the Nudge server with --cpu-prof, writing its profile to <dir>';

function readFlags(): { quick: boolean; json: boolean; roles: string; cpuProfDir: string | undefined } {
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'cpu-prof-dir': { type: 'string' },
        roles: { type: 'string', default: 'api' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    return { quick: values.quick, json: values.json, roles: values.roles, cpuProfDir: values['cpu-prof-dir'] };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

/** What the store holds, read back through the EventStore port once the server has stopped. */
async function audit(eventsPath: string, ledger: Ledger): Promise<{ events: number; messages: number; touches: number; missing: number; unacknowledged: number; foreign: number }> {
  const store = createSqliteEventStore({ path: eventsPath, readOnly: true });
  try {
    const messages = new Set<string>();
    let events = 0;
    let touches = 0;
    let after = 0;
    for (;;) {
      const page = await store.readAll({ after, limit: 5_000 });
      for (const event of page) {
        events += 1;
        if (event.type === 'TouchRecorded') touches += 1;
        const messageId = (event.data as { messageId?: unknown }).messageId;
        if (typeof messageId === 'string') messages.add(messageId);
      }
      if (page.length < 5_000) break;
      after = page[page.length - 1]!.position;
      progress(`reading the store back: ${fmt(events)} events`);
    }
    let missing = 0;
    for (const id of ledger.acknowledged) if (!messages.has(id)) missing += 1;
    let unacknowledged = 0;
    let foreign = 0;
    for (const id of messages) {
      if (ledger.acknowledged.has(id)) continue;
      // Sent by this run but never answered: in flight when a run's time was up.
      if (id.startsWith(`bench-${runTag}-`)) unacknowledged += 1;
      else foreign += 1;
    }
    return { events, messages: messages.size, touches, missing, unacknowledged, foreign };
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const flags = readFlags();
  const settings = flags.quick ? QUICK : FULL;
  const dir = mkdtempSync(join(os.tmpdir(), 'nudge-bench-ingest-'));
  const dataDir = join(dir, 'data');
  const children: Child[] = [];
  const cleanUp = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    for (const child of children) child.process.kill('SIGKILL');
    cleanUp();
    process.exit(130);
  });
  const began = performance.now();
  const ledger: Ledger = { acknowledged: new Set(), notStored: 0, firstProblem: null };

  try {
    progress('starting the servers');
    const [nudge, noop] = await Promise.all([startNudge(dataDir, flags.roles, flags.cpuProfDir), startNoop()]);
    children.push(nudge, noop);
    const urls: Record<Target, string> = { nudge: nudge.url, noop: noop.url };
    await seedLeads(nudge.url, ledger);

    // Warm-up: JIT, connections, page cache; Nudge's warm-up messages count in the store audit too.
    for (const scenario of ['single', 'batch'] as const) {
      for (const target of ['noop', 'nudge'] as const) {
        progress(`warm-up: ${scenario === 'single' ? 'single events' : 'batches'}, ${target}`);
        await load(urls[target], scenario, target, settings.warmupSeconds, target === 'nudge' ? ledger : null);
      }
    }

    // Measured: one run per server and scenario; the order alternates between scenarios.
    const runs: LoadRun[] = [];
    const order: Record<Scenario, Target[]> = { single: ['noop', 'nudge'], batch: ['nudge', 'noop'] };
    for (const scenario of ['single', 'batch'] as const) {
      for (const target of order[scenario]) {
        progress(`${scenario === 'single' ? 'single events' : `batches of ${BATCH}`}: ${target}, ${settings.durationSeconds} s`);
        runs.push(await load(urls[target], scenario, target, settings.durationSeconds, target === 'nudge' ? ledger : null));
      }
    }

    progress('stopping the servers');
    const [nudgeExit] = await Promise.all([nudge.stop(), noop.stop()]);
    children.length = 0;
    const eventsPath = join(dataDir, 'events.db');
    const stored = await audit(eventsPath, ledger);
    progressDone();
    const storeBytes = statSync(eventsPath).size;
    const elapsedSeconds = (performance.now() - began) / 1_000;

    const run = (scenario: Scenario, target: Target): LoadRun => runs.find((r) => r.scenario === scenario && r.target === target)!;
    const ratio = (scenario: Scenario): number => run(scenario, 'nudge').requestsPerSecond / run(scenario, 'noop').requestsPerSecond;
    const single = run('single', 'nudge');
    const batched = run('batch', 'nudge');
    const targets = [
      { name: 'single events: nudge/no-op req/s', target: `≥ ${times(TARGETS.singleRatio)}`, measured: times(ratio('single')), pass: ratio('single') >= TARGETS.singleRatio },
      { name: 'single events: p99 latency', target: `≤ ${TARGETS.singleP99Ms} ms`, measured: ms(single.p99Ms), pass: single.p99Ms <= TARGETS.singleP99Ms },
      {
        name: `batches of ${BATCH}: durable events/s`,
        target: `≥ ${fmt(TARGETS.batchedEventsPerSecond)}`,
        measured: fmt(batched.eventsPerSecond),
        pass: batched.eventsPerSecond >= TARGETS.batchedEventsPerSecond,
      },
    ];
    const audited = stored.missing === 0 && stored.foreign === 0 && ledger.notStored === 0 && ledger.firstProblem === null;
    const cpus = os.cpus();

    // -------------------------------------------------------------------------------------------
    console.log(`Nudge ingestion benchmark${flags.quick ? ' (--quick)' : ''}`);
    console.log(`  node ${process.version} · ${cpus[0]?.model.trim() ?? 'unknown cpu'} × ${cpus.length} · ${os.platform()} ${os.arch()}`);
    console.log(`  nudge serve --role ${flags.roles}: embedded SQLite in ${os.tmpdir()}, synchronous=FULL (every acknowledged event fsynced), rate limit off, LOG_LEVEL=warn`);
    if (flags.roles === 'api') console.log('    (ingestion and the rest of the HTTP API; the runner, projector and scorer are off: bench:e2e measures them together)');
    console.log('  no-op: fastify in its own process, POST route parses the JSON body and answers {"success":true}');
    console.log(
      `  load: autocannon in this process, ${CONNECTIONS} connections, ${settings.durationSeconds} s per run; Segment track calls (~${fmt(Buffer.byteLength(JSON.stringify(trackMessage())))} B), fresh messageIds, ${fmt(USERS)} known leads`,
    );
    console.log('');
    console.log('Runs   events/s = messages acknowledged as stored (Nudge) or answered (no-op) per second');
    console.log(
      table(
        ['scenario', 'server', 'req/s', 'events/s', 'p50', 'p99', 'non-2xx', 'errors'],
        runs.map((r) => [
          r.scenario === 'single' ? 'POST /v1/track, 1 event' : `POST /v1/batch, ${BATCH} events`,
          r.target === 'nudge' ? 'nudge' : 'no-op',
          fmt(r.requestsPerSecond),
          fmt(r.eventsPerSecond),
          ms(r.p50Ms),
          ms(r.p99Ms),
          fmt(r.non2xx),
          fmt(r.errors),
        ]),
        2,
      ),
    );
    console.log('');
    console.log('Nudge / no-op');
    console.log(
      table(
        ['scenario', 'req/s', 'p50', 'p99'],
        (['single', 'batch'] as const).map((scenario) => [
          scenario === 'single' ? 'single events' : `batches of ${BATCH}`,
          times(ratio(scenario)),
          times(run(scenario, 'nudge').p50Ms / run(scenario, 'noop').p50Ms),
          times(run(scenario, 'nudge').p99Ms / run(scenario, 'noop').p99Ms),
        ]),
      ),
    );
    console.log('');
    console.log('Targets (from the issue)');
    console.log(table(['target', 'wanted', 'measured', 'result'], targets.map((t) => [t.name, t.target, t.measured, t.pass ? 'PASS' : 'MISS'])));
    console.log('');
    console.log(`Store check (after a graceful stop, exit code ${nudgeExit}, read back through the EventStore port)`);
    console.log(`  ${fmt(ledger.acknowledged.size)} messages acknowledged as stored (${fmt(USERS)} seeding identifies, warm-ups and measured runs)`);
    console.log(`  ${fmt(stored.messages)} messages in the store, ${fmt(stored.events)} events (${fmt(stored.touches)} TouchRecorded), ${(storeBytes / 1_048_576).toFixed(1)} MiB (excluding WAL)`);
    console.log(`  acknowledged but missing: ${fmt(stored.missing)} · stored but unanswered (in flight when a run's time was up): ${fmt(stored.unacknowledged)} · not sent by this run: ${fmt(stored.foreign)}`);
    if (ledger.notStored > 0 || ledger.firstProblem !== null) {
      console.log(`  answers that did not store every message: ${fmt(ledger.notStored)} messages; first unexpected answer: ${ledger.firstProblem ?? '—'}`);
    }
    console.log(`  ${audited ? 'OK: every acknowledged message is in the store' : 'FAILED: the store does not hold what was acknowledged'}`);
    console.log('');
    console.log(`  run took ${elapsedSeconds.toFixed(1)} s${flags.cpuProfDir === undefined ? '' : `; Nudge CPU profile in ${resolve(flags.cpuProfDir)}`}`);

    if (flags.json) {
      const round = (value: number): number => Math.round(value * 1_000) / 1_000;
      console.log(
        JSON.stringify({
          benchmark: 'ingest',
          quick: flags.quick,
          roles: flags.roles,
          node: process.version,
          cpu: cpus[0]?.model.trim() ?? null,
          cpus: cpus.length,
          platform: `${os.platform()} ${os.arch()}`,
          connections: CONNECTIONS,
          users: USERS,
          batch: BATCH,
          seconds: settings.durationSeconds,
          runs: runs.map((r) => ({
            scenario: r.scenario,
            server: r.target,
            requests: r.requests,
            requestsPerSecond: Math.round(r.requestsPerSecond),
            eventsPerSecond: Math.round(r.eventsPerSecond),
            p50Ms: r.p50Ms,
            p99Ms: r.p99Ms,
            non2xx: r.non2xx,
            errors: r.errors,
          })),
          ratios: { single: round(ratio('single')), batch: round(ratio('batch')) },
          targets: targets.map(({ name, target, measured, pass }) => ({ name, target, measured, pass })),
          store: { acknowledged: ledger.acknowledged.size, ...stored, ok: audited },
          elapsedSeconds: round(elapsedSeconds),
        }),
      );
    }
  } finally {
    progressDone();
    await Promise.all(children.map((child) => child.stop()));
    cleanUp();
  }
}

// ---------------------------------------------------------------------------------------------
// Entry: the benchmark, or the no-op baseline when this file runs as its child process

if (process.env.NUDGE_BENCH_ROLE === 'noop') {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
  // The default JSON parser, so the body is parsed as Nudge's is; then nothing.
  const ok = async (): Promise<{ success: true }> => ({ success: true });
  app.post('/v1/track', ok);
  app.post('/v1/batch', ok);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ url: address }));
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
} else {
  await main();
}

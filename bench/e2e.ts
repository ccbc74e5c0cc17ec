/**
 * End-to-end benchmark: the whole running product, `nudge serve` as it ships (journey runner, lead
 * router, analytics projector into embedded chDB and lead scorer all on), fed Segment batches over
 * HTTP by an open-loop sender at fixed rates, step after step, until a step is not held.
 *
 *   node bench/e2e.ts                          full run: 60 s steps at 500, 1,000, 1,500, 2,000 … 6,000 events/s (under 10 minutes)
 *   node bench/e2e.ts --quick                  smoke run: 10 s steps at 500 … 3,000 events/s (under a minute here)
 *   node bench/e2e.ts --rates 800,1600 --step-seconds 30
 *   node bench/e2e.ts --json                   also print the results as one JSON object, last line
 *   node bench/e2e.ts --cpu-prof-dir <dir>     also write a V8 CPU profile of the Nudge server there
 *   node bench/e2e.ts --server-env NUDGE_RUNNER_THREAD=off   one more variable for the server (repeatable)
 *
 * It reports the highest rate held (see `judge` for what "held" means), the time from a client
 * sending a `Demo Requested` to the suggestion it causes being recorded (read from the store after
 * the run), and how far the ClickHouse projection trails the event store (polled during the run).
 * After the run the server is stopped gracefully and the store is read back: every acknowledged
 * message must be in it. Nothing asserts a timing: targets print as PASS/MISS and the exit code is
 * 0 unless the run broke (a failed store check counts as broken). bench/README.md explains the output.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop, setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createSqliteEventStore } from '../infra/sqlite/index.ts';
import { median } from './benchMath.ts';
import { progress, progressDone, table } from './benchOutput.ts';
import type { ServerChild } from './nudgeServer.ts';
import { startNudgeServer } from './nudgeServer.ts';

// ---------------------------------------------------------------------------------------------
// Settings

interface Settings {
  readonly stepSeconds: number;
  /** Offered rates, events/s, in order; stepping stops at the first one not held. */
  readonly rates: readonly number[];
}

const FULL: Settings = { stepSeconds: 60, rates: [500, 1_000, 1_500, 2_000, 3_000, 4_000, 5_000, 6_000] };
const QUICK: Settings = { stepSeconds: 10, rates: [500, 1_000, 2_000, 3_000] };

/** Messages per POST /v1/batch. */
const BATCH = 100;
/** One message in this many is a probe: a `Demo Requested` of a lead new to the journey. */
const PROBE_EVERY = 200;
/** Probes sent and checked before the steps: the setup works end to end (not measured). */
const CANARIES = 3;
const LEADS_PER_ACCOUNT = 5;
/** Anonymous visitors the page views without a userId come from (returning visitors). */
const VISITORS = 20_000;
/** Requests in flight the sender allows; a batch due while this many are unanswered is not sent (and counts as not acknowledged). */
const MAX_IN_FLIGHT = 100;
/** An answer this long after its step's end still counts for the step. */
const ANSWER_GRACE_MS = 1_000;
const REQUEST_TIMEOUT_MS = 30_000;
const POLL_MS = 250;
/** A step is held when at least this share of its offered events was acknowledged as stored in time, */
const HELD_ACK_SHARE = 0.98;
/** the sender's backlog grew by at most this many seconds of offered requests (first → last third), */
const BACKLOG_GROWTH_SECONDS = 1;
/**
 * the projection's lag by at most this many seconds of offered events (two, not one: the
 * projector writes about once a second, so its lag is a saw tooth of about a second of events),
 */
const PROJECTION_GROWTH_SECONDS = 2;
/** and the journey runner's backlog (the oldest acknowledged probe still without its suggestion) by at most this many seconds. */
const RUNNER_GROWTH_SECONDS = 1;

/** What the issue asks of the running product. */
const TARGETS = { heldEventsPerSecond: 5_000, suggestionP99Ms: 250, projectionLagP99Ms: 5_000 } as const;

const WRITE_KEY = 'wk_bench_e2e_0123456789';
const API_TOKEN = 'bench-e2e-api-token-0123456789';
const INGEST_AUTHORIZATION = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
const API_AUTHORIZATION = `Bearer ${API_TOKEN}`;

const runTag = Date.now().toString(36);

// ---------------------------------------------------------------------------------------------
// The demo world: reps in the shipped routing's teams, accounts with a country and a size, leads

const REPS = [
  { id: 'rep-ana', name: 'Ana Souza', team: 'americas', timeZone: 'America/New_York' },
  { id: 'rep-ben', name: 'Ben Carter', team: 'americas', timeZone: 'America/Chicago' },
  { id: 'rep-carla', name: 'Carla Mendes', team: 'americas', timeZone: 'America/Sao_Paulo' },
  { id: 'rep-diego', name: 'Diego Ruiz', team: 'americas', timeZone: 'America/Mexico_City' },
  { id: 'rep-dieter', name: 'Dieter Brandt', team: 'emea', timeZone: 'Europe/Berlin' },
  { id: 'rep-emma', name: 'Emma Clarke', team: 'emea', timeZone: 'Europe/London' },
  { id: 'rep-lea', name: 'Léa Martin', team: 'emea', timeZone: 'Europe/Paris' },
  { id: 'rep-sofia', name: 'Sofía Navarro', team: 'emea', timeZone: 'Europe/Madrid' },
  { id: 'rep-hiro', name: 'Hiro Tanaka', team: 'apac', timeZone: 'Asia/Tokyo' },
  { id: 'rep-mei', name: 'Mei Lin', team: 'apac', timeZone: 'Asia/Shanghai' },
  { id: 'rep-priya', name: 'Priya Nair', team: 'apac', timeZone: 'Asia/Kolkata' },
  { id: 'rep-ines', name: 'Ines Romero', team: 'inbound', timeZone: 'UTC' },
] as const;

/** Every country is in a region of services/leads/routing/defaultRouting.yaml, so every lead gets a regional owner. */
const COUNTRIES = ['US', 'CA', 'BR', 'MX', 'GB', 'DE', 'FR', 'NL', 'ES', 'SE', 'JP', 'AU', 'SG', 'IN'];
/**
 * 200 people or more: new-inbound-lead's branch goes to `call-now` whatever the fit score, so
 * every probe is proposed the same urgent call (never an email a merge window could fold away).
 */
const EMPLOYEES = [240, 480, 1_200, 3_500, 12_000];
const INDUSTRIES = ['Software', 'Financial Services', 'Manufacturing', 'Healthcare', 'Retail', 'Logistics'];
const FIRST_NAMES = ['Alex', 'Maria', 'Sam', 'Yuki', 'Lars', 'Amara', 'Chen', 'Fatima', 'Jonas', 'Priya', 'Lucas', 'Olivia'];
const LAST_NAMES = ['Smith', 'Garcia', 'Müller', 'Tanaka', 'Johansson', 'Okafor', 'Wang', 'Haddad', 'Schmidt', 'Iyer', 'Silva', 'Brown'];
const TITLES = ['Head of Sales', 'VP Revenue', 'Sales Operations Manager', 'Director of Marketing', 'CRO', 'SDR Team Lead'];

/**
 * Background touches of known leads. No name triggers a shipped journey (Content Viewed, Webinar
 * Attended, Live Chat Conversation Ended, Demo Requested do): the only suggestions made during
 * the run are the probes', so each probe's suggestion is its own.
 */
const BACKGROUND_EVENTS = ['Pricing Viewed', 'Webinar Registered', 'Content Downloaded', 'Email Link Clicked', 'Trial Started', 'Signed In', 'Webinar On-Demand Viewed'];
const UTM = [
  { source: 'google', medium: 'cpc', name: 'q3-enterprise-push' },
  { source: 'linkedin', medium: 'paid-social', name: 'abm-fintech-tier1' },
  { source: 'newsletter', medium: 'email', name: 'october-digest' },
  { source: 'g2', medium: 'referral', name: 'reviews' },
  { source: 'bing', medium: 'organic', name: 'seo' },
];
const PAGES = [
  { path: '/pricing', title: 'Pricing — Nudge' },
  { path: '/product/journeys', title: 'Journeys — Nudge' },
  { path: '/resources/lead-scoring-guide', title: 'The lead scoring guide — Nudge' },
  { path: '/blog/event-sourcing-for-sales', title: 'Event sourcing for sales teams — Nudge' },
  { path: '/customers/orbitly', title: 'How Orbitly calls the right lead first — Nudge' },
  { path: '/trial', title: 'Start your trial — Nudge' },
];
const USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

type Message = Record<string, unknown>;

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

interface Lead {
  readonly userId: string;
  readonly anonymousId: string;
  readonly account: number;
}

const leadOf = (i: number): Lead => ({ userId: `e2e-${runTag}-u${i}`, anonymousId: `e2e-${runTag}-d${i}`, account: Math.floor(i / LEADS_PER_ACCOUNT) });
const domainOf = (account: number): string => `account-${account}-${runTag}.example`;

function pageContext(n: number, path: string, title: string): Record<string, unknown> {
  const utm = pick(UTM, n * 7 + 1);
  const search = `?utm_source=${utm.source}&utm_medium=${utm.medium}&utm_campaign=${utm.name}`;
  return {
    library: { name: 'analytics.js', version: '2.11.1' },
    page: { path, title, url: `https://nudge.example${path}${search}`, search, referrer: 'https://www.google.com/' },
    campaign: utm,
    ip: `203.0.113.${n % 250}`,
    userAgent: USER_AGENT,
    locale: 'en-US',
  };
}

function identifyMessage(i: number, at: string): Message {
  const lead = leadOf(i);
  const firstName = pick(FIRST_NAMES, i);
  const lastName = pick(LAST_NAMES, i * 5 + 3);
  return {
    type: 'identify',
    messageId: `e2e-${runTag}-identify-${i}`,
    userId: lead.userId,
    anonymousId: lead.anonymousId,
    traits: {
      email: `${firstName}.${lastName}.${i}@${domainOf(lead.account)}`.toLowerCase(),
      firstName,
      lastName,
      name: `${firstName} ${lastName}`,
      title: pick(TITLES, i),
      company: `Company ${lead.account}`,
    },
    context: pageContext(i, '/signup', 'Sign up — Nudge'),
    timestamp: at,
  };
}

function groupMessage(i: number, at: string): Message {
  const lead = leadOf(i);
  const account = lead.account;
  return {
    type: 'group',
    messageId: `e2e-${runTag}-group-${i}`,
    userId: lead.userId,
    anonymousId: lead.anonymousId,
    groupId: `e2e-${runTag}-account-${account}`,
    traits: {
      name: `Company ${account}`,
      domain: domainOf(account),
      website: `https://www.${domainOf(account)}`,
      industry: pick(INDUSTRIES, account),
      employees: pick(EMPLOYEES, account),
      plan: account % 3 === 0 ? 'enterprise' : 'business',
      country: pick(COUNTRIES, account),
    },
    timestamp: at,
  };
}

function probeMessage(i: number, messageId: string, n: number, at: string): Message {
  const lead = leadOf(i);
  return {
    type: 'track',
    messageId,
    userId: lead.userId,
    anonymousId: lead.anonymousId,
    event: 'Demo Requested',
    properties: { form: 'demo-request', path: '/demo', team_size: '11-50', use_case: 'inbound qualification' },
    context: pageContext(n, '/demo', 'Book a demo — Nudge'),
    timestamp: at,
  };
}

/** A background message: a known lead's track (60 %) or page view (25 %), or an anonymous visitor's page view (15 %). */
function backgroundMessage(n: number, leads: number, at: string): Message {
  const kind = n % 20;
  const page = pick(PAGES, n * 3 + 2);
  const messageId = `e2e-${runTag}-m${n}`;
  if (kind >= 17) {
    return { type: 'page', messageId, anonymousId: `e2e-${runTag}-v${(n * 104_729) % VISITORS}`, name: page.title, properties: { ...page }, context: pageContext(n, page.path, page.title), timestamp: at };
  }
  const lead = leadOf((n * 7_919) % leads);
  if (kind >= 12) {
    return { type: 'page', messageId, userId: lead.userId, anonymousId: lead.anonymousId, name: page.title, properties: { ...page }, context: pageContext(n, page.path, page.title), timestamp: at };
  }
  return {
    type: 'track',
    messageId,
    userId: lead.userId,
    anonymousId: lead.anonymousId,
    event: pick(BACKGROUND_EVENTS, n * 7),
    properties: { path: page.path, title: page.title, plan: n % 3 === 0 ? 'team' : 'business', value: n % 500 },
    context: pageContext(n, page.path, page.title),
    timestamp: at,
  };
}

// ---------------------------------------------------------------------------------------------
// The server, in its own process (as bench/ingest.ts)

type Child = ServerChild;

/** Only the variables the benchmark needs: the journey runner, routing, the projector and the scorer are on by default, as `nudge serve` ships. */
function startNudge(dataDir: string, cpuProfDir: string | undefined, serverEnv: Readonly<Record<string, string>>): Promise<Child> {
  return startNudgeServer({ dataDir, cpuProfDir, env: { NUDGE_WRITE_KEYS: WRITE_KEY, NUDGE_API_TOKENS: API_TOKEN, NUDGE_INGEST_RATE_LIMIT: '0', ...serverEnv } });
}

// ---------------------------------------------------------------------------------------------
// The API, as a client

async function api<T>(url: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: API_AUTHORIZATION, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function ingestBatch(url: string, batch: readonly Message[]): Promise<void> {
  const response = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: INGEST_AUTHORIZATION },
    body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const answer = (await response.json()) as { stored?: number };
  if (response.status !== 200 || answer.stored !== batch.length) throw new Error(`POST /v1/batch: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`);
}

interface ProjectionStatus {
  readonly position: number;
  readonly head: number;
  readonly lagEvents: number;
}

async function projectionStatus(url: string): Promise<ProjectionStatus> {
  const { projections } = await api<{ projections: ProjectionStatus[] }>(url, '/v1/analytics/projections');
  const status = projections[0];
  if (status === undefined) throw new Error('GET /v1/analytics/projections answered no projection');
  return status;
}

// ---------------------------------------------------------------------------------------------
// Setup: reps, leads with accounts, owners, and a canary through the journey

interface Setup {
  readonly leads: number;
  readonly accounts: number;
  readonly seedSeconds: number;
  readonly ownersSeconds: number;
  readonly canaryMs: readonly number[];
}

async function seedWorld(url: string, leads: number, acknowledged: Set<string>): Promise<Setup> {
  for (const rep of REPS) {
    await api(url, '/v1/reps', {
      method: 'POST',
      body: { id: rep.id, name: rep.name, email: `${rep.id.slice(4)}@nudge-bench.example`, team: rep.team, dailyCapacity: 10_000, timeZone: rep.timeZone },
    });
  }

  // identify, then group (the account's country and size), as a site's sign-up sends them.
  const seedStart = performance.now();
  const perRequest = BATCH / 2;
  const parallel = 4;
  for (let first = 0; first < leads; first += perRequest * parallel) {
    const requests: Promise<void>[] = [];
    for (let start = first; start < Math.min(leads, first + perRequest * parallel); start += perRequest) {
      const at = new Date().toISOString();
      const batch: Message[] = [];
      for (let i = start; i < Math.min(leads, start + perRequest); i++) batch.push(identifyMessage(i, at), groupMessage(i, at));
      requests.push(ingestBatch(url, batch).then(() => batch.forEach((message) => acknowledged.add(message.messageId as string))));
    }
    await Promise.all(requests);
    progress(`setup: identified ${fmt(Math.min(leads, first + perRequest * parallel))} of ${fmt(leads)} leads`);
  }
  const seedSeconds = (performance.now() - seedStart) / 1_000;

  // Routing is asynchronous (the lead router follows the store): wait until every lead has an owner.
  const ownersStart = performance.now();
  for (;;) {
    let owned = 0;
    for (const rep of REPS) {
      let cursor: string | null = null;
      do {
        const query: string = `/v1/leads?ownerId=${rep.id}&limit=500${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
        const page: { leads: unknown[]; next: string | null } = await api(url, query);
        owned += page.leads.length;
        cursor = page.next;
      } while (cursor !== null);
    }
    progress(`setup: ${fmt(owned)} of ${fmt(leads)} leads have an owner`);
    if (owned >= leads) break;
    if (performance.now() - ownersStart > 120_000) throw new Error(`only ${owned} of ${leads} leads had an owner after 120 s`);
    await delay(1_000);
  }
  const ownersSeconds = (performance.now() - ownersStart) / 1_000;

  // Canaries: the journey runner turns a Demo Requested into an owned suggestion. Not measured.
  const canaryMs: number[] = [];
  for (let i = 0; i < CANARIES; i++) {
    const messageId = `e2e-${runTag}-canary-${i}`;
    const sent = Date.now();
    await ingestBatch(url, [probeMessage(i, messageId, i, new Date(sent).toISOString())]);
    acknowledged.add(messageId);
    const { id: leadId } = await api<{ id: string }>(url, `/v1/leads/lookup?userId=${encodeURIComponent(leadOf(i).userId)}`);
    for (;;) {
      const { events } = await api<{ events: { type: string; data: { ownerId?: string | null }; metadata: { recordedAt: string } }[] }>(url, `/v1/streams/lead-${leadId}?direction=backwards&limit=50`);
      const suggestion = events.find((event) => event.type === 'SuggestionProposed');
      if (suggestion !== undefined) {
        if (suggestion.data.ownerId == null) throw new Error(`the canary's suggestion for lead ${leadId} has no owner`);
        canaryMs.push(Date.parse(suggestion.metadata.recordedAt) - sent);
        break;
      }
      if (Date.now() - sent > 30_000) throw new Error(`no suggestion for the canary Demo Requested of lead ${leadId} after 30 s: is the journey runner on?`);
      await delay(100);
    }
  }
  return { leads, accounts: Math.ceil(leads / LEADS_PER_ACCOUNT), seedSeconds, ownersSeconds, canaryMs };
}

/** Waits for the projection to catch up with the store (seeding, routing and the scorer's first pass). */
async function settleProjection(url: string, timeoutMs: number): Promise<void> {
  const start = performance.now();
  for (;;) {
    const status = await projectionStatus(url);
    progress(`setup: projection ${fmt(status.lagEvents)} events behind`);
    if (status.lagEvents === 0) return;
    if (performance.now() - start > timeoutMs) return;
    await delay(500);
  }
}

// ---------------------------------------------------------------------------------------------
// The open-loop sender: batches leave on a fixed schedule, whatever the answers do

interface Probe {
  readonly step: number;
  /** Date.now() when the request carrying it was handed to fetch. */
  readonly sentAt: number;
  readonly lead: number;
}

interface StepLoad {
  readonly index: number;
  readonly rate: number;
  /** performance.now() */
  start: number;
  end: number;
  /** Date.now() at the step's start: its window in the store's recordedAt. */
  startEpoch: number;
  offered: number;
  sent: number;
  /** Messages due while MAX_IN_FLIGHT requests were unanswered: never sent. */
  notSent: number;
  acknowledged: number;
  /** Acknowledged no later than ANSWER_GRACE_MS after the step's end. */
  acknowledgedInTime: number;
  /** Messages of 2xx answers that did not store all of them, non-2xx answers, or failed requests. */
  failed: number;
  readonly latenciesMs: number[];
  probes: number;
}

interface Sender {
  inFlight: number;
  sequence: number;
  nextProbeLead: number;
  probesSkipped: number;
  readonly probes: Map<string, Probe>;
  /** Probes acknowledged as stored, in the order of their answers: the runner watcher's queue. */
  readonly acknowledgedProbes: string[];
  readonly acknowledged: Set<string>;
  readonly pending: Set<Promise<void>>;
  firstProblem: string | null;
}

function buildBatch(sender: Sender, step: StepLoad, leads: number, at: string): { messages: Message[]; probes: { id: string; lead: number }[] } {
  const messages: Message[] = [];
  const probes: { id: string; lead: number }[] = [];
  for (let i = 0; i < BATCH; i++) {
    const n = sender.sequence++;
    if (n % PROBE_EVERY === PROBE_EVERY - 1) {
      if (sender.nextProbeLead < leads) {
        const messageId = `e2e-${runTag}-probe-${n}`;
        const lead = sender.nextProbeLead++;
        messages.push(probeMessage(lead, messageId, n, at));
        probes.push({ id: messageId, lead });
        continue;
      }
      sender.probesSkipped += 1;
    }
    messages.push(backgroundMessage(n, leads, at));
  }
  step.probes += probes.length;
  return { messages, probes };
}

function send(url: string, sender: Sender, step: StepLoad, leads: number): void {
  const at = new Date().toISOString();
  const { messages, probes } = buildBatch(sender, step, leads, at);
  const body = JSON.stringify({ batch: messages, sentAt: at });
  const sentAt = Date.now();
  for (const probe of probes) sender.probes.set(probe.id, { step: step.index, sentAt, lead: probe.lead });
  const began = performance.now();
  sender.inFlight += 1;
  step.sent += messages.length;
  const request = (async () => {
    try {
      const response = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: INGEST_AUTHORIZATION },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      const answered = performance.now();
      step.latenciesMs.push(answered - began);
      const answer = response.status === 200 ? (JSON.parse(text) as { stored?: number }) : null;
      if (answer?.stored !== messages.length) {
        step.failed += messages.length;
        sender.firstProblem ??= `${response.status} ${text.slice(0, 300)}`;
        return;
      }
      for (const message of messages) sender.acknowledged.add(message.messageId as string);
      for (const probe of probes) sender.acknowledgedProbes.push(probe.id);
      step.acknowledged += messages.length;
      if (answered <= step.end + ANSWER_GRACE_MS) step.acknowledgedInTime += messages.length;
    } catch (error) {
      step.failed += messages.length;
      sender.firstProblem ??= error instanceof Error ? error.message : String(error);
    } finally {
      sender.inFlight -= 1;
    }
  })();
  sender.pending.add(request);
  void request.finally(() => sender.pending.delete(request));
}

async function runStep(url: string, sender: Sender, step: StepLoad, seconds: number, leads: number): Promise<void> {
  const interval = (BATCH / step.rate) * 1_000;
  step.start = performance.now();
  step.startEpoch = Date.now();
  step.end = step.start + seconds * 1_000;
  for (let k = 0; ; k++) {
    const due = step.start + k * interval;
    if (due >= step.end) break;
    const wait = due - performance.now();
    // Behind schedule (a busy event loop): send at once, but let answers in between sends.
    if (wait > 1) await delay(wait);
    else await yieldToEventLoop();
    step.offered += BATCH;
    if (sender.inFlight >= MAX_IN_FLIGHT) {
      step.notSent += BATCH;
      continue;
    }
    send(url, sender, step, leads);
    if (k % 20 === 0) progress(`step ${step.index + 1}: ${fmt(step.rate)} events/s, ${Math.round((performance.now() - step.start) / 1_000)} of ${seconds} s, ${sender.inFlight} requests in flight`);
  }
  // The step's answers: those within the grace count; the rest are waited for before the next step.
  const graceEnd = step.end + ANSWER_GRACE_MS;
  while (sender.inFlight > 0 && performance.now() < graceEnd) await delay(10);
  await Promise.all([...sender.pending]);
}

// ---------------------------------------------------------------------------------------------
// The server's own view of a step: CPU and event-loop delay from its /metrics (prom-client)

interface ServerSample {
  /** performance.now() when scraped. */
  readonly at: number;
  /** User + system CPU of the server process (chDB's and SQLite's threads included). */
  readonly cpuSeconds: number;
  /** Event-loop delay since the previous scrape (prom-client resets its histogram on each). */
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
  readonly rssBytes: number;
}

async function serverSample(url: string): Promise<ServerSample | null> {
  try {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: API_AUTHORIZATION }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    const value = (name: string): number => {
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
      return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
    };
    return {
      at: performance.now(),
      cpuSeconds: value('nudge_process_cpu_seconds_total'),
      loopP99Ms: value('nudge_nodejs_eventloop_lag_p99_seconds') * 1_000,
      loopMaxMs: value('nudge_nodejs_eventloop_lag_max_seconds') * 1_000,
      rssBytes: value('nudge_process_resident_memory_bytes'),
    };
  } catch {
    return null;
  }
}

interface StepServer {
  /** Server CPU over the step, in cores (1.0 = one core busy all the time). */
  readonly cores: number;
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
  readonly rssBytes: number;
}

function stepServer(before: ServerSample | null, after: ServerSample | null): StepServer | null {
  if (before === null || after === null) return null;
  return { cores: (after.cpuSeconds - before.cpuSeconds) / ((after.at - before.at) / 1_000), loopP99Ms: after.loopP99Ms, loopMaxMs: after.loopMaxMs, rssBytes: after.rssBytes };
}

// ---------------------------------------------------------------------------------------------
// The journey runner, watched during the run through the probes

/**
 * The runner's progress is not in the API, so it is read from the probes: the oldest acknowledged
 * probe without a suggestion is looked for on its lead's stream, again and again (every 250 ms
 * while it has none; the next one at once when it has). Its age is how far behind the runner's
 * decisions are (0 when every acknowledged probe has its suggestion); `sampleClient` takes it
 * every 250 ms. When the server is slow to answer the look-ups the age is over-stated by up to
 * one look-up's time.
 */
interface RunnerWatcher {
  /** Next probe of sender.acknowledgedProbes not yet seen with its suggestion. */
  next: number;
  readonly leadIds: Map<number, string>;
  stopped: boolean;
  failures: number;
}

function runnerBacklogMs(watcher: RunnerWatcher, sender: Sender): number {
  const oldest = sender.acknowledgedProbes[watcher.next];
  return oldest === undefined ? 0 : Date.now() - sender.probes.get(oldest)!.sentAt;
}

async function hasSuggestion(url: string, watcher: RunnerWatcher, lead: number): Promise<boolean> {
  let leadId = watcher.leadIds.get(lead);
  if (leadId === undefined) {
    leadId = (await api<{ id: string }>(url, `/v1/leads/lookup?userId=${encodeURIComponent(leadOf(lead).userId)}`)).id;
    watcher.leadIds.set(lead, leadId);
  }
  const { events } = await api<{ events: { type: string }[] }>(url, `/v1/streams/lead-${leadId}?direction=backwards&limit=20`);
  return events.some((event) => event.type === 'SuggestionProposed');
}

async function watchRunner(url: string, watcher: RunnerWatcher, sender: Sender): Promise<void> {
  while (!watcher.stopped) {
    let found = false;
    try {
      const id = sender.acknowledgedProbes[watcher.next];
      if (id !== undefined && (await hasSuggestion(url, watcher, sender.probes.get(id)!.lead))) {
        watcher.next += 1;
        found = true;
      }
    } catch {
      watcher.failures += 1;
    }
    if (!found) await delay(POLL_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// What the client knows, sampled on a timer (no request: a slow server cannot delay a sample)

interface ClientSample {
  /** performance.now() */
  readonly at: number;
  /** The sender's requests in flight. */
  readonly inFlight: number;
  readonly runnerBacklogMs: number;
}

function sampleClient(samples: ClientSample[], sender: Sender, watcher: RunnerWatcher): () => void {
  const timer = setInterval(() => samples.push({ at: performance.now(), inFlight: sender.inFlight, runnerBacklogMs: runnerBacklogMs(watcher, sender) }), POLL_MS);
  return () => clearInterval(timer);
}

// ---------------------------------------------------------------------------------------------
// The projection, polled during the run

interface Poll {
  /** performance.now() when the answer arrived. */
  readonly at: number;
  readonly step: number | null;
  readonly position: number;
  readonly head: number;
  readonly lagEvents: number;
  /** Filled after the run: this poll's time minus that of the earliest poll whose head had reached this poll's position. */
  lagMs: number;
}

interface Poller {
  readonly polls: Poll[];
  step: number | null;
  stopped: boolean;
  failures: number;
}

async function pollProjection(url: string, poller: Poller): Promise<void> {
  while (!poller.stopped) {
    const began = performance.now();
    try {
      const status = await projectionStatus(url);
      poller.polls.push({ at: performance.now(), step: poller.step, position: status.position, head: status.head, lagEvents: status.lagEvents, lagMs: 0 });
    } catch {
      poller.failures += 1;
    }
    await delay(Math.max(0, POLL_MS - (performance.now() - began)));
  }
}

/** Heads only grow, so the earliest poll whose head reached a position is found by binary search. */
function fillProjectionLag(polls: Poll[]): void {
  for (const poll of polls) {
    let low = 0;
    let high = polls.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (polls[middle]!.head >= poll.position) high = middle;
      else low = middle + 1;
    }
    poll.lagMs = poll.at - polls[low]!.at;
  }
}

// ---------------------------------------------------------------------------------------------
// Judging a step

interface StepVerdict {
  readonly acknowledgedShare: number;
  /** Mean requests in flight over the first and the last third of the step. */
  readonly backlog: { readonly first: number; readonly last: number; readonly allowedGrowth: number };
  /** Mean projection lag (events) over the first and the last third of the step. */
  readonly projection: { readonly first: number; readonly last: number; readonly allowedGrowth: number };
  /** Mean age (ms) of the oldest acknowledged probe without its suggestion, over the first and the last third. */
  readonly runner: { readonly first: number; readonly last: number; readonly allowedGrowth: number };
  readonly held: boolean;
  readonly why: string | null;
}

const mean = (values: readonly number[]): number => (values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length);

/**
 * Held: at least 98 % of the offered events acknowledged as stored within 1 s of the step's end;
 * the sender's mean backlog (requests in flight) over the last third of the step at most one
 * second of offered requests above the first third's (the answers' latency grew by less than
 * 1 s); the projection's mean lag (events) over the last third at most two seconds of offered
 * events above the first third's (the projector fell less than 2 s further behind); and the
 * runner's mean backlog (age of the oldest acknowledged probe without its suggestion) over the
 * last third at most 1 s above the first third's. Thirds are by sample time; all three are
 * sampled every 250 ms.
 */
function judge(step: StepLoad, polls: readonly Poll[], clientSamples: readonly ClientSample[]): StepVerdict {
  const third = (step.end - step.start) / 3;
  const inFirst = (at: number): boolean => at >= step.start && at < step.start + third;
  const inLast = (at: number): boolean => at >= step.end - third && at <= step.end;
  const first = polls.filter((poll) => inFirst(poll.at));
  const last = polls.filter((poll) => inLast(poll.at));
  const clientFirst = clientSamples.filter((sample) => inFirst(sample.at));
  const clientLast = clientSamples.filter((sample) => inLast(sample.at));
  const runner = {
    first: mean(clientFirst.map((sample) => sample.runnerBacklogMs)),
    last: mean(clientLast.map((sample) => sample.runnerBacklogMs)),
    allowedGrowth: RUNNER_GROWTH_SECONDS * 1_000,
  };
  const acknowledgedShare = step.offered === 0 ? 0 : step.acknowledgedInTime / step.offered;
  const backlog = { first: mean(clientFirst.map((sample) => sample.inFlight)), last: mean(clientLast.map((sample) => sample.inFlight)), allowedGrowth: (BACKLOG_GROWTH_SECONDS * step.rate) / BATCH };
  const projection = { first: mean(first.map((poll) => poll.lagEvents)), last: mean(last.map((poll) => poll.lagEvents)), allowedGrowth: PROJECTION_GROWTH_SECONDS * step.rate };
  const reasons: string[] = [];
  if (acknowledgedShare < HELD_ACK_SHARE) reasons.push(`acknowledged ${percent(acknowledgedShare)} < ${percent(HELD_ACK_SHARE)}`);
  if (first.length === 0 || last.length === 0) reasons.push('no projection poll in a third of the step');
  if (backlog.last - backlog.first > backlog.allowedGrowth) reasons.push(`backlog grew ${backlog.first.toFixed(1)} → ${backlog.last.toFixed(1)} requests (allowed +${fmt(backlog.allowedGrowth)})`);
  if (projection.last - projection.first > projection.allowedGrowth) reasons.push(`projection lag grew ${fmt(projection.first)} → ${fmt(projection.last)} events (allowed +${fmt(projection.allowedGrowth)})`);
  if (runner.last - runner.first > runner.allowedGrowth) reasons.push(`runner backlog grew ${ms(runner.first)} → ${ms(runner.last)} (allowed +${ms(runner.allowedGrowth)})`);
  return { acknowledgedShare, backlog, projection, runner, held: reasons.length === 0, why: reasons.length === 0 ? null : reasons.join('; ') };
}

// ---------------------------------------------------------------------------------------------
// After the run: the store, read directly (read-only)

interface ProbeLatency {
  /** Sent → the suggestion's recordedAt. */
  readonly ms: number;
  /** Sent → the probe's TouchRecorded recordedAt (ingestion). */
  readonly ingestMs: number;
  /** The TouchRecorded's recordedAt → the suggestion's (the journey runner). */
  readonly runnerMs: number;
  readonly owned: boolean;
}

interface StoreReport {
  readonly events: number;
  readonly messages: number;
  readonly touches: number;
  readonly suggestions: number;
  readonly missing: number;
  readonly unacknowledged: number;
  readonly foreign: number;
  /** Per probe with a suggestion: the latency, its two parts, and whether the suggestion had an owner. */
  readonly probeLatencies: Map<string, ProbeLatency>;
  /** Suggestions whose trigger was a probe's touch but whose lead was not that touch's lead. */
  readonly mismatched: number;
  /** The lead router's assignments: how many, and the first and last recordedAt (epoch ms). */
  readonly owners: { readonly count: number; readonly first: number; readonly last: number };
  /** Per step window: the events recorded in it, by kind. */
  readonly recorded: readonly Record<RecordedKind, number>[];
}

const recordedKinds = ['ingested', 'journeys', 'LeadScoreChanged', 'OwnerAssigned', 'other'] as const;
type RecordedKind = (typeof recordedKinds)[number];

function kindOf(event: { type: string; data: unknown; metadata: { causationId: string | null } }): RecordedKind {
  const messageId = (event.data as { messageId?: unknown }).messageId;
  if (typeof messageId === 'string' && event.metadata.causationId === messageId) return 'ingested';
  if (event.type.startsWith('Journey') || event.type.startsWith('Suggestion')) return 'journeys';
  if (event.type === 'LeadScoreChanged' || event.type === 'OwnerAssigned') return event.type;
  return 'other';
}

/**
 * One pass over the store: the probes' TouchRecorded events (by messageId) and the
 * SuggestionProposed events that name them as trigger (reason.trigger.eventId) on the same lead;
 * latency = the suggestion's metadata.recordedAt − the time the client sent the probe.
 */
async function readStore(
  eventsPath: string,
  acknowledged: ReadonlySet<string>,
  probes: ReadonlyMap<string, Probe>,
  windows: readonly { readonly from: number; readonly to: number }[],
): Promise<StoreReport> {
  const store = createSqliteEventStore({ path: eventsPath, readOnly: true });
  try {
    const messages = new Set<string>();
    const probeTouches = new Map<string, { messageId: string; stream: string; recordedAt: number }>();
    const probeLatencies = new Map<string, ProbeLatency>();
    let events = 0;
    let touches = 0;
    let suggestions = 0;
    let mismatched = 0;
    const owners = { count: 0, first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY };
    const recorded = windows.map(() => Object.fromEntries(recordedKinds.map((kind) => [kind, 0])) as Record<RecordedKind, number>);
    let after = 0;
    for (;;) {
      const page = await store.readAll({ after, limit: 5_000 });
      for (const event of page) {
        events += 1;
        const recordedAt = Date.parse(event.metadata.recordedAt);
        const window = windows.findIndex(({ from, to }) => recordedAt >= from && recordedAt < to);
        if (window !== -1) recorded[window]![kindOf(event)] += 1;
        const data = event.data as { messageId?: unknown };
        // Ingested events are caused by their message; the server's own mail (a rep's morning
        // digest, a sent suggestion email) records a messageId of its own, caused by nothing.
        if (typeof data.messageId === 'string' && event.metadata.causationId === data.messageId) messages.add(data.messageId);
        if (event.type === 'OwnerAssigned') {
          owners.count += 1;
          owners.first = Math.min(owners.first, recordedAt);
          owners.last = Math.max(owners.last, recordedAt);
        } else if (event.type === 'TouchRecorded') {
          touches += 1;
          if (typeof data.messageId === 'string' && probes.has(data.messageId)) probeTouches.set(event.id, { messageId: data.messageId, stream: event.stream, recordedAt: Date.parse(event.metadata.recordedAt) });
        } else if (event.type === 'SuggestionProposed') {
          suggestions += 1;
          const proposed = event.data as { leadId: string; ownerId: string | null; reason: { trigger: { eventId: string } } };
          const touch = probeTouches.get(proposed.reason.trigger.eventId);
          if (touch === undefined || probeLatencies.has(touch.messageId)) continue;
          if (touch.stream !== `lead-${proposed.leadId}`) {
            mismatched += 1;
            continue;
          }
          const probe = probes.get(touch.messageId)!;
          probeLatencies.set(touch.messageId, { ms: recordedAt - probe.sentAt, ingestMs: touch.recordedAt - probe.sentAt, runnerMs: recordedAt - touch.recordedAt, owned: proposed.ownerId !== null });
        }
      }
      if (page.length < 5_000) break;
      after = page[page.length - 1]!.position;
      progress(`reading the store back: ${fmt(events)} events`);
    }
    let missing = 0;
    for (const id of acknowledged) if (!messages.has(id)) missing += 1;
    let unacknowledged = 0;
    let foreign = 0;
    for (const id of messages) {
      if (acknowledged.has(id)) continue;
      if (id.startsWith(`e2e-${runTag}-`)) unacknowledged += 1;
      else foreign += 1;
    }
    return { events, messages: messages.size, touches, suggestions, missing, unacknowledged, foreign, probeLatencies, mismatched, owners, recorded };
  } finally {
    await store.close();
  }
}

/** After the last step: the runner may still be deciding the last probes; wait for the last one's suggestion. */
async function awaitLastSuggestion(url: string, sender: Sender, timeoutMs: number): Promise<boolean> {
  const last = [...sender.probes.values()].at(-1);
  if (last === undefined) return true;
  const { id: leadId } = await api<{ id: string }>(url, `/v1/leads/lookup?userId=${encodeURIComponent(leadOf(last.lead).userId)}`).catch(() => ({ id: '' }));
  if (leadId === '') return false;
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    const { events } = await api<{ events: { type: string }[] }>(url, `/v1/streams/lead-${leadId}?direction=backwards&limit=50`);
    if (events.some((event) => event.type === 'SuggestionProposed')) return true;
    progress(`waiting for the journey runner to decide the last probe (${Math.round((performance.now() - start) / 1_000)} s)`);
    await delay(250);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Output

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmt = (value: number): string => (Number.isFinite(value) ? integer.format(value) : '—');
const ms = (value: number): string => {
  if (!Number.isFinite(value)) return '—';
  if (value >= 1_000) return `${(value / 1_000).toFixed(value >= 10_000 ? 1 : 2)} s`;
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
};
const percent = (value: number): string => `${(value * 100).toFixed(value >= 0.995 && value < 1 ? 1 : 0)} %`;

/** Nearest-rank percentile (p in 0–100); NaN for no values. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------------
// Main

const USAGE =
  'usage: node bench/e2e.ts [--quick] [--json] [--step-seconds N] [--rates a,b,c]\n' +
  '  --quick            10 s steps at 500, 1000, 2000, 3000 events/s: a smoke run of about 90 s\n' +
  '  --json             also print the results as one JSON object on the last line\n' +
  '  --step-seconds N   seconds per step (default 60, 10 with --quick)\n' +
  '  --rates a,b,c      offered rates in events/s, stepped in order (default 500,1000,1500,2000,3000,4000,5000,6000)\n' +
  '  --cpu-prof-dir <dir>  run the Nudge server with --cpu-prof, writing its profile to <dir>\n' +
  '  --server-env NAME=VALUE  one more variable for the Nudge server (repeatable), e.g. NUDGE_RUNNER_THREAD=off for an A/B';

function readFlags(): { quick: boolean; json: boolean; cpuProfDir: string | undefined; serverEnv: Record<string, string>; settings: Settings } {
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'step-seconds': { type: 'string' },
        rates: { type: 'string' },
        'cpu-prof-dir': { type: 'string' },
        'server-env': { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const base = values.quick ? QUICK : FULL;
    const stepSeconds = values['step-seconds'] === undefined ? base.stepSeconds : Number(values['step-seconds']);
    if (!Number.isInteger(stepSeconds) || stepSeconds < 3 || stepSeconds > 600) throw new Error('--step-seconds must be a whole number from 3 to 600');
    const rates = values.rates === undefined ? base.rates : values.rates.split(',').map((rate) => Number(rate.trim()));
    if (rates.length === 0 || rates.some((rate) => !Number.isInteger(rate) || rate < 10 || rate > 100_000)) throw new Error('--rates must be whole numbers from 10 to 100000, comma-separated');
    const serverEnv: Record<string, string> = {};
    for (const pair of values['server-env']) {
      const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
      if (match === null) throw new Error(`--server-env ${JSON.stringify(pair)}: must be NAME=VALUE with NAME in capitals, e.g. NUDGE_RUNNER_THREAD=off`);
      serverEnv[match[1]!] = match[2]!;
    }
    return { quick: values.quick, json: values.json, cpuProfDir: values['cpu-prof-dir'], serverEnv, settings: { stepSeconds, rates } };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

/** Enough leads for one probe per PROBE_EVERY messages over every step (each lead enters the journey once), within reason. */
function leadsFor(settings: Settings): number {
  const messages = settings.rates.reduce((sum, rate) => sum + rate * settings.stepSeconds, 0);
  return Math.min(10_000, Math.max(1_000, Math.ceil((messages / PROBE_EVERY) * 1.05) + CANARIES));
}

interface StepResult {
  readonly load: StepLoad;
  readonly verdict: StepVerdict;
  readonly polls: readonly Poll[];
  readonly server: StepServer | null;
  /** This process's CPU over the step, in cores: what the load generator took from the machine. */
  readonly benchCores: number;
}

async function main(): Promise<void> {
  const flags = readFlags();
  const { settings } = flags;
  const dir = mkdtempSync(join(os.tmpdir(), 'nudge-bench-e2e-'));
  const dataDir = join(dir, 'data');
  let nudge: Child | null = null;
  const cleanUp = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    nudge?.process.kill('SIGKILL');
    cleanUp();
    process.exit(130);
  });
  const began = performance.now();
  const leads = leadsFor(settings);
  const sender: Sender = { inFlight: 0, sequence: 0, nextProbeLead: CANARIES, probesSkipped: 0, probes: new Map(), acknowledgedProbes: [], acknowledged: new Set(), pending: new Set(), firstProblem: null };
  const poller: Poller = { polls: [], step: null, stopped: false, failures: 0 };
  const watcher: RunnerWatcher = { next: 0, leadIds: new Map(), stopped: false, failures: 0 };
  const clientSamples: ClientSample[] = [];
  let stopSampling = (): void => undefined;

  try {
    progress('starting nudge serve');
    nudge = await startNudge(dataDir, flags.cpuProfDir, flags.serverEnv);
    const url = nudge.url;
    const setup = await seedWorld(url, leads, sender.acknowledged);
    await settleProjection(url, 60_000);

    // The steps, with the projection polled throughout.
    const polling = pollProjection(url, poller);
    const watching = watchRunner(url, watcher, sender);
    stopSampling = sampleClient(clientSamples, sender, watcher);
    await delay(2 * POLL_MS);
    const steps: StepResult[] = [];
    for (const [index, rate] of settings.rates.entries()) {
      const load: StepLoad = { index, rate, start: 0, end: 0, startEpoch: 0, offered: 0, sent: 0, notSent: 0, acknowledged: 0, acknowledgedInTime: 0, failed: 0, latenciesMs: [], probes: 0 };
      const before = await serverSample(url);
      const benchBefore = { at: performance.now(), cpu: process.cpuUsage() };
      poller.step = index;
      const ended = runStep(url, sender, load, settings.stepSeconds, leads);
      // Scraped at the step's end, before its drain: the figures are the step's.
      const after = delay(settings.stepSeconds * 1_000).then(() => serverSample(url));
      const benchAfter = delay(settings.stepSeconds * 1_000).then(() => {
        const cpu = process.cpuUsage(benchBefore.cpu);
        return (cpu.user + cpu.system) / 1_000 / (performance.now() - benchBefore.at);
      });
      await ended;
      poller.step = null;
      const polls = poller.polls.filter((poll) => poll.at >= load.start && poll.at <= load.end);
      const verdict = judge(load, polls, clientSamples);
      steps.push({ load, verdict, polls, server: stepServer(before, await after), benchCores: await benchAfter });
      if (!verdict.held) break;
    }
    const settled = await awaitLastSuggestion(url, sender, 60_000);
    // A few more polls: the lag of the last step's polls needs later heads only if the run ended mid-catch-up.
    await delay(2 * POLL_MS);
    poller.stopped = true;
    watcher.stopped = true;
    stopSampling();
    await Promise.all([polling, watching]);
    fillProjectionLag(poller.polls);

    progress('stopping nudge serve');
    const exitCode = await nudge.stop();
    const serverLog = nudge.stderr();
    nudge = null;
    const eventsPath = join(dataDir, 'events.db');
    const stored = await readStore(
      eventsPath,
      sender.acknowledged,
      sender.probes,
      steps.map(({ load }) => ({ from: load.startEpoch, to: load.startEpoch + settings.stepSeconds * 1_000 })),
    );
    progressDone();
    const storeBytes = statSync(eventsPath).size;
    const elapsedSeconds = (performance.now() - began) / 1_000;

    // -------------------------------------------------------------------------------------------
    // Figures

    const probesOf = (step: number): string[] => [...sender.probes].filter(([, probe]) => probe.step === step).map(([id]) => id);
    const latenciesOf = (ids: readonly string[]): ProbeLatency[] => ids.flatMap((id) => {
      const latency = stored.probeLatencies.get(id);
      return latency === undefined ? [] : [latency];
    });
    const rows = steps.map(({ load, verdict, polls, server, benchCores }) => {
      const probeIds = probesOf(load.index);
      const probeLatencies = latenciesOf(probeIds);
      const suggestionMs = probeLatencies.map((latency) => latency.ms);
      const lagMs = polls.map((poll) => poll.lagMs);
      return { load, verdict, probeIds, probeLatencies, suggestionMs, lagMs, polls: polls.length, server, benchCores };
    });
    const held = rows.filter((row) => row.verdict.held);
    const highestHeld = held.length === 0 ? 0 : Math.max(...held.map((row) => row.load.rate));
    const heldLatencies = held.flatMap((row) => row.probeLatencies);
    const allLatencies = rows.flatMap((row) => row.probeLatencies);
    const heldSuggestionMs = heldLatencies.map((latency) => latency.ms);
    const heldLagMs = held.flatMap((row) => row.lagMs);
    const allLagMs = rows.flatMap((row) => row.lagMs);
    const pollIntervals = poller.polls.slice(1).map((poll, i) => poll.at - poller.polls[i]!.at);
    const pollResolutionMs = pollIntervals.length === 0 ? Number.NaN : median(pollIntervals);
    const probesSent = sender.probes.size;
    const probesAnswered = stored.probeLatencies.size;
    const probesOwned = [...stored.probeLatencies.values()].filter((latency) => latency.owned).length;
    const targets = [
      { name: 'highest rate held for a step', target: `≥ ${fmt(TARGETS.heldEventsPerSecond)} events/s`, measured: `${fmt(highestHeld)} events/s`, pass: highestHeld >= TARGETS.heldEventsPerSecond },
      {
        name: 'event → suggestion p99 (held steps)',
        target: `≤ ${TARGETS.suggestionP99Ms} ms`,
        measured: ms(percentile(heldSuggestionMs, 99)),
        pass: heldSuggestionMs.length > 0 && percentile(heldSuggestionMs, 99) <= TARGETS.suggestionP99Ms,
      },
      {
        name: 'event → ClickHouse lag p99 (held steps)',
        target: `≤ ${TARGETS.projectionLagP99Ms / 1_000} s`,
        measured: ms(percentile(heldLagMs, 99)),
        pass: heldLagMs.length > 0 && percentile(heldLagMs, 99) <= TARGETS.projectionLagP99Ms,
      },
    ];
    const audited = stored.missing === 0 && stored.foreign === 0;
    const cpus = os.cpus();
    const sample = backgroundMessage(0, leads, new Date().toISOString());

    // -------------------------------------------------------------------------------------------
    console.log(`Nudge end-to-end benchmark${flags.quick ? ' (--quick)' : ''}`);
    console.log(`  node ${process.version} · ${cpus[0]?.model.trim() ?? 'unknown cpu'} × ${cpus.length} · ${os.platform()} ${os.arch()}`);
    console.log(`  nudge serve: embedded SQLite (synchronous=FULL) and embedded chDB in ${os.tmpdir()}; journey runner, lead router, analytics projector and lead scorer on; rate limit off; LOG_LEVEL=warn${Object.keys(flags.serverEnv).length === 0 ? '' : `; ${Object.entries(flags.serverEnv).map(([name, value]) => `${name}=${value}`).join(' ')}`}`);
    console.log(
      `  load: this process, open loop: POST /v1/batch of ${BATCH} messages (~${fmt(Buffer.byteLength(JSON.stringify(sample)))} B each) every ${BATCH}/rate s, ` +
        `${settings.stepSeconds} s per step, at most ${MAX_IN_FLIGHT} requests in flight`,
    );
    console.log(
      `  messages: tracks (60 %) and page views (25 %) of the ${fmt(leads)} known leads, page views of ${fmt(VISITORS)} anonymous visitors (15 %); ` +
        `1 in ${PROBE_EVERY} is a probe: Demo Requested of a lead new to new-inbound-lead`,
    );
    console.log(
      `  setup: ${REPS.length} reps (americas, emea, apac, inbound), ${fmt(setup.leads)} leads identified with group calls into ${fmt(setup.accounts)} accounts (country, ${EMPLOYEES[0]}+ employees) ` +
        `in ${setup.seedSeconds.toFixed(1)} s; every lead had an owner ${setup.ownersSeconds.toFixed(1)} s later; canary suggestions in ${setup.canaryMs.map((value) => ms(value)).join(', ')}`,
    );
    console.log('');
    console.log(
      `Steps   acked: stored ≤ ${ANSWER_GRACE_MS / 1_000} s after the step's end; backlog: requests in flight; projection lag: events; ` +
        'runner backlog: age of the oldest acknowledged probe without its suggestion; the last three as means over the first → last third of the step',
    );
    console.log(
      table(
        ['events/s', 'offered', 'acked', 'req p50', 'req p99', 'backlog', 'projection lag', 'runner backlog', 'held'],
        rows.map((row) => [
          fmt(row.load.rate),
          fmt(row.load.offered),
          percent(row.verdict.acknowledgedShare),
          ms(percentile(row.load.latenciesMs, 50)),
          ms(percentile(row.load.latenciesMs, 99)),
          `${row.verdict.backlog.first.toFixed(1)} → ${row.verdict.backlog.last.toFixed(1)}`,
          `${fmt(row.verdict.projection.first)} → ${fmt(row.verdict.projection.last)}`,
          `${ms(row.verdict.runner.first)} → ${ms(row.verdict.runner.last)}`,
          row.verdict.held ? 'yes' : 'NO',
        ]),
      ),
    );
    console.log('');
    console.log(
      'Per step   sugg: event → suggestion = ingest (sent → touch recorded) + runner (touch → suggestion recorded); CH lag: event → ClickHouse; ' +
        'server: its /metrics (CPU in cores, event-loop delay, RSS); bench CPU: this process, in cores',
    );
    console.log(
      table(
        ['events/s', 'probes', 'sugg p50', 'sugg p99', 'ingest p99', 'runner p99', 'CH lag p50', 'CH lag p99', 'server CPU', 'loop p99', 'loop max', 'RSS', 'bench CPU'],
        rows.map((row) => [
          fmt(row.load.rate),
          `${fmt(row.suggestionMs.length)}/${fmt(row.probeIds.length)}`,
          ms(percentile(row.suggestionMs, 50)),
          ms(percentile(row.suggestionMs, 99)),
          ms(percentile(row.probeLatencies.map((latency) => latency.ingestMs), 99)),
          ms(percentile(row.probeLatencies.map((latency) => latency.runnerMs), 99)),
          ms(percentile(row.lagMs, 50)),
          ms(percentile(row.lagMs, 99)),
          row.server === null ? '—' : `${row.server.cores.toFixed(2)} cores`,
          row.server === null ? '—' : ms(row.server.loopP99Ms),
          row.server === null ? '—' : ms(row.server.loopMaxMs),
          row.server === null ? '—' : `${fmt(row.server.rssBytes / 1_048_576)} MiB`,
          row.benchCores.toFixed(2),
        ]),
      ),
    );
    for (const row of rows.filter((r) => !r.verdict.held)) console.log(`  ${fmt(row.load.rate)} events/s not held: ${row.verdict.why}`);
    const notSent = rows.reduce((sum, row) => sum + row.load.notSent, 0);
    const failed = rows.reduce((sum, row) => sum + row.load.failed, 0);
    if (notSent > 0 || failed > 0) console.log(`  not sent (${MAX_IN_FLIGHT} requests in flight): ${fmt(notSent)} messages · failed or not stored: ${fmt(failed)} messages${sender.firstProblem === null ? '' : `; first: ${sender.firstProblem}`}`);
    console.log('');
    console.log('What the store recorded during each step (by recordedAt, events/s): ingested = caused by a message; journeys = Journey… and Suggestion… events');
    console.log(
      table(
        ['events/s', 'recorded', ...recordedKinds],
        rows.map((row) => {
          const counts = stored.recorded[row.load.index]!;
          const perSecond = (value: number): string => fmt(value / settings.stepSeconds);
          return [fmt(row.load.rate), perSecond(recordedKinds.reduce((sum, kind) => sum + counts[kind], 0)), ...recordedKinds.map((kind) => perSecond(counts[kind]))];
        }),
      ),
    );
    console.log('');
    console.log('How a step is judged (held = all four)');
    console.log(`  acked ≥ ${percent(HELD_ACK_SHARE)} of the offered messages, answered "stored" by the end of the step + ${ANSWER_GRACE_MS / 1_000} s (messages not sent because the backlog was full count as not acked);`);
    console.log(`  backlog: the mean requests in flight over the last third of the step exceed the first third's by at most ${BACKLOG_GROWTH_SECONDS} s of offered requests (rate ÷ ${BATCH});`);
    console.log(
      `  projection lag: the mean lagEvents (store head − projector position, GET /v1/analytics/projections) over the last third exceed the first third's by at most ${PROJECTION_GROWTH_SECONDS} s of offered events (${PROJECTION_GROWTH_SECONDS} × rate);`,
    );
    console.log(
      `  runner backlog: the mean age of the oldest acknowledged probe whose lead's stream (GET /v1/streams/lead-<id>) has no suggestion yet, over the last third, exceeds the first third's by at most ${RUNNER_GROWTH_SECONDS} s ` +
        `(sampled every ${POLL_MS} ms with the backlog; ${watcher.failures} look-ups failed).`,
    );
    console.log('');
    console.log('Latencies');
    console.log(
      table(
        ['figure', 'over', 'samples', 'p50', 'p99', 'max'],
        [
          ...(['held', 'all'] as const).flatMap((over) => {
            const latencies = over === 'held' ? heldLatencies : allLatencies;
            const line = (figure: string, values: readonly number[]): string[] => [figure, `${over} steps`, fmt(values.length), ms(percentile(values, 50)), ms(percentile(values, 99)), ms(percentile(values, 100))];
            return [
              line('event → suggestion', latencies.map((latency) => latency.ms)),
              line('  sent → touch recorded (ingest)', latencies.map((latency) => latency.ingestMs)),
              line('  touch → suggestion (runner)', latencies.map((latency) => latency.runnerMs)),
            ];
          }),
          ['event → ClickHouse lag', 'held steps', fmt(heldLagMs.length), ms(percentile(heldLagMs, 50)), ms(percentile(heldLagMs, 99)), ms(percentile(heldLagMs, 100))],
          ['event → ClickHouse lag', 'all steps', fmt(allLagMs.length), ms(percentile(allLagMs, 50)), ms(percentile(allLagMs, 99)), ms(percentile(allLagMs, 100))],
        ],
        2,
      ),
    );
    console.log(
      `  event → suggestion: the SuggestionProposed's metadata.recordedAt (read from the store after the run) − the time this process handed the probe's request to fetch; ` +
        `the suggestion is matched by its reason.trigger.eventId (the probe's TouchRecorded) and lead. ` +
        `${fmt(probesAnswered)} of ${fmt(probesSent)} probes got a suggestion, ${fmt(probesOwned)} of them with an owner${stored.mismatched > 0 ? `; ${fmt(stored.mismatched)} on another lead than the probe's` : ''}` +
        `${sender.probesSkipped > 0 ? `; ${fmt(sender.probesSkipped)} probes not sent (every seeded lead used)` : ''}${settled ? '' : '; the last probe had no suggestion 60 s after the run'}.`,
    );
    console.log(
      `  event → ClickHouse lag: GET /v1/analytics/projections every ${POLL_MS} ms (median interval measured ${ms(pollResolutionMs)}, ${fmt(poller.polls.length)} polls, ${poller.failures} failed); ` +
        "a poll's lag = its time − the time of the earliest poll whose head had reached this poll's projector position: a lower bound, at most one poll interval short.",
    );
    console.log('');
    console.log('Targets (from the issue)');
    console.log(table(['target', 'wanted', 'measured', 'result'], targets.map((t) => [t.name, t.target, t.measured, t.pass ? 'PASS' : 'MISS'])));
    console.log('');
    console.log(`Store check (after a graceful stop, exit code ${exitCode}, read back through the EventStore port)`);
    console.log(`  ${fmt(sender.acknowledged.size)} messages acknowledged as stored (setup, canaries and steps)`);
    console.log(
      `  ${fmt(stored.messages)} messages in the store, ${fmt(stored.events)} events (${fmt(stored.touches)} TouchRecorded, ${fmt(stored.suggestions)} SuggestionProposed), ${(storeBytes / 1_048_576).toFixed(1)} MiB (excluding WAL)`,
    );
    if (stored.owners.count > 0) {
      const seconds = (stored.owners.last - stored.owners.first) / 1_000;
      console.log(`  routing: ${fmt(stored.owners.count)} OwnerAssigned recorded over ${seconds.toFixed(1)} s (${fmt(stored.owners.count / Math.max(seconds, 0.001))} a second), from the first to the last`);
    }
    console.log(`  acknowledged but missing: ${fmt(stored.missing)} · stored but unanswered (no answer in 30 s, or the answer failed): ${fmt(stored.unacknowledged)} · not sent by this run: ${fmt(stored.foreign)}`);
    console.log(`  ${audited ? 'OK: every acknowledged message is in the store' : 'FAILED: the store does not hold what was acknowledged'}`);
    if (exitCode !== 0) console.log(`  the server exited with ${exitCode}; the end of its log:\n${serverLog.split('\n').slice(-10).join('\n')}`);
    console.log('');
    console.log(`  run took ${elapsedSeconds.toFixed(1)} s${flags.cpuProfDir === undefined ? '' : `; Nudge CPU profile in ${resolve(flags.cpuProfDir)}`}`);

    if (flags.json) {
      const round = (value: number): number | null => (Number.isFinite(value) ? Math.round(value * 10) / 10 : null);
      console.log(
        JSON.stringify({
          benchmark: 'e2e',
          quick: flags.quick,
          node: process.version,
          cpu: cpus[0]?.model.trim() ?? null,
          cpus: cpus.length,
          platform: `${os.platform()} ${os.arch()}`,
          stepSeconds: settings.stepSeconds,
          rates: settings.rates,
          batch: BATCH,
          probeEvery: PROBE_EVERY,
          leads,
          setup: { seedSeconds: round(setup.seedSeconds), ownersSeconds: round(setup.ownersSeconds), canaryMs: setup.canaryMs },
          steps: rows.map((row) => ({
            rate: row.load.rate,
            offered: row.load.offered,
            sent: row.load.sent,
            notSent: row.load.notSent,
            acknowledged: row.load.acknowledged,
            acknowledgedInTime: row.load.acknowledgedInTime,
            failed: row.load.failed,
            acknowledgedShare: round(row.verdict.acknowledgedShare * 100),
            requestP50Ms: round(percentile(row.load.latenciesMs, 50)),
            requestP99Ms: round(percentile(row.load.latenciesMs, 99)),
            backlog: { first: round(row.verdict.backlog.first), last: round(row.verdict.backlog.last), allowedGrowth: row.verdict.backlog.allowedGrowth },
            projectionLagEvents: { first: round(row.verdict.projection.first), last: round(row.verdict.projection.last), allowedGrowth: row.verdict.projection.allowedGrowth },
            runnerBacklogMs: { first: round(row.verdict.runner.first), last: round(row.verdict.runner.last), allowedGrowth: row.verdict.runner.allowedGrowth },
            projectionLagMs: { p50: round(percentile(row.lagMs, 50)), p99: round(percentile(row.lagMs, 99)), polls: row.polls },
            suggestionMs: { p50: round(percentile(row.suggestionMs, 50)), p99: round(percentile(row.suggestionMs, 99)), samples: row.suggestionMs.length, probes: row.probeIds.length },
            ingestP99Ms: round(percentile(row.probeLatencies.map((latency) => latency.ingestMs), 99)),
            runnerP99Ms: round(percentile(row.probeLatencies.map((latency) => latency.runnerMs), 99)),
            server: row.server === null ? null : { cores: round(row.server.cores), loopP99Ms: round(row.server.loopP99Ms), loopMaxMs: round(row.server.loopMaxMs), rssMiB: round(row.server.rssBytes / 1_048_576) },
            benchCores: round(row.benchCores),
            recorded: stored.recorded[row.load.index],
            held: row.verdict.held,
            why: row.verdict.why,
          })),
          highestHeldEventsPerSecond: highestHeld,
          suggestionMs: { p50: round(percentile(heldSuggestionMs, 50)), p99: round(percentile(heldSuggestionMs, 99)), samples: heldSuggestionMs.length },
          projectionLagMs: { p50: round(percentile(heldLagMs, 50)), p99: round(percentile(heldLagMs, 99)), samples: heldLagMs.length, resolutionMs: round(pollResolutionMs) },
          probes: { sent: probesSent, suggested: probesAnswered, owned: probesOwned, skipped: sender.probesSkipped, mismatched: stored.mismatched },
          targets: targets.map(({ name, target, measured, pass }) => ({ name, target, measured, pass })),
          store: {
            acknowledged: sender.acknowledged.size,
            events: stored.events,
            messages: stored.messages,
            touches: stored.touches,
            suggestions: stored.suggestions,
            missing: stored.missing,
            unacknowledged: stored.unacknowledged,
            foreign: stored.foreign,
            ownersAssigned: stored.owners.count,
            ownersSeconds: stored.owners.count === 0 ? null : round((stored.owners.last - stored.owners.first) / 1_000),
            ok: audited,
          },
          serverExitCode: exitCode,
          elapsedSeconds: round(elapsedSeconds),
        }),
      );
    }
    if (!audited) process.exitCode = 1;
  } finally {
    progressDone();
    poller.stopped = true;
    watcher.stopped = true;
    stopSampling();
    await nudge?.stop();
    cleanUp();
  }
}

await main();

/**
 * Segment's own SDKs, unchanged, against `nudge serve`: the Node library (@segment/analytics-node)
 * and the browser library (@segment/analytics-next, its UMD bundle in headless Chromium, loaded
 * from a page on another origin so the settings fetch and the posts cross origins as on a
 * customer's site). What they send is checked through the read API, as a rep's tools would see it.
 *
 * The browser test needs Chromium: /usr/bin/chromium, or the path in CHROMIUM_PATH. Without it,
 * it is skipped and says why.
 */
import { Analytics } from '@segment/analytics-node';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startNudge, type RunningNudge } from './nudgeProcess.ts';

const WRITE_KEY = 'wk_sdk_test_0123456789';
const API_TOKEN = 'sdk-test-api-token-0123456789';

interface Lead {
  id: string;
  identities: { kind: string; value: string }[];
  anonymousIds: string[];
  traits: Record<string, unknown>;
  account: { id: string; name: string | null; domain: string | null } | null;
}

interface TimelineEvent {
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

let dataDir: string;
let nudge: RunningNudge;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nudge-sdk-e2e-'));
  nudge = await startNudge({ NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: WRITE_KEY, NUDGE_API_TOKENS: API_TOKEN });
});

afterAll(async () => {
  await nudge?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function read<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${nudge.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  return { status: response.status, body: (await response.json()) as T };
}

async function lookup(query: string): Promise<Lead | null> {
  const { status, body } = await read<Lead>(`/v1/leads/lookup?${query}`);
  return status === 200 ? body : null;
}

async function timeline(leadId: string): Promise<TimelineEvent[]> {
  const { status, body } = await read<{ events: TimelineEvent[] }>(`/v1/leads/${leadId}/timeline?limit=500`);
  expect(status).toBe(200);
  return body.events;
}

/** Polls until `probe` gives a value, or fails after `timeoutMs` with what it last saw. */
async function eventually<T>(probe: () => Promise<T | null | undefined>, what: string | (() => string), timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const touches = (events: readonly TimelineEvent[]): TimelineEvent[] => events.filter((event) => event.type === 'TouchRecorded');

describe('@segment/analytics-node', () => {
  it('identify, track, page, group and alias land on one lead, with its identities, account and touches', async () => {
    const analytics = new Analytics({ writeKey: WRITE_KEY, host: nudge.url, flushAt: 3, flushInterval: 100, maxRetries: 2 });
    const failures: unknown[] = [];
    analytics.on('error', (error) => failures.push(error));
    let requests = 0;
    analytics.on('http_request', () => (requests += 1));
    analytics.on('call_after_close', (event) => failures.push(new Error(`call after close: ${event.type}`)));

    // An anonymous visit first, from a newsletter link; then the visitor signs up.
    analytics.page({
      anonymousId: 'node-visitor-1',
      name: 'Pricing',
      properties: { url: 'https://nudge.dev/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=october', path: '/pricing' },
    });
    analytics.identify({ userId: 'node-user', anonymousId: 'node-visitor-1', traits: { email: 'Grace@Hopper-Labs.io', name: 'Grace Hopper', title: 'CTO' } });
    analytics.track({ userId: 'node-user', event: 'Webinar Registered', properties: { webinar: 'Pricing 2027' } });
    analytics.group({ userId: 'node-user', groupId: 'acct-hopper', traits: { name: 'Hopper Labs', domain: 'hopper-labs.io', employees: 120 } });
    analytics.alias({ userId: 'node-user', previousId: 'crm-contact-42' });
    await analytics.closeAndFlush({ timeout: 15_000 });

    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(0);

    const lead = await eventually(() => lookup('userId=node-user'), 'the lead of node-user');
    // Every identity the calls named finds that same lead.
    for (const query of ['email=grace@hopper-labs.io', 'anonymousId=node-visitor-1', 'userId=crm-contact-42']) {
      expect((await lookup(query))?.id, query).toBe(lead.id);
    }
    const { body: all } = await read<{ leads: Lead[] }>('/v1/leads?limit=50');
    expect(all.leads.map((l) => l.id)).toEqual([lead.id]);

    expect(lead.identities).toEqual(expect.arrayContaining([{ kind: 'userId', value: 'node-user' }, { kind: 'email', value: 'grace@hopper-labs.io' }]));
    // Nudge cannot tell whether an alias's previousId was a userId or an anonymousId: it links it as both.
    expect(lead.identities).toContainEqual({ kind: 'userId', value: 'crm-contact-42' });
    expect(lead.anonymousIds).toEqual(expect.arrayContaining(['node-visitor-1', 'crm-contact-42']));
    expect(lead.traits).toMatchObject({ email: 'Grace@Hopper-Labs.io', name: 'Grace Hopper', title: 'CTO' });
    expect(lead.account).toMatchObject({ name: 'Hopper Labs', domain: 'hopper-labs.io' });

    const events = await timeline(lead.id);
    const touchNames = touches(events).map((event) => event.data.name);
    expect(touchNames).toEqual(expect.arrayContaining(['Page Viewed', 'Webinar Registered']));
    const visit = touches(events).find((event) => event.data.name === 'Page Viewed')!;
    expect(visit.data).toMatchObject({ channel: 'email', anonymousId: 'node-visitor-1', userId: null, utm: { source: 'newsletter', medium: 'email', campaign: 'october' } });
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['LeadIdentified', 'VisitorLinked', 'TraitsUpdated', 'AccountAssociated']));
  });
});

// ---------------------------------------------------------------------------------------------
// The browser library

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const noChromium = !existsSync(chromiumPath);
if (noChromium) {
  console.warn(`segmentSdks.test.ts: skipping the @segment/analytics-next browser test: no Chromium at ${chromiumPath} (install it, or set CHROMIUM_PATH)`);
}

/** The analytics-next UMD bundle: it puts `AnalyticsNext` (with `AnalyticsBrowser`) on window. */
const umdBundle = join(repoRoot, 'node_modules', '@segment', 'analytics-next', 'dist', 'umd', 'index.js');

function landingPage(nudgeUrl: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Nudge for B2B teams</title>
<script src="/analytics-next.js"></script>
<script>
  window.sent = (async () => {
    const analytics = AnalyticsNext.AnalyticsBrowser.load({ writeKey: ${JSON.stringify(WRITE_KEY)}, cdnURL: ${JSON.stringify(nudgeUrl)} });
    const failures = [];
    analytics.on('error', (error) => failures.push(String(error && (error.reason || error.code || error))));
    await analytics.page();
    await analytics.track('Content Viewed', { title: 'Lead scoring guide', section: 'resources' });
    await analytics.identify('browser-user', { email: 'ada@analytical-engines.io', name: 'Ada Lovelace' });
    const [instance] = await analytics;
    return { anonymousId: instance.user().anonymousId(), failures };
  })().catch((error) => ({ anonymousId: null, failures: [String(error && error.stack || error)] }));
</script>
</head><body><h1>Landing</h1></body></html>`;
}

/** A tiny site on its own origin: the landing page and the library bundle. */
async function startSite(nudgeUrl: string): Promise<{ url: string; server: Server }> {
  const bundle = readFileSync(umdBundle);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://site.invalid').pathname;
    if (path === '/analytics-next.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else if (path === '/landing') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(landingPage(nudgeUrl));
    } else if (path === '/favicon.ico') {
      response.writeHead(204).end();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('@segment/analytics-next in headless Chromium', () => {
  it.skipIf(noChromium)('a visit from a Google Ads click, then a sign-up: one lead, the visitor linked, the paid-search touch on its timeline', async () => {
    const site = await startSite(nudge.url);
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      timeout: 20_000,
    });
    try {
      const page = await browser.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
      });
      const responses: string[] = [];
      page.on('response', (response) => responses.push(`${response.status()} ${response.request().method()} ${response.url()}`));
      page.on('requestfailed', (request) => consoleErrors.push(`${request.method()} ${request.url()} failed: ${request.failure()?.errorText}`));

      await page.goto(`${site.url}/landing?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=xyz`);
      const result = await page.evaluate(() => (globalThis as unknown as { sent: Promise<{ anonymousId: string | null; failures: string[] }> }).sent);
      expect(result.failures, consoleErrors.join('\n')).toEqual([]);
      expect(result.anonymousId).toEqual(expect.any(String));
      const anonymousId = result.anonymousId!;

      const lead = await eventually(() => lookup('userId=browser-user'), 'the lead of browser-user');
      expect((await lookup(`anonymousId=${encodeURIComponent(anonymousId)}`))?.id).toBe(lead.id);
      expect((await lookup('email=ada@analytical-engines.io'))?.id).toBe(lead.id);
      const { body: byEmail } = await read<{ leads: Lead[] }>('/v1/leads?email=ada@analytical-engines.io');
      expect(byEmail.leads.map((l) => l.id)).toEqual([lead.id]);
      expect(lead.anonymousIds).toEqual([anonymousId]);
      expect(lead.traits).toMatchObject({ email: 'ada@analytical-engines.io', name: 'Ada Lovelace' });

      const events = await timeline(lead.id);
      const visit = touches(events).find((event) => event.data.name === 'Page Viewed');
      expect(visit, JSON.stringify(events, null, 2)).toBeDefined();
      expect(visit!.data).toMatchObject({
        channel: 'paid_search',
        anonymousId,
        userId: null,
        utm: { source: 'google', medium: 'cpc', campaign: 'brand' },
        clickIds: { gclid: 'xyz' },
      });
      const viewed = touches(events).find((event) => event.data.name === 'Content Viewed');
      expect(viewed?.data).toMatchObject({ channel: 'paid_search', anonymousId, properties: { title: 'Lead scoring guide' } });
      // The visit came before the sign-up, and the timeline says so (newest first).
      const identified = events.findIndex((event) => event.type === 'VisitorLinked');
      expect(identified).toBeGreaterThanOrEqual(0);
      expect(events.indexOf(visit!)).toBeGreaterThan(identified);
      expect(Date.parse(visit!.occurredAt)).toBeLessThanOrEqual(Date.parse(events[identified]!.occurredAt));

      // The library read its settings from Nudge, then posted on the short paths, across origins,
      // and every answer was a 200.
      const expected = [`200 GET ${nudge.url}/v1/projects/${WRITE_KEY}/settings`, `200 POST ${nudge.url}/v1/p`, `200 POST ${nudge.url}/v1/t`, `200 POST ${nudge.url}/v1/i`];
      await eventually(async () => (expected.every((line) => responses.includes(line)) ? true : null), () => `the answers ${expected.join(', ')}; got ${responses.join(', ')}`, 5_000);
      expect(responses.filter((line) => line.includes(nudge.url) && !line.startsWith('200 '))).toEqual([]);
      expect(consoleErrors, responses.join('\n')).toEqual([]);
    } finally {
      await browser.close();
      await new Promise((resolve) => site.server.close(resolve));
    }
  });
});

/**
 * Back-testing on a real SQLite store: given a scripted history of a few leads (some before the
 * window, some in it, some after it, plus decisions the real runner had recorded), when the
 * webinar journey is simulated over March, then the report gives the exact entries, visits,
 * suggestions, exits and later stages — and the store is left as it was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveId, newEvent } from '../../../services/core/index.ts';
import type { EventStore } from '../../../services/ports/index.ts';
import { createCompiledEvaluator } from '../../../infra/rules/index.ts';
import { createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import type { JourneyDocument } from '../../../journeys/document/index.ts';
import { journeyDocumentSchema } from '../../../journeys/document/index.ts';
import type { SimulationReport } from '../../../journeys/simulation/index.ts';
import { simulateJourney } from '../../../journeys/simulation/index.ts';
import { webinarFollowUp } from '../interpreter/webinarFollowUp.fixture.ts';
import type { GivenEvent } from '../journeyScenario.ts';
import { owner, score, stage, touch, traits } from '../journeyScenario.ts';

const FROM = new Date('2026-03-01T00:00:00Z');
const TO = new Date('2026-04-01T00:00:00Z');
const document: JourneyDocument = journeyDocumentSchema.parse(webinarFollowUp());

let dir: string;
let store: EventStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-simulation-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function given(stream: string, ...events: GivenEvent[]): Promise<void> {
  for (const event of events) await store.append(stream, [newEvent({ type: event.type, data: event.data }, { occurredAt: event.at })]);
}

const attended = (at: string) => touch('Webinar Attended', at, { properties: { webinar_title: 'Pricing in 2027' } });

/** Appended in the order things happened, as ingestion and the runner would have stored them. */
async function scriptedHistory(): Promise<void> {
  // The live journey differs from the one simulated (a task, not a call): the simulation must not use it.
  const live = webinarFollowUp({ nodes: { ...(webinarFollowUp().nodes as Record<string, unknown>), 'call-now': { type: 'suggest', action: 'task', title: 'Live task', next: 'done' } } });
  await store.append('journey-webinar-follow-up', [
    newEvent({ type: 'JourneyDraftSaved', data: { journeyId: 'webinar-follow-up', version: 1, document: live, source: '', savedBy: null } }, { occurredAt: '2026-01-01T00:00:00Z' }),
    newEvent({ type: 'JourneyPublished', data: { journeyId: 'webinar-follow-up', version: 1, by: null } }, { occurredAt: '2026-01-01T00:00:00Z' }),
  ]);

  // Before the window: facts only. lead-1 attends in February; had that been decided, March would be a re-entry refusal.
  await given('lead-1', traits({ country: 'US', firstName: 'Mei' }, '2026-02-10T09:00:00Z'), owner('rep-a', '2026-02-10T09:01:00Z'), score(80, '2026-02-15T09:00:00Z'));
  await given('lead-1', attended('2026-02-20T10:00:00Z'));
  await given('lead-7', traits({ country: 'US' }, '2026-02-24T09:00:00Z'), attended('2026-02-25T10:00:00Z'));
  await given('lead-2', traits({ country: 'SG' }, '2026-02-26T09:00:00Z'), score(30, '2026-02-26T09:30:00Z'));
  await given('lead-5', traits({ country: 'US' }, '2026-02-27T09:00:00Z'), owner('rep-a', '2026-02-27T09:01:00Z'), score(70, '2026-02-27T09:30:00Z'));
  await given('lead-6', traits({ country: 'US' }, '2026-02-28T09:00:00Z'));

  // In the window.
  await given('lead-1', attended('2026-03-02T10:00:00Z'));
  // What the real runner decided for lead-1 (the live journey): the simulation makes its own.
  const instanceId = deriveId('real-instance', 'lead-1');
  await store.append('lead-1', [
    newEvent({ type: 'JourneyEntered', data: { journeyId: 'webinar-follow-up', version: 1, instanceId, start: 'check-fit', trigger: {} } }, { occurredAt: '2026-03-02T10:00:00Z' }),
    newEvent(
      { type: 'SuggestionProposed', data: { suggestionId: deriveId('real-suggestion', 'lead-1'), leadId: 'lead-1', journeyId: 'webinar-follow-up', version: 1, instanceId, node: 'call-now', action: 'task', ownerId: 'rep-z' } },
      { occurredAt: '2026-03-02T10:00:00Z' },
    ),
  ]);
  await given('lead-5', attended('2026-03-02T11:00:00Z'));
  await given('lead-5', stage('sql', '2026-03-03T09:00:00Z', 'mql'));
  await given('lead-3', traits({ country: 'DE' }, '2026-03-04T09:00:00Z'), attended('2026-03-05T10:00:00Z'));
  await given('lead-2', attended('2026-03-10T10:00:00Z'));
  await given('lead-2', attended('2026-03-11T10:00:00Z'));
  await given('lead-2', stage('mql', '2026-03-20T09:00:00Z', 'lead'));
  await given('lead-2', attended('2026-03-25T10:00:00Z'));
  await given('lead-4', traits({ country: 'US' }, '2026-03-28T09:00:00Z'), owner('rep-b', '2026-03-28T09:01:00Z'), score(90, '2026-03-28T09:30:00Z'));
  await given('lead-4', attended('2026-03-29T10:00:00Z'));

  // After the window: not decided; the stage changes count for the leads that entered.
  await given('lead-6', attended('2026-04-05T10:00:00Z'));
  await given('lead-1', stage('opportunity', '2026-04-10T09:00:00Z', 'mql'));
  await given('lead-4', stage('customer', '2026-04-15T09:00:00Z', 'lead'));
  await given('lead-7', stage('sql', '2026-04-20T09:00:00Z', 'lead'));
}

const simulate = (overrides: Partial<Parameters<typeof simulateJourney>[0]> = {}): Promise<SimulationReport> =>
  simulateJourney({ store, evaluator: createCompiledEvaluator(), document, from: FROM, to: TO, ...overrides });

const withoutTimings = ({ timings: _timings, ...report }: SimulationReport) => report;

describe('back-testing a journey over the recorded history', () => {
  it('reports the entries, visits, suggestions by rep and day, exits and later stages the version would have made', async () => {
    await scriptedHistory();

    const report = await simulate();

    expect(withoutTimings(report)).toEqual({
      journeyId: 'webinar-follow-up',
      version: null,
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      eventsRead: 33,
      // Less the two definitions, the two runner decisions and the four events after the window.
      eventsReplayed: 25,
      leadsConsidered: 5,
      leadsEntered: 4,
      entries: 4,
      entryRefusals: { already_active: 1, reentry_window: 1 },
      nodes: {
        'check-fit': { type: 'branch', visits: 4 },
        'call-now': { type: 'suggest', visits: 3 },
        'wait-outcome': { type: 'wait', visits: 3 },
        'wait-2-days': { type: 'wait', visits: 1 },
        'recap-email': { type: 'suggest', visits: 2 },
        done: { type: 'exit', visits: 2 },
      },
      suggestions: {
        total: 5,
        skipped: 0,
        byAction: { call: 3, email: 2 },
        byRepPerDay: [
          { day: '2026-03-02', ownerId: 'rep-a', count: 2, byAction: { call: 2 } },
          { day: '2026-03-05', ownerId: 'rep-a', count: 1, byAction: { email: 1 } },
          { day: '2026-03-12', ownerId: 'unassigned', count: 1, byAction: { email: 1 } },
          { day: '2026-03-29', ownerId: 'rep-b', count: 1, byAction: { call: 1 } },
        ],
        perDayPeak: { day: '2026-03-02', count: 2 },
      },
      exits: { completed: 2, converted: 1 },
      stillActive: 1,
      // lead-7 reached sql too, but it never entered.
      laterStages: { subscriber: 0, lead: 0, mql: 1, sql: 1, opportunity: 1, customer: 1 },
    });
    expect(report.timings.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('decides nothing before the window (facts only) and nothing from its end on', async () => {
    await scriptedHistory();

    // February only: lead-1 and lead-7 attended then, and now they enter.
    const february = await simulate({ from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z') });
    expect(february).toMatchObject({ leadsConsidered: 5, leadsEntered: 2, entries: 2, suggestions: { total: 3, byAction: { call: 1, email: 2 } } });

    // A window that ends before lead-4 attends: lead-4 is not considered and the waits due after the end stay open.
    const early = await simulate({ to: new Date('2026-03-11T00:00:00Z') });
    expect(early).toMatchObject({ leadsConsidered: 4, leadsEntered: 3, entries: 3, stillActive: 1 });
    expect(early.entryRefusals).toEqual({});
    expect(early.suggestions.byRepPerDay.map((row) => row.day)).toEqual(['2026-03-02', '2026-03-05']);
  });

  it('writes nothing to the store and gives the same report twice', async () => {
    await scriptedHistory();
    const head = await store.headPosition();

    const first = await simulate({ version: 3 });
    const second = await simulate({ version: 3 });

    expect(await store.headPosition()).toBe(head);
    expect(first.version).toBe(3);
    expect(withoutTimings(second)).toEqual(withoutTimings(first));
  });

  it('reports progress by global position up to the head the simulation started at', async () => {
    await scriptedHistory();
    const head = await store.headPosition();
    const progress: [number, number][] = [];

    await simulate({ onProgress: (done, total) => progress.push([done, total]) });

    expect(progress.at(-1)).toEqual([head, head]);
  });

  it('refuses a window that ends before it starts, naming the field', async () => {
    await expect(simulate({ from: TO, to: FROM })).rejects.toMatchObject({ issues: [{ path: 'to', message: expect.stringContaining('after from') as string }] });
  });
});

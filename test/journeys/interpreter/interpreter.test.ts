import { describe, expect, it } from 'vitest';
import { completed, JourneyScenario, owner, score, stage, touch, traits } from '../journeyScenario.ts';
import { webinarFollowUp } from './webinarFollowUp.fixture.ts';

const lead = 'lead-1';
const attended = (at: string, title = 'Pricing in 2027') => touch('Webinar Attended', at, { properties: { webinar_title: title, webinar_id: 'w-1' } });

async function givenFitLead(s: JourneyScenario, fit = 78): Promise<void> {
  await s.on(lead, traits({ firstName: 'Mei', country: 'SG' }, '2026-03-01T09:00:00Z'));
  await s.on(lead, owner('rep-ana', '2026-03-01T09:00:00Z'));
  await s.on(lead, score(fit, '2026-03-01T09:30:00Z'));
}

describe('journey interpreter: entry and branches', () => {
  it('enters a fit lead on the trigger, decides the branch and proposes a call with its reason', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await givenFitLead(s);

    const out = await s.on(lead, attended('2026-03-02T10:00:00Z'));

    expect(out.map((event) => `${event.type}${'node' in event.data ? ` ${String(event.data.node)}` : ''}`)).toEqual([
      'JourneyEntered',
      'JourneyStepTaken check-fit',
      'SuggestionProposed call-now',
      'JourneyStepTaken call-now',
      'JourneyWaitStarted wait-outcome',
    ]);
    const proposed = out.find((event) => event.type === 'SuggestionProposed')!.data;
    expect(proposed).toMatchObject({
      action: 'call',
      priority: 'high',
      title: 'Call Mei about Pricing in 2027',
      body: 'They attended and fit the profile (fit score 78).',
      ownerId: 'rep-ana',
      dueAt: '2026-03-03T10:00:00.000Z',
      expiresAt: '2026-03-07T10:00:00.000Z',
      journeyId: 'webinar-follow-up',
      version: 1,
    });
    expect(proposed.reason).toMatchObject({
      journeyId: 'webinar-follow-up',
      journeyName: 'Webinar follow-up',
      version: 1,
      path: ['check-fit', 'call-now'],
      trigger: { name: 'Webinar Attended', occurredAt: '2026-03-02T10:00:00.000Z' },
      decisions: [
        {
          node: 'check-fit',
          chosen: 0,
          next: 'call-now',
          branches: [{ index: 0, holds: true, checks: [{ fact: 'score', path: '$.fit', operator: 'greaterThanInclusive', value: 60, factValue: 78, holds: true }] }],
        },
      ],
    });
    const wait = out.at(-1)!.data;
    expect(wait).toMatchObject({ kind: 'until', until: 'Suggestion Completed', dueAt: '2026-03-05T10:00:00.000Z' });
  });

  it('does not enter a lead whose trigger condition fails, and records nothing', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await s.on(lead, traits({ country: 'FR' }, '2026-03-01T09:00:00Z'));
    expect(await s.on(lead, attended('2026-03-02T10:00:00Z'))).toEqual([]);
  });

  it('takes otherwise when no branch holds, and records the failed check with the value it saw', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await givenFitLead(s, 40);
    const out = await s.on(lead, attended('2026-03-02T10:00:00Z'));
    const step = out.find((event) => event.type === 'JourneyStepTaken')!.data;
    expect(step).toMatchObject({ node: 'check-fit', next: 'wait-2-days', decision: { chosen: null, branches: [{ holds: false, checks: [{ factValue: 40, holds: false }] }] } });
    expect(out.at(-1)).toMatchObject({ type: 'JourneyWaitStarted', data: { node: 'wait-2-days', kind: 'for', dueAt: '2026-03-04T10:00:00.000Z' } });
  });

  it('compares a missing fact as undefined: a lead without a score goes the otherwise way', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await s.on(lead, traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    const out = await s.on(lead, attended('2026-03-02T10:00:00Z'));
    expect(out.find((event) => event.type === 'JourneyStepTaken')!.data).toMatchObject({ next: 'wait-2-days', decision: { branches: [{ checks: [{ factValue: undefined }] }] } });
  });
});

describe('journey interpreter: waits and timers', () => {
  it('continues a wait `for` when its time comes, at the due time, and renders the fallback of a missing trait', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await s.on(lead, traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await s.on(lead, attended('2026-03-02T10:00:00Z'));

    expect(await s.timersUntil('2026-03-04T09:59:59Z')).toEqual([]);
    const out = await s.timersUntil('2026-03-04T12:00:00Z');

    expect(out.map((event) => event.type)).toEqual(['JourneyTimerElapsed', 'SuggestionProposed', 'JourneyStepTaken', 'JourneyExited']);
    expect(out[0]!.data).toMatchObject({ node: 'wait-2-days', kind: 'wait', next: 'recap-email' });
    expect(out[1]!.at).toBe('2026-03-04T10:00:00.000Z');
    expect(out[1]!.data).toMatchObject({ action: 'email', subject: 'Slides from Pricing in 2027', body: 'Hi there, here are the slides.' });
    expect(out[3]!.data).toMatchObject({ reason: 'completed', via: 'exit_node', node: 'done' });
  });

  it('ends a wait `until` with the completion of the suggestion this instance proposed, not of another one', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await givenFitLead(s);
    const entered = await s.on(lead, attended('2026-03-02T10:00:00Z'));
    const suggestionId = String(entered.find((event) => event.type === 'SuggestionProposed')!.data.suggestionId);

    expect(await s.on(lead, completed('00000000-0000-4000-8000-000000000001', 'connected', '2026-03-02T15:00:00Z'))).toEqual([]);
    const out = await s.on(lead, completed(suggestionId, 'connected', '2026-03-02T16:00:00Z'));

    expect(out.map((event) => event.type)).toEqual(['JourneyStepTaken', 'JourneyExited']);
    expect(out[0]!.data).toMatchObject({ node: 'wait-outcome', nodeType: 'wait', next: 'done', matched: { name: 'Suggestion Completed' } });
  });

  it('lets the timeout win over an awaited event at the same instant', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await givenFitLead(s);
    const entered = await s.on(lead, attended('2026-03-02T10:00:00Z'));
    const suggestionId = String(entered.find((event) => event.type === 'SuggestionProposed')!.data.suggestionId);

    const out = await s.on(lead, completed(suggestionId, 'connected', '2026-03-05T10:00:00Z'));

    expect(out.map((event) => event.type)).toEqual(['JourneyTimerElapsed', 'SuggestionProposed', 'JourneyStepTaken', 'JourneyExited']);
    expect(out[0]!.data).toMatchObject({ kind: 'timeout', next: 'recap-email' });
  });

  it('fires a timer that fell due before the lead’s next event first, at its own due time', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await s.on(lead, traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await s.on(lead, attended('2026-03-02T10:00:00Z'));
    const out = await s.on(lead, touch('Page Viewed', '2026-03-10T08:00:00Z', { channel: 'direct' }));
    expect(out[0]).toMatchObject({ type: 'JourneyTimerElapsed', at: '2026-03-04T10:00:00.000Z' });
    expect(out[1]).toMatchObject({ type: 'SuggestionProposed', at: '2026-03-04T10:00:00.000Z' });
  });
});

describe('journey interpreter: exits and re-entry', () => {
  it('exits a waiting lead when exitWhen holds on a later event, and its timer no longer fires', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await s.on(lead, traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await s.on(lead, attended('2026-03-02T10:00:00Z'));

    const out = await s.on(lead, stage('sql', '2026-03-03T10:00:00Z'));

    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ type: 'JourneyExited', data: { reason: 'converted', via: 'exit_when', node: 'wait-2-days' } });
    expect(await s.timersUntil('2026-03-10T00:00:00Z')).toEqual([]);
  });

  it('refuses a second entry inside the re-entry window, says until when, and allows it after', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await s.on(lead, traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await s.on(lead, attended('2026-03-02T10:00:00Z'));

    const during = await s.on(lead, attended('2026-03-03T10:00:00Z', 'Second'));
    expect(during.at(-1)).toMatchObject({ type: 'JourneyEntryRefused', data: { reason: 'already_active' } });

    await s.timersUntil('2026-03-05T00:00:00Z');
    const window = await s.on(lead, attended('2026-03-20T10:00:00Z', 'Third'));
    expect(window).toEqual([
      expect.objectContaining({ type: 'JourneyEntryRefused', data: expect.objectContaining({ reason: 'reentry_window', reentryAllowedAt: '2026-04-01T10:00:00.000Z' }) as unknown }),
    ]);

    const after = await s.on(lead, attended('2026-04-02T10:00:00Z', 'Fourth'));
    expect(after[0]).toMatchObject({ type: 'JourneyEntered' });
  });

  it('never lets a lead in twice with reentry: never, and always with reentry: always', async () => {
    const never = new JourneyScenario();
    await never.publish(webinarFollowUp({ reentry: 'never' }));
    await never.on(lead, traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await never.on(lead, attended('2026-03-02T10:00:00Z'));
    await never.timersUntil('2026-03-05T00:00:00Z');
    expect((await never.on(lead, attended('2027-03-02T10:00:00Z')))[0]).toMatchObject({ type: 'JourneyEntryRefused', data: { reason: 'reentry_never' } });

    const always = new JourneyScenario();
    await always.publish(webinarFollowUp({ reentry: 'always' }));
    await always.on(lead, traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await always.on(lead, attended('2026-03-02T10:00:00Z'));
    await always.timersUntil('2026-03-05T00:00:00Z');
    expect((await always.on(lead, attended('2026-03-05T10:00:00Z')))[0]).toMatchObject({ type: 'JourneyEntered' });
  });
});

describe('journey interpreter: versions, pause, archive', () => {
  it('keeps a running instance on the version it entered while new entries take the new one', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await s.on('lead-1', traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await s.on('lead-1', attended('2026-03-02T10:00:00Z'));
    const v2 = webinarFollowUp();
    (v2.nodes as Record<string, Record<string, unknown>>)['recap-email']!.title = 'v2: recap of {{trigger.properties.webinar_title}}';
    expect(await s.publish(v2, '2026-03-02T12:00:00Z')).toBe(2);
    await s.on('lead-2', traits({ country: 'US' }, '2026-03-02T13:00:00Z'));
    const entered = await s.on('lead-2', attended('2026-03-02T14:00:00Z'));
    expect(entered[0]).toMatchObject({ data: { version: 2 } });

    const fired = await s.timersUntil('2026-03-05T00:00:00Z');
    const titles = fired.filter((event) => event.type === 'SuggestionProposed').map((event) => [event.data.version, event.data.title]);
    expect(titles).toEqual([
      [1, 'Send the recap of Pricing in 2027'],
      [2, 'v2: recap of Pricing in 2027'],
    ]);
  });

  it('holds a paused journey: no entries (refusal recorded), waits do not fire; resuming fires them late, at their due time', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await s.on('lead-1', traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await s.on('lead-1', attended('2026-03-02T10:00:00Z'));
    await s.pause('webinar-follow-up', '2026-03-03T00:00:00Z');

    expect(await s.timersUntil('2026-03-06T00:00:00Z')).toEqual([]);
    await s.on('lead-2', traits({ country: 'US' }, '2026-03-06T09:00:00Z'));
    expect(await s.on('lead-2', attended('2026-03-06T10:00:00Z'))).toEqual([
      expect.objectContaining({ type: 'JourneyEntryRefused', data: expect.objectContaining({ reason: 'journey_paused' }) as unknown }),
    ]);
    expect(await s.on('lead-1', touch('Page Viewed', '2026-03-06T11:00:00Z', { channel: 'direct' }))).toEqual([]);

    await s.republish('webinar-follow-up', 1, '2026-03-07T00:00:00Z');
    const fired = await s.on('lead-1', touch('Page Viewed', '2026-03-07T01:00:00Z', { channel: 'direct' }));
    expect(fired[0]).toMatchObject({ type: 'JourneyTimerElapsed', data: { dueAt: '2026-03-04T10:00:00.000Z' } });
  });

  it('fires the waits a pause held once the journey is published again, with no event needed', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await s.on('lead-1', traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await s.on('lead-1', attended('2026-03-02T10:00:00Z'));
    await s.pause('webinar-follow-up', '2026-03-03T00:00:00Z');
    expect(await s.timersUntil('2026-03-06T00:00:00Z')).toEqual([]);

    await s.republish('webinar-follow-up', 1, '2026-03-07T00:00:00Z');
    const fired = await s.timersUntil('2026-03-07T00:00:01Z');

    expect(fired.map((event) => event.type)).toEqual(['JourneyTimerElapsed', 'SuggestionProposed', 'JourneyStepTaken', 'JourneyExited']);
  });

  it('exits every active instance when the journey is archived', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await s.on('lead-1', traits({ country: 'US' }, '2026-03-01T09:00:00Z'));
    await s.on('lead-1', attended('2026-03-02T10:00:00Z'));
    const out = await s.archive('webinar-follow-up', '2026-03-03T00:00:00Z');
    expect(out).toEqual([expect.objectContaining({ type: 'JourneyExited', data: expect.objectContaining({ reason: 'journey_archived', via: 'archived' }) as unknown })]);
    expect(await s.on('lead-1', attended('2026-04-10T10:00:00Z'))).toEqual([]);
  });
});

describe('journey interpreter: facts, consent and determinism', () => {
  it('counts a visitor’s touches from before identification once the visitor is linked', async () => {
    const s = new JourneyScenario();
    await s.publish({
      apiVersion: 'nudge/v1',
      kind: 'Journey',
      id: 'content-engaged',
      name: 'Content engaged',
      trigger: { event: 'Content Viewed', when: { all: [{ fact: 'touches', params: { name: 'Content Viewed', withinDays: 30 }, operator: 'greaterThanInclusive', value: 3 }] } },
      start: 'suggest',
      nodes: { suggest: { type: 'suggest', action: 'task', title: 'Send the guide', next: 'end' }, end: { type: 'exit' } },
    });
    await s.on('visitor-a1', touch('Content Viewed', '2026-03-01T10:00:00Z', { channel: 'content' }));
    await s.on('visitor-a1', touch('Content Viewed', '2026-03-02T10:00:00Z', { channel: 'content' }));
    await s.on(lead, { type: 'VisitorLinked', at: '2026-03-03T10:00:00Z', data: { messageId: 'm-link', anonymousId: 'a1' } });

    const out = await s.on(lead, touch('Content Viewed', '2026-03-03T11:00:00Z', { channel: 'content' }));

    expect(out[0]).toMatchObject({ type: 'JourneyEntered' });
  });

  it('skips an email suggestion for a lead who asked not to be contacted, and says why', async () => {
    const s = new JourneyScenario();
    await s.publish(webinarFollowUp());
    await s.on(lead, traits({ country: 'US', unsubscribed: true }, '2026-03-01T09:00:00Z'));
    await s.on(lead, attended('2026-03-02T10:00:00Z'));
    const out = await s.timersUntil('2026-03-05T00:00:00Z');
    expect(out.map((event) => event.type)).toEqual(['JourneyTimerElapsed', 'JourneyStepTaken', 'JourneyExited']);
    expect(out[1]!.data).toMatchObject({ node: 'recap-email', suggestionId: null, skipped: 'do_not_contact' });
  });

  it('waits for an event keyed to the trigger with a fact reference', async () => {
    const s = new JourneyScenario();
    await s.publish({
      apiVersion: 'nudge/v1',
      kind: 'Journey',
      id: 'registered-not-attended',
      name: 'Registered, not attended',
      trigger: { event: 'Webinar Registered' },
      start: 'wait-attend',
      nodes: {
        'wait-attend': {
          type: 'wait',
          until: {
            event: 'Webinar Attended',
            when: { all: [{ fact: 'event', path: '$.properties.webinar_id', operator: 'equal', value: { fact: 'trigger', path: '$.properties.webinar_id' } }] },
          },
          timeout: 'P7D',
          onTimeout: 'send-recording',
          next: 'end',
        },
        'send-recording': { type: 'suggest', action: 'task', title: 'Send the recording', next: 'end' },
        end: { type: 'exit', reason: 'attended' },
      },
    });
    await s.on(lead, touch('Webinar Registered', '2026-03-01T10:00:00Z', { properties: { webinar_id: 'w-1' } }));
    expect(await s.on(lead, touch('Webinar Attended', '2026-03-02T10:00:00Z', { properties: { webinar_id: 'w-2' } }))).toEqual([]);
    const out = await s.on(lead, touch('Webinar Attended', '2026-03-03T10:00:00Z', { properties: { webinar_id: 'w-1' } }));
    expect(out.map((event) => event.type)).toEqual(['JourneyStepTaken', 'JourneyExited']);
    expect(out[1]!.data).toMatchObject({ reason: 'attended' });
  });

  it('decides the same events with the same ids when the same history is replayed', async () => {
    const play = async (): Promise<string[]> => {
      const s = new JourneyScenario();
      await s.publish(webinarFollowUp());
      await givenFitLead(s);
      await s.on(lead, attended('2026-03-02T10:00:00Z'));
      await s.timersUntil('2026-03-09T00:00:00Z');
      return s.recorded
        .filter((event) => event.type.startsWith('Journey') || event.type === 'SuggestionProposed')
        .map((event) => `${event.id} ${event.metadata.occurredAt} ${event.type} ${JSON.stringify(event.data)}`);
    };
    const first = await play();
    expect(first.length).toBeGreaterThan(5);
    expect(await play()).toEqual(first);
  });

  it('ends the instance of a lead whose condition cannot be evaluated, and goes on with the others', async () => {
    const s = new JourneyScenario();
    await s.publish({
      apiVersion: 'nudge/v1',
      kind: 'Journey',
      id: 'by-region',
      name: 'By region',
      trigger: { event: 'Demo Requested' },
      start: 'wait',
      nodes: {
        wait: { type: 'wait', for: 'P1D', next: 'region' },
        // json-rules-engine: `in` against a value that is not a list or text is a TypeError.
        region: { type: 'branch', branches: [{ when: { all: [{ fact: 'lead', path: '$.traits.region', operator: 'in', value: { fact: 'lead', path: '$.traits.regions' } }] }, next: 'call' }], otherwise: 'end' },
        call: { type: 'suggest', action: 'call', title: 'Call', next: 'end' },
        end: { type: 'exit' },
      },
    });
    await s.on('lead-1', traits({ region: 'emea', regions: 7 }, '2026-03-01T09:00:00Z'));
    await s.on('lead-2', traits({ region: 'emea', regions: ['emea'] }, '2026-03-01T09:00:00Z'));
    await s.on('lead-1', touch('Demo Requested', '2026-03-02T10:00:00Z', { channel: 'direct' }));
    await s.on('lead-2', touch('Demo Requested', '2026-03-02T10:00:00Z', { channel: 'direct' }));

    const out = await s.timersUntil('2026-03-04T00:00:00Z');

    expect(out.filter((event) => event.type === 'JourneyExited').map((event) => event.data.reason)).toEqual(['evaluation_failed', 'completed']);
    expect(out.filter((event) => event.type === 'SuggestionProposed')).toHaveLength(1);
  });

  it('merges the same action for the same lead from a second journey into the open suggestion, and both instances see its outcome', async () => {
    const s = new JourneyScenario();
    const callJourney = (id: string, title: string) => ({
      apiVersion: 'nudge/v1',
      kind: 'Journey',
      id,
      name: id,
      trigger: { event: 'Demo Requested' },
      start: 'call',
      nodes: {
        call: { type: 'suggest', action: 'call', title, next: 'wait' },
        wait: { type: 'wait', until: { event: 'Suggestion Completed' }, timeout: 'P3D', onTimeout: 'end', next: 'end' },
        end: { type: 'exit' },
      },
    });
    await s.publish(callJourney('a-first', 'Call from A'));
    await s.publish(callJourney('b-second', 'Call from B'));

    const out = await s.on(lead, touch('Demo Requested', '2026-03-02T10:00:00Z', { channel: 'direct' }));

    const proposed = out.filter((event) => event.type === 'SuggestionProposed');
    const merged = out.filter((event) => event.type === 'SuggestionMerged');
    expect(proposed.map((event) => event.data.title)).toEqual(['Call from A']);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.data).toMatchObject({ journeyId: 'b-second', suggestionId: proposed[0]!.data.suggestionId, reason: { journeyId: 'b-second', path: ['call'] } });

    const done = await s.on(lead, completed(String(proposed[0]!.data.suggestionId), 'connected', '2026-03-02T12:00:00Z'));
    expect(done.filter((event) => event.type === 'JourneyExited').map((event) => [event.data.journeyId, event.data.reason])).toEqual([
      ['a-first', 'completed'],
      ['b-second', 'completed'],
    ]);
  });

  it('does not merge outside the window: a day later the second journey proposes its own', async () => {
    const s = new JourneyScenario();
    const taskJourney = (id: string, trigger: string) => ({
      apiVersion: 'nudge/v1',
      kind: 'Journey',
      id,
      name: id,
      trigger: { event: trigger },
      start: 'task',
      nodes: { task: { type: 'suggest', action: 'task', title: id, expiresIn: 'P5D', next: 'end' }, end: { type: 'exit' } },
    });
    await s.publish(taskJourney('a-first', 'Demo Requested'));
    await s.publish(taskJourney('b-second', 'Webinar Attended'));
    await s.on(lead, touch('Demo Requested', '2026-03-02T10:00:00Z', { channel: 'direct' }));
    const out = await s.on(lead, touch('Webinar Attended', '2026-03-03T10:00:01Z'));
    expect(out.filter((event) => event.type === 'SuggestionProposed').map((event) => event.data.title)).toEqual(['b-second']);
  });

  it('takes over what a merged lead knew: owner, email, do-not-contact, touches', async () => {
    const s = new JourneyScenario();
    await s.on('lead-2', owner('rep-bo', '2026-03-01T09:00:00Z'));
    await s.on('lead-2', traits({ unsubscribed: true, country: 'US' }, '2026-03-01T09:00:00Z'));
    await s.on('lead-2', touch('Content Viewed', '2026-03-01T10:00:00Z', { channel: 'content' }));
    await s.on('lead-1', { type: 'LeadsMerged', at: '2026-03-02T09:00:00Z', data: { messageId: 'merge', mergedLeadId: '2', identities: [] } });

    const facts = s.engine.leadFacts('1')!;
    expect(facts.lead).toMatchObject({ ownerId: 'rep-bo', doNotContact: true, traits: { country: 'US' } });
    expect(facts.touches.map((t) => t.name)).toEqual(['Content Viewed']);
  });
});

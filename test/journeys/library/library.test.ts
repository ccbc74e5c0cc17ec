import { describe, expect, it } from 'vitest';
import { completed, JourneyScenario, owner, score, stage, touch, traits } from '../journeyScenario.ts';
import { account, identified, publishLibraryJourney, suggestions } from './libraryJourney.ts';

describe('library: new-inbound-lead', () => {
  it('has the owner call a fitting demo request within two hours, and email when the call gets no answer', async () => {
    const s = new JourneyScenario();
    await publishLibraryJourney(s, 'new-inbound-lead');
    await s.on('lead-1', traits({ firstName: 'Ana', name: 'Ana Lima', title: 'VP Marketing' }, '2026-05-04T08:00:00Z'));
    await s.on('lead-1', account('acme', 'Acme', 450, '2026-05-04T08:00:00Z'));
    await s.on('lead-1', owner('rep-1', '2026-05-04T08:00:00Z'));
    await s.on('lead-1', touch('Demo Requested', '2026-05-04T09:00:00Z', { channel: 'direct' }));

    const [call] = s.all('SuggestionProposed');
    await s.on('lead-1', completed((call!.data as { suggestionId: string }).suggestionId, 'no_answer', '2026-05-04T10:30:00Z'));

    expect(suggestions(s)).toEqual([
      { action: 'call', priority: 'urgent', title: 'Call Ana at Acme: demo request', at: '2026-05-04T09:00:00.000Z', dueAt: '2026-05-04T11:00:00.000Z' },
      { action: 'email', priority: 'high', title: 'Email Ana to book the demo', at: '2026-05-04T10:30:00.000Z', dueAt: '2026-05-04T14:30:00.000Z' },
    ]);
    expect(s.all('JourneyExited').map((event) => (event.data as { reason: string }).reason)).toEqual(['completed']);
  });

  it('emails a small company straight away, and stops when a meeting is booked', async () => {
    const s = new JourneyScenario();
    await publishLibraryJourney(s, 'new-inbound-lead');
    await s.on('lead-2', traits({ firstName: 'Bo' }, '2026-05-04T08:00:00Z'));
    await s.on('lead-2', account('tiny', 'Tiny', 12, '2026-05-04T08:00:00Z'));
    await s.on('lead-2', touch('Demo Requested', '2026-05-04T09:00:00Z', { channel: 'direct' }));
    expect(suggestions(s).map((suggestion) => [suggestion.action, suggestion.title])).toEqual([['email', 'Email Bo to book the demo']]);
    expect(s.all('JourneyExited')).toHaveLength(1);
  });

  it('leaves the lead alone when the rep learns it is not interested', async () => {
    const s = new JourneyScenario();
    await publishLibraryJourney(s, 'new-inbound-lead');
    await s.on('lead-3', score(75, '2026-05-04T08:00:00Z'));
    await s.on('lead-3', touch('Demo Requested', '2026-05-04T09:00:00Z', { channel: 'direct' }));
    const [call] = s.all('SuggestionProposed');
    await s.on('lead-3', completed((call!.data as { suggestionId: string }).suggestionId, 'not_interested', '2026-05-04T12:00:00Z'));
    expect(suggestions(s).map((suggestion) => suggestion.action)).toEqual(['call']);
    expect(s.all('JourneyExited').map((event) => (event.data as { reason: string }).reason)).toEqual(['not-interested']);
  });
});

describe('library: webinar-follow-up', () => {
  it('calls a researching attendee and sends the others the recap a day later', async () => {
    const s = new JourneyScenario();
    await publishLibraryJourney(s, 'webinar-follow-up');
    await s.on('lead-1', traits({ firstName: 'Mei' }, '2026-06-01T08:00:00Z'));
    await s.on('lead-1', touch('Content Viewed', '2026-06-01T09:00:00Z', { channel: 'content' }));
    await s.on('lead-1', touch('Content Downloaded', '2026-06-02T09:00:00Z', { channel: 'content' }));
    await s.on('lead-1', touch('Webinar Attended', '2026-06-03T16:00:00Z', { properties: { webinar_title: 'Pricing in 2027' } }));
    await s.on('lead-2', traits({ firstName: 'Tom' }, '2026-06-01T08:00:00Z'));
    await s.on('lead-2', touch('Webinar Attended', '2026-06-03T16:00:00Z', { properties: { webinar_title: 'Pricing in 2027' } }));
    await s.timersUntil('2026-06-10T00:00:00Z');

    expect(suggestions(s)).toEqual([
      { action: 'call', priority: 'high', title: 'Call Mei about Pricing in 2027', at: '2026-06-03T16:00:00.000Z', dueAt: '2026-06-04T16:00:00.000Z' },
      { action: 'email', priority: 'normal', title: 'Send Tom the recap of Pricing in 2027', at: '2026-06-04T16:00:00.000Z', dueAt: '2026-06-04T20:00:00.000Z' },
      { action: 'email', priority: 'normal', title: 'Send Mei the recap of Pricing in 2027', at: '2026-06-06T16:00:00.000Z', dueAt: '2026-06-06T20:00:00.000Z' },
    ]);
  });
});

describe('library: content-engaged-account', () => {
  it('suggests LinkedIn when a second contact of an account reads a third piece, then a call if they keep reading', async () => {
    const s = new JourneyScenario();
    await publishLibraryJourney(s, 'content-engaged-account');
    await s.on('lead-9', account('globex', 'Globex', 800, '2026-07-01T08:00:00Z'));
    await s.on('lead-1', traits({ firstName: 'Ines', name: 'Ines Roy', title: 'CMO' }, '2026-07-01T08:00:00Z'));
    await s.on('lead-1', account('globex', 'Globex', 800, '2026-07-01T08:00:00Z'));
    await s.on('lead-1', touch('Content Viewed', '2026-07-02T09:00:00Z', { channel: 'content', properties: { title: 'Attribution 101' } }));
    await s.on('lead-1', touch('Content Downloaded', '2026-07-05T09:00:00Z', { channel: 'content' }));
    await s.on('lead-1', touch('Content Viewed', '2026-07-08T09:00:00Z', { channel: 'content', properties: { title: 'Scoring that works' } }));
    await s.on('lead-1', touch('Page Viewed', '2026-07-10T09:00:00Z', { channel: 'direct' }));
    await s.timersUntil('2026-07-20T00:00:00Z');

    expect(suggestions(s).map((suggestion) => [suggestion.action, suggestion.title, suggestion.at])).toEqual([
      ['linkedin', 'Connect with Ines on LinkedIn: Globex is reading our content', '2026-07-08T09:00:00.000Z'],
      ['call', 'Call Ines: still reading after your LinkedIn note', '2026-07-11T09:00:00.000Z'],
    ]);
    const body = (s.all('SuggestionProposed')[0]!.data as { body: string }).body;
    expect(body).toBe('Ines Roy (CMO) read 3+ pieces in 14 days; 2 people from Globex are known to us. Latest: Scoring that works.');
  });

  it('stays quiet for a lone reader without an account', async () => {
    const s = new JourneyScenario();
    await publishLibraryJourney(s, 'content-engaged-account');
    for (const day of ['02', '03', '04', '05']) await s.on('lead-1', touch('Content Viewed', `2026-07-${day}T09:00:00Z`, { channel: 'content' }));
    expect(suggestions(s)).toEqual([]);
  });
});

describe('library: chat-went-quiet', () => {
  it('calls the next day when the chat ended without a next step and a phone number is known', async () => {
    const s = new JourneyScenario();
    await publishLibraryJourney(s, 'chat-went-quiet');
    await s.on('lead-1', traits({ firstName: 'Lu' }, '2026-08-03T08:00:00Z'));
    await s.on('lead-1', identified([{ kind: 'phone', value: '+6591234567' }], '2026-08-03T08:00:00Z'));
    await s.on('lead-1', touch('Live Chat Message Sent', '2026-08-03T09:00:00Z', { channel: 'chat' }));
    await s.on('lead-1', touch('Live Chat Conversation Ended', '2026-08-03T09:10:00Z', { channel: 'chat' }));
    await s.timersUntil('2026-08-05T00:00:00Z');
    expect(suggestions(s).map((suggestion) => [suggestion.action, suggestion.title, suggestion.at])).toEqual([
      ['call', 'Call Lu: their chat yesterday ended without a next step', '2026-08-04T09:10:00.000Z'],
    ]);
  });

  it('emails a visitor without a phone, and says nothing to one who asked for a demo meanwhile', async () => {
    const s = new JourneyScenario();
    await publishLibraryJourney(s, 'chat-went-quiet');
    await s.on('lead-1', traits({ firstName: 'Kai' }, '2026-08-03T08:00:00Z'));
    await s.on('lead-1', touch('Live Chat Conversation Ended', '2026-08-03T09:10:00Z', { channel: 'chat' }));
    await s.on('lead-2', touch('Live Chat Conversation Ended', '2026-08-03T09:10:00Z', { channel: 'chat' }));
    await s.on('lead-2', touch('Demo Requested', '2026-08-03T15:00:00Z', { channel: 'direct' }));
    await s.timersUntil('2026-08-05T00:00:00Z');
    expect(suggestions(s).map((suggestion) => [suggestion.action, suggestion.title])).toEqual([['email', "Email Kai after yesterday's chat"]]);
    expect(s.all('JourneyExited').map((event) => (event.data as { reason: string }).reason).sort()).toEqual(['asked-for-demo', 'completed']);
  });
});

describe('library: stalled-opportunity', () => {
  it('calls when an opportunity goes quiet for three weeks, checks every two weeks, and gives up after three calls', async () => {
    const s = new JourneyScenario();
    await publishLibraryJourney(s, 'stalled-opportunity');
    await s.on('lead-1', traits({ firstName: 'Rae' }, '2026-01-05T08:00:00Z'));
    await s.on('lead-1', account('initech', 'Initech', 300, '2026-01-05T08:00:00Z'));
    await s.on('lead-1', stage('opportunity', '2026-01-05T09:00:00Z', 'sql'));
    await s.timersUntil('2026-06-01T00:00:00Z');

    expect(suggestions(s).map((suggestion) => [suggestion.action, suggestion.title, suggestion.at])).toEqual([
      ['call', 'Re-engage Rae at Initech: no activity in 14 days', '2026-01-26T09:00:00.000Z'],
      ['call', 'Re-engage Rae at Initech: no activity in 14 days', '2026-02-09T09:00:00.000Z'],
      ['call', 'Re-engage Rae at Initech: no activity in 14 days', '2026-02-23T09:00:00.000Z'],
    ]);
    expect(s.all('JourneyExited').map((event) => (event.data as { reason: string }).reason)).toEqual(['no-response']);
  });

  it('waits while the buyer is active and exits when the deal is won', async () => {
    const s = new JourneyScenario();
    await publishLibraryJourney(s, 'stalled-opportunity');
    await s.on('lead-1', stage('opportunity', '2026-01-05T09:00:00Z', 'sql'));
    await s.on('lead-1', touch('Page Viewed', '2026-01-20T09:00:00Z', { channel: 'direct' }));
    await s.timersUntil('2026-02-01T00:00:00Z');
    await s.on('lead-1', stage('customer', '2026-02-03T09:00:00Z', 'opportunity'));
    expect(suggestions(s)).toEqual([]);
    expect(s.all('JourneyExited').map((event) => (event.data as { reason: string }).reason)).toEqual(['won']);
  });
});

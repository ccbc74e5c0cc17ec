/**
 * The journeys doing their job in a running server: on an empty data folder `nudge serve`
 * publishes the shipped library; a lead sent through the Segment API that asks for a demo gets a
 * call suggestion on its stream within seconds, with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runNudge, startNudge, type RunningNudge } from './nudgeProcess.ts';

const TOKEN = 'e2e-api-token-0123456789';
const WRITE_KEY = 'e2e-write-key';
const running: RunningNudge[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((nudge) => nudge.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// The runner and the router run on a thread of their own by default; NUDGE_RUNNER_THREAD=off keeps them on the event loop.
describe.each(['on', 'off'])('journeys in nudge serve (NUDGE_RUNNER_THREAD=%s)', (runnerThread) => {
  it("publishes the library on first start, routes a demo request to a rep and puts the call in the rep's queue; completing it ends the journey", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-e2e-journeys-'));
    dirs.push(dir);
    const env = { NUDGE_DATA_DIR: join(dir, 'data'), NUDGE_API_TOKENS: TOKEN, NUDGE_WRITE_KEYS: WRITE_KEY, NUDGE_RUNNER_THREAD: runnerThread };
    const nudge = await startNudge(env);
    running.push(nudge);
    expect(nudge.logs.some((entry) => entry.msg === 'journey runner and lead router: on a thread of their own')).toBe(runnerThread === 'on');
    const api = (path: string) => fetch(`${nudge.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((response) => response.json());
    const segment = (call: string, body: Record<string, unknown>) =>
      fetch(`${nudge.url}/v1/${call}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` },
        body: JSON.stringify(body),
      });

    const { journeys } = (await api('/v1/journeys')) as { journeys: { id: string; status: string }[] };
    expect(journeys.map((journey) => [journey.id, journey.status])).toEqual([
      ['chat-went-quiet', 'active'],
      ['content-engaged-account', 'active'],
      ['new-inbound-lead', 'active'],
      ['stalled-opportunity', 'active'],
      ['webinar-follow-up', 'active'],
    ]);

    // A rep of the americas team: the routing rules give US accounts' leads to that team.
    const rep = await fetch(`${nudge.url}/v1/reps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'rep-bo', name: 'Bo Silva', email: 'bo@seller.example', team: 'americas' }),
    });
    expect(rep.status).toBe(201);

    expect((await segment('identify', { userId: 'u-ana', traits: { email: 'ana@acme.example', firstName: 'Ana', title: 'VP Marketing' } })).status).toBe(200);
    expect((await segment('group', { userId: 'u-ana', groupId: 'acme', traits: { name: 'Acme', employees: 450, country: 'US' } })).status).toBe(200);
    expect((await segment('track', { userId: 'u-ana', event: 'Demo Requested', properties: { form_id: 'demo-request' } })).status).toBe(200);

    const lead = (await api('/v1/leads/lookup?userId=u-ana')) as { id: string };
    let proposed: { data: { action: string; title: string; reason: { journeyId: string; path: string[] } } } | undefined;
    for (let attempt = 0; attempt < 100 && !proposed; attempt++) {
      const stream = (await api(`/v1/streams/lead-${lead.id}`)) as { events: { type: string; data: never }[] };
      proposed = stream.events.find((event) => event.type === 'SuggestionProposed');
      if (!proposed) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(proposed?.data).toMatchObject({
      action: 'call',
      title: 'Call Ana at Acme: demo request',
      reason: { journeyId: 'new-inbound-lead', path: ['check-fit', 'call-now'] },
    });

    // Routed to the rep, the suggestion waits in the rep's queue with its reason in words: under
    // "today", or under "later" when its due time (2 h on) falls after the end of the rep's day.
    type QueueItem = { suggestionId: string; title: string; reason: string; lead: { name: string | null; company: string | null } };
    type Queue = { today: QueueItem[]; later: QueueItem[]; counts: Record<string, number> };
    const openItems = (queue: Queue) => [...queue.today, ...queue.later];
    await expect.poll(async () => openItems((await api('/v1/reps/rep-bo/queue')) as Queue).length, { timeout: 10_000 }).toBe(1);
    const queue = (await api('/v1/reps/rep-bo/queue')) as Queue;
    expect(openItems(queue)).toEqual([
      expect.objectContaining({ title: 'Call Ana at Acme: demo request', reason: expect.stringContaining('Demo Requested on') as unknown, lead: expect.objectContaining({ company: 'Acme' }) as unknown }),
    ]);
    const suggestionId = openItems(queue)[0]!.suggestionId;

    // The rep reached Ana: the journey sees the outcome and ends; the call counts as a touch.
    const post = (path: string, body: unknown) =>
      fetch(`${nudge.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const done = await post(`/v1/suggestions/${suggestionId}/complete`, { outcome: 'connected', by: 'rep-bo' });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ status: 'completed', recorded: ['SuggestionCompleted', 'TouchRecorded'] });
    expect((await post(`/v1/suggestions/${suggestionId}/dismiss`, { reason: 'not_relevant' })).status).toBe(409);
    await expect
      .poll(async () => ((await api(`/v1/streams/lead-${lead.id}`)) as { events: { type: string; data: { reason?: string } }[] }).events.filter((event) => event.type === 'JourneyExited').map((event) => event.data.reason), {
        timeout: 10_000,
      })
      .toEqual(['completed']);
    expect(((await api('/v1/reps/rep-bo/queue')) as Queue).counts).toMatchObject({ open: 0, completed: 1 });

    // The lead's timeline shows the walk and the suggestion next to the touches that caused them.
    await expect
      .poll(async () => ((await api(`/v1/leads/${lead.id}/timeline?limit=50`)) as { events: { type: string }[] }).events.map((event) => event.type), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(['JourneyEntered', 'SuggestionProposed', 'TouchRecorded']));

    // The per-node statistics see the same walk, over HTTP and from the CLI.
    type Stats = { entries: number; nodes: Record<string, { visits: number; suggestions: { proposed: number } }> };
    // The statistics follow the store on their own subscription: a moment behind the runner.
    await expect.poll(async () => ((await api('/v1/journeys/new-inbound-lead/stats')) as Stats).entries, { timeout: 10_000 }).toBe(1);
    const stats = (await api('/v1/journeys/new-inbound-lead/stats')) as Stats;
    expect(stats.nodes['call-now']).toMatchObject({ visits: 1, suggestions: { proposed: 1 } });
    const cli = runNudge(['journeys', 'stats', 'new-inbound-lead', '--json'], env);
    expect(cli.status).toBe(0);
    expect((JSON.parse(cli.stdout) as Stats).nodes['call-now']).toMatchObject({ visits: 1 });
  });
});

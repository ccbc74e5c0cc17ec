import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestHarness } from './ingestHarness.ts';
import { createIngestHarness, messageId } from './ingestHarness.ts';

const page = (anonymousId: string, url: string, extra: Record<string, unknown> = {}) => ({
  type: 'page',
  anonymousId,
  name: 'Pricing',
  context: { page: { url, referrer: 'https://www.google.com/' } },
  timestamp: '2026-11-20T09:00:00.000Z',
  ...extra,
});

describe('identity resolution', () => {
  let h: IngestHarness;
  beforeEach(async () => {
    h = await createIngestHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("an anonymous visitor's touches count for the lead once it identifies", async () => {
    await h.send(page('anon-1', 'https://nudge.dev/pricing?utm_source=google&utm_medium=cpc&gclid=abc'));
    await h.send({ type: 'track', anonymousId: 'anon-1', event: 'Content Viewed', properties: { title: 'B2B guide' }, timestamp: '2026-11-20T09:05:00.000Z' });
    expect(await h.leadOf('anonymousId:anon-1')).toBeNull();

    const report = await h.send({ type: 'identify', anonymousId: 'anon-1', userId: 'u-1', traits: { email: 'Jane@Acme.com', name: 'Jane Doe' }, timestamp: '2026-11-20T09:10:00.000Z' });

    expect(report).toMatchObject({ stored: 1, quarantined: [] });
    const lead = await h.leadOf('userId:u-1');
    expect(lead).toMatchObject({ anonymousIds: ['anon-1'], traits: { email: 'Jane@Acme.com', name: 'Jane Doe' } });
    expect(await h.leadOf('email:jane@acme.com')).toMatchObject({ id: lead!.id });
    const timeline = await h.timeline(lead!.id);
    expect(timeline.filter((e) => e.type === 'TouchRecorded').map((e) => (e.data as { name: string }).name)).toEqual(['Content Viewed', 'Page Viewed']);
    expect(timeline.map((e) => e.type)).toContain('VisitorLinked');
    const touch = timeline.find((e) => (e.data as { name: string }).name === 'Page Viewed')!.data as Record<string, unknown>;
    expect(touch).toMatchObject({ channel: 'paid_search', utm: { source: 'google', medium: 'cpc' }, clickIds: { gclid: 'abc' } });
  });

  it('later events for any identity of the person land on the same lead', async () => {
    await h.send({ type: 'identify', userId: 'u-2', traits: { email: 'sam@globex.io', phone: '+1 (555) 010-9999', wechat_id: 'sam_wx' } });
    const lead = await h.leadOf('userId:u-2');

    await h.send({ type: 'track', userId: 'u-2', event: 'Webinar Registered' });
    await h.send({ type: 'identify', anonymousId: 'phone-app', traits: { phone: '+15550109999' } });
    await h.send({ type: 'identify', anonymousId: 'chat-widget', traits: { wechat_id: 'sam_wx' } });

    for (const key of ['email:sam@globex.io', 'phone:+15550109999', 'wechat:sam_wx', 'anonymousId:phone-app', 'anonymousId:chat-widget']) {
      expect((await h.leadOf(key))?.id, key).toBe(lead!.id);
    }
    expect((await h.index.read.searchLeads({ limit: 10 })).items).toHaveLength(1);
  });

  it('two devices of one person, both identified, are one lead with both visitors', async () => {
    await h.send(page('laptop', 'https://nudge.dev/'), page('phone', 'https://nudge.dev/blog'));
    await h.send({ type: 'identify', anonymousId: 'laptop', userId: 'u-3' }, { type: 'identify', anonymousId: 'phone', userId: 'u-3' });

    const lead = await h.leadOf('userId:u-3');
    expect(lead?.anonymousIds).toEqual(['laptop', 'phone']);
    expect((await h.timeline(lead!.id)).filter((e) => e.type === 'TouchRecorded')).toHaveLength(2);
  });

  it('two leads that turn out to be one person are merged; the merged lead answers with the survivor', async () => {
    await h.send({ type: 'identify', anonymousId: 'web', traits: { email: 'kim@initech.com' } });
    await h.send({ type: 'track', userId: 'u-4', event: 'Trial Started' });
    const emailLead = (await h.leadOf('email:kim@initech.com'))!;
    const userLead = (await h.leadOf('userId:u-4'))!;
    expect(emailLead.id).not.toBe(userLead.id);

    await h.send({ type: 'identify', userId: 'u-4', traits: { email: 'kim@initech.com', title: 'CTO' } });
    await h.send({ type: 'track', anonymousId: 'web', event: 'Demo Requested' });

    const survivor = (await h.leadOf('email:kim@initech.com'))!;
    expect(survivor.id).toBe(userLead.id);
    expect(survivor.mergedLeadIds).toEqual([emailLead.id]);
    expect((await h.leadOf('anonymousId:web'))!.id).toBe(userLead.id);
    expect((await h.index.read.lead(emailLead.id))?.mergedInto).toBe(userLead.id);
    const names = (await h.timeline(userLead.id)).map((e) => (e.data as { name?: string }).name).filter(Boolean);
    expect(names).toEqual(expect.arrayContaining(['Trial Started', 'Demo Requested']));
    expect((await h.index.read.searchLeads({ limit: 10 })).items).toHaveLength(1);
  });

  it('two people with their own userIds who share an email stay two leads', async () => {
    await h.send({ type: 'identify', userId: 'alice', traits: { email: 'sales@shared.io' } });
    await h.send({ type: 'identify', userId: 'bob', traits: { email: 'sales@shared.io' } });

    const alice = (await h.leadOf('userId:alice'))!;
    const bob = (await h.leadOf('userId:bob'))!;
    expect(alice.id).not.toBe(bob.id);
    expect((await h.leadOf('email:sales@shared.io'))!.id).toBe(alice.id);
  });

  it('alias links a previous id to the user, and merges when both were leads', async () => {
    await h.send(page('anon-9', 'https://nudge.dev/'));
    await h.send({ type: 'alias', previousId: 'anon-9', userId: 'u-9' });
    expect((await h.leadOf('userId:u-9'))!.anonymousIds).toEqual(['anon-9']);

    await h.send({ type: 'identify', userId: 'old-id', traits: { email: 'old@hooli.com' } });
    await h.send({ type: 'alias', previousId: 'old-id', userId: 'u-9' });
    const lead = (await h.leadOf('email:old@hooli.com'))!;
    expect(lead.id).toBe((await h.leadOf('userId:u-9'))!.id);
  });

  it('group associates the account; a business email domain infers it; free mail never forms one', async () => {
    await h.send({ type: 'identify', userId: 'u-10', traits: { email: 'lee@umbrella.com', company: 'Umbrella' } });
    await h.send({ type: 'group', userId: 'u-10', groupId: 'acct-7', traits: { name: 'Umbrella Corp', website: 'https://www.umbrella.com', employees: 5000 } });
    await h.send({ type: 'identify', userId: 'u-11', traits: { email: 'max@umbrella.com' } });
    await h.send({ type: 'identify', userId: 'u-12', traits: { email: 'someone@gmail.com' } });

    const lee = (await h.leadOf('userId:u-10'))!;
    const max = (await h.leadOf('userId:u-11'))!;
    expect(lee.account).toMatchObject({ name: 'Umbrella Corp', domain: 'umbrella.com' });
    expect(max.account!.id).toBe(lee.account!.id);
    const account = await h.index.read.account(lee.account!.id);
    expect(account?.document).toMatchObject({ name: 'Umbrella Corp', domain: 'umbrella.com', groupIds: ['acct-7'], traits: { employees: 5000 } });
    expect((await h.leadOf('userId:u-12'))!.account).toBeNull();
  });

  it('a business email joins the account a group call formed for its domain, even when the first contact used free mail', async () => {
    await h.send({ type: 'identify', userId: 'u-13', traits: { email: 'ana@gmail.com' } });
    await h.send({ type: 'group', userId: 'u-13', groupId: 'acc_1', traits: { name: 'Acme Example Inc', domain: 'acme.example' } });
    await h.send({ type: 'identify', userId: 'u-14', traits: { email: 'bo@acme.example', company: 'Acme' } });

    const ana = (await h.leadOf('userId:u-13'))!;
    const bo = (await h.leadOf('userId:u-14'))!;
    expect(bo.account!.id).toBe(ana.account!.id);
    const account = await h.index.read.account(ana.account!.id);
    expect(account?.document).toMatchObject({ name: 'Acme Example Inc', domain: 'acme.example', groupIds: ['acc_1'] });
    expect(bo.account!.name).toBe('Acme Example Inc');
  });

  it('lifecycle stages are recorded with the time of every change; an unknown stage is quarantined naming the field', async () => {
    await h.send({ type: 'identify', userId: 'u-20', traits: { email: 'pat@stark.com', lifecycle_stage: 'lead' }, timestamp: '2026-10-01T00:00:00.000Z' });
    await h.send({ type: 'track', userId: 'u-20', event: 'Lifecycle Stage Changed', properties: { stage: 'MQL' }, timestamp: '2026-10-05T00:00:00.000Z' });
    await h.send({ type: 'track', userId: 'u-20', event: 'Lifecycle Stage Changed', properties: { stage: 'opportunity', amount: 42000, currency: 'usd' }, timestamp: '2026-10-20T00:00:00.000Z' });
    const report = await h.send({ type: 'track', userId: 'u-20', event: 'Lifecycle Stage Changed', properties: { stage: 'champion' } });

    const lead = (await h.leadOf('userId:u-20'))!;
    expect(lead.stage).toBe('opportunity');
    expect(lead.stageHistory).toEqual([
      { from: null, to: 'lead', at: '2026-10-01T00:00:00.000Z', amount: null, currency: null },
      { from: 'lead', to: 'mql', at: '2026-10-05T00:00:00.000Z', amount: null, currency: null },
      { from: 'mql', to: 'opportunity', at: '2026-10-20T00:00:00.000Z', amount: 42000, currency: 'USD' },
    ]);
    expect(report.quarantined.map((q) => q.errors.map((e) => e.path))).toEqual([['batch[0].properties.stage']]);
    expect(report.quarantined[0]!.errors[0]!.message).toContain('subscriber, lead, mql');
    expect((await h.quarantine.list({ status: 'open', limit: 5 })).items).toHaveLength(1);
    const timeline = await h.timeline(lead.id);
    expect(timeline.some((e) => e.type === 'TouchRecorded')).toBe(false);
  });

  it('status, tags and traits: last write wins per trait, only changes are recorded', async () => {
    await h.send({ type: 'identify', userId: 'u-30', traits: { title: 'Engineer', city: 'Oslo' } });
    await h.send({ type: 'identify', userId: 'u-30', traits: { title: 'Head of Engineering', city: 'Oslo', lead_status: 'connected' } });
    await h.send({ type: 'track', userId: 'u-30', event: 'Lead Tagged', properties: { tags: ['vip', 'eu'] } });
    await h.send({ type: 'track', userId: 'u-30', event: 'Lead Untagged', properties: { tag: 'eu' } });

    const lead = (await h.leadOf('userId:u-30'))!;
    expect(lead).toMatchObject({ traits: { title: 'Head of Engineering', city: 'Oslo' }, status: 'connected', tags: ['vip'] });
    const updates = (await h.timeline(lead.id)).filter((e) => e.type === 'TraitsUpdated').map((e) => (e.data as { traits: unknown }).traits);
    expect(updates).toEqual([{ title: 'Head of Engineering' }, { title: 'Engineer', city: 'Oslo' }]);
  });

  it('a messageId is stored once, whenever it comes again', async () => {
    const id = messageId();
    const identify = { type: 'identify', messageId: id, userId: 'u-40', traits: { plan: 'free' } };
    expect(await h.send(identify)).toMatchObject({ stored: 1, duplicate: 0 });
    await h.send({ type: 'identify', userId: 'u-40', traits: { plan: 'enterprise' } });
    for (let i = 0; i < 20; i++) await h.send({ type: 'track', userId: `filler-${i}`, event: 'Content Viewed' });

    expect(await h.send(identify, identify)).toMatchObject({ stored: 0, duplicate: 2 });
    expect((await h.leadOf('userId:u-40'))!.traits).toEqual({ plan: 'enterprise' });
  });

  it('messages in one batch see each other: identify then track of a new user', async () => {
    await h.send({ type: 'identify', userId: 'u-50', anonymousId: 'a-50', traits: { email: 'eve@acme.com' } }, { type: 'track', anonymousId: 'a-50', event: 'Form Submitted' });
    const lead = (await h.leadOf('userId:u-50'))!;
    expect((await h.timeline(lead.id)).filter((e) => e.type === 'TouchRecorded')).toHaveLength(1);
  });

  it('the index rebuilt from the store equals the index built while ingesting', async () => {
    await h.send(page('r-1', 'https://nudge.dev/?utm_source=linkedin&utm_medium=paid_social'));
    await h.send({ type: 'identify', anonymousId: 'r-1', userId: 'r-u1', traits: { email: 'ria@wayne.com', lifecycle_stage: 'mql' } });
    await h.send({ type: 'identify', userId: 'r-u2', traits: { email: 'bo@wayne.com' } });
    await h.send({ type: 'group', userId: 'r-u2', groupId: 'wayne', traits: { name: 'Wayne' } });
    await h.send({ type: 'identify', anonymousId: 'r-2', traits: { email: 'zed@wayne.com' } });
    await h.send({ type: 'identify', userId: 'r-u3', traits: { email: 'zed@wayne.com' } });
    const before = await snapshot(h);

    await h.rebuildIndex();

    expect(await snapshot(h)).toEqual(before);
  });
});

async function snapshot(h: IngestHarness): Promise<unknown> {
  const leads = (await h.index.read.searchLeads({ limit: 100 })).items;
  return Promise.all(
    leads.map(async (lead) => ({ lead: lead.document, timeline: (await h.timeline(lead.id)).map((e) => e.eventId) })),
  );
}

describe('system events in any spelling', () => {
  let h: IngestHarness;
  beforeEach(async () => {
    h = await createIngestHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('assigns the owner, tags in snake_case, and records none of them as touches', async () => {
    await h.send({ type: 'track', userId: 'o-1', event: 'Owner Assigned', properties: { owner_id: 'rep-7' } });
    await h.send({ type: 'track', userId: 'o-1', event: 'lead_tagged', properties: { tag: 'hot' } });
    const report = await h.send({ type: 'track', userId: 'o-1', event: 'Owner Assigned', properties: {} });

    const lead = (await h.leadOf('userId:o-1'))!;
    expect(lead).toMatchObject({ ownerId: 'rep-7', tags: ['hot'] });
    expect((await h.timeline(lead.id)).some((e) => e.type === 'TouchRecorded')).toBe(false);
    expect(report.quarantined[0]!.errors.map((e) => e.path)).toEqual(['batch[0].properties.owner_id']);
  });
});

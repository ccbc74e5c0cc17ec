/**
 * The lead index and other writers: given a router that assigns a lead an owner while an
 * ingestion batch with a CRM owner for the same lead is being planned, the router's event lands
 * first in the store and the CRM's after it; the index must then show the CRM's owner (the store's
 * latest), although it took the router's event in last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore, createSqliteLeadIndex } from '../../infra/sqlite/index.ts';
import { newEvent } from '../../services/core/index.ts';
import { createIngestPipeline, defaultChannelRules, parseSegmentMessage, receiveMessage } from '../../services/ingest/index.ts';
import { messageEventId } from '../../services/ingest/planMessage.ts';
import type { LeadProfile } from '../../services/leads/index.ts';
import { defaultLeadSettings } from '../../services/leads/index.ts';
import type { EventStore } from '../../services/ports/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The store, with its append replaced (to time another writer's append, or to fail one). */
function withAppend(store: EventStore, append: EventStore['append']): EventStore {
  return withMethods(store, { append });
}

/** The store, with some of its methods replaced. */
function withMethods(store: EventStore, methods: Partial<EventStore>): EventStore {
  return new Proxy(store, {
    get: (target, property) => {
      if (property in methods) return methods[property as keyof EventStore];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A fresh store and lead index in a folder of their own (removed after the test). */
function openStores(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  dirs.push(dir);
  return { dir, store: createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' }), index: createSqliteLeadIndex({ path: join(dir, 'leads.db') }) };
}

function received(message: Record<string, unknown>) {
  const parsed = parseSegmentMessage(message);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return receiveMessage(parsed.message, new Date('2026-11-20T10:00:00Z'));
}

describe('ingestion batches and other writers of the same lead', () => {
  it("keeps the store's latest owner when the router's assignment lands between a batch's planning and its append", async () => {
    const { dir, store, index } = openStores('nudge-pipeline-race-');
    // The router's append, timed to land after the batch was planned and before it is appended.
    let routerArmed = false;
    const append: EventStore['append'] = async (stream, events, options) => {
      if (routerArmed && stream.startsWith('lead-')) {
        routerArmed = false;
        await store.append(stream, [newEvent({ type: 'OwnerAssigned', data: { ownerId: 'rep-router', previousOwnerId: null, reason: 'routing:emea' } })]);
      }
      return store.append(stream, events, options);
    };
    const racing = withAppend(store, append);
    const pipeline = createIngestPipeline({ store: racing, index, settings: defaultLeadSettings, channelRules: defaultChannelRules });

    await pipeline.submit([received({ type: 'identify', userId: 'u-race', messageId: 'race-1', traits: { email: 'race@acme.example' } })]);
    routerArmed = true;
    const [outcome] = await pipeline.submit([received({ type: 'track', userId: 'u-race', event: 'Owner Assigned', messageId: 'race-2', properties: { owner_id: 'rep-crm' } })]);
    expect(outcome, (outcome as { error?: Error }).error?.message).toMatchObject({ status: 'stored' });

    // The index takes in what other writers appended (as `follow` does while serving).
    await pipeline.catchUp();
    const leadId = (await index.read.leadOfIdentity('userId:u-race'))!;
    const owners = (await store.readStream(`lead-${leadId}`)).filter((event) => event.type === 'OwnerAssigned').map((event) => (event.data as { ownerId: string }).ownerId);
    expect(owners).toEqual(['rep-router', 'rep-crm']);
    expect(((await index.read.lead(leadId))?.document as LeadProfile).ownerId).toBe('rep-crm');
    // And the index rebuilt from the store agrees.
    await index.close();
    rmSync(join(dir, 'leads.db'), { force: true });
    const rebuilt = createSqliteLeadIndex({ path: join(dir, 'leads.db') });
    await createIngestPipeline({ store, index: rebuilt, settings: defaultLeadSettings, channelRules: defaultChannelRules }).catchUp();
    expect(((await rebuilt.read.lead(leadId))?.document as LeadProfile).ownerId).toBe('rep-crm');
    await rebuilt.close();
    await store.close();
  });

  it("keeps the store's latest owner when the router's assignment lands before the batch ahead, while the next batch with a CRM owner is already planned", async () => {
    const { store, index } = openStores('nudge-pipeline-race-planned-');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let routerLead: string | null = null;
    const racing = withMethods(store, {
      append: async (stream, events, options) => {
        if ((events[0]?.data as { messageId?: string } | undefined)?.messageId === 'ahead') {
          // The router assigns the lead before the batch ahead reaches the store, and that batch's
          // commit lasts until the next batch (the CRM's owner for the same lead) has been planned.
          await store.append(`lead-${routerLead!}`, [newEvent({ type: 'OwnerAssigned', data: { ownerId: 'rep-router', previousOwnerId: null, reason: 'routing:emea' } })]);
          await held;
        }
        return store.append(stream, events, options);
      },
      storedIds: async (ids) => {
        const stored = await store.storedIds(ids);
        if (routerLead !== null && ids.length === 1 && ids[0] === messageEventId('crm', 0)) setTimeout(release, 20);
        return stored;
      },
    });
    const pipeline = createIngestPipeline({ store: racing, index, settings: defaultLeadSettings, channelRules: defaultChannelRules, indexCommitIntervalMs: 600_000 });
    await pipeline.submit([received({ type: 'identify', userId: 'u-race', messageId: 'race-1', traits: { email: 'race@acme.example' } })]);
    routerLead = (await index.read.leadOfIdentity('userId:u-race'))!;
    const ahead = pipeline.submit([received({ type: 'track', userId: 'u-other', event: 'Content Viewed', messageId: 'ahead' })]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const crm = pipeline.submit([received({ type: 'track', userId: 'u-race', event: 'Owner Assigned', messageId: 'crm', properties: { owner_id: 'rep-crm' } })]);
    expect((await ahead)[0]).toMatchObject({ status: 'stored' });
    expect((await crm)[0]).toMatchObject({ status: 'stored' });

    await pipeline.catchUp();
    const owners = (await store.readStream(`lead-${routerLead}`)).filter((event) => event.type === 'OwnerAssigned').map((event) => (event.data as { ownerId: string }).ownerId);
    expect(owners).toEqual(['rep-router', 'rep-crm']);
    expect(((await index.read.lead(routerLead))?.document as LeadProfile).ownerId).toBe('rep-crm');
    await index.close();
    await store.close();
  });

  it('while messages keep coming, batches are answered before the index commits; when a later batch fails, the index takes the answered ones in from the store', async () => {
    const { store, index } = openStores('nudge-pipeline-deferred-');
    const append: EventStore['append'] = (stream, events, options) => {
      if ((events[0]?.data as { messageId?: string } | undefined)?.messageId === 'batch-3') return Promise.reject(new Error('disk full'));
      return store.append(stream, events, options);
    };
    const failing = withAppend(store, append);
    // One message per batch, and an interval no test reaches: the three batches share one index transaction.
    const pipeline = createIngestPipeline({ store: failing, index, settings: defaultLeadSettings, channelRules: defaultChannelRules, maxBatch: 1, indexCommitIntervalMs: 600_000 });
    const answered: string[] = [];
    const outcomes = await Promise.all(
      [1, 2, 3].map(async (n) => {
        const [outcome] = await pipeline.submit([received({ type: 'identify', userId: `u-${n}`, messageId: `batch-${n}`, traits: { email: `u${n}@acme.example` } })]);
        // What the index showed readers when the answer came.
        if (outcome!.status === 'stored') answered.push(`${n}:${String(await index.read.leadOfIdentity(`userId:u-${n}`) !== null)}`);
        return outcome!.status;
      }),
    );

    expect(outcomes).toEqual(['stored', 'stored', 'failed']);
    // Answered once the store held them, before the index committed them.
    expect(answered.sort()).toEqual(['1:false', '2:false']);
    // The failed batch rolled the index back; it caught up from the store: nothing stored is missing.
    await pipeline.drained();
    expect(await index.read.leadOfIdentity('userId:u-1')).not.toBeNull();
    expect(await index.read.leadOfIdentity('userId:u-2')).not.toBeNull();
    expect(await index.read.leadOfIdentity('userId:u-3')).toBeNull();
    expect(await index.read.checkpoint()).toBe(await store.headPosition());
    await index.close();
    await store.close();
  });

  it('commits the index before answering when nothing else waits, so a reader sees what was just stored', async () => {
    const { store, index } = openStores('nudge-pipeline-idle-');
    const pipeline = createIngestPipeline({ store, index, settings: defaultLeadSettings, channelRules: defaultChannelRules, indexCommitIntervalMs: 600_000 });
    const [outcome] = await pipeline.submit([received({ type: 'identify', userId: 'u-idle', messageId: 'idle-1', traits: { email: 'idle@acme.example' } })]);
    expect(outcome).toMatchObject({ status: 'stored' });
    expect(await index.read.leadOfIdentity('userId:u-idle')).not.toBeNull();
    await index.close();
    await store.close();
  });

  it('takes a message submitted by the code that the previous answer woke, whatever the moment', async () => {
    const { store, index } = openStores('nudge-pipeline-chain-');
    const pipeline = createIngestPipeline({ store, index, settings: defaultLeadSettings, channelRules: defaultChannelRules });
    // A consumer that submits its next message as soon as it has the answer to the last one, after
    // 0 to 5 further turns of the microtask queue: one of them lands while the drain is letting go.
    let n = 0;
    const next = () => pipeline.submit([received({ type: 'track', userId: `u-${n % 7}`, event: 'Content Viewed', messageId: `chain-${n++}` })]);
    for (let hops = 0; hops <= 5; hops++) {
      let answered = 0;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`a submit after ${hops} microtask hops was never answered`)), 5_000);
        const loop = (): void => {
          void next().then(async () => {
            for (let hop = 0; hop < hops; hop++) await Promise.resolve();
            if (++answered === 20) {
              clearTimeout(timer);
              resolve();
            } else loop();
          });
        };
        loop();
      });
    }
    expect(n).toBe(120);
    await index.close();
    await store.close();
  });

  it('a busy pipeline lets another writer of the same lead index take its turn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-pipeline-fair-'));
    dirs.push(dir);
    // Two processes' handles on one store and one index; the second waits at most 5 s.
    const storeA = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' });
    const storeB = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' });
    const indexA = createSqliteLeadIndex({ path: join(dir, 'leads.db') });
    const indexB = createSqliteLeadIndex({ path: join(dir, 'leads.db'), busyTimeoutMs: 5_000 });
    const busy = createIngestPipeline({ store: storeA, index: indexA, settings: defaultLeadSettings, channelRules: defaultChannelRules, maxBatch: 100 });
    const other = createIngestPipeline({ store: storeB, index: indexB, settings: defaultLeadSettings, channelRules: defaultChannelRules });
    // Seconds of work queued at once: the busy pipeline never runs dry, so it commits by the clock.
    const load = busy.submit(Array.from({ length: 20_000 }, (_, i) => received({ type: 'track', userId: `busy-${i % 500}`, event: 'Content Viewed', messageId: `busy-${i}` })));
    let loadAnswered = false;
    void load.then(() => (loadAnswered = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const theirs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [outcome] = await other.submit([received({ type: 'identify', userId: `other-${i}`, messageId: `other-${i}`, traits: { email: `other${i}@acme.example` } })]);
      theirs.push(outcome!.status === 'failed' ? `failed: ${outcome!.error.message}` : outcome!.status);
    }
    // Served while the busy pipeline still had work, not after it ran dry.
    expect(loadAnswered).toBe(false);
    const loadDone = await load;
    expect(theirs).toEqual(['stored', 'stored', 'stored']);
    expect(loadDone.every((outcome) => outcome.status === 'stored')).toBe(true);
    await Promise.all([indexA.close(), indexB.close()]);
    await Promise.all([storeA.close(), storeB.close()]);
  });

  it('plans the next batch while the store commits the one ahead, and appends it only once that one is stored', async () => {
    const { store, index } = openStores('nudge-pipeline-overlap-');
    const steps: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Released once the second batch is being planned, or after 2 s when it never is (then the order below is wrong).
    const fallback = setTimeout(() => release(), 2_000);
    const messageOf = (events: readonly { data: unknown }[]) => (events[0]?.data as { messageId?: string } | undefined)?.messageId ?? '?';
    let plans = 0;
    const observed = withMethods(store, {
      // Planning a batch starts with asking the store which of its messages it holds.
      storedIds: (ids) => {
        steps.push(`plan ${ids.length}`);
        if (++plans === 2) setTimeout(release, 50);
        return store.storedIds(ids);
      },
      append: async (stream, events, options) => {
        const id = messageOf(events);
        steps.push(`append ${id}`);
        // The first batch's commit lasts until the second batch is being planned.
        if (id === 'first') await held;
        const result = await store.append(stream, events, options);
        steps.push(`stored ${id}`);
        return result;
      },
    });
    const pipeline = createIngestPipeline({ store: observed, index, settings: defaultLeadSettings, channelRules: defaultChannelRules, maxBatch: 1, indexCommitIntervalMs: 600_000 });
    // Two batches of one (maxBatch 1): the second is planned on the lead the first creates.
    const first = pipeline.submit([received({ type: 'identify', userId: 'u-first', messageId: 'first', traits: { email: 'first@acme.example' } })]);
    const second = pipeline.submit([received({ type: 'track', userId: 'u-first', event: 'Content Viewed', messageId: 'second' })]);
    expect((await first)[0]).toMatchObject({ status: 'stored' });
    expect((await second)[0]).toMatchObject({ status: 'stored' });
    clearTimeout(fallback);
    // The second was planned (on the first's lead) while the first was committing, and appended after it was stored.
    expect(steps.indexOf('plan 1', 1)).toBeGreaterThan(steps.indexOf('append first'));
    expect(steps.indexOf('plan 1', 1)).toBeLessThan(steps.indexOf('stored first'));
    expect(steps.indexOf('append second')).toBeGreaterThan(steps.indexOf('stored first'));
    const leadId = (await index.read.leadOfIdentity('userId:u-first'))!;
    expect((await store.readStream(`lead-${leadId}`)).map((event) => event.type)).toContain('TouchRecorded');
    await index.close();
    await store.close();
  });

  it('plans messages that arrive while a commit runs with nothing queued, and sends them to the store together once it ends', async () => {
    const { store, index } = openStores('nudge-pipeline-arrivals-');
    const steps: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let committing: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (committing = resolve));
    const messageOf = (events: readonly { data: unknown }[]) => (events[0]?.data as { messageId?: string } | undefined)?.messageId ?? '?';
    const observed = withMethods(store, {
      storedIds: (ids) => {
        steps.push(`plan ${ids.length}`);
        return store.storedIds(ids);
      },
      append: async (stream, events, options) => {
        const id = messageOf(events);
        steps.push(`append ${id}`);
        if (id === 'alone') {
          committing();
          await held;
        }
        const result = await store.append(stream, events, options);
        steps.push(`stored ${id}`);
        return result;
      },
    });
    const pipeline = createIngestPipeline({ store: observed, index, settings: defaultLeadSettings, channelRules: defaultChannelRules, indexCommitIntervalMs: 600_000 });
    const alone = pipeline.submit([received({ type: 'identify', userId: 'u-alone', messageId: 'alone', traits: { email: 'alone@acme.example' } })]);
    await started;
    // The queue is empty and 'alone' is committing: these come in two requests, one after the other.
    const early = pipeline.submit([received({ type: 'track', userId: 'u-alone', event: 'Content Viewed', messageId: 'early' })]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = pipeline.submit([
      received({ type: 'track', userId: 'u-alone', event: 'Pricing Viewed', messageId: 'later-1' }),
      received({ type: 'identify', userId: 'u-new', messageId: 'later-2', traits: { email: 'new@acme.example' } }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Both requests were planned while 'alone' was still committing, and nothing of them was appended.
    expect(steps).toEqual(['plan 1', 'append alone', 'plan 1', 'plan 2']);
    release();
    expect((await alone)[0]).toMatchObject({ status: 'stored' });
    expect((await early).map((outcome) => outcome.status)).toEqual(['stored']);
    expect((await later).map((outcome) => outcome.status)).toEqual(['stored', 'stored']);
    // Appended once 'alone' was stored, all three together (asked for in one go, in order).
    expect(steps.slice(4, 8)).toEqual(['stored alone', 'append early', 'append later-1', 'append later-2']);
    const leadId = (await index.read.leadOfIdentity('userId:u-alone'))!;
    expect((await store.readStream(`lead-${leadId}`)).filter((event) => event.type === 'TouchRecorded')).toHaveLength(2);
    expect(await index.read.leadOfIdentity('userId:u-new')).not.toBeNull();
    await index.close();
    await store.close();
  });

  it('takes a waiting backlog into the next batch before appending it, planned 250 messages at a time, and stores it in one commit', async () => {
    const { store, index } = openStores('nudge-pipeline-backlog-');
    const steps: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let markStored: () => void = () => undefined;
    const aloneStored = new Promise<void>((resolve) => (markStored = resolve));
    const messageOf = (events: readonly { data: unknown }[]) => (events[0]?.data as { messageId?: string } | undefined)?.messageId ?? '?';
    const observed = withMethods(store, {
      storedIds: async (ids) => {
        steps.push(`plan ${ids.length}`);
        // The first chunk of the backlog lets 'alone' finish; the next ones are planned once it is stored,
        // so the store is free while messages still wait.
        if (ids.length === 250 && !steps.includes('stored alone')) release();
        else if (ids.length !== 1) await aloneStored;
        return store.storedIds(ids);
      },
      append: async (stream, events, options) => {
        const id = messageOf(events);
        steps.push(`append ${id}`);
        if (id === 'alone') await held;
        const result = await store.append(stream, events, options);
        steps.push(`stored ${id}`);
        if (id === 'alone') markStored();
        return result;
      },
    });
    const pipeline = createIngestPipeline({ store: observed, index, settings: defaultLeadSettings, channelRules: defaultChannelRules, indexCommitIntervalMs: 600_000 });
    const alone = pipeline.submit([received({ type: 'identify', userId: 'u-alone', messageId: 'alone', traits: { email: 'alone@acme.example' } })]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const backlog = Array.from({ length: 600 }, (_, i) => received({ type: 'track', userId: `u-${i % 40}`, event: 'Content Viewed', messageId: `b${i}` }));
    const outcomes = await pipeline.submit(backlog);
    expect((await alone)[0]).toMatchObject({ status: 'stored' });
    expect(outcomes.every((outcome) => outcome.status === 'stored')).toBe(true);
    // Planned in chunks; the whole backlog was planned (although 'alone' was stored after its first
    // chunk) before any of it was appended, and all 600 were asked for before the first was stored.
    expect(steps.filter((step) => step.startsWith('plan'))).toEqual(['plan 1', 'plan 250', 'plan 250', 'plan 100']);
    const firstAppend = steps.indexOf('append b0');
    expect(firstAppend).toBeGreaterThan(steps.lastIndexOf('plan 100'));
    expect(firstAppend).toBeGreaterThan(steps.indexOf('stored alone'));
    expect(steps.slice(firstAppend, firstAppend + 600)).toEqual(backlog.map((_, i) => `append b${i}`));
    expect((await store.readAll()).filter((event) => event.type === 'TouchRecorded')).toHaveLength(600);
    await index.close();
    await store.close();
  });

  it('lets the event loop run between the chunks of a large batch it plans', async () => {
    const { store, index } = openStores('nudge-pipeline-chunks-');
    let turns = 0;
    let counting = true;
    const count = (): void => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const plannedAt: number[] = [];
    const observed = withMethods(store, {
      storedIds: (ids) => {
        plannedAt.push(turns);
        return store.storedIds(ids);
      },
    });
    const pipeline = createIngestPipeline({ store: observed, index, settings: defaultLeadSettings, channelRules: defaultChannelRules, indexCommitIntervalMs: 600_000 });
    const outcomes = await pipeline.submit(Array.from({ length: 700 }, (_, i) => received({ type: 'track', userId: `u-${i % 30}`, event: 'Content Viewed', messageId: `c${i}` })));
    counting = false;
    expect(outcomes.every((outcome) => outcome.status === 'stored')).toBe(true);
    expect(plannedAt).toHaveLength(3);
    // Each chunk was planned in a later turn of the event loop than the one before.
    expect(plannedAt[1]!).toBeGreaterThan(plannedAt[0]!);
    expect(plannedAt[2]!).toBeGreaterThan(plannedAt[1]!);
    await index.close();
    await store.close();
  });

  it('a batch planned on top of one the store failed is not appended: both fail, nothing of them is stored, the index agrees with the store', async () => {
    const { store, index } = openStores('nudge-pipeline-chain-fail-');
    const asked: string[] = [];
    let failedOnce = false;
    const failing = withAppend(store, async (stream, events, options) => {
      const id = (events[0]?.data as { messageId?: string } | undefined)?.messageId ?? '?';
      asked.push(id);
      if (id === 'bad' && !failedOnce) {
        failedOnce = true;
        // Fails once the next batch has been planned on top of it.
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('disk full');
      }
      return store.append(stream, events, options);
    });
    const pipeline = createIngestPipeline({ store: failing, index, settings: defaultLeadSettings, channelRules: defaultChannelRules, maxBatch: 1, indexCommitIntervalMs: 600_000 });
    const outcomes = await Promise.all([
      pipeline.submit([received({ type: 'identify', userId: 'u-good', messageId: 'good', traits: { email: 'good@acme.example' } })]),
      pipeline.submit([received({ type: 'identify', userId: 'u-bad', messageId: 'bad', traits: { email: 'bad@acme.example' } })]),
      pipeline.submit([received({ type: 'track', userId: 'u-bad', event: 'Content Viewed', messageId: 'after-bad' })]),
    ]);
    expect(outcomes.map(([outcome]) => outcome!.status)).toEqual(['stored', 'failed', 'failed']);
    expect((outcomes[2][0] as { error: Error }).error.message).toBe('disk full');
    // The batch planned on the failed one never reached the store.
    expect(asked).toEqual(['good', 'bad']);
    asked.length = 0;
    await pipeline.drained();
    expect(await index.read.leadOfIdentity('userId:u-good')).not.toBeNull();
    expect(await index.read.leadOfIdentity('userId:u-bad')).toBeNull();
    expect(await index.read.checkpoint()).toBe(await store.headPosition());
    // Sent again, they are stored: the failure left nothing behind that makes them duplicates.
    const again = await pipeline.submit([
      received({ type: 'identify', userId: 'u-bad', messageId: 'bad', traits: { email: 'bad@acme.example' } }),
      received({ type: 'track', userId: 'u-bad', event: 'Content Viewed', messageId: 'after-bad' }),
    ]);
    expect(again.map((outcome) => (outcome.status === 'failed' ? outcome.error.message : outcome.status))).toEqual(['stored', 'stored']);
    await index.close();
    await store.close();
  });

  it('a failure also fails the messages still waiting, so none sent after the failed one is stored ahead of it', async () => {
    const { store, index } = openStores('nudge-pipeline-fail-waiting-');
    const asked: string[] = [];
    const failing = withAppend(store, async (stream, events, options) => {
      const id = (events[0]?.data as { messageId?: string } | undefined)?.messageId ?? '?';
      asked.push(id);
      if (id === 'bad') {
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('disk full');
      }
      return store.append(stream, events, options);
    });
    const pipeline = createIngestPipeline({ store: failing, index, settings: defaultLeadSettings, channelRules: defaultChannelRules, maxBatch: 1, indexCommitIntervalMs: 600_000 });
    const track = (userId: string, messageId: string) => received({ type: 'track', userId, event: 'Content Viewed', messageId });
    // One batch each: 'bad' fails while 'after-bad' is planned on top of it and the two others still wait.
    const outcomes = await Promise.all([pipeline.submit([track('u-1', 'bad')]), pipeline.submit([track('u-1', 'after-bad')]), pipeline.submit([track('u-1', 'waiting')]), pipeline.submit([track('u-2', 'other')])]);
    expect(outcomes.map(([outcome]) => (outcome!.status === 'failed' ? outcome!.error.message : outcome!.status))).toEqual(['disk full', 'disk full', 'disk full', 'disk full']);
    expect(asked).toEqual(['bad']);
    await pipeline.drained();
    expect(await store.headPosition()).toBe(0);
    // The pipeline goes on: what comes next is stored.
    const [next] = await pipeline.submit([track('u-2', 'next')]);
    expect(next!.status).toBe('stored');
    await index.close();
    await store.close();
  });

  it('a message sent again while its first copy is still being committed is stored once', async () => {
    const { store, index } = openStores('nudge-pipeline-resend-');
    const slow = withAppend(store, async (stream, events, options) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return store.append(stream, events, options);
    });
    const pipeline = createIngestPipeline({ store: slow, index, settings: defaultLeadSettings, channelRules: defaultChannelRules, maxBatch: 1, indexCommitIntervalMs: 600_000 });
    const message = () => received({ type: 'track', userId: 'u-resend', event: 'Content Viewed', messageId: 'resent' });
    const outcomes = await Promise.all([pipeline.submit([message()]), pipeline.submit([message()]), pipeline.submit([message()])]);
    expect(outcomes.map(([outcome]) => outcome!.status)).toEqual(['stored', 'duplicate', 'duplicate']);
    expect((await store.readAll()).filter((event) => event.type === 'TouchRecorded')).toHaveLength(1);
    await index.close();
    await store.close();
  });
});

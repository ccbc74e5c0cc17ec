/**
 * The lead router on the SQLite event store: given reps and leads in the store, when the router
 * runs (and crashes, and runs again), then each new lead has exactly one OwnerAssigned from routing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteCheckpoints, createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import type { RecordedEvent } from '../../../services/core/index.ts';
import { newEvent } from '../../../services/core/index.ts';
import type { RoutingDecision } from '../../../services/leads/index.ts';
import { createLeadRouter, defaultRoutingFile, LEAD_ROUTER_CHECKPOINT, parseRoutingRules, RepService } from '../../../services/leads/index.ts';
import type { Checkpoints, EventStore } from '../../../services/ports/index.ts';

const rules = parseRoutingRules(readFileSync(defaultRoutingFile, 'utf8'));

describe('lead router on the SQLite event store', () => {
  let dir: string;
  let store: EventStore;
  let checkpoints: Checkpoints;
  let reps: RepService;
  const running: { stop: () => Promise<void> }[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nudge-router-'));
    store = createSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
    checkpoints = createSqliteCheckpoints({ path: join(dir, 'checkpoints.db') });
    reps = new RepService({ store });
  });

  afterEach(async () => {
    for (const router of running.splice(0)) await router.stop();
    await store.close();
    await checkpoints.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function start() {
    const decisions: { leadId: string; decision: RoutingDecision }[] = [];
    const router = createLeadRouter({ store, checkpoints, rules, onDecision: (leadId, decision) => decisions.push({ leadId, decision }) });
    const abort = new AbortController();
    const run = router.run(abort.signal);
    const handle = {
      router,
      decisions,
      stop: async () => {
        abort.abort();
        await run;
      },
    };
    running.push(handle);
    return handle;
  }

  async function addAmericas(): Promise<void> {
    for (const id of ['rep-ana', 'rep-ben', 'rep-carla']) await reps.add({ id, name: id, email: `${id}@orbitly.example`, team: 'americas' });
  }

  /** A new contact the way ingestion records an identify and then a group call. */
  async function contact(leadId: string, accountId: string, country: string, at = '2026-03-02T10:00:00Z'): Promise<void> {
    await store.append(`lead-${leadId}`, [
      newEvent({ type: 'LeadIdentified', data: { messageId: `${leadId}-identify`, via: 'identify', identities: [{ kind: 'userId', value: leadId }] } }, { occurredAt: at }),
      newEvent({ type: 'TraitsUpdated', data: { messageId: `${leadId}-identify`, traits: { name: leadId } } }, { occurredAt: at }),
    ]);
    await store.append(`lead-${leadId}`, [
      newEvent(
        { type: 'AccountAssociated', data: { messageId: `${leadId}-group`, accountId, via: 'group', groupId: accountId, domain: null, name: accountId, traits: { country } } },
        { occurredAt: at },
      ),
    ]);
  }

  const assignments = async (leadId: string): Promise<RecordedEvent[]> => (await store.readStream(`lead-${leadId}`)).filter((event) => event.type === 'OwnerAssigned');
  const ownerOf = async (leadId: string): Promise<string | undefined> => ((await assignments(leadId)).at(-1)?.data as { ownerId: string } | undefined)?.ownerId;

  it('gives each new lead an owner by the rules, in turn, naming the rule, and stores its checkpoint', async () => {
    await addAmericas();
    await contact('L1', 'A1', 'US', '2026-03-02T10:00:00Z');
    await contact('L2', 'A2', 'BR', '2026-03-02T10:05:00Z');
    const { router } = start();
    await router.caughtUp();
    await contact('L3', 'A3', 'US', '2026-03-02T10:10:00Z');
    await router.settled();

    expect([await ownerOf('L1'), await ownerOf('L2'), await ownerOf('L3')]).toEqual(['rep-ana', 'rep-ben', 'rep-carla']);
    const [assigned] = await assignments('L1');
    expect(assigned!.data).toEqual({ ownerId: 'rep-ana', previousOwnerId: null, reason: 'routing:americas' });
    // The decision's time is the group call's: capacity counts that day.
    expect(assigned!.metadata.occurredAt).toBe('2026-03-02T10:00:00.000Z');
    expect(await checkpoints.get(LEAD_ROUTER_CHECKPOINT)).toBe(await store.headPosition());
  });

  it('assigns nothing twice when it runs again over leads it already routed (crash before the checkpoint)', async () => {
    await addAmericas();
    await contact('L1', 'A1', 'US');
    await contact('L2', 'A2', 'US');
    const first = start();
    await first.router.settled();
    await first.stop();
    const before = (await store.readAll()).map((event) => event.id);

    // The crash: the assignments were appended but the checkpoint was not stored.
    await checkpoints.reset(LEAD_ROUTER_CHECKPOINT);
    const second = start();
    await second.router.settled();

    expect((await store.readAll()).map((event) => event.id)).toEqual(before);
    expect((await assignments('L1')).length + (await assignments('L2')).length).toBe(2);
  });

  it('continues the rotation after a restart: the turn is folded from the store, not kept in memory', async () => {
    await addAmericas();
    await contact('L1', 'A1', 'US');
    const first = start();
    await first.router.settled();
    await first.stop();

    await contact('L2', 'A2', 'US');
    const second = start();
    await second.router.settled();

    expect([await ownerOf('L1'), await ownerOf('L2')]).toEqual(['rep-ana', 'rep-ben']);
  });

  it('gives a new contact of an account to the account’s owner', async () => {
    await addAmericas();
    await contact('L1', 'A1', 'US');
    await contact('L2', 'A2', 'US');
    const { router } = start();
    await router.settled();
    await contact('L3', 'A2', 'US');
    await router.settled();

    expect((await assignments('L3')).map((event) => event.data)).toEqual([{ ownerId: 'rep-ben', previousOwnerId: null, reason: 'routing:account-owner' }]);
  });

  it('leaves alone a lead that already has an owner', async () => {
    await addAmericas();
    await store.append('lead-L1', [
      newEvent({ type: 'LeadIdentified', data: { messageId: 'm1', via: 'identify', identities: [{ kind: 'userId', value: 'L1' }] } }),
      newEvent({ type: 'OwnerAssigned', data: { messageId: 'm1', ownerId: 'rep-carla', previousOwnerId: null, reason: 'assigned in the CRM' } }),
    ]);
    await store.append('lead-L1', [newEvent({ type: 'AccountAssociated', data: { messageId: 'm2', accountId: 'A1', via: 'group', groupId: 'A1', domain: null, name: null, traits: { country: 'US' } } })]);
    const { router, decisions } = start();
    await router.settled();

    expect(decisions).toEqual([]);
    expect((await assignments('L1')).map((event) => (event.data as { reason: string }).reason)).toEqual(['assigned in the CRM']);
  });

  it('leaves a lead unassigned, in its team’s queue, when the team has no reps, and says so', async () => {
    await addAmericas();
    await contact('L1', 'A1', 'DE');
    const { router, decisions } = start();
    await router.settled();

    expect(await assignments('L1')).toEqual([]);
    expect(decisions).toEqual([{ leadId: 'L1', decision: expect.objectContaining({ kind: 'queue', team: 'emea', ruleId: 'emea', why: 'no_reps_in_team' }) as unknown }]);
    expect(router.status()).toMatchObject({ assigned: 0, queued: 1, caughtUp: true });
  });

  it('passes over a rep deactivated before the lead came', async () => {
    await addAmericas();
    await reps.deactivate('rep-ana', 'on leave');
    await contact('L1', 'A1', 'US');
    const { router } = start();
    await router.settled();

    expect(await ownerOf('L1')).toBe('rep-ben');
  });
});

import { setTimeout as delay } from 'node:timers/promises';
import type { RecordedEvent } from '../../core/index.ts';
import { ConcurrencyError, deriveId, newEvent } from '../../core/index.ts';
import type { OwnerAssigned } from '../../events/index.ts';
import { streams } from '../../events/index.ts';
import type { Checkpoints, EventStore } from '../../ports/index.ts';
import type { RoutingDecision } from './route.ts';
import { route } from './route.ts';
import type { RoutableLead } from './routingLedger.ts';
import { RoutingLedger } from './routingLedger.ts';
import type { RoutingRules } from './routingRules.ts';

export const LEAD_ROUTER_CHECKPOINT = 'lead-router';

export interface LeadRouterOptions {
  readonly store: EventStore;
  readonly checkpoints: Checkpoints;
  readonly rules: RoutingRules;
  /** Checkpoint name (several routers over different stores in one process). */
  readonly name?: string;
  /** Each decision as it is made (not those replayed at start): an owner chosen, or a lead left in its team's queue. */
  readonly onDecision?: (leadId: string, decision: RoutingDecision) => void;
}

export interface LeadRouterStatus {
  readonly checkpoint: number;
  readonly caughtUp: boolean;
  readonly leads: number;
  readonly assigned: number;
  readonly queued: number;
}

/**
 * Gives each new lead an owner: subscribes to the event store from the start, folds reps, leads,
 * accounts and past assignments into a RoutingLedger, and when a lead becomes routable (see
 * RoutingLedger) appends `OwnerAssigned { previousOwnerId: null, reason: 'routing:<ruleId>' }`
 * to its stream with the expected revision. A lead that already has an owner is left alone; a
 * person who assigns one while the router decides wins (the router's append conflicts, it sees
 * the OwnerAssigned and gives up).
 *
 * Restart: the ledger is rebuilt by reading the history up to the checkpoint without deciding,
 * then decisions resume after it. The event id is derived from the lead id, so a decision made
 * again after a crash before the checkpoint is a duplicate the store skips: no lead is assigned
 * twice by routing.
 *
 *   const router = createLeadRouter({ store, checkpoints, rules });
 *   const running = router.run(signal);
 */
export function createLeadRouter(options: LeadRouterOptions): LeadRouter {
  return new LeadRouter(options);
}

export class LeadRouter {
  readonly ledger = new RoutingLedger();
  readonly #options: LeadRouterOptions;
  readonly #name: string;
  #checkpoint = 0;
  #caughtUp = false;
  #assigned = 0;
  #queued = 0;
  /** The revision of each lead stream as last seen: the expected revision of the next append. */
  readonly #revisions = new Map<string, number>();
  /** Ids of the router's own OwnerAssigned events, applied when appended: skipped when the subscription brings them. */
  readonly #own = new Set<string>();
  readonly #caughtUpWaiters = new Set<() => void>();

  constructor(options: LeadRouterOptions) {
    this.#options = options;
    this.#name = options.name ?? LEAD_ROUTER_CHECKPOINT;
  }

  status(): LeadRouterStatus {
    return { checkpoint: this.#checkpoint, caughtUp: this.#caughtUp, leads: this.ledger.leadCount, assigned: this.#assigned, queued: this.#queued };
  }

  /** Resolves once the router has handled everything that was in the store when it caught up. */
  caughtUp(): Promise<void> {
    if (this.#caughtUp) return Promise.resolve();
    return new Promise((resolve) => this.#caughtUpWaiters.add(resolve));
  }

  /** Resolves when the router has handled every event up to the store's head as of now (for tests and the CLI). */
  async settled(): Promise<void> {
    const head = await this.#options.store.headPosition();
    while (this.#checkpoint < head) await delay(20);
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { store, checkpoints } = this.#options;
    const decidedUpTo = await checkpoints.get(this.#name);
    this.#checkpoint = decidedUpTo;
    for await (const batch of store.subscribe({ after: 0, signal, maxBatchSize: 500 })) {
      // Each decision is taken (and put in the ledger) in order, before the next; their appends
      // are asked for together, so the store commits the batch's assignments in one transaction.
      const appends: Promise<void>[] = [];
      for (const event of batch.events) {
        if (event.stream.startsWith('lead-')) this.#seenRevision(event.stream, event.revision);
        if (this.#own.delete(event.id)) continue;
        const routable = this.ledger.apply(event);
        if (routable !== null && event.position > decidedUpTo) appends.push(this.#decide(routable, event));
      }
      await Promise.all(appends);
      const last = batch.events.at(-1);
      if (last && last.position > this.#checkpoint) {
        await checkpoints.set(this.#name, last.position);
        this.#checkpoint = last.position;
      }
      if (batch.caughtUp && this.#checkpoint >= decidedUpTo && !this.#caughtUp) {
        this.#caughtUp = true;
        for (const resolve of this.#caughtUpWaiters) resolve();
        this.#caughtUpWaiters.clear();
      }
    }
  }

  async #decide({ lead, account }: RoutableLead, trigger: RecordedEvent): Promise<void> {
    const at = new Date(trigger.metadata.occurredAt);
    const decision = route(lead, account, this.ledger.reps(), this.ledger, this.#options.rules, at);
    this.#options.onDecision?.(lead.id, decision);
    if (decision.kind === 'queue') {
      this.#queued++;
      return;
    }
    const stream = streams.lead(lead.id);
    const assigned: OwnerAssigned = { type: 'OwnerAssigned', data: { ownerId: decision.ownerId, previousOwnerId: null, reason: decision.reason } };
    const event = newEvent(assigned, { id: deriveId('lead-router', lead.id), occurredAt: at, causedBy: trigger });
    // In the ledger at once, so the batch's next decisions see it (capacity, round robin); the
    // subscription skips the event when it comes back. Stored already by an earlier run (a crash
    // before the checkpoint): the same event, so the ledger holds the same.
    this.ledger.assign(lead.id, decision.ownerId, decision.reason, event.metadata.occurredAt);
    this.#own.add(event.id);
    for (let attempt = 1; ; attempt++) {
      const expected = this.#revisions.get(stream) ?? 'any';
      try {
        const result = await this.#options.store.append(stream, [event], { expectedRevision: expected });
        if (result.streamRevision !== null) this.#seenRevision(stream, result.streamRevision);
        if (result.appended.length > 0) this.#assigned++;
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= 5) throw error;
        // Someone wrote to the lead meanwhile: if they gave it an owner, theirs stands (the
        // subscription brings their assignment, and the ledger takes it over ours; the rep the
        // router had picked keeps the day's count of one lead it did not get).
        const newer = await this.#options.store.readStream(stream, typeof expected === 'number' ? { from: expected + 1 } : {});
        if (newer.some((recorded) => recorded.type === 'OwnerAssigned')) {
          this.#own.delete(event.id);
          return;
        }
        const revision = newer.at(-1)?.revision ?? (await this.#options.store.streamRevision(stream));
        if (revision !== null) this.#revisions.set(stream, revision);
      }
    }
  }

  #seenRevision(stream: string, revision: number): void {
    const known = this.#revisions.get(stream);
    if (known === undefined || revision > known) this.#revisions.set(stream, revision);
  }
}

import type { RepEvent } from '../../events/index.ts';
import { isRepEvent, leadIdOfStream, visitorOfStream } from '../../events/index.ts';
import type { Rep } from '../reps/repDecider.ts';
import { evolveRep } from '../reps/repDecider.ts';
import { localDay } from './repCapacity.ts';
import type { RoutingState } from './route.ts';
import type { RoutingAccount, RoutingLead } from './routingFacts.ts';
import { hasLocation, hasRoutingFacts, ROUTING_TRAITS } from './routingFacts.ts';
import { ACCOUNT_OWNER_RULE } from './routingRules.ts';

/** An event as the ledger reads it (a stored event, or one about to be). */
export interface LedgerEvent {
  readonly id: string;
  readonly stream: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: { readonly occurredAt: string };
}

/** A lead that has just become routable, with the facts known at that moment. */
export interface RoutableLead {
  readonly lead: RoutingLead;
  readonly account: RoutingAccount | null;
}

interface FirstTouch {
  readonly channel: string;
  readonly source: string | null;
  readonly at: string;
}

interface LeadEntry {
  ownerId: string | null;
  accountId: string | null;
  /** Routing was tried (or the lead got an owner): it is never routed again. Facts are dropped then. */
  settled: boolean;
  identified: boolean;
  /** The messageId of the call that first identified the lead. */
  identifiedBy: string | null;
  traits: Record<string, unknown>;
  firstTouch: FirstTouch | null;
}

interface AccountEntry {
  readonly traits: Record<string, unknown>;
  readonly leads: Set<string>;
}

/**
 * Everything routing knows, folded from the event store in global order: reps (rep-<id>), each
 * lead's owner, account and routing facts, accounts' facts and leads, visitors' first touches,
 * owned leads and daily assignments per rep, and the last round-robin pick per team. The same
 * history always folds to the same ledger, so a rebuilt router decides as the first one did.
 *
 * When does a lead become routable? At the first event of its stream after which it has been
 * identified (LeadIdentified), has no owner, and
 * - the event is a touch, or
 * - it has an account whose facts (country, region, industry, employees) or owner are known, or
 * - it has a country or region of its own, or
 * - the event came from a later call than the one that identified it.
 * Ingestion writes a call's account and traits before its touch, so everything one call says is
 * known when it triggers; an identify without a location waits for the group call that usually
 * follows it (or the lead's next event). Routing is tried once per lead.
 *
 *   const routable = ledger.apply(event);
 *   if (routable) decision = route(routable.lead, routable.account, ledger.reps(), ledger, rules, at);
 */
export class RoutingLedger implements RoutingState {
  readonly #reps = new Map<string, Rep>();
  #repList: Rep[] | null = null;
  readonly #leads = new Map<string, LeadEntry>();
  readonly #accounts = new Map<string, AccountEntry>();
  readonly #visitors = new Map<string, FirstTouch>();
  readonly #owned = new Map<string, number>();
  readonly #assigned = new Map<string, Map<string, number>>();
  readonly #rotation = new Map<string, string>();

  /** Folds one event; returns the lead it made routable (marked as tried from now on), or null. */
  apply(event: LedgerEvent): RoutableLead | null {
    if (isRepEvent(event)) {
      const typed = event as unknown as RepEvent;
      const rep = evolveRep(this.#reps.get(typed.data.repId) ?? null, typed);
      if (rep !== null) this.#reps.set(rep.id, rep);
      this.#repList = null;
      return null;
    }
    const anonymousId = visitorOfStream(event.stream);
    if (anonymousId !== null) {
      if (event.type === 'TouchRecorded') this.#visitors.set(anonymousId, earliest(this.#visitors.get(anonymousId) ?? null, touchOf(event))!);
      return null;
    }
    const leadId = leadIdOfStream(event.stream);
    if (leadId === null) return null;
    const lead = this.#lead(leadId);
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'LeadIdentified':
        if (!lead.identified) {
          lead.identified = true;
          lead.identifiedBy = typeof data.messageId === 'string' ? data.messageId : null;
        }
        break;
      case 'VisitorLinked': {
        const anonymous = String(data.anonymousId);
        if (!lead.settled) lead.firstTouch = earliest(lead.firstTouch, this.#visitors.get(anonymous) ?? null);
        this.#visitors.delete(anonymous);
        break;
      }
      case 'AccountAssociated':
        this.#associate(leadId, lead, String(data.accountId), (data.traits ?? {}) as Record<string, unknown>);
        break;
      case 'TraitsUpdated':
        if (!lead.settled) keepRoutingTraits(lead.traits, (data.traits ?? {}) as Record<string, unknown>);
        break;
      case 'TouchRecorded':
        if (!lead.settled) lead.firstTouch = earliest(lead.firstTouch, touchOf(event));
        break;
      case 'OwnerAssigned':
        this.assign(leadId, String(data.ownerId), String(data.reason), event.metadata.occurredAt);
        break;
      case 'LeadsMerged':
        this.#merge(leadId, lead, String(data.mergedLeadId));
        break;
      default:
        break;
    }
    if (lead.settled || lead.ownerId !== null || !lead.identified) return null;
    const messageId = typeof data.messageId === 'string' ? data.messageId : null;
    const account = lead.accountId === null ? null : (this.#accounts.get(lead.accountId) ?? null);
    const ready =
      event.type === 'TouchRecorded' ||
      messageId !== lead.identifiedBy ||
      hasLocation(lead.traits) ||
      (account !== null && (hasRoutingFacts(account.traits) || this.accountOwners(lead.accountId!).length > 0));
    if (!ready) return null;
    const routable: RoutableLead = {
      lead: { id: leadId, traits: lead.traits, accountId: lead.accountId, firstTouch: lead.firstTouch },
      account: account === null ? null : { id: lead.accountId!, traits: { ...account.traits } },
    };
    this.#settle(lead);
    return routable;
  }

  /** Records an assignment: one folded from the store, or the router's own before it comes back. */
  assign(leadId: string, ownerId: string, reason: string, occurredAt: string): void {
    const lead = this.#lead(leadId);
    if (lead.ownerId !== null) this.#owned.set(lead.ownerId, (this.#owned.get(lead.ownerId) ?? 1) - 1);
    this.#owned.set(ownerId, (this.#owned.get(ownerId) ?? 0) + 1);
    lead.ownerId = ownerId;
    this.#settle(lead);
    const rep = this.#reps.get(ownerId);
    const day = localDay(new Date(occurredAt), rep?.timeZone ?? 'UTC');
    let days = this.#assigned.get(ownerId);
    if (days === undefined) this.#assigned.set(ownerId, (days = new Map<string, number>()));
    days.set(day, (days.get(day) ?? 0) + 1);
    if (rep !== undefined && reason.startsWith('routing:') && reason !== `routing:${ACCOUNT_OWNER_RULE}`) this.#rotation.set(rep.team, ownerId);
  }

  /** Every rep ever added (active or not), by id. */
  reps(): readonly Rep[] {
    this.#repList ??= [...this.#reps.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return this.#repList;
  }

  ownerOf(leadId: string): string | null {
    return this.#leads.get(leadId)?.ownerId ?? null;
  }

  get leadCount(): number {
    return this.#leads.size;
  }

  ownedLeads(repId: string): number {
    return this.#owned.get(repId) ?? 0;
  }

  assignedOn(repId: string, day: string): number {
    return this.#assigned.get(repId)?.get(day) ?? 0;
  }

  lastInRotation(team: string): string | null {
    return this.#rotation.get(team) ?? null;
  }

  accountOwners(accountId: string): readonly { repId: string; leads: number }[] {
    const counts = new Map<string, number>();
    for (const leadId of this.#accounts.get(accountId)?.leads ?? []) {
      const owner = this.#leads.get(leadId)?.ownerId;
      if (owner) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    return [...counts]
      .map(([repId, leads]) => ({ repId, leads }))
      .sort((a, b) => b.leads - a.leads || (a.repId < b.repId ? -1 : a.repId > b.repId ? 1 : 0));
  }

  #lead(leadId: string): LeadEntry {
    let lead = this.#leads.get(leadId);
    if (lead === undefined) {
      lead = { ownerId: null, accountId: null, settled: false, identified: false, identifiedBy: null, traits: {}, firstTouch: null };
      this.#leads.set(leadId, lead);
    }
    return lead;
  }

  #account(accountId: string): AccountEntry {
    let account = this.#accounts.get(accountId);
    if (account === undefined) this.#accounts.set(accountId, (account = { traits: {}, leads: new Set() }));
    return account;
  }

  #associate(leadId: string, lead: LeadEntry, accountId: string, traits: Record<string, unknown>): void {
    if (lead.accountId !== null && lead.accountId !== accountId) this.#accounts.get(lead.accountId)?.leads.delete(leadId);
    lead.accountId = accountId;
    const account = this.#account(accountId);
    account.leads.add(leadId);
    keepRoutingTraits(account.traits, traits);
  }

  /** The survivor keeps its own owner and facts; the merged lead fills what it lacks (as the lead profile does). */
  #merge(leadId: string, lead: LeadEntry, mergedId: string): void {
    const merged = this.#leads.get(mergedId);
    if (merged === undefined || mergedId === leadId) return;
    if (merged.ownerId !== null) {
      if (lead.ownerId === null) {
        lead.ownerId = merged.ownerId;
        this.#settle(lead);
      } else {
        this.#owned.set(merged.ownerId, (this.#owned.get(merged.ownerId) ?? 1) - 1);
      }
    }
    if (!lead.identified && merged.identified) {
      lead.identified = true;
      lead.identifiedBy = merged.identifiedBy;
    }
    if (!lead.settled) {
      lead.traits = { ...merged.traits, ...lead.traits };
      lead.firstTouch = earliest(lead.firstTouch, merged.firstTouch);
    }
    if (merged.accountId !== null) this.#accounts.get(merged.accountId)?.leads.delete(mergedId);
    if (lead.accountId === null && merged.accountId !== null) this.#associate(leadId, lead, merged.accountId, {});
    this.#leads.delete(mergedId);
  }

  #settle(lead: LeadEntry): void {
    lead.settled = true;
    // A settled lead is never routed again: only its owner and account are still needed.
    lead.traits = {};
    lead.firstTouch = null;
    lead.identifiedBy = null;
  }
}

function keepRoutingTraits(target: Record<string, unknown>, traits: Record<string, unknown>): void {
  for (const name of ROUTING_TRAITS) {
    if (!Object.hasOwn(traits, name)) continue;
    const value = traits[name];
    if (value === null || value === undefined) delete target[name];
    else target[name] = value;
  }
}

function touchOf(event: LedgerEvent): FirstTouch {
  const data = event.data as { channel?: unknown; utm?: { source?: unknown } | null; occurredAt?: unknown };
  return {
    channel: typeof data.channel === 'string' ? data.channel : 'unknown',
    source: typeof data.utm?.source === 'string' ? data.utm.source : null,
    at: typeof data.occurredAt === 'string' ? data.occurredAt : event.metadata.occurredAt,
  };
}

function earliest(a: FirstTouch | null, b: FirstTouch | null): FirstTouch | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b.at) < Date.parse(a.at) ? b : a;
}

import type { RecordedEvent } from '../../services/core/index.ts';
import type {
  AccountAssociated,
  LeadEvent,
  LeadIdentified,
  SuggestionEvent,
  SuggestionProposed,
  TouchRecorded,
} from '../../services/events/index.ts';
import { eventNameOf } from './eventFacts.ts';

/**
 * What conditions can know about one lead, kept up to date event by event (never re-read from
 * the store per decision): the `lead`, `score`, `touches`, `daysSince` and `suggestions` facts.
 * Mutable on purpose: the runner and the simulator keep one per lead for thousands of leads and
 * apply every event once; the interpreter only reads it.
 */
export interface LeadFactValue {
  id: string;
  createdAt: string | null;
  stage: string | null;
  stageChangedAt: string | null;
  status: string | null;
  ownerId: string | null;
  tags: string[];
  traits: Record<string, unknown>;
  email: string | null;
  userId: string | null;
  phone: string | null;
  accountId: string | null;
  doNotContact: boolean;
}

export interface TouchFact {
  readonly name: string;
  readonly channel: string;
  readonly at: number;
}

export interface SuggestionFact {
  readonly suggestionId: string;
  readonly journeyId: string;
  readonly instanceId: string;
  readonly node: string;
  readonly action: string;
  readonly proposedAt: number;
  status: 'proposed' | 'accepted' | 'completed' | 'dismissed' | 'snoozed' | 'expired';
  outcome: string | null;
  dismissReason: string | null;
}

export interface ScoreFact {
  readonly fit: number;
  readonly engagement: number;
  readonly total: number;
  readonly band: string;
}

export class LeadFacts {
  lead: LeadFactValue;
  score: ScoreFact | undefined = undefined;
  readonly touches: TouchFact[] = [];
  /** Newest time of each event name seen (touches and system events): `daysSince`. */
  readonly lastAt = new Map<string, number>();
  readonly suggestions = new Map<string, SuggestionFact>();
  /** The logical clock of this lead: the latest time any decision for it was made at. */
  now = Number.NEGATIVE_INFINITY;

  constructor(leadId: string) {
    this.lead = {
      id: leadId,
      createdAt: null,
      stage: null,
      stageChangedAt: null,
      status: null,
      ownerId: null,
      tags: [],
      traits: {},
      email: null,
      userId: null,
      phone: null,
      accountId: null,
      doNotContact: false,
    };
  }

  /** Takes one event of the lead's stream (or a linked visitor's touch) into the facts. */
  apply(event: Pick<RecordedEvent, 'type' | 'data' | 'metadata'>): void {
    const at = Date.parse(event.metadata.occurredAt);
    this.lead.createdAt ??= event.metadata.occurredAt;
    const name = eventNameOf(event);
    if (name !== null) this.#seen(name, at);
    const typed = event as LeadEvent | SuggestionEvent;
    switch (typed.type) {
      case 'TouchRecorded':
        this.addTouch(typed.data, at);
        return;
      case 'LeadIdentified':
        this.#identify(typed.data.identities);
        return;
      case 'TraitsUpdated':
        for (const [key, value] of Object.entries(typed.data.traits)) {
          if (value === null) delete this.lead.traits[key];
          else this.lead.traits[key] = value;
        }
        this.lead.doNotContact = isDoNotContact(this.lead.traits);
        return;
      case 'LifecycleStageChanged':
        this.lead.stage = typed.data.to;
        this.lead.stageChangedAt = event.metadata.occurredAt;
        return;
      case 'LeadStatusChanged':
        this.lead.status = typed.data.to;
        return;
      case 'LeadTagged':
        for (const tag of typed.data.tags) if (!this.lead.tags.includes(tag)) this.lead.tags.push(tag);
        return;
      case 'LeadUntagged':
        this.lead.tags = this.lead.tags.filter((tag) => !typed.data.tags.includes(tag));
        return;
      case 'OwnerAssigned':
        this.lead.ownerId = typed.data.ownerId;
        return;
      case 'LeadScoreChanged':
        this.score = { fit: typed.data.fit, engagement: typed.data.engagement, total: typed.data.total, band: typed.data.band };
        return;
      case 'AccountAssociated':
        this.lead.accountId = (typed).data.accountId;
        return;
      case 'SuggestionProposed':
        this.#propose(typed.data, at);
        return;
      case 'SuggestionAccepted':
        this.#setStatus(typed.data.suggestionId, 'accepted');
        return;
      case 'SuggestionSnoozed':
        this.#setStatus(typed.data.suggestionId, 'snoozed');
        return;
      case 'SuggestionExpired':
        this.#setStatus(typed.data.suggestionId, 'expired');
        return;
      case 'SuggestionCompleted': {
        const suggestion = this.#setStatus(typed.data.suggestionId, 'completed');
        if (suggestion) suggestion.outcome = typed.data.outcome;
        return;
      }
      case 'SuggestionDismissed': {
        const suggestion = this.#setStatus(typed.data.suggestionId, 'dismissed');
        if (suggestion) suggestion.dismissReason = typed.data.reason;
        return;
      }
      case 'VisitorLinked':
      case 'LeadsMerged':
        // The caller moves the visitor's or the merged lead's touches in (`absorb`).
        return;
      default:
        return;
    }
  }

  addTouch(touch: Pick<TouchRecorded['data'], 'name' | 'channel'>, at: number): void {
    this.touches.push({ name: touch.name, channel: touch.channel, at });
  }

  /** A visitor's earlier touches, or a merged lead's history, now count for this lead. */
  absorb(touches: readonly TouchFact[], lastAt: ReadonlyMap<string, number> = new Map()): void {
    for (const touch of touches) {
      this.touches.push(touch);
      this.#seen(touch.name, touch.at);
    }
    for (const [name, at] of lastAt) this.#seen(name, at);
  }

  /**
   * Another lead turned out to be this one: its touches count here, its suggestions are this
   * lead's, and what this lead does not know yet (owner, email, account, traits) it takes from
   * the other. Do-not-contact on either side holds for both.
   */
  absorbLead(other: LeadFacts): void {
    this.absorb(other.touches, other.lastAt);
    for (const [id, suggestion] of other.suggestions) if (!this.suggestions.has(id)) this.suggestions.set(id, suggestion);
    const lead = this.lead;
    lead.ownerId ??= other.lead.ownerId;
    lead.email ??= other.lead.email;
    lead.userId ??= other.lead.userId;
    lead.phone ??= other.lead.phone;
    lead.accountId ??= other.lead.accountId;
    lead.stage ??= other.lead.stage;
    lead.traits = { ...other.lead.traits, ...lead.traits };
    lead.doNotContact = lead.doNotContact || other.lead.doNotContact;
    for (const tag of other.lead.tags) if (!lead.tags.includes(tag)) lead.tags.push(tag);
    this.score ??= other.score;
  }

  #seen(name: string, at: number): void {
    const previous = this.lastAt.get(name);
    if (previous === undefined || at > previous) this.lastAt.set(name, at);
  }

  #identify(identities: LeadIdentified['data']['identities']): void {
    for (const identity of identities) {
      if (identity.kind === 'email') this.lead.email ??= identity.value;
      else if (identity.kind === 'userId') this.lead.userId ??= identity.value;
      else if (identity.kind === 'phone') this.lead.phone ??= identity.value;
    }
  }

  #propose(data: SuggestionProposed['data'], at: number): void {
    this.suggestions.set(data.suggestionId, {
      suggestionId: data.suggestionId,
      journeyId: data.journeyId,
      instanceId: data.instanceId,
      node: data.node,
      action: data.action,
      proposedAt: at,
      status: 'proposed',
      outcome: null,
      dismissReason: null,
    });
  }

  #setStatus(suggestionId: string, status: SuggestionFact['status']): SuggestionFact | undefined {
    const suggestion = this.suggestions.get(suggestionId);
    if (suggestion) suggestion.status = status;
    return suggestion;
  }
}

/** Traits that say "do not contact": an unsubscribe or an explicit flag. */
export function isDoNotContact(traits: Readonly<Record<string, unknown>>): boolean {
  return traits.doNotContact === true || traits.do_not_contact === true || traits.unsubscribed === true;
}

/** An account as the `account` fact shows it; shared by its leads. */
export interface AccountFactValue {
  id: string;
  name: string | null;
  domain: string | null;
  traits: Record<string, unknown>;
  leadCount: number;
}

/** Accounts by id, folded from every lead's AccountAssociated events in global order. */
export class AccountFacts {
  readonly #accounts = new Map<string, AccountFactValue & { leads: Set<string> }>();

  apply(leadId: string, data: AccountAssociated['data']): void {
    let account = this.#accounts.get(data.accountId);
    if (!account) {
      account = { id: data.accountId, name: null, domain: null, traits: {}, leadCount: 0, leads: new Set() };
      this.#accounts.set(data.accountId, account);
    }
    account.name = data.name ?? account.name;
    account.domain = data.domain ?? account.domain;
    Object.assign(account.traits, data.traits);
    account.leads.add(leadId);
    account.leadCount = account.leads.size;
  }

  get(accountId: string | null): AccountFactValue | undefined {
    if (accountId === null) return undefined;
    const account = this.#accounts.get(accountId);
    if (!account) return undefined;
    return { id: account.id, name: account.name, domain: account.domain, traits: account.traits, leadCount: account.leadCount };
  }
}

import type { RecordedEvent } from '../core/index.ts';
import type { EmailEvent, LeadEvent, SuggestionEvent, SuggestionMerged, SuggestionReason } from '../events/index.ts';
import { leadIdOfStream } from '../events/index.ts';
import { reasonText } from './reasonText.ts';

/** The lead as a queue row shows it. */
export interface QueueLead {
  readonly id: string;
  name: string | null;
  email: string | null;
  company: string | null;
  title: string | null;
  stage: string | null;
  score: number | null;
  ownerId: string | null;
}

export type OpenStatus = 'proposed' | 'accepted' | 'snoozed';
export type QueueStatus = OpenStatus | 'completed' | 'dismissed' | 'expired';

export interface QueueItem {
  readonly suggestionId: string;
  readonly leadId: string;
  readonly journeyId: string;
  readonly version: number;
  readonly node: string;
  readonly action: string;
  readonly priority: 'low' | 'normal' | 'high' | 'urgent';
  readonly title: string;
  readonly body: string | null;
  readonly subject: string | null;
  readonly status: QueueStatus;
  readonly proposedAt: string;
  readonly dueAt: string;
  readonly expiresAt: string;
  readonly snoozedUntil: string | null;
  readonly outcome: string | null;
  /** "Webinar Attended on 2 Mar 2026 · Worth a call?: fit score 78 ≥ 60", from the recorded reason. */
  readonly reason: string;
  readonly reasonDetail: SuggestionReason;
  /** Other journeys that wanted the same action within the merge window: one suggestion, every reason. */
  readonly alsoBecause: readonly { readonly journeyId: string; readonly reason: string; readonly reasonDetail: SuggestionReason }[];
  readonly lead: Readonly<QueueLead>;
}

export interface QueueQuery {
  readonly now: Date;
  readonly action?: string;
  /** today: due by the end of the rep's day; overdue: due before now. */
  readonly due?: 'today' | 'overdue';
  /** Suggestions shown as "today" at most (the rep's daily capacity); the rest wait, ordered. */
  readonly capacity?: number | null;
  /** The rep's IANA time zone: where "today" ends. Default UTC. */
  readonly timeZone?: string;
}

export interface QueueView {
  readonly ownerId: string;
  readonly today: readonly QueueItem[];
  readonly later: readonly QueueItem[];
  readonly counts: Readonly<Record<QueueStatus | 'open' | 'dueToday' | 'overdue', number>>;
}

/** Key of the queue of suggestions whose lead has no owner (the team's). */
export const UNASSIGNED = 'unassigned';

const priorityRank: Readonly<Record<string, number>> = { urgent: 0, high: 1, normal: 2, low: 3 };

/**
 * The SDR queue: every suggestion with its current state, filed under the lead's **current**
 * owner (a suggestion moves with its lead), folded from the store's events in global order.
 *
 * Order (documented in docs/sdr-queue.md): priority (urgent, high, normal, low), then the lead's
 * score (highest first; unscored last), then due time (earliest first), then age (oldest first).
 * A snoozed suggestion is out of the queue until its time comes, then back in its place.
 */
export class SuggestionQueue {
  readonly #items = new Map<string, QueueItem>();
  readonly #leads = new Map<string, QueueLead>();
  /** Owner → suggestion ids of that owner's leads (all states: counts need the closed ones too). */
  readonly #byOwner = new Map<string, Set<string>>();
  readonly #byLead = new Map<string, Set<string>>();
  /** Email sends requested and not finished (sent, or failed for good): the retrier's work list. */
  readonly #emailsPending = new Set<string>();

  apply(event: RecordedEvent): void {
    if (!folded.has(event.type)) return;
    const leadId = leadIdOfStream(event.stream);
    if (leadId === null) return;
    const typed = event as unknown as LeadEvent | SuggestionEvent | SuggestionMerged | EmailEvent;
    const lead = this.#lead(leadId);
    switch (typed.type) {
      case 'SuggestionProposed': {
        const data = typed.data;
        const item: QueueItem = {
          suggestionId: data.suggestionId,
          leadId,
          journeyId: data.journeyId,
          version: data.version,
          node: data.node,
          action: data.action,
          priority: data.priority,
          title: data.title,
          body: data.body,
          subject: data.subject,
          status: 'proposed',
          proposedAt: event.metadata.occurredAt,
          dueAt: data.dueAt,
          expiresAt: data.expiresAt,
          snoozedUntil: null,
          outcome: null,
          reason: reasonText(data.reason),
          reasonDetail: data.reason,
          alsoBecause: [],
          lead,
        };
        this.#items.set(item.suggestionId, item);
        add(this.#byLead, leadId, item.suggestionId);
        add(this.#byOwner, lead.ownerId ?? UNASSIGNED, item.suggestionId);
        return;
      }
      case 'SuggestionMerged': {
        const item = this.#items.get(typed.data.suggestionId);
        if (item) this.#update(item.suggestionId, { alsoBecause: [...item.alsoBecause, { journeyId: typed.data.journeyId, reason: reasonText(typed.data.reason), reasonDetail: typed.data.reason }] });
        return;
      }
      case 'EmailSendRequested':
        this.#emailsPending.add(typed.data.suggestionId);
        return;
      case 'EmailSent':
        this.#emailsPending.delete(typed.data.suggestionId);
        return;
      case 'EmailSendFailed':
        if (typed.data.nextAttemptAt === null) this.#emailsPending.delete(typed.data.suggestionId);
        return;
      case 'SuggestionAccepted':
        return this.#update(typed.data.suggestionId, { status: 'accepted', snoozedUntil: null });
      case 'SuggestionSnoozed':
        return this.#update(typed.data.suggestionId, { status: 'snoozed', snoozedUntil: typed.data.until });
      case 'SuggestionCompleted':
        return this.#update(typed.data.suggestionId, { status: 'completed', outcome: typed.data.outcome });
      case 'SuggestionDismissed':
        return this.#update(typed.data.suggestionId, { status: 'dismissed', outcome: typed.data.reason });
      case 'SuggestionExpired':
        return this.#update(typed.data.suggestionId, { status: 'expired' });
      case 'OwnerAssigned': {
        const before = lead.ownerId ?? UNASSIGNED;
        lead.ownerId = typed.data.ownerId;
        for (const id of this.#byLead.get(leadId) ?? []) {
          this.#byOwner.get(before)?.delete(id);
          add(this.#byOwner, typed.data.ownerId, id);
        }
        return;
      }
      case 'TraitsUpdated': {
        const traits = typed.data.traits;
        const text = (key: string): string | null | undefined => (key in traits ? (typeof traits[key] === 'string' ? (traits[key]) : null) : undefined);
        const name = text('name') ?? joinName(text('firstName') ?? undefined, text('lastName') ?? undefined);
        if (name !== undefined) lead.name = name;
        if (text('email') !== undefined) lead.email = text('email')!;
        if (text('company') !== undefined) lead.company = text('company')!;
        if (text('title') !== undefined) lead.title = text('title')!;
        return;
      }
      case 'LeadIdentified':
        for (const identity of typed.data.identities) if (identity.kind === 'email') lead.email ??= identity.value;
        return;
      case 'AccountAssociated':
        lead.company = typed.data.name ?? lead.company;
        return;
      case 'LifecycleStageChanged':
        lead.stage = typed.data.to;
        return;
      case 'LeadsMerged': {
        // The merged lead's suggestions are this lead's now, filed under this lead's owner.
        const merged = this.#leads.get(typed.data.mergedLeadId);
        if (!merged) return;
        lead.ownerId ??= merged.ownerId;
        lead.email ??= merged.email;
        lead.name ??= merged.name;
        lead.company ??= merged.company;
        for (const id of this.#byLead.get(merged.id) ?? []) {
          this.#byOwner.get(merged.ownerId ?? UNASSIGNED)?.delete(id);
          add(this.#byOwner, lead.ownerId ?? UNASSIGNED, id);
          add(this.#byLead, leadId, id);
          this.#update(id, { leadId, lead });
        }
        this.#byLead.delete(merged.id);
        return;
      }
      case 'LeadScoreChanged':
        lead.score = typed.data.total;
        return;
      default:
        return;
    }
  }

  get(suggestionId: string): QueueItem | undefined {
    return this.#items.get(suggestionId);
  }

  /** The open suggestions of one owner (a rep id, or UNASSIGNED), ordered, split into today and later. */
  queue(ownerId: string, query: QueueQuery): QueueView {
    const now = query.now.getTime();
    const endOfDay = endOfDayIn(query.now, query.timeZone ?? 'UTC');
    const counts: Record<QueueStatus | 'open' | 'dueToday' | 'overdue', number> = {
      proposed: 0,
      accepted: 0,
      snoozed: 0,
      completed: 0,
      dismissed: 0,
      expired: 0,
      open: 0,
      dueToday: 0,
      overdue: 0,
    };
    const open: QueueItem[] = [];
    for (const id of this.#byOwner.get(ownerId) ?? []) {
      const item = this.#items.get(id)!;
      counts[item.status]++;
      if (item.status === 'completed' || item.status === 'dismissed' || item.status === 'expired') continue;
      counts.open++;
      if (item.status === 'snoozed' && item.snoozedUntil !== null && Date.parse(item.snoozedUntil) > now) continue;
      const due = Date.parse(item.dueAt);
      if (due < now) counts.overdue++;
      if (due <= endOfDay) counts.dueToday++;
      if (query.action !== undefined && item.action !== query.action) continue;
      if (query.due === 'overdue' && due >= now) continue;
      if (query.due === 'today' && due > endOfDay) continue;
      open.push(item);
    }
    open.sort(compareQueueItems);
    const dueByToday = open.filter((item) => Date.parse(item.dueAt) <= endOfDay);
    const capacity = query.capacity ?? Number.POSITIVE_INFINITY;
    const today = dueByToday.slice(0, capacity);
    const shown = new Set(today.map((item) => item.suggestionId));
    return { ownerId, today, later: open.filter((item) => !shown.has(item.suggestionId)), counts };
  }

  /** Suggestions with an email send requested and not finished. */
  emailsPending(): QueueItem[] {
    return [...this.#emailsPending].map((id) => this.#items.get(id)).filter((item): item is QueueItem => item !== undefined);
  }

  /** Open suggestions whose expiry has passed: the expirer turns each into SuggestionExpired. */
  expiredBy(now: Date): QueueItem[] {
    const at = now.getTime();
    return [...this.#items.values()].filter((item) => (item.status === 'proposed' || item.status === 'accepted' || item.status === 'snoozed') && Date.parse(item.expiresAt) <= at);
  }

  #update(suggestionId: string, change: Partial<QueueItem>): void {
    const item = this.#items.get(suggestionId);
    if (item) this.#items.set(suggestionId, { ...item, ...change });
  }

  #lead(leadId: string): QueueLead {
    let lead = this.#leads.get(leadId);
    if (!lead) {
      lead = { id: leadId, name: null, email: null, company: null, title: null, stage: null, score: null, ownerId: null };
      this.#leads.set(leadId, lead);
    }
    return lead;
  }
}

/**
 * Which events the queue folds (true) and which leave it as it is (false), for every type a lead's
 * stream holds: a new type must be placed here. Its projection subscribes to the folded ones only,
 * so touches, the bulk of a busy store, are never read for it.
 */
const foldedByType = {
  SuggestionProposed: true,
  SuggestionMerged: true,
  EmailSendRequested: true,
  EmailSent: true,
  EmailSendFailed: true,
  SuggestionAccepted: true,
  SuggestionSnoozed: true,
  SuggestionCompleted: true,
  SuggestionDismissed: true,
  SuggestionExpired: true,
  OwnerAssigned: true,
  TraitsUpdated: true,
  LeadIdentified: true,
  AccountAssociated: true,
  LifecycleStageChanged: true,
  LeadsMerged: true,
  LeadScoreChanged: true,
  EmailSendAttempted: false,
  TouchRecorded: false,
  VisitorLinked: false,
  LeadStatusChanged: false,
  LeadTagged: false,
  LeadUntagged: false,
} satisfies Record<(LeadEvent | SuggestionEvent | SuggestionMerged | EmailEvent)['type'], boolean>;
const folded: ReadonlySet<string> = new Set(Object.entries(foldedByType).filter(([, fold]) => fold).map(([type]) => type));

/** The event types a SuggestionQueue folds: what its projection subscribes to. */
export const QUEUE_EVENT_TYPES: readonly string[] = [...folded];

export function compareQueueItems(a: QueueItem, b: QueueItem): number {
  return (
    priorityRank[a.priority]! - priorityRank[b.priority]! ||
    (b.lead.score ?? Number.NEGATIVE_INFINITY) - (a.lead.score ?? Number.NEGATIVE_INFINITY) ||
    Date.parse(a.dueAt) - Date.parse(b.dueAt) ||
    Date.parse(a.proposedAt) - Date.parse(b.proposedAt) ||
    (a.suggestionId < b.suggestionId ? -1 : 1)
  );
}

function add(index: Map<string, Set<string>>, key: string, id: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(id);
}

function joinName(first: string | undefined, last: string | undefined): string | undefined {
  if (first === undefined && last === undefined) return undefined;
  return [first, last].filter((part) => part).join(' ') || null || undefined;
}

/** The last millisecond of `now`'s calendar day in the time zone. */
function endOfDayIn(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .formatToParts(now)
    .reduce<Record<string, string>>((all, part) => ({ ...all, [part.type]: part.value }), {});
  const localNowAsUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offset = localNowAsUtc - Math.floor(now.getTime() / 1000) * 1000;
  const localMidnightNext = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day) + 1);
  return localMidnightNext - offset - 1;
}

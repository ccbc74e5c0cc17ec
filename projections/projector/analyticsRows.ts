import type { RecordedEvent } from '../../services/core/index.ts';
import type { AdCostReported, JourneyWalkEvent, LeadEvent, SuggestionEvent } from '../../services/events/index.ts';
import { leadIdOfStream, visitorOfStream } from '../../services/events/index.ts';
import { clickhouseTime } from '../migrate.ts';

/** The projection tables the projector writes, in the order it writes them. */
export const projectedTables = ['touches', 'lead_facts', 'stage_changes', 'lead_aliases', 'journey_steps', 'suggestions', 'ad_costs'] as const;
export type ProjectedTable = (typeof projectedTables)[number];
export type Row = Record<string, string | number | null>;
export type TableRows = Record<ProjectedTable, Row[]>;

export function emptyRows(): TableRows {
  return { touches: [], lead_facts: [], stage_changes: [], lead_aliases: [], journey_steps: [], suggestions: [], ad_costs: [] };
}

/**
 * Who each visitor and merged lead counts for now, kept flat: when lead A merges into B, every
 * key that pointed at A is re-pointed at B, so a query needs one lookup, never a chain. The
 * projector loads it from `lead_aliases` at start and keeps it in step with the rows it writes.
 */
export class AliasMap {
  readonly #target = new Map<string, string>();
  readonly #pointing = new Map<string, Set<string>>();

  /** Loads the current targets (rows of `lead_alias_current`). */
  static of(rows: Iterable<{ key: string; lead_id: string }>): AliasMap {
    const map = new AliasMap();
    for (const row of rows) map.#set(row.key, row.lead_id);
    return map;
  }

  get size(): number {
    return this.#target.size;
  }

  /** The lead a lead id counts for now (itself unless it was merged away). */
  canonical(leadId: string): string {
    return this.#target.get(`lead:${leadId}`) ?? leadId;
  }

  /** `visitor:<id>` or `lead:<id>` now counts for `leadId`'s survivor: the rows that record it. */
  link(key: string, leadId: string, version: number, eventId: string): Row[] {
    const target = this.canonical(leadId);
    if (key === `lead:${target}`) return [];
    const rows: Row[] = [];
    if (this.#target.get(key) !== target) {
      this.#set(key, target);
      rows.push({ key, lead_id: target, version, event_id: eventId });
    }
    // Keys that pointed at a lead that now counts for another follow it.
    if (key.startsWith('lead:')) {
      const from = key.slice('lead:'.length);
      for (const other of [...(this.#pointing.get(from) ?? [])]) {
        if (other === key) continue;
        this.#set(other, target);
        rows.push({ key: other, lead_id: target, version, event_id: eventId });
      }
    }
    return rows;
  }

  #set(key: string, leadId: string): void {
    const before = this.#target.get(key);
    if (before !== undefined) this.#pointing.get(before)?.delete(key);
    this.#target.set(key, leadId);
    let set = this.#pointing.get(leadId);
    if (!set) this.#pointing.set(leadId, (set = new Set()));
    set.add(key);
  }
}

/**
 * The rows one batch of events becomes, table by table. Pure apart from `aliases`, which it moves
 * along with the batch: the same events on the same alias state give the same rows, which is
 * what lets a batch interrupted by a crash be written again under the same deduplication tokens.
 */
export function rowsOfEvents(events: readonly RecordedEvent[], aliases: AliasMap, into: TableRows = emptyRows()): TableRows {
  for (const event of events) addRows(event, aliases, into);
  return into;
}

function addRows(event: RecordedEvent, aliases: AliasMap, rows: TableRows): void {
  const base = { event_id: event.id, position: event.position, occurred_at: clickhouseTime(event.metadata.occurredAt) };
  const leadId = leadIdOfStream(event.stream);
  if (leadId === null) {
    const visitor = visitorOfStream(event.stream);
    if (visitor !== null && event.type === 'TouchRecorded') rows.touches.push(touchRow(event as RecordedEvent & LeadEvent, `visitor:${visitor}`, base));
    else if (event.type === 'AdCostReported') rows.ad_costs.push(costRow(event as RecordedEvent & AdCostReported));
    return;
  }
  const owner = `lead:${leadId}`;
  const typed = event as RecordedEvent & (LeadEvent | JourneyWalkEvent | SuggestionEvent | { type: 'EmailSent'; data: { suggestionId: string } });
  const fact = (kind: string, key: string, value: string): void => {
    rows.lead_facts.push({ ...base, owner, kind, key, value });
  };
  switch (typed.type) {
    case 'TouchRecorded':
      rows.touches.push(touchRow(typed, owner, base));
      return;
    case 'LeadIdentified':
      for (const identity of typed.data.identities) fact('identity', identity.kind, identity.value);
      return;
    case 'VisitorLinked':
      rows.lead_aliases.push(...aliases.link(`visitor:${typed.data.anonymousId}`, leadId, event.position, event.id));
      return;
    case 'LeadsMerged':
      rows.lead_aliases.push(...aliases.link(`lead:${typed.data.mergedLeadId}`, leadId, event.position, event.id));
      return;
    case 'AccountAssociated':
      fact('account', 'account', typed.data.accountId);
      for (const [key, value] of Object.entries(typed.data.traits)) fact('account_trait', key, JSON.stringify(value ?? null));
      if (typed.data.domain !== null && typed.data.traits.domain === undefined) fact('account_trait', 'domain', JSON.stringify(typed.data.domain));
      if (typed.data.name !== null && typed.data.traits.name === undefined) fact('account_trait', 'name', JSON.stringify(typed.data.name));
      return;
    case 'TraitsUpdated':
      for (const [key, value] of Object.entries(typed.data.traits)) fact('trait', key, JSON.stringify(value ?? null));
      return;
    case 'LifecycleStageChanged':
      rows.stage_changes.push({ ...base, owner, from_stage: typed.data.from ?? '', to_stage: typed.data.to, amount: typed.data.amount, currency: typed.data.currency ?? '' });
      return;
    case 'LeadStatusChanged':
      fact('status', 'status', typed.data.to);
      return;
    case 'LeadTagged':
      for (const tag of typed.data.tags) fact('tag', tag, '1');
      return;
    case 'LeadUntagged':
      for (const tag of typed.data.tags) fact('tag', tag, '0');
      return;
    case 'OwnerAssigned':
      fact('owner', 'owner', typed.data.ownerId);
      return;
    case 'LeadScoreChanged':
      fact('score', 'fit', String(typed.data.fit));
      fact('score', 'engagement', String(typed.data.engagement));
      fact('score', 'total', String(typed.data.total));
      fact('score', 'band', typed.data.band);
      return;
    case 'JourneyEntered':
    case 'JourneyEntryRefused':
    case 'JourneyStepTaken':
    case 'JourneyWaitStarted':
    case 'JourneyTimerElapsed':
    case 'JourneyExited':
      rows.journey_steps.push(journeyRow(typed, owner, base));
      return;
    case 'SuggestionMerged':
      rows.journey_steps.push(journeyRow(typed, owner, base));
      rows.suggestions.push({ ...base, owner, suggestion_id: typed.data.suggestionId, type: 'SuggestionMerged', journey_id: typed.data.journeyId, version: typed.data.version, action: '', priority: '', rep_id: '', by: '', outcome: '' });
      return;
    case 'SuggestionProposed':
      rows.suggestions.push({
        ...base,
        owner,
        suggestion_id: typed.data.suggestionId,
        type: typed.type,
        journey_id: typed.data.journeyId,
        version: typed.data.version,
        action: typed.data.action,
        priority: typed.data.priority,
        rep_id: typed.data.ownerId ?? '',
        by: '',
        outcome: '',
      });
      return;
    case 'SuggestionAccepted':
    case 'SuggestionSnoozed':
    case 'SuggestionCompleted':
    case 'SuggestionDismissed':
    case 'SuggestionExpired':
    case 'EmailSent': {
      const data = typed.data as { suggestionId: string; by?: string | null; outcome?: string; reason?: string };
      const outcome = typed.type === 'SuggestionCompleted' ? (data.outcome ?? '') : typed.type === 'SuggestionDismissed' ? (data.reason ?? '') : '';
      rows.suggestions.push({ ...base, owner, suggestion_id: data.suggestionId, type: typed.type, journey_id: '', version: 0, action: '', priority: '', rep_id: '', by: data.by ?? '', outcome });
      return;
    }
    default:
      return;
  }
}

function touchRow(event: RecordedEvent & LeadEvent, owner: string, base: { event_id: string; position: number; occurred_at: string }): Row {
  const data = (event as RecordedEvent & Extract<LeadEvent, { type: 'TouchRecorded' }>).data;
  return {
    ...base,
    owner,
    occurred_at: clickhouseTime(data.occurredAt),
    name: data.name,
    call: data.call,
    channel: data.channel,
    channel_rule: data.channelRule,
    source: costKey(data.utm.source),
    medium: costKey(data.utm.medium),
    campaign: costKey(data.utm.campaign),
    content: data.utm.content ?? '',
    term: data.utm.term ?? '',
    url: data.url ?? '',
    referrer: data.referrer ?? '',
    message_id: data.messageId,
  };
}

function journeyRow(event: RecordedEvent & JourneyWalkEvent, owner: string, base: { event_id: string; position: number; occurred_at: string }): Row {
  const data = event.data as { journeyId: string; version: number; instanceId: string; node?: string | null; next?: string; start?: string; reason?: string; kind?: string };
  const detail = event.type === 'JourneyExited' || event.type === 'JourneyEntryRefused' ? (data.reason ?? '') : event.type === 'JourneyWaitStarted' || event.type === 'JourneyTimerElapsed' ? (data.kind ?? '') : '';
  return {
    ...base,
    owner,
    journey_id: data.journeyId,
    version: data.version,
    instance_id: data.instanceId ?? '',
    type: event.type,
    node: data.node ?? data.start ?? '',
    next_node: data.next ?? '',
    detail,
  };
}

function costRow(event: RecordedEvent & AdCostReported): Row {
  const data = event.data;
  return {
    day: data.date,
    source: costKey(data.source),
    medium: costKey(data.medium),
    campaign: costKey(data.campaign),
    cost: data.cost,
    currency: data.currency,
    clicks: data.clicks ?? 0,
    impressions: data.impressions ?? 0,
    position: event.position,
    event_id: event.id,
  };
}

/**
 * utm values and cost keys are compared trimmed and in lower case, so `Google` in a campaign URL
 * and `google` in a cost report are one source.
 */
export function costKey(value: string | null | undefined): string {
  return (value ?? '').trim().toLowerCase();
}

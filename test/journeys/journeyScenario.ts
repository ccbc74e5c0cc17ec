import type { RecordedEvent } from '../../services/core/index.ts';
import { deriveId } from '../../services/core/index.ts';
import type { RuleEvaluator } from '../../services/ports/index.ts';
import { createCompiledEvaluator } from '../../infra/rules/index.ts';
import { JourneyEngine } from '../../journeys/runner/journeyEngine.ts';

/** An event as a test states it: what it is and when; the scenario gives it an id and a place. */
export interface GivenEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly at: string;
}

/** What came out, reduced to what tests compare. */
export interface Output {
  readonly id: string;
  readonly type: string;
  readonly at: string;
  readonly data: Record<string, unknown>;
}

/**
 * Given / when / then for journeys without a store: journey definitions and lead events go into a
 * JourneyEngine in global order, as the runner would feed them, and the decided events come out.
 *
 *   const s = new JourneyScenario();
 *   s.publish(webinarFollowUp);
 *   const out = await s.on('lead-1', touch('Webinar Attended', '2026-03-02T10:00:00Z'));
 */
export class JourneyScenario {
  readonly engine: JourneyEngine;
  readonly recorded: RecordedEvent[] = [];
  #position = 0;
  readonly #revisions = new Map<string, number>();

  constructor(evaluator: RuleEvaluator = createCompiledEvaluator()) {
    this.engine = new JourneyEngine({ evaluator });
  }

  /** Saves the document as the next version of its journey and publishes it. */
  async publish(document: Record<string, unknown>, at = '2026-01-01T00:00:00.000Z'): Promise<number> {
    const journeyId = String(document.id);
    const version = (this.engine.catalog.get(journeyId)?.latestVersion ?? 0) + 1;
    await this.#handle(`journey-${journeyId}`, { type: 'JourneyDraftSaved', data: { journeyId, version, document, source: JSON.stringify(document), savedBy: null }, at });
    await this.#handle(`journey-${journeyId}`, { type: 'JourneyPublished', data: { journeyId, version, by: null }, at });
    return version;
  }

  /** Publishes an existing version again (resumes a paused journey). */
  async republish(journeyId: string, version: number, at: string): Promise<Output[]> {
    return this.#handle(`journey-${journeyId}`, { type: 'JourneyPublished', data: { journeyId, version, by: null }, at });
  }

  pause(journeyId: string, at: string): Promise<Output[]> {
    return this.#handle(`journey-${journeyId}`, { type: 'JourneyPaused', data: { journeyId, by: null }, at });
  }

  archive(journeyId: string, at: string): Promise<Output[]> {
    return this.#handle(`journey-${journeyId}`, { type: 'JourneyArchived', data: { journeyId, by: null }, at });
  }

  /** When this event is appended to the stream (`lead-1`, `visitor-a1`): the decisions it caused. */
  on(stream: string, event: GivenEvent): Promise<Output[]> {
    return this.#handle(stream, event);
  }

  /** When the clock reaches `until`: the waits that fired and what they decided. */
  async timersUntil(until: string): Promise<Output[]> {
    const outputs = await this.engine.fireTimers(Date.parse(until));
    return this.#store(outputs);
  }

  /** Every output so far of this type. */
  all(type: string): RecordedEvent[] {
    return this.recorded.filter((event) => event.type === type);
  }

  async #handle(stream: string, event: GivenEvent): Promise<Output[]> {
    const recorded = this.#feed(stream, event);
    return this.#store(await this.engine.handle(recorded, { decide: true }));
  }

  #store(outputs: readonly { stream: string; events: readonly { id: string; type: string; data: unknown; metadata: { occurredAt: string } }[] }[]): Output[] {
    const result: Output[] = [];
    for (const output of outputs) {
      for (const event of output.events) {
        this.recorded.push(this.#record(output.stream, { type: event.type, data: event.data as Record<string, unknown>, at: event.metadata.occurredAt }, event.id));
        result.push({ id: event.id, type: event.type, at: event.metadata.occurredAt, data: event.data as Record<string, unknown> });
      }
    }
    return result;
  }

  #feed(stream: string, event: GivenEvent): RecordedEvent {
    const recorded = this.#record(stream, event, deriveId('test-event', stream, String(this.#position + 1)));
    if (!stream.startsWith('journey-')) this.recorded.push(recorded);
    return recorded;
  }

  #record(stream: string, event: GivenEvent, id: string): RecordedEvent {
    const revision = (this.#revisions.get(stream) ?? -1) + 1;
    this.#revisions.set(stream, revision);
    this.#position++;
    const at = new Date(event.at).toISOString();
    return {
      id,
      stream,
      revision,
      position: this.#position,
      type: event.type,
      data: event.data,
      metadata: { occurredAt: at, recordedAt: at, causationId: null, correlationId: null, schemaVersion: 1 },
    };
  }
}

let messages = 0;
/** Unique within a test file; tests compare decisions, which never carry a messageId. */
const nextMessageId = (): string => `m-${++messages}`;

export function touch(name: string, at: string, options: { properties?: Record<string, unknown>; channel?: string } = {}): GivenEvent {
  return {
    type: 'TouchRecorded',
    at,
    data: {
      messageId: nextMessageId(),
      call: 'track',
      name,
      pageName: null,
      channel: options.channel ?? 'webinar',
      channelRule: 'test',
      occurredAt: new Date(at).toISOString(),
      receivedAt: new Date(at).toISOString(),
      utm: { source: null, medium: null, campaign: null, term: null, content: null },
      clickIds: {},
      url: null,
      referrer: null,
      properties: options.properties ?? {},
      anonymousId: null,
      userId: null,
      ip: null,
      userAgent: null,
    },
  };
}

export function traits(values: Record<string, unknown>, at: string): GivenEvent {
  return { type: 'TraitsUpdated', at, data: { messageId: nextMessageId(), traits: values } };
}

export function stage(to: string, at: string, from: string | null = null): GivenEvent {
  return { type: 'LifecycleStageChanged', at, data: { messageId: nextMessageId(), from, to, amount: null, currency: null } };
}

export function score(fit: number, at: string, engagement = 0): GivenEvent {
  return { type: 'LeadScoreChanged', at, data: { fit, engagement, total: fit + engagement, band: fit >= 60 ? 'A' : 'C' } };
}

export function owner(ownerId: string, at: string): GivenEvent {
  return { type: 'OwnerAssigned', at, data: { ownerId, previousOwnerId: null, reason: 'test' } };
}

export function completed(suggestionId: string, outcome: string, at: string): GivenEvent {
  return { type: 'SuggestionCompleted', at, data: { suggestionId, by: 'rep-1', outcome, note: null } };
}

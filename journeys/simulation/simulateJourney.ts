import type { RecordedEvent } from '../../services/core/index.ts';
import { deriveId, ValidationError } from '../../services/core/index.ts';
import type { LifecycleStageChanged, SuggestionProposed } from '../../services/events/index.ts';
import { isJourneyWalkEvent, journeyIdOfStream, leadIdOfStream, streams } from '../../services/events/index.ts';
import type { EventStore, RuleEvaluator } from '../../services/ports/index.ts';
import type { JourneyDocument } from '../document/index.ts';
import type { LeadOutput } from '../runner/index.ts';
import { JourneyEngine } from '../runner/index.ts';
import type { SimulationReport } from './simulationReport.ts';
import { countLaterStages, DEFAULT_STAGE_ORDER, SimulationTally } from './simulationReport.ts';
import { simulationWindowIssues } from './simulationWindow.ts';

export interface SimulateJourneyOptions {
  readonly store: EventStore;
  readonly evaluator: RuleEvaluator;
  /** A validated document (parseJourneySource): a stored version or an unsaved draft. */
  readonly document: JourneyDocument;
  /** The stored version the document is; absent for a draft (the report says null). */
  readonly version?: number;
  /** Events that occurred in [from, to) are decided; earlier ones only build the facts. */
  readonly from: Date;
  readonly to: Date;
  /** Funnel order of the lifecycle stages for `laterStages`; default services/leads' defaults. */
  readonly stageOrder?: readonly string[];
  /** Called after each page read: global positions done and the store's head at the start. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Events read from the store per page: large enough to amortise a query, small enough to stay flat in memory. */
const PAGE_SIZE = 5_000;

/**
 * Back-testing: replays the recorded history through one journey version with a virtual clock
 * and reports what it would have done — entries, node visits, suggestions by action and by rep
 * per day, exits — and what later became of the leads it touched. Nothing is written anywhere:
 * a private JourneyEngine whose catalog holds only this document decides, and the decisions are
 * counted, never appended.
 *
 *   const report = await simulateJourney({ store, evaluator, document, from, to });
 *
 * The history is read once, in global order, up to the store's head when the call starts:
 * - events that occurred before `from` build the facts (touches, stage, score, owner) without deciding;
 * - events in [from, to) are decided, after the waits due by then have fired (the virtual clock);
 * - events from `to` on are not decided; their lifecycle stage changes still count for `laterStages`.
 * The real runner's decisions (journey definitions, walk events, this journey's suggestions)
 * are left out: the simulation makes its own. Other journeys' suggestions stay, as facts.
 */
export async function simulateJourney(options: SimulateJourneyOptions): Promise<SimulationReport> {
  const { store, document, from, to } = options;
  const issues = simulationWindowIssues(from, to);
  if (issues.length > 0) throw new ValidationError('the simulation window is not valid', issues);
  const started = performance.now();
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const journeyId = document.id;

  const engine = new JourneyEngine({ evaluator: options.evaluator });
  for (const definition of publishedDefinition(document, options.version ?? 1, from)) await engine.handle(definition, { decide: false });

  const tally = new SimulationTally(document);
  const count = (outputs: readonly LeadOutput[]): void => {
    for (const output of outputs) tally.add(output.leadId, output.events);
  };
  const considered = new Set<string>();
  const stageChanges = new Map<string, { at: number; stage: string }[]>();
  const head = await store.headPosition();
  let eventsRead = 0;
  let eventsReplayed = 0;

  for (let after = 0, done = false; !done; ) {
    const page = await store.readAll({ after, limit: PAGE_SIZE });
    if (page.length === 0) break;
    for (const event of page) {
      if (event.position > head) {
        done = true;
        break;
      }
      eventsRead++;
      const leadId = leadIdOfStream(event.stream);
      const at = Date.parse(event.metadata.occurredAt);
      if (leadId !== null && event.type === 'LifecycleStageChanged') recordStage(stageChanges, leadId, at, event);
      if (at >= toMs || isRunnerDecision(event, journeyId)) continue;
      const decide = at >= fromMs;
      if (decide) {
        const due = engine.nextDueAt();
        if (due !== null && due <= at) count(await engine.fireTimers(at));
        if (leadId !== null) considered.add(leadId);
      }
      eventsReplayed++;
      count(await engine.handle(event, { decide }));
    }
    after = page.at(-1)!.position;
    options.onProgress?.(Math.min(after, head), head);
    if (page.length < PAGE_SIZE) break;
    // Let the process breathe between pages: a server keeps answering while a back-test runs.
    await new Promise((resolve) => setImmediate(resolve));
  }
  count(await engine.fireTimers(toMs - 1));

  let stillActive = 0;
  for (const leadId of tally.firstEntries.keys()) if (engine.journeyState(leadId, journeyId)?.active) stillActive++;
  return tally.report({
    journeyId,
    version: options.version ?? null,
    from,
    to,
    eventsRead,
    eventsReplayed,
    leadsConsidered: considered.size,
    stillActive,
    laterStages: countLaterStages(tally.firstEntries, stageChanges, options.stageOrder ?? DEFAULT_STAGE_ORDER),
    elapsedMs: performance.now() - started,
  });
}

/**
 * What the real runner decided and recorded: journey definitions (the simulated document
 * replaces them all), walk events, and the suggestions of the journey simulated. Suggestions of
 * other journeys stay: they happened, and `suggestions` facts with `journey: any` count them.
 */
function isRunnerDecision(event: RecordedEvent, journeyId: string): boolean {
  if (journeyIdOfStream(event.stream) !== null) return true;
  if (isJourneyWalkEvent(event)) return true;
  return event.type === 'SuggestionProposed' && (event as RecordedEvent<SuggestionProposed>).data.journeyId === journeyId;
}

function recordStage(changes: Map<string, { at: number; stage: string }[]>, leadId: string, at: number, event: RecordedEvent): void {
  const list = changes.get(leadId);
  const change = { at, stage: (event.data as LifecycleStageChanged['data']).to };
  if (list) list.push(change);
  else changes.set(leadId, [change]);
}

/** The document saved and published in an in-memory `journey-<id>` stream, as the engine reads definitions. */
function publishedDefinition(document: JourneyDocument, version: number, at: Date): RecordedEvent[] {
  const journeyId = document.id;
  const occurredAt = at.toISOString();
  const metadata = { occurredAt, recordedAt: occurredAt, causationId: null, correlationId: null, schemaVersion: 1 };
  const definition = (revision: number, type: string, data: Record<string, unknown>): RecordedEvent => ({
    id: deriveId('journey-simulation', journeyId, String(revision)),
    stream: streams.journey(journeyId),
    revision,
    position: revision + 1,
    type,
    data,
    metadata,
  });
  return [
    definition(0, 'JourneyDraftSaved', { journeyId, version, document, source: '', savedBy: null }),
    definition(1, 'JourneyPublished', { journeyId, version, by: null }),
  ];
}

import { structuredPatch } from 'diff';
import type { Clock } from '../../services/core/index.ts';
import { deriveId, fold, newEvent, NotFoundError, systemClock, ValidationError } from '../../services/core/index.ts';
import type { JourneyDefinitionEvent } from '../../services/events/index.ts';
import { streams } from '../../services/events/index.ts';
import type { EventStore } from '../../services/ports/index.ts';
import { handleCommand } from '../../services/ports/index.ts';
import type { JourneyIssue } from '../document/index.ts';
import { parseJourneySource, validateJourney } from '../document/index.ts';
import type { JourneyDefinitionCommand, JourneyDefinitionState, JourneyVersionInfo } from './journeyDefinition.ts';
import { journeyDefinitionDecider } from './journeyDefinition.ts';

/** The stream that lists every journey ever saved (the store has no "list streams"). */
export const JOURNEY_REGISTRY_STREAM = 'journeys';

export interface SaveResult {
  readonly journeyId: string;
  readonly version: number;
  /** False when the document equals the latest version: nothing was recorded. */
  readonly created: boolean;
  readonly warnings: readonly JourneyIssue[];
}

export interface JourneySummary {
  readonly id: string;
  readonly name: string;
  readonly status: JourneyDefinitionState['status'];
  readonly latestVersion: number;
  readonly publishedVersion: number | null;
  readonly trigger: string;
  readonly updatedAt: string | null;
}

export interface JourneyDetail extends JourneySummary {
  readonly description: string | null;
  readonly versions: readonly { version: number; savedAt: string | null; savedBy: string | null }[];
  readonly publishedAt: string | null;
}

export interface JourneyDiff {
  readonly journeyId: string;
  readonly from: number;
  readonly to: number;
  /** Node ids only in `to`, only in `from`, and in both but different. */
  readonly nodes: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly string[] };
  /** Top-level fields (trigger, reentry, exitWhen, start, name, …) that differ. */
  readonly fields: readonly string[];
  /** A unified diff of the two sources, as the authors wrote them. */
  readonly unified: string;
}

/** Raised with the validator's issues (path, line, message) when a journey is not valid. */
export class JourneyInvalidError extends ValidationError {
  readonly journeyIssues: readonly JourneyIssue[];

  constructor(issues: readonly JourneyIssue[]) {
    super(
      'the journey is not valid',
      issues.map((issue) => ({ path: issue.path, message: issue.line === null ? issue.message : `line ${issue.line}: ${issue.message}` })),
    );
    this.journeyIssues = issues;
  }
}

/**
 * Authoring: journeys are event-sourced in `journey-<id>` streams. Every save is validated (an
 * invalid document is refused with every problem, by path and line), becomes the next version,
 * and is listed in the `journeys` registry stream. Publishing re-validates the version.
 *
 *   const { journeyId, version } = await journeys.save(yamlText, { by: 'ana@example.com' });
 *   await journeys.publish(journeyId, version);
 */
export class JourneyService {
  readonly #store: EventStore;
  readonly #clock: Clock;

  constructor(options: { store: EventStore; clock?: Clock }) {
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
  }

  /** Saves a document (YAML or JSON text) as the journey's next draft version. */
  async save(source: string, options: { format?: 'yaml' | 'json' | 'auto'; by?: string | null; fileName?: string } = {}): Promise<SaveResult> {
    const parsed = parseJourneySource(source, { format: options.format ?? 'auto', ...(options.fileName ? { fileName: options.fileName } : {}) });
    if (!parsed.ok) throw new JourneyInvalidError(parsed.issues);
    const journeyId = parsed.journey.id;
    const result = await this.#handle(journeyId, {
      type: 'SaveJourneyDraft',
      data: { journeyId, document: parsed.journey, source, by: options.by ?? null },
    });
    // Registered after the first save; a crash in between is healed by the next save (same id).
    await this.#store.append(JOURNEY_REGISTRY_STREAM, [
      newEvent({ type: 'JourneyRegistered', data: { journeyId } }, { id: deriveId('journey-registered', journeyId), clock: this.#clock }),
    ]);
    const latest = result.state.versions.at(-1)!;
    return { journeyId, version: latest.version, created: result.appended.length > 0, warnings: parsed.warnings };
  }

  async list(): Promise<JourneySummary[]> {
    const registered = await this.#store.readStream(JOURNEY_REGISTRY_STREAM);
    const ids = [...new Set(registered.map((event) => String((event.data as { journeyId: string }).journeyId)))].sort();
    const summaries: JourneySummary[] = [];
    for (const id of ids) {
      const state = await this.#state(id);
      if (state.status !== 'none') summaries.push(summary(id, state));
    }
    return summaries;
  }

  async get(journeyId: string): Promise<JourneyDetail> {
    const state = await this.#existing(journeyId);
    const latest = state.versions.at(-1)!;
    return {
      ...summary(journeyId, state),
      description: latest.document.description ?? null,
      versions: state.versions.map(({ version, savedAt, savedBy }) => ({ version, savedAt, savedBy })),
      publishedAt: state.publishedAt,
    };
  }

  async version(journeyId: string, version: number): Promise<JourneyVersionInfo> {
    const state = await this.#existing(journeyId);
    const info = state.versions.find((candidate) => candidate.version === version);
    if (!info) throw new NotFoundError(`journey ${journeyId} has no version ${version} (it has 1 to ${state.versions.length})`);
    return info;
  }

  async diff(journeyId: string, from: number, to: number): Promise<JourneyDiff> {
    const [a, b] = [await this.version(journeyId, from), await this.version(journeyId, to)];
    const nodesA = a.document.nodes;
    const nodesB = b.document.nodes;
    const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
    const fields = (['name', 'description', 'trigger', 'reentry', 'exitWhen', 'start'] as const).filter((field) => !same(a.document[field], b.document[field]));
    const patch = structuredPatch(`${journeyId}@${from}`, `${journeyId}@${to}`, withNewline(a.source), withNewline(b.source), '', '', { context: 3 });
    const unified = patch.hunks
      .map((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines].join('\n'))
      .join('\n');
    return {
      journeyId,
      from,
      to,
      nodes: {
        added: Object.keys(nodesB).filter((id) => !(id in nodesA)),
        removed: Object.keys(nodesA).filter((id) => !(id in nodesB)),
        changed: Object.keys(nodesB).filter((id) => id in nodesA && !same(nodesA[id], nodesB[id])),
      },
      fields,
      unified: unified === '' ? '' : `--- ${journeyId}@${from}\n+++ ${journeyId}@${to}\n${unified}\n`,
    };
  }

  /** Publishes a version (default: the latest); publishing a paused journey resumes it. */
  async publish(journeyId: string, version: number | null = null, by: string | null = null): Promise<JourneyDetail> {
    const state = await this.#existing(journeyId);
    const chosen = state.versions.find((info) => info.version === (version ?? state.versions.at(-1)!.version));
    if (chosen) {
      // The validator may have grown stricter since the draft was saved: publish only what passes today.
      const issues = validateJourney(chosen.document).filter((issue) => issue.severity === 'error');
      if (issues.length > 0) throw new JourneyInvalidError(issues);
    }
    await this.#handle(journeyId, { type: 'PublishJourney', data: { journeyId, version, by } });
    return this.get(journeyId);
  }

  async pause(journeyId: string, by: string | null = null): Promise<JourneyDetail> {
    await this.#handle(journeyId, { type: 'PauseJourney', data: { journeyId, by } });
    return this.get(journeyId);
  }

  async archive(journeyId: string, by: string | null = null): Promise<JourneyDetail> {
    await this.#handle(journeyId, { type: 'ArchiveJourney', data: { journeyId, by } });
    return this.get(journeyId);
  }

  /** True when no journey was ever saved: the shipped library is loaded then. */
  async isEmpty(): Promise<boolean> {
    return (await this.#store.streamRevision(JOURNEY_REGISTRY_STREAM)) === null;
  }

  #handle(journeyId: string, command: JourneyDefinitionCommand) {
    return handleCommand(this.#store, streams.journey(journeyId), journeyDefinitionDecider, command, { clock: this.#clock });
  }

  async #state(journeyId: string): Promise<JourneyDefinitionState> {
    const history = await this.#store.readStream(streams.journey(journeyId));
    return fold(journeyDefinitionDecider, history as unknown as JourneyDefinitionEvent[]);
  }

  async #existing(journeyId: string): Promise<JourneyDefinitionState> {
    const state = await this.#state(journeyId);
    if (state.status === 'none') throw new NotFoundError(`no journey ${journeyId}`);
    return state;
  }
}

function summary(id: string, state: JourneyDefinitionState): JourneySummary {
  const latest = state.versions.at(-1)!;
  const shown = state.versions.find((info) => info.version === state.publishedVersion) ?? latest;
  return {
    id,
    name: shown.document.name,
    status: state.status,
    latestVersion: latest.version,
    publishedVersion: state.publishedVersion,
    trigger: shown.document.trigger.event,
    updatedAt: latest.savedAt,
  };
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

import type { Decider } from '../../services/core/index.ts';
import { ConflictError, NotFoundError } from '../../services/core/index.ts';
import type { JourneyDefinitionEvent } from '../../services/events/index.ts';
import type { JourneyDocument } from '../document/journeySchema.ts';

/**
 * A journey's definition as an event-sourced aggregate (`journey-<id>`): drafts are numbered
 * versions; publishing a version makes it the one new entries use; pausing holds the journey;
 * archiving ends it. Invalid transitions are refused with ConflictError saying why (HTTP 409).
 */
export type JourneyDefinitionCommand =
  | { type: 'SaveJourneyDraft'; data: { journeyId: string; document: JourneyDocument; source: string; by: string | null } }
  | { type: 'PublishJourney'; data: { journeyId: string; version: number | null; by: string | null } }
  | { type: 'PauseJourney'; data: { journeyId: string; by: string | null } }
  | { type: 'ArchiveJourney'; data: { journeyId: string; by: string | null } };

export interface JourneyVersionInfo {
  readonly version: number;
  readonly document: JourneyDocument;
  readonly source: string;
  readonly savedAt: string | null;
  readonly savedBy: string | null;
}

export interface JourneyDefinitionState {
  readonly versions: readonly JourneyVersionInfo[];
  readonly publishedVersion: number | null;
  readonly status: 'none' | 'draft' | 'active' | 'paused' | 'archived';
  readonly publishedAt: string | null;
}

const initialState = (): JourneyDefinitionState => ({ versions: [], publishedVersion: null, status: 'none', publishedAt: null });

export const journeyDefinitionDecider: Decider<JourneyDefinitionCommand, JourneyDefinitionState, JourneyDefinitionEvent> = {
  initialState,
  decide(command, state) {
    switch (command.type) {
      case 'SaveJourneyDraft': {
        if (state.status === 'archived') throw new ConflictError(`journey ${command.data.journeyId} is archived: save it under a new id`);
        const latest = state.versions.at(-1);
        // Pushing the same document again (a CI job, a second `push`) records nothing.
        if (latest && sameDocument(latest.document, command.data.document)) return [];
        return [
          {
            type: 'JourneyDraftSaved',
            data: {
              journeyId: command.data.journeyId,
              version: (latest?.version ?? 0) + 1,
              document: command.data.document,
              source: command.data.source,
              savedBy: command.data.by,
            },
          },
        ];
      }
      case 'PublishJourney': {
        const { journeyId, by } = command.data;
        if (state.status === 'none') throw new NotFoundError(`no journey ${journeyId}`);
        if (state.status === 'archived') throw new ConflictError(`journey ${journeyId} is archived and cannot be published again`);
        const version = command.data.version ?? state.versions.at(-1)!.version;
        if (!state.versions.some((info) => info.version === version)) {
          throw new NotFoundError(`journey ${journeyId} has no version ${version} (versions 1 to ${state.versions.length})`);
        }
        if (state.status === 'active' && state.publishedVersion === version) return [];
        return [{ type: 'JourneyPublished', data: { journeyId, version, by } }];
      }
      case 'PauseJourney': {
        const { journeyId, by } = command.data;
        if (state.status === 'none') throw new NotFoundError(`no journey ${journeyId}`);
        if (state.status === 'paused') return [];
        if (state.status !== 'active') throw new ConflictError(`journey ${journeyId} is ${state.status}: only a published journey can be paused`);
        return [{ type: 'JourneyPaused', data: { journeyId, by } }];
      }
      case 'ArchiveJourney': {
        const { journeyId, by } = command.data;
        if (state.status === 'none') throw new NotFoundError(`no journey ${journeyId}`);
        if (state.status === 'archived') return [];
        return [{ type: 'JourneyArchived', data: { journeyId, by } }];
      }
      default: {
        const unknown: never = command;
        throw new TypeError(`unknown command ${JSON.stringify(unknown)}`);
      }
    }
  },
  evolve(state, event) {
    const at = 'metadata' in event ? (event as { metadata: { occurredAt: string } }).metadata.occurredAt : null;
    switch (event.type) {
      case 'JourneyDraftSaved':
        return {
          ...state,
          status: state.status === 'none' ? 'draft' : state.status,
          versions: [
            ...state.versions,
            { version: event.data.version, document: event.data.document as unknown as JourneyDocument, source: event.data.source, savedAt: at, savedBy: event.data.savedBy },
          ],
        };
      case 'JourneyPublished':
        return { ...state, status: 'active', publishedVersion: event.data.version, publishedAt: at };
      case 'JourneyPaused':
        return { ...state, status: 'paused' };
      case 'JourneyArchived':
        return { ...state, status: 'archived' };
      default: {
        const unknown: never = event;
        throw new TypeError(`unknown event ${JSON.stringify(unknown)}`);
      }
    }
  },
};

function sameDocument(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, sorted(inner)]),
    );
  }
  return value;
}

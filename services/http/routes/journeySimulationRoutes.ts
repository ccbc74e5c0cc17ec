import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FieldIssue } from '../../core/index.ts';
import { ValidationError } from '../../core/index.ts';
import type { EventStore, RuleEvaluator } from '../../ports/index.ts';
import type { JourneyService } from '../../../journeys/authoring/index.ts';
import { JourneyInvalidError } from '../../../journeys/authoring/index.ts';
import type { JourneyDocument } from '../../../journeys/document/index.ts';
import { parseJourneySource } from '../../../journeys/document/index.ts';
import { MAX_SIMULATION_DAYS, parseWindowBound, simulateJourney, simulationWindowIssues } from '../../../journeys/simulation/index.ts';
import { problemSchema } from '../problem.ts';
import { acceptJourneyText } from './journeys.ts';

const int = z.number().int();
const counts = z.record(z.string(), int);
const reportSchema = z
  .object({
    journeyId: z.string(),
    version: int.nullable().describe('The stored version simulated; null for an unsaved draft'),
    from: z.string(),
    to: z.string(),
    eventsRead: int,
    eventsReplayed: int,
    leadsConsidered: int.describe('Leads with at least one event in the window'),
    leadsEntered: int,
    entries: int,
    entryRefusals: counts,
    nodes: z.record(z.string(), z.object({ type: z.enum(['branch', 'suggest', 'wait', 'exit']), visits: int })),
    suggestions: z.object({
      total: int,
      skipped: int,
      byAction: counts,
      byRepPerDay: z.array(z.object({ day: z.string(), ownerId: z.string(), count: int, byAction: counts })).readonly(),
      perDayPeak: z.object({ day: z.string(), count: int }).nullable(),
    }),
    exits: counts,
    stillActive: int.describe('Instances still in the journey at `to`'),
    laterStages: counts.describe('Of the leads that entered, how many reached each lifecycle stage after their first entry'),
    timings: z.object({ elapsedMs: z.number(), eventsPerSecond: z.number() }),
  })
  .meta({ id: 'JourneySimulationReport' });

const issueSchema = z.object({
  path: z.string(),
  message: z.string(),
  line: int.nullable(),
  column: int.nullable(),
  severity: z.enum(['error', 'warning']),
});
const invalidSchema = problemSchema.extend({ issues: z.array(issueSchema).optional() });
const bound = z.string().max(40).describe('YYYY-MM-DD (UTC midnight) or an ISO-8601 date-time');
const windowFields = { from: bound.optional(), to: bound.optional(), version: z.coerce.number().int().min(1).optional() };

interface SimulationRequest {
  readonly from?: string;
  readonly to?: string;
  readonly version?: number;
  readonly document?: string | Record<string, unknown>;
}

/**
 * Back-testing over HTTP: replays the recorded history through a stored version (default the
 * published one, else the latest) or an unsaved draft, in isolation, and returns the report. The
 * request holds the process while it runs (seconds for a large store); it yields between pages.
 */
export const journeySimulationRoutes: FastifyPluginAsyncZod<{ store: EventStore; journeys: JourneyService; evaluator: RuleEvaluator }> = async (
  app,
  { store, journeys, evaluator },
) => {
  // A draft may come as its text, so that the line numbers of its problems match the author's file.
  acceptJourneyText(app);

  app.post(
    '/v1/journeys/:id/simulate',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Back-test a journey version or a draft over the recorded history',
        description:
          'Replays the events recorded so far through the journey with a virtual clock, writing nothing. Events before `from` build the facts; ' +
          'events in [from, to) are decided. With `{ from, to, version? }` it simulates a stored version (default: the published one, else the latest). ' +
          'A draft comes as `{ from, to, document }` (the document as YAML text or a JSON object), or as the YAML itself ' +
          '(`Content-Type: application/yaml`) with `from` and `to` in the query; its id must be the `:id` of the path. ' +
          `The window spans at most ${MAX_SIMULATION_DAYS} days.`,
        params: z.object({ id: z.string().max(64) }),
        querystring: z.object(windowFields),
        body: z
          .union([
            z.string().describe('The draft as YAML (or JSON) text; from and to in the query'),
            z.object({ ...windowFields, document: z.union([z.string(), z.record(z.string(), z.unknown())]).optional() }),
          ])
          .optional(),
        response: { 200: reportSchema, 400: invalidSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const body: SimulationRequest = typeof request.body === 'string' ? { document: request.body } : (request.body ?? {});
      const query = request.query;
      const { from, to } = windowOf(body.from ?? query.from, body.to ?? query.to);
      const version = body.version ?? query.version;
      if (body.document !== undefined) {
        if (version !== undefined) throw new ValidationError('A draft has no version', [{ path: 'version', message: 'applies to stored versions: leave it out with a document' }]);
        const document = draftOf(body.document, request.params.id);
        return simulateJourney({ store, evaluator, document, from, to });
      }
      const chosen = version ?? (await defaultVersion(journeys, request.params.id));
      const stored = await journeys.version(request.params.id, chosen);
      return simulateJourney({ store, evaluator, document: stored.document, version: chosen, from, to });
    },
  );
};

function windowOf(fromText: string | undefined, toText: string | undefined): { from: Date; to: Date } {
  const missing: FieldIssue[] = [];
  if (fromText === undefined) missing.push({ path: 'from', message: 'is required: the first day to decide (YYYY-MM-DD or ISO-8601)' });
  if (toText === undefined) missing.push({ path: 'to', message: 'is required: where the simulation stops (YYYY-MM-DD or ISO-8601, not included)' });
  if (missing.length > 0) throw new ValidationError('The simulation needs a window', missing);
  const from = parseWindowBound(fromText!);
  const to = parseWindowBound(toText!);
  const issues = simulationWindowIssues(from, to);
  if (issues.length > 0) throw new ValidationError('The simulation window is not valid', issues);
  return { from, to };
}

/** A draft as text (YAML, or JSON when it starts with `{`) or as a JSON object, validated. */
function draftOf(document: string | Record<string, unknown>, pathId: string): JourneyDocument {
  const parsed = typeof document === 'string' ? parseJourneySource(document, { format: 'auto' }) : parseJourneySource(JSON.stringify(document, null, 2), { format: 'json' });
  if (!parsed.ok) throw new JourneyInvalidError(parsed.issues);
  if (parsed.journey.id !== pathId) {
    throw new ValidationError('The draft is another journey', [{ path: 'document.id', message: `is ${parsed.journey.id}; the path names ${pathId}` }]);
  }
  return parsed.journey;
}

/** The published version, else the latest: what "the journey" means when no version is named. */
async function defaultVersion(journeys: JourneyService, journeyId: string): Promise<number> {
  const detail = await journeys.get(journeyId);
  return detail.publishedVersion ?? detail.latestVersion;
}

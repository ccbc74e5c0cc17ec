import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../core/index.ts';
import { streams } from '../../events/index.ts';
import type { EventStore } from '../../ports/index.ts';
import type { JourneyStatsReport } from '../../../journeys/stats/index.ts';
import { problemSchema } from '../problem.ts';

/** What the route reads: the journey stats projection (journeys/stats), or anything that reports like it. */
export interface JourneyStatsReader {
  report(journeyId: string, options?: { version?: number }): JourneyStatsReport;
  /** How far the statistics have read the store: they trail appends by a poll interval. */
  status(): { readonly position: number; readonly caughtUp: boolean };
}

const counts = z.record(z.string(), z.number().int());
const reasonCounts = z.object({ total: z.number().int(), byReason: counts });
const nodeStatsSchema = z
  .object({
    type: z.string().nullable().describe('branch, suggest, wait or exit, from the newest version that has the node'),
    label: z.string().nullable(),
    visits: z.number().int().describe('Arrivals: a branch or suggest step, the start of a wait, an exit at an exit node'),
    leads: z.number().int().describe('Distinct leads that arrived at least once'),
    exits: reasonCounts.describe('Instances that ended here: at an exit node, or while waiting here'),
    suggestions: z.object({
      proposed: z.number().int(),
      accepted: z.number().int(),
      completed: z.object({ total: z.number().int(), byOutcome: counts }),
      dismissed: reasonCounts,
      expired: z.number().int(),
      snoozed: z.number().int(),
      open: z.number().int().describe('Not yet completed, dismissed or expired'),
    }),
    laterStages: counts.describe('Stage → distinct leads that reached it after their first visit here'),
  })
  .meta({ id: 'JourneyNodeStats' });
const reportSchema = z
  .object({
    journeyId: z.string(),
    version: z.number().int().nullable().describe('The version asked for; null: every version merged'),
    versions: z.array(z.number().int()).readonly(),
    publishedVersion: z.number().int().nullable(),
    entries: z.number().int(),
    leads: z.number().int(),
    refusals: reasonCounts,
    active: z.number().int().describe('Instances entered and not exited'),
    exits: reasonCounts,
    laterStages: counts.describe('Stage → distinct leads that reached it after their first entry'),
    byVersion: z.record(z.string(), z.object({ entries: z.number().int(), active: z.number().int(), exits: z.number().int() })),
    nodes: z.record(z.string(), nodeStatsSchema),
    asOf: z.object({ position: z.number().int(), caughtUp: z.boolean() }).describe('The last global position the statistics include'),
  })
  .meta({ id: 'JourneyStats' });

/**
 * Per-node statistics of a journey, from the in-memory projection that follows the store:
 * GET /v1/journeys/:id/stats (every version merged) or ?version=2 (one version's instances).
 */
export const journeyStatsRoutes: FastifyPluginAsyncZod<{ stats: JourneyStatsReader; eventStore: EventStore }> = async (app, { stats, eventStore }) => {
  app.get(
    '/v1/journeys/:id/stats',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Per-node statistics: visits, suggestions by state, outcome and reason, and later lifecycle stages',
        description:
          'Leads are pinned to the version they entered, so node ids can differ between versions: without `version` every version is merged ' +
          '(distinct leads counted once), with it only that version’s instances count. A stage counts for a node when the lead reached it after its first visit there.',
        params: z.object({ id: z.string().max(64) }),
        querystring: z.object({ version: z.coerce.number().int().min(1).optional() }),
        response: { 200: reportSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      // A journey exists once its stream does; the projection may not have read it yet.
      if ((await eventStore.streamRevision(streams.journey(id))) === null) throw new NotFoundError(`no journey ${id}`);
      const { version } = request.query;
      return { ...stats.report(id, version === undefined ? {} : { version }), asOf: stats.status() };
    },
  );
};

import { problemSchema } from '../problem.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../core/index.ts';
import type { EventStore } from '../../ports/index.ts';

export const recordedEventSchema = z
  .object({
    id: z.string(),
    stream: z.string(),
    revision: z.number().int(),
    position: z.number().int(),
    type: z.string(),
    data: z.unknown(),
    metadata: z.object({
      occurredAt: z.string(),
      recordedAt: z.string(),
      causationId: z.string().nullable(),
      correlationId: z.string().nullable(),
      schemaVersion: z.number().int(),
    }),
  })
  .meta({ id: 'RecordedEvent' });

const limit = z.coerce.number().int().min(1).max(1_000).default(100);

/**
 * Read access to the raw event store, for operators and support: the global log and one stream.
 * Everything else in the API is a projection; this is the ground truth it is built from.
 */
export const eventRoutes: FastifyPluginAsyncZod<{ eventStore: EventStore }> = async (app, { eventStore }) => {
  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'The global event log, in order',
        description: 'Pages forwards with `after` (a position); `next` is the `after` of the next page, null at the end.',
        querystring: z.object({
          after: z.coerce.number().int().min(0).default(0).describe('Return events strictly after this global position'),
          limit,
          direction: z.enum(['forwards', 'backwards']).default('forwards'),
        }),
        response: { 200: z.object({ events: z.array(recordedEventSchema), next: z.number().int().nullable(), head: z.number().int() }) },
      },
    },
    async (request) => {
      const { after, limit: max, direction } = request.query;
      const events =
        direction === 'backwards'
          ? await eventStore.readAll({ direction: 'backwards', ...(after > 0 ? { before: after } : {}), limit: max })
          : await eventStore.readAll({ after, limit: max });
      const head = await eventStore.headPosition();
      const last = events.at(-1)?.position;
      return { events, next: events.length === max && last !== undefined ? last : null, head };
    },
  );

  app.get(
    '/v1/streams/:stream',
    {
      schema: {
        tags: ['events'],
        summary: 'The events of one stream (e.g. lead-<id>)',
        params: z.object({ stream: z.string().min(1).max(512) }),
        querystring: z.object({
          from: z.coerce.number().int().min(0).optional().describe('First revision to return'),
          direction: z.enum(['forwards', 'backwards']).default('forwards'),
          limit,
        }),
        response: {
          200: z.object({ stream: z.string(), revision: z.number().int(), events: z.array(recordedEventSchema) }),
          404: problemSchema,
        },
      },
    },
    async (request) => {
      const { stream } = request.params;
      const { from, direction, limit: max } = request.query;
      const [events, revision] = await Promise.all([
        eventStore.readStream(stream, { direction, limit: max, ...(from !== undefined ? { from } : {}) }),
        eventStore.streamRevision(stream),
      ]);
      if (revision === null) throw new NotFoundError(`stream ${stream} has no events`);
      return { stream, revision, events };
    },
  );
};

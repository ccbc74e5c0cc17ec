import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../core/index.ts';
import type { IngestService } from '../../ingest/index.ts';
import type { Quarantine } from '../../ports/index.ts';
import { problemSchema } from '../problem.ts';

const entrySchema = z
  .object({
    id: z.string(),
    receivedAt: z.string(),
    source: z.string(),
    writeKeyHint: z.string().nullable(),
    payload: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).readonly(),
    status: z.enum(['open', 'retried', 'dropped']),
    attempts: z.number().int(),
    lastAttemptAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
  })
  .meta({ id: 'QuarantineEntry' });

/** Input that failed validation, kept with its error; retry it after fixing the cause. */
export const quarantineRoutes: FastifyPluginAsyncZod<{ quarantine: Quarantine; ingest: IngestService }> = async (app, { quarantine, ingest }) => {
  app.get(
    '/v1/quarantine',
    {
      schema: {
        tags: ['ingestion'],
        summary: 'Quarantined input, newest first',
        querystring: z.object({
          status: z.enum(['open', 'retried', 'dropped']).default('open'),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().max(64).optional(),
        }),
        response: { 200: z.object({ entries: z.array(entrySchema), next: z.string().nullable() }), 400: problemSchema },
      },
    },
    async (request) => {
      const page = await quarantine.list(request.query);
      return { entries: [...page.items], next: page.next };
    },
  );

  app.post(
    '/v1/quarantine/:id/retry',
    {
      schema: {
        tags: ['ingestion'],
        summary: 'Send a quarantined payload through validation again',
        description: 'On success the entry is marked `retried`; when it still fails, it stays `open` with the new errors.',
        params: z.object({ id: z.string().max(64) }),
        response: { 200: entrySchema, 404: problemSchema },
      },
    },
    async (request) => {
      const entry = await quarantine.get(request.params.id);
      if (entry === null || entry.status !== 'open') throw new NotFoundError(`no open quarantine entry ${request.params.id}`);
      return (await ingest.retry(entry)).entry;
    },
  );
};

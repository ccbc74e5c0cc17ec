import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ValidationError } from '../../core/index.ts';
import type { JourneyService } from '../../../journeys/authoring/index.ts';
import { JourneyInvalidError } from '../../../journeys/authoring/index.ts';
import { problemSchema } from '../problem.ts';

const statusSchema = z.enum(['none', 'draft', 'active', 'paused', 'archived']);
const summarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: statusSchema,
    latestVersion: z.number().int(),
    publishedVersion: z.number().int().nullable(),
    trigger: z.string(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'JourneySummary' });
const detailSchema = summarySchema
  .extend({
    description: z.string().nullable(),
    versions: z.array(z.object({ version: z.number().int(), savedAt: z.string().nullable(), savedBy: z.string().nullable() })).readonly(),
    publishedAt: z.string().nullable(),
  })
  .meta({ id: 'Journey' });
const issueSchema = z.object({
  path: z.string(),
  message: z.string(),
  line: z.number().int().nullable(),
  column: z.number().int().nullable(),
  severity: z.enum(['error', 'warning']),
});
const invalidSchema = problemSchema.extend({ issues: z.array(issueSchema).optional() });
const idParams = z.object({ id: z.string().max(64) });
const by = z.object({ by: z.string().max(200).nullable().optional() }).nullish();

/**
 * A journey is sent as its text (YAML, or JSON), so that comments and layout survive into the
 * version history; an invalid one answers 400 with every problem by path and line (`issues`).
 */
export function acceptJourneyText(app: FastifyInstance): void {
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'], { parseAs: 'string' }, (_request, text, done) => {
    done(null, text);
  });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof JourneyInvalidError) {
      return reply
        .status(400)
        .type('application/problem+json')
        .send({
          type: 'urn:nudge:problem:validation_failed',
          title: 'Bad request',
          status: 400,
          code: error.code,
          detail: error.message,
          requestId: String(reply.request.id),
          errors: [...error.issues],
          issues: [...error.journeyIssues],
        });
    }
    throw error;
  });
}

/**
 * Authoring journeys: save drafts (YAML or JSON; validated, every problem reported with its path
 * and line), list, read any version, diff two versions, publish, pause, archive. Simulation and
 * statistics routes live with their features.
 */
export const journeyRoutes: FastifyPluginAsyncZod<{ journeys: JourneyService }> = async (app, { journeys }) => {
  acceptJourneyText(app);

  app.get(
    '/v1/journeys',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Every journey: status, latest and published version, trigger',
        response: { 200: z.object({ journeys: z.array(summarySchema) }) },
      },
    },
    async () => ({ journeys: await journeys.list() }),
  );

  app.post(
    '/v1/journeys',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Save a journey as its next draft version',
        description:
          'Send the document as YAML (`Content-Type: application/yaml`) or JSON. The id inside the document names the journey. ' +
          'An invalid document is refused with every problem (path, line, message). Saving the same document as the latest version records nothing (`created: false`).',
        querystring: z.object({ by: z.string().max(200).optional() }),
        response: {
          201: z.object({ journeyId: z.string(), version: z.number().int(), created: z.boolean(), warnings: z.array(issueSchema) }),
          200: z.object({ journeyId: z.string(), version: z.number().int(), created: z.boolean(), warnings: z.array(issueSchema) }),
          400: invalidSchema,
          409: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      let source: string;
      let format: 'yaml' | 'json';
      if (typeof body === 'string') {
        source = body;
        format = (request.headers['content-type'] ?? '').includes('json') ? 'json' : 'yaml';
      } else if (body !== null && typeof body === 'object') {
        source = JSON.stringify(body, null, 2);
        format = 'json';
      } else {
        throw new ValidationError('Send the journey document', [{ path: 'body', message: 'must be a journey document (YAML or JSON)' }]);
      }
      const result = await journeys.save(source, { format, by: request.query.by ?? null });
      return reply.status(result.created ? 201 : 200).send({ ...result, warnings: [...result.warnings] });
    },
  );

  app.get(
    '/v1/journeys/:id',
    {
      schema: { tags: ['journeys'], summary: 'A journey: status, versions, published version', params: idParams, response: { 200: detailSchema, 404: problemSchema } },
    },
    async (request) => journeys.get(request.params.id),
  );

  app.get(
    '/v1/journeys/:id/versions/:version',
    {
      schema: {
        tags: ['journeys'],
        summary: 'One version of a journey: the document and the source as written',
        params: z.object({ id: z.string().max(64), version: z.coerce.number().int().min(1) }),
        response: {
          200: z.object({ version: z.number().int(), document: z.record(z.string(), z.unknown()), source: z.string(), savedAt: z.string().nullable(), savedBy: z.string().nullable() }),
          404: problemSchema,
        },
      },
    },
    async (request) => {
      const info = await journeys.version(request.params.id, request.params.version);
      return { ...info, document: info.document as unknown as Record<string, unknown> };
    },
  );

  app.get(
    '/v1/journeys/:id/diff',
    {
      schema: {
        tags: ['journeys'],
        summary: 'What changed between two versions',
        params: idParams,
        querystring: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
        response: {
          200: z.object({
            journeyId: z.string(),
            from: z.number().int(),
            to: z.number().int(),
            nodes: z.object({ added: z.array(z.string()).readonly(), removed: z.array(z.string()).readonly(), changed: z.array(z.string()).readonly() }),
            fields: z.array(z.string()).readonly(),
            unified: z.string(),
          }),
          400: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request) => journeys.diff(request.params.id, request.query.from, request.query.to),
  );

  app.post(
    '/v1/journeys/:id/publish',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Publish a version (default: the latest); publishing a paused journey resumes it',
        description: 'New entries use the published version; leads already in the journey finish on the version they entered.',
        params: idParams,
        body: z.object({ version: z.number().int().min(1).optional(), by: z.string().max(200).nullable().optional() }).nullish(),
        response: { 200: detailSchema, 400: invalidSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => journeys.publish(request.params.id, request.body?.version ?? null, request.body?.by ?? null),
  );

  app.post(
    '/v1/journeys/:id/pause',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Pause a published journey: no entries, waiting leads hold until it is published again',
        params: idParams,
        body: by,
        response: { 200: detailSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => journeys.pause(request.params.id, request.body?.by ?? null),
  );

  app.post(
    '/v1/journeys/:id/archive',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Archive a journey: leads in it exit, it takes no more entries and cannot be published again',
        params: idParams,
        body: by,
        response: { 200: detailSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => journeys.archive(request.params.id, request.body?.by ?? null),
  );
};

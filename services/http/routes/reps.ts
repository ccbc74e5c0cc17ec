import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LeadOwnership, RepService } from '../../leads/index.ts';
import { repChangesSchema, repFieldsSchema } from '../../leads/index.ts';
import { problemSchema } from '../problem.ts';

const repSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    team: z.string(),
    territory: z.array(z.string()).readonly().describe('ISO 3166-1 alpha-2 countries this rep takes routed leads from; empty: any of the team’s'),
    languages: z.array(z.string()).readonly().describe('ISO 639-1 language codes'),
    dailyCapacity: z.number().int().describe('Routed leads a day (the rep’s local day) before routing passes them over'),
    timeZone: z.string(),
    active: z.boolean(),
    deactivatedReason: z.string().nullable(),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'Rep' });
const idParams = z.object({ id: z.string().min(1).max(64) });

/**
 * Reps (who takes leads, in which team, territory, languages and capacity) and the hand
 * reassignment of a lead. Reps are event-sourced (`rep-<id>`); a reassignment is an
 * `OwnerAssigned` on the lead with the person's reason.
 */
export const repRoutes: FastifyPluginAsyncZod<{ reps: RepService; ownership: LeadOwnership }> = async (app, { reps, ownership }) => {
  app.get(
    '/v1/reps',
    {
      schema: {
        tags: ['reps'],
        summary: 'Every rep, by id',
        querystring: z.object({
          team: z.string().max(64).optional(),
          active: z
            .enum(['true', 'false'])
            .optional()
            .transform((value) => (value === undefined ? undefined : value === 'true')),
        }),
        response: { 200: z.object({ reps: z.array(repSchema) }), 400: problemSchema },
      },
    },
    async (request) => ({ reps: await reps.list(request.query) }),
  );

  app.post(
    '/v1/reps',
    {
      schema: {
        tags: ['reps'],
        summary: 'Add a rep',
        description:
          '`id`, `name`, `email` and `team` are required; `territory` (country codes, default none: any of the team’s leads), `languages` (default none), ' +
          '`dailyCapacity` (default 20) and `timeZone` (IANA, default UTC) are optional. An id already taken is refused with 409.',
        body: repFieldsSchema,
        response: { 201: repSchema, 400: problemSchema, 409: problemSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await reps.add(request.body)),
  );

  app.get(
    '/v1/reps/:id',
    { schema: { tags: ['reps'], summary: 'A rep', params: idParams, response: { 200: repSchema, 404: problemSchema } } },
    async (request) => reps.get(request.params.id),
  );

  app.patch(
    '/v1/reps/:id',
    {
      schema: {
        tags: ['reps'],
        summary: 'Change a rep’s name, email, team, territory, languages, capacity or time zone',
        description: 'Send only the fields that change; fields equal to the current values record nothing.',
        params: idParams,
        body: repChangesSchema,
        response: { 200: repSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => reps.update(request.params.id, request.body),
  );

  app.post(
    '/v1/reps/:id/deactivate',
    {
      schema: {
        tags: ['reps'],
        summary: 'Deactivate a rep: routing passes them over and no lead can be assigned to them',
        description: 'The leads they own keep them as owner until reassigned. Deactivating an inactive rep is refused with 409.',
        params: idParams,
        body: z.object({ reason: z.string().max(500).nullable().optional() }).nullish(),
        response: { 200: repSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => reps.deactivate(request.params.id, request.body?.reason ?? null),
  );

  app.post(
    '/v1/reps/:id/reactivate',
    {
      schema: {
        tags: ['reps'],
        summary: 'Reactivate a rep: routing gives them leads again',
        params: idParams,
        response: { 200: repSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => reps.reactivate(request.params.id),
  );

  app.post(
    '/v1/leads/:id/owner',
    {
      schema: {
        tags: ['leads'],
        summary: 'Reassign a lead to a rep, saying why',
        description:
          'Records `OwnerAssigned { reason: "manual: <reason>" }` on the lead. 404: no such lead or rep; 409: the rep is inactive. ' +
          'Capacity does not apply: a person decided. Assigning the current owner records nothing (`changed: false`).',
        params: z.object({ id: z.string().min(1).max(128) }),
        body: z.object({ ownerId: z.string().trim().min(1).max(64), reason: z.string().trim().min(1, 'must say why the lead changes hands').max(500) }),
        response: {
          200: z.object({ leadId: z.string(), ownerId: z.string(), previousOwnerId: z.string().nullable(), reason: z.string(), changed: z.boolean() }),
          400: problemSchema,
          404: problemSchema,
          409: problemSchema,
        },
      },
    },
    async (request) => ownership.assign({ leadId: request.params.id, ...request.body }),
  );
};

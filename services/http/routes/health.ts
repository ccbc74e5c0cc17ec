import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EventStore } from '../../ports/index.ts';

const liveSchema = z.object({ status: z.literal('ok') });
const checkSchema = z.object({ status: z.enum(['ok', 'unavailable']), detail: z.string().optional() });
const readySchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.object({ eventStore: checkSchema, startup: checkSchema.optional().describe('Present while the server prepares itself (the demo data loading)') }),
});

/** Work the server does after it listens (loading the demo): not ready until it is done. */
export type StartupCheck = () => { readonly done: boolean; readonly detail: string };

/**
 * /health/live answers while the process can serve HTTP at all; /health/ready only when the
 * backends answer too, so a load balancer sends traffic to instances that can handle it.
 * Both are public: orchestrators probe without credentials.
 */
export const healthRoutes: FastifyPluginAsyncZod<{ eventStore: EventStore; startup?: StartupCheck | undefined }> = async (app, { eventStore, startup }) => {
  app.get(
    '/health/live',
    { config: { public: true }, schema: { tags: ['health'], summary: 'The process is up', security: [], response: { 200: liveSchema } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: { public: true },
      schema: { tags: ['health'], summary: 'The process and its backends can serve requests', security: [], response: { 200: readySchema, 503: readySchema } },
    },
    async (request, reply) => {
      try {
        await eventStore.ping();
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return reply.code(503).send({
          status: 'unavailable' as const,
          checks: { eventStore: { status: 'unavailable' as const, detail: 'the event store does not answer; see the server log' } },
        });
      }
      const starting = startup?.();
      if (starting === undefined) return { status: 'ok' as const, checks: { eventStore: { status: 'ok' as const } } };
      const checks = { eventStore: { status: 'ok' as const }, startup: { status: starting.done ? ('ok' as const) : ('unavailable' as const), detail: starting.detail } };
      return starting.done ? { status: 'ok' as const, checks } : reply.code(503).send({ status: 'unavailable' as const, checks });
    },
  );
};

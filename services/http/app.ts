import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { newId } from '../core/index.ts';
import type { JourneyService } from '../../journeys/authoring/index.ts';
import type { IngestService } from '../ingest/index.ts';
import type { UnsubscribeService } from '../suggestions/index.ts';
import type { LeadOwnership, RepService } from '../leads/index.ts';
import type { EventStore, LeadIndexReader, Quarantine, RuleEvaluator } from '../ports/index.ts';
import { registerApiTokenCheck } from './auth.ts';
import { registerMetrics } from './metrics.ts';
import { handleError, sendProblem } from './problem.ts';
import type { AnalyticsRouteDeps } from './routes/analytics.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { eventRoutes } from './routes/events.ts';
import type { StartupCheck } from './routes/health.ts';
import { healthRoutes } from './routes/health.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { journeyRoutes } from './routes/journeys.ts';
import type { SuggestionRouteDeps } from './routes/suggestions.ts';
import { suggestionRoutes } from './routes/suggestions.ts';
import { unsubscribeRoutes } from './routes/unsubscribe.ts';
import { journeySimulationRoutes } from './routes/journeySimulationRoutes.ts';
import type { JourneyStatsReader } from './routes/journeyStatsRoutes.ts';
import { journeyStatsRoutes } from './routes/journeyStatsRoutes.ts';
import { leadRoutes } from './routes/leads.ts';
import { quarantineRoutes } from './routes/quarantine.ts';
import { repRoutes } from './routes/reps.ts';

export interface AppDeps {
  readonly eventStore: EventStore;
  /** Work after listening (the demo load): /health/ready answers 503 until it is done. */
  readonly startup?: StartupCheck;
  /** Bearer tokens that open the non-public routes. */
  readonly apiTokens: readonly string[];
  /** A pino logger, or false for none (tests). */
  readonly logger: FastifyBaseLogger | false;
  readonly version: string;
  readonly bodyLimitBytes?: number;
  /** Segment-compatible ingestion and the quarantine; absent, the API serves reads only. */
  readonly ingestion?: {
    readonly service: IngestService;
    readonly quarantine: Quarantine;
    readonly writeKeys: readonly string[];
    readonly rateLimitPerSecond: number;
  };
  /** The SDR queue and the suggestion lifecycle behind /v1/reps/:id/queue and /v1/suggestions. */
  readonly suggestions?: SuggestionRouteDeps;
  /** The public page behind emails' List-Unsubscribe links. */
  readonly unsubscribe?: UnsubscribeService;
  /** Journey authoring behind /v1/journeys. */
  readonly journeys?: JourneyService;
  /** Back-testing behind /v1/journeys/:id/simulate (with `journeys`): the evaluator of conditions. */
  readonly simulation?: { readonly evaluator: RuleEvaluator };
  /** Per-node journey statistics behind /v1/journeys/:id/stats (the journey stats projection). */
  readonly journeyStats?: JourneyStatsReader;
  /** The lead read model behind /v1/leads and /v1/accounts. */
  readonly leads?: LeadIndexReader;
  /** Reps behind /v1/reps, and hand reassignment behind POST /v1/leads/:id/owner. */
  readonly reps?: { readonly service: RepService; readonly ownership: LeadOwnership };
  /** ClickHouse projections and analytics behind /v1/analytics and /v1/costs. */
  readonly analytics?: AnalyticsRouteDeps;
}

export const DOCS_PREFIX = '/docs';

/**
 * The HTTP API as a value: every dependency comes in, nothing is global, so tests build one with
 * a throw-away store and drive it with `app.inject`:
 *   const app = await buildApp({ eventStore, apiTokens: [token], logger: false, version: '0.0.0' });
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger === false ? { logger: false } : { loggerInstance: deps.logger }),
    bodyLimit: deps.bodyLimitBytes ?? 1_048_576,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : newId();
    },
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`));
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
  });

  registerApiTokenCheck(app, deps.apiTokens, DOCS_PREFIX);
  registerMetrics(app, deps.eventStore);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Nudge API',
        version: deps.version,
        description:
          'Event-sourced lead nurturing: touches in, suggestions for reps out. Every route except health and ingestion needs `Authorization: Bearer <token>`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          writeKey: { type: 'http', scheme: 'basic', description: 'Segment write key as the user name, empty password' },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });

  await app.register(healthRoutes, { eventStore: deps.eventStore, startup: deps.startup });
  await app.register(eventRoutes, { eventStore: deps.eventStore });
  if (deps.leads) await app.register(leadRoutes, { leads: deps.leads, store: deps.eventStore });
  if (deps.journeys) await app.register(journeyRoutes, { journeys: deps.journeys });
  if (deps.reps) await app.register(repRoutes, { reps: deps.reps.service, ownership: deps.reps.ownership });
  if (deps.suggestions) await app.register(suggestionRoutes, deps.suggestions);
  if (deps.unsubscribe) await app.register(unsubscribeRoutes, { unsubscribe: deps.unsubscribe });
  if (deps.journeys && deps.simulation) {
    await app.register(journeySimulationRoutes, { store: deps.eventStore, journeys: deps.journeys, evaluator: deps.simulation.evaluator });
  }
  if (deps.journeyStats) await app.register(journeyStatsRoutes, { stats: deps.journeyStats, eventStore: deps.eventStore });
  if (deps.analytics) await app.register(analyticsRoutes, deps.analytics);
  if (deps.ingestion) {
    const { service, quarantine, writeKeys, rateLimitPerSecond } = deps.ingestion;
    await app.register(ingestRoutes, { ingest: service, writeKeys, rateLimitPerSecond });
    await app.register(quarantineRoutes, { quarantine, ingest: service });
  }
  return app;
}

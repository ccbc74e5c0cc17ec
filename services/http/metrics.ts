import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { EventStore } from '../ports/index.ts';

/**
 * Prometheus metrics at /metrics: process and runtime metrics, request durations by route and
 * status, and the event store's head position (with a consumer's checkpoint it gives the lag).
 * The registry belongs to the app, not the process, so several apps (tests) never collide.
 */
export function registerMetrics(app: FastifyInstance, eventStore: EventStore): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'nudge_' });

  const duration = new Histogram({
    name: 'nudge_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  new Gauge({
    name: 'nudge_event_store_head_position',
    help: 'Global position of the newest event in the store',
    registers: [registry],
    async collect() {
      this.set(await eventStore.headPosition());
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
  return registry;
}

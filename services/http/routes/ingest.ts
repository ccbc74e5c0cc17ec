import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OverloadedError, PayloadTooLargeError, RateLimitedError, UnauthorizedError, UnavailableError, ValidationError } from '../../core/index.ts';
import type { CallType, IngestReport, IngestService } from '../../ingest/index.ts';
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES } from '../../ingest/index.ts';
import { problemSchema } from '../problem.ts';

export interface IngestRouteOptions {
  readonly ingest: IngestService;
  readonly writeKeys: readonly string[];
  /** Requests per second per write key; 0 turns the limit off. */
  readonly rateLimitPerSecond: number;
}

/**
 * The body as received: its JSON when it parsed, else its text (kept for the quarantine) and why.
 * A parsed body's text is let go at once: a batch's is up to 500 KB (twice that as a string with
 * any character beyond Latin-1), and kept for the life of the request it outlived the young
 * generation, so every batch's text was promoted to the old one.
 */
type RawBody = { readonly json: unknown; readonly error: null } | { readonly text: string; readonly error: string };

declare module 'fastify' {
  interface FastifyRequest {
    writeKeyHint?: string;
  }
}

const reportSchema = z
  .object({
    success: z.literal(true),
    stored: z.number().int(),
    accepted: z.number().int().describe('Held by the ingest log (INGEST_LOG=kafka), stored by an ingest worker within moments'),
    duplicate: z.number().int(),
    unchanged: z.number().int(),
    quarantined: z.array(
      z.object({
        index: z.number().int(),
        messageId: z.string().nullable(),
        quarantineId: z.string(),
        errors: z.array(z.object({ path: z.string(), message: z.string() })),
      }),
    ),
  })
  .meta({ id: 'IngestReport' });

const short: Record<string, CallType | 'batch'> = { i: 'identify', t: 'track', p: 'page', s: 'screen', g: 'group', a: 'alias', b: 'batch' };

/**
 * Segment-compatible ingestion: the tracking API's paths (`/v1/track`, …, `/v1/batch`), the
 * browser library's short paths (`/v1/t`, …, text/plain bodies with the write key inside), and the
 * settings the browser library fetches first. Auth is by write key: HTTP Basic with the key as
 * user, or `writeKey` in the body. Rate-limited per write key.
 */
export const ingestRoutes: FastifyPluginAsyncZod<IngestRouteOptions> = async (app, options) => {
  const keys = options.writeKeys.map(digest);
  const knownKey = (candidate: string): boolean => {
    const d = digest(candidate);
    let match = false;
    for (const key of keys) match = timingSafeEqual(key, d) || match;
    return match;
  };

  // Browsers post from the customer's site: any origin may send, none gets cookies.
  await app.register(cors, { origin: '*', methods: ['GET', 'POST', 'OPTIONS'], allowedHeaders: ['content-type', 'authorization'], maxAge: 86_400 });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (_request, text, done) => {
    const body = String(text);
    try {
      done(null, { json: JSON.parse(body) as unknown, error: null } satisfies RawBody);
    } catch (error) {
      done(null, { text: body, error: error instanceof Error ? error.message : String(error) } satisfies RawBody);
    }
  });

  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.method !== 'POST') return;
    const presented = writeKeyOf(request);
    if (presented === undefined) {
      throw new UnauthorizedError('A write key is needed: HTTP Basic with the write key as user name, or "writeKey" in the body (see NUDGE_WRITE_KEYS, or <data dir>/write-key).');
    }
    if (!knownKey(presented)) throw new UnauthorizedError('The write key is not valid.');
    request.writeKeyHint = hint(presented);
  });

  if (options.rateLimitPerSecond > 0) {
    await app.register(rateLimit, {
      hook: 'preHandler',
      max: options.rateLimitPerSecond,
      timeWindow: 1_000,
      keyGenerator: (request) => request.writeKeyHint ?? request.ip,
      errorResponseBuilder: (_request, context) =>
        new RateLimitedError(`More than ${context.max} requests per second for this write key; retry after ${context.after}.`, Math.ceil(context.ttl / 1_000)),
    });
  }

  app.setErrorHandler((error, request) => {
    if ((error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit ?? MAX_BATCH_BYTES;
      throw new PayloadTooLargeError(
        `The body is larger than ${limit} bytes: a single message may be at most 32 KiB and a batch at most 500 KiB; split it into smaller batches.`,
        limit,
      );
    }
    throw error;
  });

  const handle = (type: CallType | 'batch') => async (request: FastifyRequest, reply: FastifyReply): Promise<z.infer<typeof reportSchema>> => {
    const body = request.body as RawBody | undefined;
    const meta = { source: 'http', writeKeyHint: request.writeKeyHint ?? null };
    // JSON never parses from blank text, so only a body that did not parse can be empty.
    if (body === undefined || (body.error !== null && body.text.trim() === '')) throw new ValidationError('The body is empty', [{ path: 'body', message: 'must be a JSON object' }]);
    const report =
      body.error !== null
        ? await options.ingest.unreadable(body.text, body.error, meta)
        : type === 'batch'
          ? await options.ingest.batch(body.json, meta)
          : await options.ingest.call(type, body.json, meta);
    return answer(report, type, reply);
  };

  const responses = { 200: reportSchema, 400: problemSchema, 401: problemSchema, 413: problemSchema, 429: problemSchema, 503: problemSchema };
  for (const type of ['identify', 'track', 'page', 'screen', 'group', 'alias', 'batch', 'import'] as const) {
    const call = type === 'import' ? 'batch' : type;
    app.post(
      `/v1/${type}`,
      {
        config: { public: true },
        bodyLimit: call === 'batch' ? MAX_BATCH_BYTES : MAX_MESSAGE_BYTES,
        schema: {
          tags: ['ingestion'],
          summary: call === 'batch' ? 'Send many Segment messages at once' : `Send one Segment ${type} call`,
          description:
            'Segment tracking API. Auth: HTTP Basic with the write key as user and an empty password, or `writeKey` in the body. ' +
            'Invalid messages are kept in the quarantine and listed in the response; a single invalid call is answered 400.',
          security: [{ writeKey: [] }],
          response: responses,
        },
      },
      handle(call),
    );
  }
  for (const [path, type] of Object.entries(short)) {
    app.post(
      `/v1/${path}`,
      {
        config: { public: true },
        bodyLimit: type === 'batch' ? MAX_BATCH_BYTES : MAX_MESSAGE_BYTES,
        schema: { tags: ['ingestion'], summary: `Browser library short path for ${type}`, hide: true, response: responses },
      },
      handle(type),
    );
  }

  app.get(
    '/v1/projects/:writeKey/settings',
    {
      config: { public: true },
      schema: {
        tags: ['ingestion'],
        summary: 'Settings the Segment browser library loads before sending',
        description: 'Point analytics.js at Nudge with `cdnURL` set to this server; the settings send its events back here.',
        params: z.object({ writeKey: z.string() }),
        response: { 200: z.record(z.string(), z.unknown()), 401: problemSchema },
      },
    },
    async (request) => {
      if (!knownKey(request.params.writeKey)) throw new UnauthorizedError('The write key is not valid.');
      const apiHost = `${request.host}/v1`;
      return {
        integrations: {
          'Segment.io': { apiKey: request.params.writeKey, apiHost, protocol: request.protocol, unbundledIntegrations: [], addBundledMetadata: true, maybeBundledConfigIds: {}, versionSettings: { version: '4.4.7', componentTypes: ['browser'] } },
        },
        plan: { track: { __default: { enabled: true, integrations: {} } }, identify: { __default: { enabled: true } }, group: { __default: { enabled: true } } },
        edgeFunction: {},
        analyticsNextEnabled: true,
        middlewareSettings: {},
        enabledMiddleware: {},
        metrics: { sampleRate: 0 },
        legacyVideoPluginsEnabled: false,
        remotePlugins: [],
      };
    },
  );
};

/**
 * 200 with the counts when every message was stored or kept; 400 when the single message of a
 * call was invalid (it is in the quarantine); 503 when the store could not take some now (send
 * again: what was stored is recognised as duplicate).
 */
function answer(report: IngestReport, type: CallType | 'batch', reply: FastifyReply): z.infer<typeof reportSchema> {
  if (report.failed.length > 0) {
    // Refused under overload: nothing of it was queued; the client backs off (Retry-After) and sends it again.
    const overloaded = report.failed.find((item) => item.error instanceof OverloadedError)?.error;
    if (overloaded) throw overloaded;
    throw new UnavailableError(`could not store ${report.failed.length} message(s) now; send them again`, { cause: report.failed[0]!.error });
  }
  const single = type !== 'batch' || (report.stored + report.accepted + report.duplicate + report.unchanged === 0 && report.quarantined.length === 1 && report.quarantined[0]!.messageId === null);
  if (single && report.quarantined.length > 0) {
    const [item] = report.quarantined;
    throw new ValidationError(`The message was not stored; it is kept in the quarantine as ${item!.quarantineId}`, item!.errors);
  }
  void reply.code(200);
  return {
    success: true,
    stored: report.stored,
    accepted: report.accepted,
    duplicate: report.duplicate,
    unchanged: report.unchanged,
    quarantined: report.quarantined.map((item) => ({ ...item, errors: [...item.errors] })),
  };
}

function writeKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const [scheme, value] = header.split(' ', 2);
    if (scheme?.toLowerCase() === 'basic' && value !== undefined) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
      if (user.length > 0) return user;
    }
  }
  const body = request.body as RawBody | undefined;
  const json = body?.error === null ? body.json : undefined;
  if (typeof json === 'object' && json !== null && typeof (json as { writeKey?: unknown }).writeKey === 'string') {
    return (json as { writeKey: string }).writeKey;
  }
  return undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A non-secret fingerprint of a write key, to tell sources apart in logs, limits and the quarantine. */
function hint(writeKey: string): string {
  return `wk:${createHash('sha256').update(writeKey).digest('hex').slice(0, 12)}`;
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './problem.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `public: true` opens a route to callers without an API token (health, ingestion). */
    public?: boolean;
  }
}

/**
 * Every route needs `Authorization: Bearer <token>` unless it is marked `config: { public: true }`.
 * Browsers cannot send a bearer header when opening a page, so the API docs (and only reads of
 * them) also accept HTTP Basic with the token as password: the browser asks for it once.
 */
export function registerApiTokenCheck(app: FastifyInstance, tokens: readonly string[], docsPrefix: string): void {
  const digests = tokens.map(digest);
  const known = (candidate: string): boolean => {
    const candidateDigest = digest(candidate);
    let match = false;
    for (const d of digests) match = timingSafeEqual(d, candidateDigest) || match;
    return match;
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // CORS preflights carry no data and no credentials; the routes they ask about decide.
    if (request.routeOptions.config.public === true || request.method === 'OPTIONS') return;
    const path = request.url.split('?', 1)[0] ?? request.url;
    const isDocs = path === docsPrefix || path.startsWith(`${docsPrefix}/`);
    const presented = presentedToken(request.headers.authorization, isDocs);
    if (presented !== undefined && known(presented)) return;
    void reply.header('www-authenticate', isDocs ? 'Basic realm="Nudge API docs", charset="UTF-8"' : 'Bearer realm="nudge"');
    const detail =
      presented === undefined
        ? 'This endpoint needs an API token: send "Authorization: Bearer <token>" (see NUDGE_API_TOKENS, or <data dir>/api-token in embedded mode).'
        : 'The API token is not valid.';
    return sendProblem(reply, 401, 'unauthorized', detail);
  });
}

function presentedToken(header: string | undefined, allowBasic: boolean): string | undefined {
  if (header === undefined) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (value === undefined || value.length === 0) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (allowBasic && scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

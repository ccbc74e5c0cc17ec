import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../core/index.ts';
import type { UnsubscribeService } from '../../suggestions/index.ts';

const query = z.object({ lead: z.string().min(1).max(128), token: z.string().min(1).max(64) });

const page = (title: string, body: string): string =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>` +
  `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">${body}</body></html>`;

/**
 * The page behind every email's List-Unsubscribe link; public (the token is the credential).
 * GET only shows a button — mail scanners open links, and must not unsubscribe anyone (RFC 8058) —
 * and POST (the button, or a mail client's one-click `List-Unsubscribe=One-Click`) records it.
 */
export const unsubscribeRoutes: FastifyPluginAsyncZod<{ unsubscribe: UnsubscribeService }> = async (app, { unsubscribe }) => {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, text, done) => done(null, text));

  app.get(
    '/unsubscribe',
    { config: { public: true }, schema: { hide: true, querystring: query } },
    async (request, reply) => {
      const { lead, token } = request.query;
      if (!unsubscribe.verify(lead, token)) throw new NotFoundError('this unsubscribe link is not valid');
      const action = `?lead=${encodeURIComponent(lead)}&token=${encodeURIComponent(token)}`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page('Unsubscribe', `<h1>Unsubscribe</h1><p>Stop receiving emails from us?</p><form method="post" action="${action}"><button type="submit">Unsubscribe</button></form>`));
    },
  );

  app.post(
    '/unsubscribe',
    { config: { public: true }, schema: { hide: true, querystring: query } },
    async (request, reply) => {
      await unsubscribe.unsubscribe(request.query.lead, request.query.token);
      return reply.type('text/html; charset=utf-8').send(page('Unsubscribed', '<h1>You are unsubscribed</h1><p>You will not receive emails from us any more.</p>'));
    },
  );
};

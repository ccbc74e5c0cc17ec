import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../core/index.ts';
import { NotFoundError } from '../../core/index.ts';
import { dismissReasons, suggestionOutcomes } from '../../events/index.ts';
import type { EmailSender, QueueItem, SuggestionQueueProjection, SuggestionService } from '../../suggestions/index.ts';
import { sendProblem } from '../problem.ts';
import { problemSchema } from '../problem.ts';

const leadSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  company: z.string().nullable(),
  title: z.string().nullable(),
  stage: z.string().nullable(),
  score: z.number().nullable(),
  ownerId: z.string().nullable(),
});
const itemSchema = z
  .object({
    suggestionId: z.string(),
    leadId: z.string(),
    journeyId: z.string(),
    version: z.number().int(),
    node: z.string(),
    action: z.string(),
    priority: z.enum(['low', 'normal', 'high', 'urgent']),
    title: z.string(),
    body: z.string().nullable(),
    subject: z.string().nullable(),
    status: z.enum(['proposed', 'accepted', 'snoozed', 'completed', 'dismissed', 'expired']),
    proposedAt: z.string(),
    dueAt: z.string(),
    expiresAt: z.string(),
    snoozedUntil: z.string().nullable(),
    outcome: z.string().nullable(),
    reason: z.string().describe('The recorded reason in words: trigger, branches decided and the values seen'),
    reasonDetail: z.record(z.string(), z.unknown()).describe('The recorded reason: journey@version, path of nodes, every condition with its fact value'),
    alsoBecause: z
      .array(z.object({ journeyId: z.string(), reason: z.string(), reasonDetail: z.record(z.string(), z.unknown()) }))
      .describe('Other journeys that wanted the same action for this lead within the merge window: one suggestion, every reason'),
    lead: leadSchema,
  })
  .meta({ id: 'Suggestion' });
const countsSchema = z.record(z.string(), z.number().int());
const transitionSchema = z.object({ suggestionId: z.string(), leadId: z.string(), status: z.string(), recorded: z.array(z.string()).readonly() });
const idParams = z.object({ id: z.string().max(64) });
const by = z.string().max(200).nullable().optional().describe('Who did it (a rep id)');

export interface SuggestionRouteDeps {
  readonly suggestions: SuggestionService;
  readonly projection: SuggestionQueueProjection;
  readonly clock: Clock;
  /** Sends approved email suggestions; absent, `/send` is not offered. */
  readonly email?: EmailSender;
  /** The rep's daily capacity and time zone, when reps are known. */
  readonly repSettings?: (repId: string) => Promise<{ capacity: number | null; timeZone: string } | null>;
}

const show = (item: QueueItem) => ({
  ...item,
  reasonDetail: item.reasonDetail as unknown as Record<string, unknown>,
  alsoBecause: item.alsoBecause.map((other) => ({ ...other, reasonDetail: other.reasonDetail })),
  lead: { ...item.lead },
});

/**
 * The SDR queue and what reps do with suggestions. Reads are read-your-writes: a queue read waits
 * (briefly) until the queue has caught up with the store.
 */
export const suggestionRoutes: FastifyPluginAsyncZod<SuggestionRouteDeps> = async (app, deps) => {
  const { suggestions, projection, clock } = deps;

  app.get(
    '/v1/reps/:id/queue',
    {
      schema: {
        tags: ['suggestions'],
        summary: "A rep's queue: what to do today, and why",
        description:
          'Open suggestions of the leads the rep owns, ordered by priority (urgent, high, normal, low), then lead score (highest first), ' +
          'then due time, then age. `today` holds those due by the end of the rep’s day, up to the rep’s daily capacity; `later` the rest, in order. ' +
          'Snoozed suggestions come back when their time comes. `unassigned` as the rep id shows the team queue (leads without an owner).',
        params: idParams,
        querystring: z.object({
          action: z.enum(['call', 'email', 'chat', 'linkedin', 'meeting', 'task']).optional(),
          due: z.enum(['today', 'overdue']).optional(),
        }),
        response: {
          200: z.object({ repId: z.string(), capacity: z.number().int().nullable(), today: z.array(itemSchema), later: z.array(itemSchema), counts: countsSchema }),
          400: problemSchema,
        },
      },
    },
    async (request) => {
      await projection.settled();
      const settings = (await deps.repSettings?.(request.params.id)) ?? null;
      const view = projection.queue.queue(request.params.id, {
        now: clock.now(),
        ...(request.query.action ? { action: request.query.action } : {}),
        ...(request.query.due ? { due: request.query.due } : {}),
        capacity: settings?.capacity ?? null,
        timeZone: settings?.timeZone ?? 'UTC',
      });
      return { repId: view.ownerId, capacity: settings?.capacity ?? null, today: view.today.map(show), later: view.later.map(show), counts: view.counts };
    },
  );

  app.get(
    '/v1/suggestions/:id',
    { schema: { tags: ['suggestions'], summary: 'One suggestion, its state and its reason', params: idParams, response: { 200: itemSchema, 404: problemSchema } } },
    async (request) => {
      await projection.settled();
      const item = projection.queue.get(request.params.id);
      if (!item) throw new NotFoundError(`no suggestion ${request.params.id}`);
      return show(item);
    },
  );

  const transition = { 200: transitionSchema, 400: problemSchema, 404: problemSchema, 409: problemSchema };

  app.post(
    '/v1/suggestions/:id/accept',
    {
      schema: { tags: ['suggestions'], summary: 'The rep takes it on', params: idParams, body: z.object({ by }).nullish(), response: transition },
    },
    async (request) => suggestions.accept(request.params.id, request.body?.by ?? null),
  );

  app.post(
    '/v1/suggestions/:id/complete',
    {
      schema: {
        tags: ['suggestions'],
        summary: 'Done, with the outcome',
        description: 'A completed call or meeting that reached the person is also recorded as a touch on the `sales` channel. `other` needs a note.',
        params: idParams,
        body: z.object({ outcome: z.enum(suggestionOutcomes), note: z.string().max(2_000).nullable().optional(), by }),
        response: transition,
      },
    },
    async (request) => suggestions.complete(request.params.id, { outcome: request.body.outcome, note: request.body.note ?? null, by: request.body.by ?? null }),
  );

  app.post(
    '/v1/suggestions/:id/dismiss',
    {
      schema: {
        tags: ['suggestions'],
        summary: 'Not doing it, with the reason',
        description: '`other` needs a note.',
        params: idParams,
        body: z.object({ reason: z.enum(dismissReasons), note: z.string().max(2_000).nullable().optional(), by }),
        response: transition,
      },
    },
    async (request) => suggestions.dismiss(request.params.id, { reason: request.body.reason, note: request.body.note ?? null, by: request.body.by ?? null }),
  );

  app.post(
    '/v1/suggestions/:id/snooze',
    {
      schema: {
        tags: ['suggestions'],
        summary: 'Not now: back in the queue at `until`',
        description: '`until` must be in the future and before the suggestion expires.',
        params: idParams,
        body: z.object({ until: z.iso.datetime({ offset: true }), by }),
        response: transition,
      },
    },
    async (request) => suggestions.snooze(request.params.id, { until: request.body.until, by: request.body.by ?? null }),
  );

  const { email } = deps;
  if (email) {
    const sendOutcome = z.object({
      status: z.enum(['sent', 'already_sent', 'in_progress', 'retrying']),
      suggestionId: z.string(),
      messageId: z.string(),
      attempt: z.number().int().optional(),
      error: z.string().optional(),
      nextAttemptAt: z.string().optional(),
    });
    app.post(
      '/v1/suggestions/:id/send',
      {
        schema: {
          tags: ['suggestions'],
          summary: 'Send an approved email suggestion (the draft, or the rep’s edit of it)',
          description:
            'Sent from the lead owner’s address with List-Unsubscribe, through SMTP when `SMTP_URL` is set, else written to the outbox folder. ' +
            'Never sent twice for one suggestion: a repeated request answers `already_sent` or `in_progress`. A failure is recorded and retried with backoff ' +
            '(`202`, `retrying`); a permanent one answers `502`. Refused with `409` for a lead who unsubscribed or is do-not-contact, a suggestion that is not an email or is closed, or a lead without an owner or an email address.',
          params: idParams,
          body: z.object({ subject: z.string().max(300).optional(), body: z.string().max(50_000).optional(), by }).nullish(),
          response: { 200: sendOutcome, 202: sendOutcome, 400: problemSchema, 404: problemSchema, 409: problemSchema, 502: problemSchema },
        },
      },
      async (request, reply) => {
        const outcome = await email.send(request.params.id, { subject: request.body?.subject, body: request.body?.body, by: request.body?.by ?? null });
        if (outcome.status === 'failed') return sendProblem(reply, 502, 'mail_delivery_failed', `the email could not be sent and will not be retried: ${outcome.error}`);
        return reply.status(outcome.status === 'sent' || outcome.status === 'already_sent' ? 200 : 202).send(outcome);
      },
    );
  }
};

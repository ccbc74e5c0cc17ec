import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../core/index.ts';
import { identityKey, normaliseIdentity } from '../../events/index.ts';
import type { AccountProfile, LeadProfile } from '../../leads/index.ts';
import { leadTimeline } from '../../leads/index.ts';
import type { EventStore, LeadIndexReader } from '../../ports/index.ts';
import { problemSchema } from '../problem.ts';

const identity = z.object({ kind: z.string(), value: z.string() });
export const leadSchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    identities: z.array(identity).readonly(),
    anonymousIds: z.array(z.string()).readonly(),
    traits: z.record(z.string(), z.unknown()),
    stage: z.string().nullable(),
    stageHistory: z.array(z.object({ from: z.string().nullable(), to: z.string(), at: z.string(), amount: z.number().nullable(), currency: z.string().nullable() })).readonly(),
    status: z.string().nullable(),
    statusChangedAt: z.string().nullable(),
    tags: z.array(z.string()).readonly(),
    account: z.object({ id: z.string(), name: z.string().nullable(), domain: z.string().nullable() }).nullable(),
    ownerId: z.string().nullable(),
    score: z.object({ fit: z.number(), engagement: z.number(), total: z.number(), band: z.string(), at: z.string() }).nullable(),
    mergedLeadIds: z.array(z.string()).readonly(),
  })
  .meta({ id: 'Lead' });

const accountSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    domain: z.string().nullable(),
    groupIds: z.array(z.string()).readonly(),
    domains: z.array(z.string()).readonly(),
    traits: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Account' });

const timelineEntrySchema = z.object({ eventId: z.string(), type: z.string(), stream: z.string(), occurredAt: z.string(), data: z.unknown() }).meta({ id: 'TimelineEntry' });
const limit = z.coerce.number().int().min(1).max(500).default(50);
const cursor = z.string().max(512).optional().describe('The `next` of the previous page');

/**
 * Leads and accounts as the lead index projects them; timelines read from the event store. A lead
 * merged into another answers with the surviving lead (and says so), so links kept from before
 * the merge still work.
 */
export const leadRoutes: FastifyPluginAsyncZod<{ leads: LeadIndexReader; store: EventStore }> = async (app, { leads, store }) => {
  const findLead = async (id: string): Promise<LeadProfile> => {
    let found = await leads.lead(id);
    for (let hops = 0; found?.mergedInto && hops < 10; hops++) found = await leads.lead(found.mergedInto);
    if (found === null) throw new NotFoundError(`no lead ${id}`);
    return found.document as LeadProfile;
  };

  app.get(
    '/v1/leads/lookup',
    {
      schema: {
        tags: ['leads'],
        summary: 'Find the lead of an identity',
        description: 'Give exactly one of userId, email, phone, anonymousId.',
        querystring: z.object({ userId: z.string().optional(), email: z.string().optional(), phone: z.string().optional(), anonymousId: z.string().optional() }),
        response: { 200: leadSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const given = Object.entries(request.query).filter(([, value]) => value !== undefined && value !== '');
      if (given.length !== 1) {
        throw new ValidationError('Give exactly one identity', [{ path: 'querystring', message: 'must have exactly one of userId, email, phone, anonymousId' }]);
      }
      const [kind, value] = given[0] as [string, string];
      let key: string;
      if (kind === 'anonymousId') key = `anonymousId:${value}`;
      else {
        const normalised = normaliseIdentity(kind as 'userId' | 'email' | 'phone', value);
        if (normalised === null) throw new ValidationError('Not a valid identity', [{ path: `querystring.${kind}`, message: `is not a valid ${kind}` }]);
        key = identityKey(normalised);
      }
      const leadId = await leads.leadOfIdentity(key);
      if (leadId === null) throw new NotFoundError(`no lead has ${kind} ${value}`);
      return findLead(leadId);
    },
  );

  app.get(
    '/v1/leads',
    {
      schema: {
        tags: ['leads'],
        summary: 'Search leads, most recently active first',
        description: 'Filters combine with AND. `email` matches exactly, or as a prefix when it ends with `*`; `name` and `company` match a part, ignoring case.',
        querystring: z.object({
          email: z.string().max(320).optional(),
          name: z.string().max(200).optional(),
          company: z.string().max(200).optional(),
          stage: z.string().max(64).optional(),
          status: z.string().max(64).optional(),
          accountId: z.string().max(128).optional(),
          ownerId: z.string().max(128).optional(),
          limit,
          cursor,
        }),
        response: { 200: z.object({ leads: z.array(leadSchema), next: z.string().nullable() }), 400: problemSchema },
      },
    },
    async (request) => {
      const page = await leads.searchLeads(request.query);
      return { leads: page.items.map((item) => item.document as LeadProfile), next: page.next };
    },
  );

  app.get(
    '/v1/leads/:id',
    {
      schema: {
        tags: ['leads'],
        summary: 'A lead: profile, identities, stage history, account, owner, score',
        params: z.object({ id: z.string().max(128) }),
        response: { 200: leadSchema, 404: problemSchema },
      },
    },
    async (request) => findLead(request.params.id),
  );

  app.get(
    '/v1/leads/:id/timeline',
    {
      schema: {
        tags: ['leads'],
        summary: "A lead's events, newest first",
        description: 'Includes the touches its anonymous visits made before it was identified, and those of leads merged into it.',
        params: z.object({ id: z.string().max(128) }),
        querystring: z.object({ limit, cursor }),
        response: { 200: z.object({ leadId: z.string(), events: z.array(timelineEntrySchema), next: z.string().nullable() }), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const lead = await findLead(request.params.id);
      const page = await leadTimeline(store, lead, request.query);
      return { leadId: lead.id, events: [...page.items], next: page.next };
    },
  );

  app.get(
    '/v1/accounts/:id',
    {
      schema: {
        tags: ['leads'],
        summary: 'An account and its leads',
        params: z.object({ id: z.string().max(128) }),
        querystring: z.object({ limit, cursor }),
        response: { 200: z.object({ account: accountSchema, leads: z.array(leadSchema), next: z.string().nullable() }), 404: problemSchema },
      },
    },
    async (request) => {
      const account = await leads.account(request.params.id);
      if (account === null) throw new NotFoundError(`no account ${request.params.id}`);
      const page = await leads.searchLeads({ accountId: account.id, ...request.query });
      return { account: account.document as AccountProfile, leads: page.items.map((item) => item.document as LeadProfile), next: page.next };
    },
  );
};

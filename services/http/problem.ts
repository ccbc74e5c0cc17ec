import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FieldIssue } from '../core/index.ts';
import {
  AnalyticsError,
  ConcurrencyError,
  ConfigError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  NudgeError,
  OverloadedError,
  PayloadTooLargeError,
  PreconditionFailedError,
  RateLimitedError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
  fieldIssues,
} from '../core/index.ts';

/**
 * Every error leaves the API as an RFC 9457 problem document (`application/problem+json`):
 * a status, a stable `code`, a sentence for people, the failing fields for validation errors
 * and the request id to quote in a support ticket. Never a stack trace.
 */
export const problemSchema = z
  .object({
    type: z.string().describe('A URN naming the kind of problem, e.g. urn:nudge:problem:validation_failed'),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    expectedRevision: z.union([z.number(), z.string()]).optional(),
    actualRevision: z.number().nullable().optional(),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;

const titles: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  extra: Partial<Pick<Problem, 'errors' | 'expectedRevision' | 'actualRevision'>> = {},
): FastifyReply {
  const body: Problem = {
    type: `urn:nudge:problem:${code}`,
    title: titles[status] ?? 'Error',
    status,
    code,
    detail,
    requestId: String(reply.request.id),
    ...extra,
  };
  return reply.code(status).type('application/problem+json').send(body);
}

/** The one error handler: maps the error hierarchy, fastify's own errors and the unexpected. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const issues: FieldIssue[] = error.validation.map((v) => ({
      path: fieldPathFromPointer(where, v.instancePath),
      message: v.message ?? 'is invalid',
    }));
    return sendProblem(reply, 400, 'validation_failed', describe(issues), { errors: issues });
  }
  if (error instanceof NudgeError) return sendNudgeError(error, reply, request);
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error, issues: fieldIssues(error.cause.issues) }, 'response did not match its schema');
    return sendProblem(reply, 500, 'internal_error', 'The server could not produce a valid response.');
  }
  const fastifyError = error as FastifyError;
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return sendProblem(reply, status, codeOfFastifyError(fastifyError), fastifyError.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, 500, 'internal_error', 'Something went wrong on our side; quote the request id when reporting it.');
}

function sendNudgeError(error: NudgeError, reply: FastifyReply, request: FastifyRequest): FastifyReply {
  if (error instanceof ValidationError) {
    return sendProblem(reply, 400, error.code, error.message, { errors: [...error.issues] });
  }
  if (error instanceof UnauthorizedError) return sendProblem(reply, 401, error.code, error.message);
  if (error instanceof ForbiddenError) return sendProblem(reply, 403, error.code, error.message);
  if (error instanceof NotFoundError) return sendProblem(reply, 404, error.code, error.message);
  if (error instanceof ConcurrencyError) {
    return sendProblem(reply, 409, error.code, error.message, { expectedRevision: error.expected, actualRevision: error.actual });
  }
  if (error instanceof ConflictError) return sendProblem(reply, 409, error.code, error.message);
  if (error instanceof PreconditionFailedError) return sendProblem(reply, 412, error.code, error.message);
  if (error instanceof PayloadTooLargeError) return sendProblem(reply, 413, error.code, error.message);
  if (error instanceof RateLimitedError) {
    void reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
    return sendProblem(reply, 429, error.code, error.message);
  }
  if (error instanceof AnalyticsError) {
    return sendProblem(reply, 422, error.code, error.message);
  }
  if (error instanceof OverloadedError) {
    request.log.warn({ err: error }, 'overloaded: request refused');
    void reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
    return sendProblem(reply, 503, error.code, error.message);
  }
  if (error instanceof UnavailableError) {
    request.log.error({ err: error }, 'backend unavailable');
    return sendProblem(reply, 503, error.code, 'A backend the server needs is unavailable; try again shortly.');
  }
  if (error instanceof ConfigError) {
    request.log.error({ err: error }, 'configuration error');
    return sendProblem(reply, 500, 'internal_error', 'The server is misconfigured; quote the request id when reporting it.');
  }
  request.log.error({ err: error }, 'unmapped Nudge error');
  return sendProblem(reply, 500, 'internal_error', 'Something went wrong on our side; quote the request id when reporting it.');
}

/** `body` + `/events/0/name` → `body.events[0].name` */
function fieldPathFromPointer(where: string, pointer: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replaceAll('~1', '/').replaceAll('~0', '~')));
  return fieldPathOf([where, ...segments]);
}

function fieldPathOf(segments: readonly (string | number)[]): string {
  return fieldIssues([{ path: segments, message: '' }])[0]!.path;
}

function describe(issues: readonly FieldIssue[]): string {
  return `The request is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
}

function codeOfFastifyError(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'payload_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'invalid_json';
    default:
      return error.statusCode === 404 ? 'not_found' : 'bad_request';
  }
}

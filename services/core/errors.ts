/**
 * One error hierarchy for the whole product. Adapters translate vendor errors into these at
 * their boundary (a SQLite constraint or a KurrentDB WrongExpectedVersion becomes a
 * ConcurrencyError), and the HTTP layer maps each class to one status code, so neither the
 * domain nor the clients ever see a vendor's error.
 */
export abstract class NudgeError extends Error {
  /** Stable machine-readable code, e.g. `concurrency_conflict`. */
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One failing field: `path` as the user wrote it (`nodes.check-fit.branches[0].when`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Input that does not have the right shape or values. */
export class ValidationError extends NudgeError {
  readonly code = 'validation_failed';
  readonly issues: readonly FieldIssue[];

  constructor(message: string, issues: readonly FieldIssue[] = []) {
    super(issues.length === 0 ? message : `${message}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** The caller did not prove who they are. */
export class UnauthorizedError extends NudgeError {
  readonly code = 'unauthorized';
}

/** The caller is known but may not do this. */
export class ForbiddenError extends NudgeError {
  readonly code = 'forbidden';
}

export class NotFoundError extends NudgeError {
  readonly code = 'not_found';
}

/** A stream was not at the revision the writer expected: someone else wrote first. */
export class ConcurrencyError extends NudgeError {
  readonly code = 'concurrency_conflict';

  readonly stream: string;
  /** What the writer expected: a revision, or `noStream` / `streamExists`. */
  readonly expected: number | 'noStream' | 'streamExists';
  /** The stream's revision when the write was tried; null when the stream does not exist. */
  readonly actual: number | null;

  constructor(stream: string, expected: number | 'noStream' | 'streamExists', actual: number | null) {
    super(
      `stream ${stream}: expected ${typeof expected === 'number' ? `revision ${expected}` : expected}, ` +
        `but it is ${actual === null ? 'absent' : `at revision ${actual}`}`,
    );
    this.stream = stream;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The request conflicts with the current state (e.g. completing a dismissed suggestion). */
export class ConflictError extends NudgeError {
  readonly code = 'conflict';
}

/** A precondition the caller stated (If-Match, a version) does not hold. */
export class PreconditionFailedError extends NudgeError {
  readonly code = 'precondition_failed';
}

export class PayloadTooLargeError extends NudgeError {
  readonly code = 'payload_too_large';

  readonly limitBytes: number;

  constructor(message: string, limitBytes: number) {
    super(message);
    this.limitBytes = limitBytes;
  }
}

export class RateLimitedError extends NudgeError {
  readonly code = 'rate_limited';

  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A backend (store, analytics, broker) cannot be reached or refused to work. */
export class UnavailableError extends NudgeError {
  readonly code: string = 'unavailable';
}

/**
 * The server has more work queued than it takes on: the request is refused now (nothing of it was
 * stored) so that what is queued keeps its latency; the client sends it again after
 * `retryAfterSeconds` (HTTP 503 with Retry-After, which Segment's libraries retry).
 */
export class OverloadedError extends UnavailableError {
  override readonly code = 'overloaded';
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * An email was not handed over: the SMTP server refused it or could not be reached, or the
 * outbox could not be written. `retryable` says whether the same message may go through later
 * (a 4xx reply, a dropped connection, a timeout) or will be refused again (a 5xx reply, a bad
 * address); the caller's retry policy reads it, never the vendor's error.
 */
export class MailDeliveryError extends NudgeError {
  readonly code = 'mail_delivery_failed';

  readonly retryable: boolean;
  /** The SMTP reply code when a server answered (450, 550, ...); undefined when none did. */
  readonly responseCode: number | undefined;

  constructor(message: string, options: { retryable: boolean; responseCode?: number | undefined; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    this.responseCode = options.responseCode;
  }
}

/**
 * The analytics engine refused a statement (a syntax error, an unknown column, a limit or timeout
 * reached). `engineCode` is ClickHouse's numeric error code when it gave one (62: syntax error,
 * 159: timeout, 396: too many result rows, 164: readonly); the message is the engine's own words.
 */
export class AnalyticsError extends NudgeError {
  readonly code = 'analytics_query_failed';

  readonly engineCode: number | undefined;

  constructor(message: string, options: { engineCode?: number | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.engineCode = options.engineCode;
  }
}

/** Configuration that cannot work; start-up stops with this message. */
export class ConfigError extends NudgeError {
  readonly code = 'invalid_config';
}

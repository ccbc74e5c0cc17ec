import type { Clock, RecordedEvent } from '../core/index.ts';
import { ConcurrencyError, ConflictError, deriveId, MailDeliveryError, newEvent, NotFoundError, systemClock } from '../core/index.ts';
import type { EmailEvent, EmailSendRequested, LeadEvent } from '../events/index.ts';
import { streams } from '../events/index.ts';
import type { EventStore, Mailer } from '../ports/index.ts';
import { handleCommand } from '../ports/index.ts';
import { composeSuggestionEmail, isContactable } from './emailComposition.ts';
import { suggestionLifecycle } from './suggestionLifecycle.ts';
import type { SuggestionQueueProjection } from './suggestionQueueProjection.ts';

export interface EmailSenderOptions {
  readonly store: EventStore;
  readonly projection: SuggestionQueueProjection;
  readonly mailer: Mailer;
  /** The rep an email goes out from (the lead's owner): null when unknown. */
  readonly repOf: (repId: string) => Promise<{ name: string; email: string; active: boolean } | null>;
  /** The lead's own unsubscribe link. */
  readonly unsubscribeUrl: (leadId: string) => string;
  readonly messageIdDomain: string;
  readonly clock?: Clock;
  /** Attempts in all, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Wait before attempt n+1 after attempt n failed. Default 1 min × 4^(n−1): 1, 4, 16, 64 minutes. */
  readonly backoffMs?: (attempt: number) => number;
}

export type SendOutcome =
  | { readonly status: 'sent'; readonly suggestionId: string; readonly messageId: string; readonly attempt: number }
  | { readonly status: 'already_sent'; readonly suggestionId: string; readonly messageId: string }
  | { readonly status: 'in_progress'; readonly suggestionId: string; readonly messageId: string }
  | { readonly status: 'retrying'; readonly suggestionId: string; readonly messageId: string; readonly error: string; readonly nextAttemptAt: string }
  | { readonly status: 'failed'; readonly suggestionId: string; readonly messageId: string; readonly error: string };

interface EmailState {
  requested: EmailSendRequested['data'] | null;
  requestedAt: number;
  sent: { messageId: string } | null;
  /** The highest attempt that failed. */
  attempts: number;
  /** The highest attempt started, and when. */
  started: number;
  startedAt: number;
  lastFailure: { error: string; retryable: boolean; nextAttemptAt: string | null } | null;
}

/** How long a requested send may go without an outcome before the retrier takes it over (a crash mid-send). */
const ORPHANED_AFTER_MS = 5 * 60_000;

/**
 * Sends an approved email suggestion, once. The request is recorded first (`EmailSendRequested`,
 * its id derived from the suggestion's: a second request finds it and sends nothing), then the
 * Mailer is tried; success records `EmailSent` and completes the suggestion (`email_sent`), a
 * failure records `EmailSendFailed` with the next attempt's time, and `retryDue()` (run by
 * `nudge serve` every minute) tries again with backoff until it works or the attempts are used up.
 * Every attempt carries the same Message-ID. The one window left: a process killed after the
 * SMTP server accepted the message and before `EmailSent` was recorded makes the retrier send it
 * again — with the same Message-ID, which receiving servers and clients use to drop duplicates.
 *
 *   const outcome = await sender.send(suggestionId, { subject, body, by: 'rep-ana' });
 */
export class EmailSender {
  readonly #options: EmailSenderOptions;
  readonly #clock: Clock;

  constructor(options: EmailSenderOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  async send(suggestionId: string, edits: { subject?: string | undefined; body?: string | undefined; by: string | null }): Promise<SendOutcome> {
    const { projection, store } = this.#options;
    await projection.settled();
    const item = projection.queue.get(suggestionId);
    if (!item) throw new NotFoundError(`no suggestion ${suggestionId}`);
    if (item.action !== 'email') throw new ConflictError(`suggestion ${suggestionId} is a ${item.action}, not an email: there is nothing to send`);
    const stream = streams.lead(item.leadId);
    const history = await store.readStream(stream);
    const email = emailState(history, suggestionId);
    const known = this.#known(suggestionId, email);
    if (known) return known;

    let suggestions = suggestionLifecycle.initialState();
    for (const event of history) suggestions = suggestionLifecycle.evolve(suggestions, event as never);
    const state = suggestions.get(suggestionId);
    if (state && (state.status === 'completed' || state.status === 'dismissed' || state.status === 'expired')) {
      throw new ConflictError(`suggestion ${suggestionId} is already ${state.status}: it cannot be sent`);
    }
    const lead = leadContact(history);
    if (!isContactable(lead.traits)) throw new ConflictError('the lead unsubscribed or is marked do-not-contact: no email may be sent to them');
    if (lead.email === null) throw new ConflictError('the lead has no email address');
    if (lead.ownerId === null) throw new ConflictError('the lead has no owner: assign a rep first, the email goes out from the owner’s address');
    const rep = await this.#options.repOf(lead.ownerId);
    if (!rep) throw new ConflictError(`the lead's owner ${lead.ownerId} is not a known rep: add the rep (nudge reps add) before sending`);
    if (!rep.active) throw new ConflictError(`the lead's owner ${lead.ownerId} is inactive: reassign the lead first`);

    const requested: EmailSendRequested['data'] = {
      suggestionId,
      by: edits.by,
      from: { name: rep.name, address: rep.email },
      to: { name: lead.name ?? '', address: lead.email },
      subject: edits.subject ?? item.subject ?? '',
      body: edits.body ?? item.body ?? '',
      unsubscribeUrl: this.#options.unsubscribeUrl(item.leadId),
      messageId: '',
    };
    const message = this.#compose(requested); // validates: a bad edit is a 400 before anything is recorded
    const recorded = { ...requested, messageId: message.messageId };
    let appended;
    try {
      // With the revision read: an unsubscribe or a dismissal that landed meanwhile is not missed.
      appended = await store.append(stream, [newEvent({ type: 'EmailSendRequested', data: recorded }, { id: deriveId('email-send-requested', suggestionId), clock: this.#clock })], {
        expectedRevision: history.at(-1)?.revision ?? 'noStream',
      });
    } catch (error) {
      if (error instanceof ConcurrencyError) return this.send(suggestionId, edits);
      throw error;
    }
    // Another request recorded it first: that one sends.
    if (appended.appended.length === 0) return { status: 'in_progress', suggestionId, messageId: message.messageId };
    return this.#attempt(item.leadId, recorded, 1);
  }

  /** Tries again every send whose next attempt is due, and sends orphaned by a crash. Returns how many were tried. */
  async retryDue(): Promise<number> {
    const { projection, store } = this.#options;
    await projection.settled();
    const now = this.#clock.now().getTime();
    let tried = 0;
    for (const item of projection.queue.emailsPending()) {
      const history = await store.readStream(streams.lead(item.leadId));
      const email = emailState(history, item.suggestionId);
      if (!email.requested || email.sent) continue;
      const failure = email.lastFailure;
      // An attempt started and never finished (its process died): taken over after a while.
      const orphaned = email.started > email.attempts ? email.startedAt + ORPHANED_AFTER_MS <= now : email.started === 0 && email.requestedAt + ORPHANED_AFTER_MS <= now;
      const retryDue = email.started === email.attempts && failure !== null && failure.nextAttemptAt !== null && Date.parse(failure.nextAttemptAt) <= now;
      if (!orphaned && !retryDue) continue;
      tried++;
      // The lead may have unsubscribed, or the rep dismissed the suggestion, since the last try.
      const stop = whyNotNow(history, item.suggestionId);
      if (stop !== null) {
        await store.append(streams.lead(item.leadId), [
          newEvent(
            { type: 'EmailSendFailed', data: { suggestionId: item.suggestionId, attempt: Math.max(email.started, email.attempts) + 1, error: `not sent: ${stop}`, retryable: false, nextAttemptAt: null } },
            { id: deriveId('email-send-failed', item.suggestionId, String(Math.max(email.started, email.attempts) + 1)), clock: this.#clock },
          ),
        ]);
        continue;
      }
      await this.#attempt(item.leadId, email.requested, Math.max(email.started, email.attempts) + 1);
    }
    return tried;
  }

  #known(suggestionId: string, email: EmailState): SendOutcome | null {
    if (email.sent) return { status: 'already_sent', suggestionId, messageId: email.sent.messageId };
    if (!email.requested) return null;
    const messageId = email.requested.messageId;
    const failure = email.lastFailure;
    if (failure === null) return { status: 'in_progress', suggestionId, messageId };
    if (failure.nextAttemptAt === null) return { status: 'failed', suggestionId, messageId, error: failure.error };
    return { status: 'retrying', suggestionId, messageId, error: failure.error, nextAttemptAt: failure.nextAttemptAt };
  }

  async #attempt(leadId: string, requested: EmailSendRequested['data'], attempt: number): Promise<SendOutcome> {
    const { store, mailer } = this.#options;
    const stream = streams.lead(leadId);
    const { suggestionId, messageId } = requested;
    // The lease on this attempt: a second sender (another process, the retrier racing a slow
    // first attempt) finds it taken and sends nothing.
    const lease = await store.append(stream, [
      newEvent({ type: 'EmailSendAttempted', data: { suggestionId, attempt } }, { id: deriveId('email-send-attempted', suggestionId, String(attempt)), clock: this.#clock }),
    ]);
    if (lease.appended.length === 0) return { status: 'in_progress', suggestionId, messageId };
    try {
      const sent = await mailer.send(this.#compose(requested));
      await store.append(stream, [
        newEvent({ type: 'EmailSent', data: { suggestionId, messageId: sent.messageId, transport: sent.transport, detail: sent.detail, attempt } }, { id: deriveId('email-sent', suggestionId), clock: this.#clock }),
      ]);
      await handleCommand(store, stream, suggestionLifecycle, { type: 'CompleteSuggestion', data: { suggestionId, by: requested.by, outcome: 'email_sent', note: null } }, { clock: this.#clock }).catch(
        // Dismissed or expired while the message was on its way: the email went, the record says so.
        () => undefined,
      );
      return { status: 'sent', suggestionId, messageId: sent.messageId, attempt };
    } catch (error) {
      const retryable = error instanceof MailDeliveryError ? error.retryable : false;
      const message = error instanceof Error ? error.message : String(error);
      const more = retryable && attempt < (this.#options.maxAttempts ?? 5);
      const nextAttemptAt = more ? new Date(this.#clock.now().getTime() + (this.#options.backoffMs ?? defaultBackoff)(attempt)).toISOString() : null;
      await store.append(stream, [
        newEvent(
          { type: 'EmailSendFailed', data: { suggestionId, attempt, error: message, retryable, nextAttemptAt } },
          { id: deriveId('email-send-failed', suggestionId, String(attempt)), clock: this.#clock },
        ),
      ]);
      return nextAttemptAt === null ? { status: 'failed', suggestionId, messageId, error: message } : { status: 'retrying', suggestionId, messageId, error: message, nextAttemptAt };
    }
  }

  #compose(requested: EmailSendRequested['data']) {
    return composeSuggestionEmail({
      suggestionId: requested.suggestionId,
      subject: requested.subject,
      body: requested.body,
      rep: { name: requested.from.name, email: requested.from.address },
      lead: { name: requested.to.name, email: requested.to.address },
      unsubscribeUrl: requested.unsubscribeUrl,
      messageIdDomain: this.#options.messageIdDomain,
    });
  }
}

function defaultBackoff(attempt: number): number {
  return 60_000 * 4 ** (attempt - 1);
}

function emailState(history: readonly RecordedEvent[], suggestionId: string): EmailState {
  const state: EmailState = { requested: null, requestedAt: 0, sent: null, attempts: 0, started: 0, startedAt: 0, lastFailure: null };
  for (const event of history) {
    const typed = event as unknown as EmailEvent;
    if (typed.type !== 'EmailSendRequested' && typed.type !== 'EmailSendAttempted' && typed.type !== 'EmailSent' && typed.type !== 'EmailSendFailed') continue;
    if (typed.data.suggestionId !== suggestionId) continue;
    if (typed.type === 'EmailSendRequested') {
      state.requested = typed.data;
      state.requestedAt = Date.parse(event.metadata.occurredAt);
    } else if (typed.type === 'EmailSendAttempted') {
      state.started = Math.max(state.started, typed.data.attempt);
      state.startedAt = Date.parse(event.metadata.occurredAt);
    } else if (typed.type === 'EmailSent') state.sent = { messageId: typed.data.messageId };
    else {
      state.attempts = Math.max(state.attempts, typed.data.attempt);
      state.lastFailure = { error: typed.data.error, retryable: typed.data.retryable, nextAttemptAt: typed.data.nextAttemptAt };
    }
  }
  return state;
}

/** Why a requested send must not go out any more (null: it may). */
function whyNotNow(history: readonly RecordedEvent[], suggestionId: string): string | null {
  let suggestions = suggestionLifecycle.initialState();
  for (const event of history) suggestions = suggestionLifecycle.evolve(suggestions, event as never);
  const status = suggestions.get(suggestionId)?.status;
  if (status === 'dismissed' || status === 'expired') return `the suggestion was ${status}`;
  if (!isContactable(leadContact(history).traits)) return 'the lead unsubscribed or is marked do-not-contact';
  return null;
}

/** Who the email goes to, and whether it may: folded from the lead's stream. */
function leadContact(history: readonly RecordedEvent[]): { email: string | null; name: string | null; ownerId: string | null; traits: Record<string, unknown> } {
  const lead = { email: null as string | null, name: null as string | null, ownerId: null as string | null, traits: {} as Record<string, unknown> };
  for (const event of history) {
    const typed = event as unknown as LeadEvent;
    if (typed.type === 'TraitsUpdated') {
      for (const [key, value] of Object.entries(typed.data.traits)) {
        if (value === null) delete lead.traits[key];
        else lead.traits[key] = value;
      }
    } else if (typed.type === 'LeadIdentified' || typed.type === 'LeadsMerged') {
      for (const identity of typed.data.identities) if (identity.kind === 'email') lead.email ??= identity.value;
    } else if (typed.type === 'OwnerAssigned') {
      lead.ownerId = typed.data.ownerId;
    }
  }
  if (typeof lead.traits.email === 'string') lead.email ??= lead.traits.email;
  const traits = lead.traits;
  lead.name = typeof traits.name === 'string' ? traits.name : [traits.firstName, traits.lastName].filter((part) => typeof part === 'string').join(' ') || null;
  return lead;
}


import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/index.ts';
import { deriveId, newEvent, NotFoundError, systemClock } from '../core/index.ts';
import { streams } from '../events/index.ts';
import type { EventStore } from '../ports/index.ts';

/**
 * The lead's own unsubscribe link: `<NUDGE_UNSUBSCRIBE_URL>?lead=<id>&token=<hmac>`. The token is an
 * HMAC of the lead id with a secret kept in the data folder, so a link works without a login and
 * cannot be forged for another lead. Unsubscribing records `TraitsUpdated { unsubscribed: true }`
 * on the lead's stream — the trait every reader already honours: journeys propose no email, a
 * send is refused.
 */
export function unsubscribeToken(secret: string, leadId: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${leadId}`).digest('base64url').slice(0, 32);
}

export function unsubscribeLink(baseUrl: string, secret: string, leadId: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('lead', leadId);
  url.searchParams.set('token', unsubscribeToken(secret, leadId));
  return url.toString();
}

function currentlyUnsubscribed(history: readonly { type: string; data: unknown }[]): boolean {
  let unsubscribed = false;
  for (const event of history) {
    if (event.type !== 'TraitsUpdated') continue;
    const traits = (event.data as { traits: Record<string, unknown> }).traits;
    if ('unsubscribed' in traits) unsubscribed = traits.unsubscribed === true;
  }
  return unsubscribed;
}

export class UnsubscribeService {
  readonly #store: EventStore;
  readonly #secret: string;
  readonly #clock: Clock;

  constructor(options: { store: EventStore; secret: string; clock?: Clock }) {
    this.#store = options.store;
    this.#secret = options.secret;
    this.#clock = options.clock ?? systemClock;
  }

  /** True when the token belongs to the lead (compared in constant time). */
  verify(leadId: string, token: string): boolean {
    const expected = Buffer.from(unsubscribeToken(this.#secret, leadId));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Records the unsubscribe (once: the event id is derived from the lead). Unknown lead or bad token → NotFoundError, saying nothing more. */
  async unsubscribe(leadId: string, token: string): Promise<void> {
    const stream = streams.lead(leadId);
    if (!this.verify(leadId, token)) throw new NotFoundError('this unsubscribe link is not valid');
    const history = await this.#store.readStream(stream);
    if (history.length === 0) throw new NotFoundError('this unsubscribe link is not valid');
    // Already unsubscribed: nothing to record. A lead who opted back in (a form set the trait to
    // false) and clicks again is unsubscribed again: the id includes the revision it was decided on.
    if (currentlyUnsubscribed(history)) return;
    const revision = history.at(-1)!.revision;
    await this.#store.append(stream, [
      newEvent(
        { type: 'TraitsUpdated', data: { messageId: `unsubscribe:${leadId}:${revision}`, traits: { unsubscribed: true } } },
        { id: deriveId('unsubscribe', leadId, String(revision)), clock: this.#clock },
      ),
    ]);
  }
}

import type { Clock } from '../core/index.ts';
import { ConflictError, deriveId, newEvent, NotFoundError, systemClock } from '../core/index.ts';
import type { EventStore, Mailer, OutgoingEmail } from '../ports/index.ts';
import { escapeHtml } from './emailComposition.ts';
import type { QueueItem, QueueView } from './suggestionQueue.ts';
import type { SuggestionQueueProjection } from './suggestionQueueProjection.ts';

export interface DigestRep {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly timeZone: string;
  readonly dailyCapacity: number | null;
  readonly active: boolean;
}

export interface DailyDigestOptions {
  readonly store: EventStore;
  readonly projection: SuggestionQueueProjection;
  readonly mailer: Mailer;
  readonly reps: { find(repId: string): Promise<DigestRep | null>; list(): Promise<readonly DigestRep[]> };
  /** Where links in the digest point (the API's address as reps reach it). */
  readonly baseUrl: string;
  readonly fromAddress: string;
  readonly messageIdDomain: string;
  /** Local hour (0–23, in each rep's time zone) from which the morning digest goes out. Default 8. */
  readonly hour?: number;
  readonly clock?: Clock;
}

export type DigestOutcome =
  | { readonly status: 'sent' | 'already_sent'; readonly repId: string; readonly day: string; readonly items: number }
  | { readonly status: 'failed'; readonly repId: string; readonly day: string; readonly error: string };

/**
 * Each morning, in the rep's time zone, an email to the rep with today's queue: what to do, in
 * order, each with its reason and a link. One digest per rep per local day: `DigestSent` on the
 * `digest-<rep>` stream (its id derived from rep and day) is checked before sending and recorded after.
 *
 *   await digest.send('rep-ana');          // by hand: nudge digest send --rep rep-ana
 *   await digest.sendDue();                // nudge serve, every minute
 */
export class DailyDigest {
  readonly #options: DailyDigestOptions;
  readonly #clock: Clock;

  constructor(options: DailyDigestOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Sends the rep's digest for their current local day, unless it went already. */
  async send(repId: string, options: { force?: boolean } = {}): Promise<DigestOutcome> {
    const rep = await this.#options.reps.find(repId);
    if (!rep) throw new NotFoundError(`no rep ${repId}`);
    if (!rep.active) throw new ConflictError(`rep ${repId} is inactive: no digest`);
    const now = this.#clock.now();
    const day = localDay(now, rep.timeZone);
    // Its own stream: the rep's stream holds the rep's profile and nothing else.
    const stream = `digest-${repId}`;
    const eventId = deriveId('digest-sent', repId, day);
    const already = (await this.#options.store.readStream(stream)).some((event) => event.id === eventId);
    await this.#options.projection.settled();
    const view = this.#options.projection.queue.queue(repId, { now, capacity: rep.dailyCapacity, timeZone: rep.timeZone });
    if (already && !options.force) return { status: 'already_sent', repId, day, items: view.today.length };
    // A forced resend is a new message (a new key): the outbox would otherwise return the first one.
    const message = composeDigest(rep, view, day, this.#options, already ? String(now.getTime()) : '');
    const sent = await this.#options.mailer.send(message);
    await this.#options.store.append(stream, [
      newEvent(
        { type: 'DigestSent', data: { repId, day, items: view.today.length, messageId: sent.messageId, transport: sent.transport } },
        { id: already ? deriveId('digest-resent', repId, day, String(now.getTime())) : eventId, clock: this.#clock },
      ),
    ]);
    return { status: 'sent', repId, day, items: view.today.length };
  }

  /**
   * Sends the digest of every active rep whose morning it is: from the digest hour until noon,
   * local time (a server that was down at 8 still sends at 10; at 19:00 a "today" list is no use).
   */
  async sendDue(): Promise<DigestOutcome[]> {
    const hour = this.#options.hour ?? 8;
    const now = this.#clock.now();
    const outcomes: DigestOutcome[] = [];
    for (const rep of await this.#options.reps.list()) {
      const local = localHour(now, rep.timeZone);
      if (!rep.active || local < hour || local >= Math.max(12, hour + 1)) continue;
      // One rep's bad address must not keep the others' digests from going out.
      outcomes.push(
        await this.send(rep.id).catch((error: unknown) => ({
          status: 'failed' as const,
          repId: rep.id,
          day: localDay(now, rep.timeZone),
          error: error instanceof Error ? error.message : String(error),
        })),
      );
    }
    return outcomes.filter((outcome) => outcome.status !== 'already_sent');
  }
}

/** The digest email: today's suggestions in queue order, each with its reason and a link. */
export function composeDigest(
  rep: DigestRep,
  view: QueueView,
  day: string,
  options: Pick<DailyDigestOptions, 'baseUrl' | 'fromAddress' | 'messageIdDomain'>,
  resend = '',
): OutgoingEmail {
  const base = options.baseUrl.replace(/\/+$/, '');
  const link = (item: QueueItem) => `${base}/v1/suggestions/${item.suggestionId}`;
  const queueLink = `${base}/v1/reps/${encodeURIComponent(rep.id)}/queue`;
  const count = view.today.length;
  const subject = `Your Nudge queue for ${day}: ${count} to do${view.counts.overdue > 0 ? ` (${view.counts.overdue} overdue)` : ''}`;
  const line = (item: QueueItem, n: number) => {
    const who = [item.lead.name, item.lead.company].filter((part) => part).join(', ');
    return [`${n}. [${item.priority}] ${item.title}${who ? ` — ${who}` : ''}`, `   due ${item.dueAt.slice(0, 16).replace('T', ' ')} UTC`, `   why: ${item.reason}`, `   ${link(item)}`].join('\n');
  };
  const text = [
    `Good morning ${rep.name || rep.id},`,
    '',
    count === 0 ? 'Nothing is due today.' : `Today's ${count} suggestion${count === 1 ? '' : 's'}, in order:`,
    '',
    ...view.today.map((item, i) => line(item, i + 1)),
    ...(view.later.length > 0 ? ['', `${view.later.length} more wait in your queue: ${queueLink}`] : []),
  ].join('\n');
  const html = [
    `<p>Good morning ${escapeHtml(rep.name || rep.id)},</p>`,
    `<p>${count === 0 ? 'Nothing is due today.' : `Today&#39;s ${count} suggestion${count === 1 ? '' : 's'}, in order:`}</p>`,
    '<ol>',
    ...view.today.map(
      (item) =>
        `<li><strong>[${escapeHtml(item.priority)}] <a href="${escapeHtml(link(item))}">${escapeHtml(item.title)}</a></strong>` +
        `${item.lead.name ? ` — ${escapeHtml([item.lead.name, item.lead.company].filter((part) => part).join(', '))}` : ''}<br>` +
        `due ${escapeHtml(item.dueAt.slice(0, 16).replace('T', ' '))} UTC<br>why: ${escapeHtml(item.reason)}</li>`,
    ),
    '</ol>',
    ...(view.later.length > 0 ? [`<p>${view.later.length} more wait in <a href="${escapeHtml(queueLink)}">your queue</a>.</p>`] : []),
  ].join('\n');
  const key = deriveId('digest', rep.id, day, resend);
  return {
    idempotencyKey: key,
    messageId: `<digest-${key}@${options.messageIdDomain.toLowerCase()}>`,
    from: { name: 'Nudge', address: options.fromAddress },
    to: { name: rep.name, address: rep.email },
    subject,
    text,
    html,
    listUnsubscribe: { url: queueLink },
  };
}

function localParts(now: Date, timeZone: string): Record<string, string> {
  return Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' })
      .formatToParts(now)
      .map((part) => [part.type, part.value]),
  );
}

/** YYYY-MM-DD of `now` in the time zone. */
export function localDay(now: Date, timeZone: string): string {
  const parts = localParts(now, timeZone);
  return `${parts.year}-${parts.month}-${parts.day}`;
}

function localHour(now: Date, timeZone: string): number {
  return Number(localParts(now, timeZone).hour);
}

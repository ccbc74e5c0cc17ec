/**
 * The event names ingestion knows (docs/channels.md, "Event names"). A **touch** is something
 * the person did or saw that marketing and sales can credit to a channel: it becomes a
 * `TouchRecorded`. A **system** event changes what we know about the lead (stage, status, tags,
 * owner, consent, deliverability, account membership) and is not a contact with them: it never
 * becomes a touch, so it never counts in scoring or attribution as engagement.
 *
 * Any track name outside the catalogue is a touch too: teams send their own events.
 */

/** Keys of names seen lately: a site sends the same few event names again and again. */
const recentKeys = new Map<string, string>();
const RECENT_KEYS_MAX = 4_096;

export type EventOrigin = 'segment-page' | 'segment-b2b-saas' | 'segment-live-chat' | 'segment-email' | 'nudge';

/** A property a system event is read by. */
export interface EventProperty {
  readonly name: string;
  readonly required: boolean;
  readonly description: string;
}

export interface EventNameEntry {
  /** The name exactly as Segment spells it (names are case-sensitive). */
  readonly name: string;
  readonly kind: 'touch' | 'system';
  /** Which spec names it: Segment's page/screen calls, a Segment semantic spec, or Nudge. */
  readonly origin: EventOrigin;
  /** One line for the docs table. */
  readonly description: string;
  /** System events: the properties ingestion reads. */
  readonly properties?: readonly EventProperty[];
}

const touch = (name: string, origin: EventOrigin, description: string): EventNameEntry => ({ name, kind: 'touch', origin, description });
const system = (name: string, origin: EventOrigin, description: string, properties: readonly EventProperty[] = []): EventNameEntry => ({
  name,
  kind: 'system',
  origin,
  description,
  properties,
});
const property = (name: string, required: boolean, description: string): EventProperty => ({ name, required, description });

/** Every documented event name, touches first; the docs tables are checked against this list. */
export const eventCatalogue: readonly EventNameEntry[] = [
  touch('Page Viewed', 'segment-page', 'A `page` call (the name ingestion gives every page view).'),
  touch('Screen Viewed', 'segment-page', 'A `screen` call from a mobile app.'),

  touch('Signed Up', 'segment-b2b-saas', 'The person signed up for the product.'),
  touch('Signed In', 'segment-b2b-saas', 'The person signed in to the product (product engagement).'),
  touch('Signed Out', 'segment-b2b-saas', 'The person signed out of the product.'),
  touch('Invite Sent', 'segment-b2b-saas', 'The person invited a colleague (a spread-in-the-account signal).'),
  touch('Trial Started', 'segment-b2b-saas', 'The person started a trial.'),

  touch('Live Chat Conversation Started', 'segment-live-chat', 'The person sent the first message of a chat.'),
  touch('Live Chat Conversation Ended', 'segment-live-chat', 'The person or the agent ended a chat.'),
  touch('Live Chat Message Sent', 'segment-live-chat', 'The person sent a chat message to an agent.'),
  touch('Live Chat Message Received', 'segment-live-chat', 'The person received a chat message from an agent.'),

  touch('Email Opened', 'segment-email', 'The person opened an email (opens are inflated by mail privacy proxies).'),
  touch('Email Link Clicked', 'segment-email', 'The person clicked a link in an email.'),

  touch('Webinar Registered', 'nudge', 'The person registered for a webinar.'),
  touch('Webinar Attended', 'nudge', 'The person attended a live webinar.'),
  touch('Webinar On-Demand Viewed', 'nudge', 'The person watched a webinar recording.'),
  touch('Content Viewed', 'nudge', 'The person viewed a content asset (article, case study, video).'),
  touch('Content Downloaded', 'nudge', 'The person downloaded a content asset (e-book, white paper).'),
  touch('Form Submitted', 'nudge', 'The person submitted a form (contact, gated content, newsletter).'),
  touch('Demo Requested', 'nudge', 'The person asked for a demo: a hand-raiser.'),
  touch('Event Registered', 'nudge', 'The person registered for an in-person event.'),
  touch('Event Attended', 'nudge', 'The person attended an in-person event.'),
  touch('Booth Visited', 'nudge', 'The person visited our booth at a conference (badge scan).'),
  touch('Meeting Booked', 'nudge', 'A meeting with a rep was booked.'),
  touch('Meeting Held', 'nudge', 'A meeting with a rep took place.'),
  touch('Call Completed', 'nudge', 'A rep and the person spoke on the phone.'),
  touch('Ad Clicked', 'nudge', 'The person clicked an ad, as reported by the ad platform.'),

  system('Lifecycle Stage Changed', 'nudge', 'The lead moved to another lifecycle stage (→ `LifecycleStageChanged`).', [
    property('stage', true, 'One of the configured lifecycle stages (`NUDGE_LIFECYCLE_STAGES`).'),
    property('amount', false, 'Deal amount, a number (for opportunity and customer stages).'),
    property('currency', false, 'ISO 4217 code of the amount, e.g. `EUR`.'),
  ]),
  system('Lead Status Changed', 'nudge', 'The lead got another status (→ `LeadStatusChanged`).', [
    property('status', true, 'One of the configured lead statuses (`NUDGE_LEAD_STATUSES`).'),
  ]),
  system('Lead Tagged', 'nudge', 'Tags were added to the lead (→ `LeadTagged`).', [
    property('tag', false, 'One tag; or'),
    property('tags', false, 'several tags (one of `tag` / `tags` is needed).'),
  ]),
  system('Lead Untagged', 'nudge', 'Tags were removed from the lead (→ `LeadUntagged`).', [
    property('tag', false, 'One tag; or'),
    property('tags', false, 'several tags (one of `tag` / `tags` is needed).'),
  ]),
  system('Owner Assigned', 'nudge', 'A rep now owns the lead (→ `OwnerAssigned`).', [
    property('owner_id', true, 'The rep id (`rep-<id>` stream); `ownerId` is read too.'),
  ]),

  system('Email Delivered', 'segment-email', 'An email reached the inbox: a send, not the lead doing anything.'),
  system('Email Bounced', 'segment-email', 'An email could not be delivered: the address may be bad.'),
  system('Email Marked as Spam', 'segment-email', 'The person marked an email as spam: a consent signal, not engagement.'),
  system('Unsubscribed', 'segment-email', 'The person unsubscribed from emails: a consent change.'),

  system('Account Created', 'segment-b2b-saas', 'A product account (workspace) was created: account state.'),
  system('Account Deleted', 'segment-b2b-saas', 'A product account was deleted: account state.'),
  system('Account Added User', 'segment-b2b-saas', 'The person was added to a product account: membership state.'),
  system('Account Removed User', 'segment-b2b-saas', 'The person was removed from a product account: membership state.'),
  system('Trial Ended', 'segment-b2b-saas', 'A trial ran out: it happens by time, not by the person.'),
];

export const touchEventNames: readonly string[] = eventCatalogue.filter((entry) => entry.kind === 'touch').map((entry) => entry.name);
export const systemEventNames: readonly string[] = eventCatalogue.filter((entry) => entry.kind === 'system').map((entry) => entry.name);

const systemNames = new Set(systemEventNames);
const byKey = new Map(eventCatalogue.map((entry) => [eventNameKey(entry.name), entry]));

/**
 * Is this track event a system event (a lead-state change, not a touch)? Exact, case-sensitive
 * names, as Segment compares them; run `canonicalEventName` first to accept `lead_tagged`.
 *
 *   if (isSystemEvent(message.event)) applyStateChange(message); else recordTouch(message);
 */
export function isSystemEvent(name: string): boolean {
  return systemNames.has(name);
}

/**
 * The catalogue's spelling of a name written another way, or null for a name not in the catalogue:
 * case, `_`, `-`, spaces and camelCase are forgiven (`webinar_registered`, `WebinarRegistered`,
 * `webinar-registered` → `Webinar Registered`).
 */
export function canonicalEventName(name: string): string | null {
  return byKey.get(eventNameKey(name))?.name ?? null;
}

/** The catalogue entry of a name, written exactly or another way (see `canonicalEventName`). */
export function eventNameEntry(name: string): EventNameEntry | null {
  return byKey.get(eventNameKey(name)) ?? null;
}

/** The comparison key of an event name: lower case, words split on case changes, `_`, `-` and spaces. */
export function eventNameKey(name: string): string {
  const known = recentKeys.get(name);
  if (known !== undefined) return known;
  const key = keyOf(name);
  if (recentKeys.size >= RECENT_KEYS_MAX) recentKeys.clear();
  recentKeys.set(name, key);
  return key;
}

function keyOf(name: string): string {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter((word) => word !== '')
    .join(' ');
}

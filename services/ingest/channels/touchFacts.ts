import { eventNameKey } from './eventNames.ts';
import { hostOf, siteOf } from './sites.ts';

/** What a touch says about where it came from, as ingestion reads it from a Segment message. */
export interface TouchSignals {
  /** Segment track event name; `Page Viewed` / `Screen Viewed` for page and screen calls. */
  readonly eventName: string;
  /** From `context.campaign` (Segment's `name` is `campaign` here) or the page URL's utm_* parameters. */
  readonly utm: { readonly source?: string; readonly medium?: string; readonly campaign?: string; readonly term?: string; readonly content?: string };
  /** Ad platforms' click ids by parameter name (`gclid`, `fbclid`, `li_fat_id`, …). */
  readonly clickIds: { readonly gclid?: string; readonly fbclid?: string; readonly li_fat_id?: string; readonly msclkid?: string; readonly ttclid?: string; readonly [name: string]: string | undefined };
  /** The referrer's full URL. */
  readonly referrer?: string;
  /** The full URL of the page the touch happened on: a referrer from the same site is no referrer. */
  readonly pageUrl?: string;
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** The signals, normalised once per touch for the rules to test. */
export interface TouchFacts {
  readonly eventName: string;
  /** `eventNameKey(eventName)`: what `eventName` equals / in compare. */
  readonly eventKey: string;
  readonly source: string | undefined;
  readonly medium: string | undefined;
  readonly campaign: string | undefined;
  readonly term: string | undefined;
  readonly content: string | undefined;
  /** The referrer's host; undefined when there is none, it is unreadable, or it is the page's own site. */
  readonly referrerHost: string | undefined;
  readonly pageUrl: string | undefined;
  /** Lower-cased names of the click ids that carry a value. */
  readonly clickIds: readonly string[];
}

/** Values analytics exports use for "nothing": `(none)`, `(not set)`, `(direct)`. */
const PLACEHOLDER = /^\(.*\)$/;

export function touchFacts(signals: TouchSignals): TouchFacts {
  const pageUrl = present(signals.pageUrl);
  const referrerHost = present(signals.referrer) === undefined ? undefined : (hostOf(signals.referrer!) ?? undefined);
  const pageHost = pageUrl === undefined ? null : hostOf(pageUrl);
  const sameSite = referrerHost !== undefined && pageHost !== null && siteOf(referrerHost) === siteOf(pageHost);
  return {
    eventName: signals.eventName,
    eventKey: eventNameKey(signals.eventName),
    source: present(signals.utm.source),
    medium: present(signals.utm.medium),
    campaign: present(signals.utm.campaign),
    term: present(signals.utm.term),
    content: present(signals.utm.content),
    referrerHost: sameSite ? undefined : referrerHost,
    pageUrl,
    clickIds: Object.entries(signals.clickIds)
      .filter(([, value]) => present(value) !== undefined)
      .map(([name]) => name.toLowerCase()),
  };
}

function present(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || PLACEHOLDER.test(trimmed) ? undefined : trimmed;
}
